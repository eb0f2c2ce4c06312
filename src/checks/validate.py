"""One command, every rule, in order: preflight, frictionless, pandera (columns and row rules), coverage."""
from __future__ import annotations

from pathlib import Path

from .frictionless_stage import check_frictionless
from .package import Package
from .pandera_stage import check_table
from .preflight import preflight
from .problems import Problem, Report, UnusableInput
from .rules.base import Context
from .rules.coverage import check_coverage
from .tables import load_table


def load_context(root: Path) -> Context:
    """The package at root, preflighted and loaded; raises UnusableInput if it cannot be."""
    package = Package(root)
    preflight(package)
    tables = {}
    for name in package.table_names:
        try:
            tables[name] = load_table(package, name)
        except (ValueError, KeyError) as err:  # pandas cannot parse the CSV (a ragged row, say)
            path = package.resource(name)["path"]
            raise UnusableInput(Problem("input.csv_parse", path, message=f"{path} cannot be read as CSV: {err}".strip())) from None
    return Context(package, tables)


def validate(root: Path) -> Report:
    report = Report()
    try:
        ctx = load_context(root)
    except UnusableInput as err:
        report.unusable = err.problem
        return report
    report.results.append(check_frictionless(ctx.package, ctx.tables))
    for table in ctx.package.table_names:
        report.results.extend(check_table(ctx, table))
    report.results.append(check_coverage(ctx))
    return report
