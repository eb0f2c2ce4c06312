"""Stage 1: the Frictionless validation of the package (types, constraints, keys, sizes, hashes), as problems."""
from __future__ import annotations

import frictionless
import pandas as pd

from .package import Package
from .problems import Problem, RuleResult
from .tables import TEXT_PATTERN, explain, primary_key, row_id

NAME = "frictionless"
RESTAMP = "the bytes and sha256 declared in datapackage.json (after an intended edit, run: python -m checks stamp)"
DESCRIPTION = "frictionless validate datapackage.json: types, constraints, primary and foreign keys, bytes and sha256 of every resource"


def _row_name(package: Package, tables: dict[str, pd.DataFrame], table: str, row_number: int | None) -> str | None:
    """Name a frictionless row (header = row 1) by its id in the loaded table, else by its line."""
    if not row_number:
        return None
    df = tables.get(table)
    index = row_number - 2
    found = row_id(df, primary_key(package.schema(table)), index) if df is not None and 0 <= index < len(df) else None
    return found or f"line {row_number}"


def check_frictionless(package: Package, tables: dict[str, pd.DataFrame]) -> RuleResult:
    result = RuleResult(NAME, DESCRIPTION)
    report = frictionless.validate(str(package.descriptor_path))
    for task in report.tasks:
        result.checked += 1
        for error in task.errors:
            result.problems.append(Problem(
                rule=f"{NAME}.{error.type}", file=task.place, row=_row_name(package, tables, task.name, getattr(error, "row_number", None)), column=getattr(error, "field_name", None),
                expected=RESTAMP if error.type in ("hash-count", "byte-count") else explain(getattr(error, "note", "")) if TEXT_PATTERN in getattr(error, "note", "") else error.description.rstrip("."),
                found=error.message, message=error.message))
    for error in report.errors:  # package-level: descriptor or schema problems
        result.problems.append(Problem(rule=f"{NAME}.{error.type}", file="datapackage.json", expected=error.description, found=error.message, message=error.message))
    return result
