"""Stage 1: the Frictionless validation of the package (types, constraints, keys, sizes, hashes), as problems."""
from __future__ import annotations

import csv

import frictionless

from .package import Package
from .problems import Problem, RuleResult
from .tables import primary_key

NAME = "frictionless"
RESTAMP = "the bytes and sha256 declared in datapackage.json (after an intended edit, run: python -m checks stamp)"
DESCRIPTION = "frictionless validate datapackage.json: types, constraints, primary and foreign keys, bytes and sha256 of every resource"


def _row_ids(package: Package, name: str) -> list[str]:
    """The primary key of each data row, in file order, to name rows by id rather than by line."""
    key = primary_key(package.schema(name))
    with open(package.path_of(name), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return ["/".join(row.get(k) or "" for k in key) for row in rows]


def check_frictionless(package: Package) -> RuleResult:
    result = RuleResult(NAME, DESCRIPTION)
    report = frictionless.validate(str(package.descriptor_path))
    for task in report.tasks:
        result.checked += 1
        ids = _row_ids(package, task.name) if task.name in package.table_names else []
        for error in task.errors:
            row_number = getattr(error, "row_number", None)
            row = None
            if row_number:
                row = ids[row_number - 2] if 0 <= row_number - 2 < len(ids) and ids[row_number - 2] else f"line {row_number}"
            result.problems.append(Problem(
                rule=f"{NAME}.{error.type}", file=task.place, row=row, column=getattr(error, "field_name", None),
                expected=RESTAMP if error.type in ("hash-count", "byte-count") else error.description.rstrip("."),
                found=error.message, message=error.message))
    for error in report.errors:  # package-level: descriptor or schema problems
        result.problems.append(Problem(rule=f"{NAME}.{error.type}", file="datapackage.json", expected=error.description, found=error.message, message=error.message))
    return result
