"""Stage 1: the Frictionless validation of the package (types, constraints, keys, sizes, hashes), as problems.

It runs in its own process (`frictionless_worker`), started as soon as preflight has accepted the package, while
pandas and pandera import, the tables load and the other rules run (so this module does not import pandas); `finish` waits for it and names each problem's row by its id.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .fields import TEXT_PATTERN, explain, primary_key
from .package import Package
from .problems import Problem, RuleResult

if TYPE_CHECKING:  # starting the worker must not wait for pandas: it is imported while frictionless runs
    import pandas as pd

NAME = "frictionless"
RESTAMP = "the bytes and sha256 declared in datapackage.json (after an intended edit, run: python -m checks stamp)"
DESCRIPTION = "frictionless validate datapackage.json: types, constraints, primary and foreign keys, bytes and sha256 of every resource"


@dataclass
class Running:
    """A started worker and what it has written so far (read by a thread, so that a long report never blocks it)."""

    process: subprocess.Popen
    output: list = field(default_factory=list)
    reader: threading.Thread | None = None


def start(package: Package) -> Running:
    """Start frictionless on the package's descriptor in a worker process; returns at once."""
    process = subprocess.Popen([sys.executable, "-m", "checks.frictionless_worker", str(package.descriptor_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=package.root)
    running = Running(process)
    running.reader = threading.Thread(target=lambda: running.output.append(process.communicate()), daemon=True)
    running.reader.start()
    return running


def done(running: Running) -> bool:
    """The worker has exited and its output is read (its core is free)."""
    return not running.reader.is_alive()


def stop(running: Running) -> None:
    """End a worker whose results are no longer wanted (the package turned out unusable)."""
    running.process.kill()
    running.reader.join()


def finish(running: Running, package: Package, tables: dict[str, pd.DataFrame]) -> RuleResult:
    """The worker's findings as one rule result; a worker that fails raises, naming why (the stage then crashed)."""
    running.reader.join()
    out, err = running.output[0]
    if running.process.returncode != 0:
        last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the frictionless worker exited with {running.process.returncode}: {last}")
    return as_result(json.loads(out), package, tables)


def _row_name(package: Package, tables: dict[str, pd.DataFrame], table: str, row_number: int | None) -> str | None:
    """Name a frictionless row (header = row 1) by its id in the loaded table, else by its line."""
    from .tables import row_id

    if not row_number:
        return None
    df = tables.get(table)
    index = row_number - 2
    found = row_id(df, primary_key(package.schema(table)), index) if df is not None and 0 <= index < len(df) else None
    return found or f"line {row_number}"


def as_result(findings: dict, package: Package, tables: dict[str, pd.DataFrame]) -> RuleResult:
    result = RuleResult(NAME, DESCRIPTION)
    for task in findings["tasks"]:
        result.checked += 1
        for error in task["errors"]:
            note = error["note"] or ""
            result.problems.append(Problem(
                rule=f"{NAME}.{error['type']}", file=task["place"], row=_row_name(package, tables, task["name"], error["row_number"]), column=error["field_name"],
                expected=RESTAMP if error["type"] in ("hash-count", "byte-count") else explain(note) if TEXT_PATTERN in note else error["description"].rstrip("."),
                found=error["message"], message=error["message"]))
    for error in findings["errors"]:  # package-level: descriptor or schema problems
        result.problems.append(Problem(rule=f"{NAME}.{error['type']}", file="datapackage.json", expected=error["description"], found=error["message"], message=error["message"]))
    return result
