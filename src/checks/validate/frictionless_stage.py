"""Stage 1: the Frictionless validation of the package (types, constraints, keys, sizes, hashes), as problems. It runs
after preflight, every network connection refused, so that frictionless cannot fetch whatever preflight missed."""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pandas as pd

from checks.package import DESCRIPTOR, Package
from checks.package.fields import TEXT_PATTERN, TEXT_RULE, primary_key
from checks.package.tables import row_id
from checks.problems import Problem, RuleResult

NAME = "frictionless"
RESTAMP = "the bytes and sha256 declared in datapackage.json (after an intended edit, run: python -m checks stamp)"
DESCRIPTION = (
    "frictionless validate datapackage.json: types, constraints, primary and foreign keys, bytes and sha256 of every "
    "resource"
)
_NETWORK = (
    (socket.socket, "connect"),
    (socket.socket, "connect_ex"),
    (socket, "create_connection"),
    (socket, "getaddrinfo"),
)


@contextmanager
def offline():
    """Every socket connection and name lookup fails inside the block; restored after it."""

    def refuse(*args, **kwargs):
        raise OSError("validation is offline: no network connection is made")

    saved = [(owner, name, getattr(owner, name)) for owner, name in _NETWORK]
    for owner, name, _ in saved:
        setattr(owner, name, refuse)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def check_frictionless(package: Package, tables: dict[str, pd.DataFrame]) -> RuleResult:
    """frictionless' report on the descriptor as one rule result, each problem's row named by its id."""
    import frictionless

    with offline():
        report = frictionless.validate(str(package.root / DESCRIPTOR))
    result = RuleResult(NAME, DESCRIPTION)
    for task in report.tasks:
        result.checked += 1
        for error in task.errors:
            note, restamp = getattr(error, "note", "") or "", error.type in ("hash-count", "byte-count")
            expected = RESTAMP if restamp else TEXT_RULE if TEXT_PATTERN in note else error.description.rstrip(".")
            row = _row_name(package, tables, task.name, getattr(error, "row_number", None))
            result.problems.append(
                Problem(
                    f"{NAME}.{error.type}",
                    task.place,
                    row,
                    getattr(error, "field_name", None),
                    expected,
                    error.message,
                    error.message,
                )
            )
    for error in report.errors:  # package-level: descriptor or schema problems
        result.problems.append(
            Problem(
                f"{NAME}.{error.type}",
                DESCRIPTOR,
                expected=error.description,
                found=error.message,
                message=error.message,
            )
        )
    return result


def _row_name(package: Package, tables: dict[str, pd.DataFrame], table: str, row_number: int | None) -> str | None:
    """Name a frictionless row (header = row 1) by its id in the loaded table, else by its line."""
    if not row_number:
        return None
    df, index = tables.get(table), row_number - 2
    found = row_id(df, primary_key(package.schema(table)), index) if df is not None and 0 <= index < len(df) else None
    return found or f"line {row_number}"
