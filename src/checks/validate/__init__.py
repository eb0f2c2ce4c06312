"""One command, every rule, reported in order: preflight, load, frictionless, pandera (columns and row rules), coverage.

All in this process, one stage after the other. Any exception a stage raises becomes a named problem (the stage,
the file, the error), never a traceback.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from checks.package import DESCRIPTOR, Package
from checks.package.preflight import preflight
from checks.package.tables import load_table
from checks.problems import Problem, Report, RuleResult, UnusableInput
from checks.validate.frictionless_stage import check_frictionless
from checks.validate.rules.base import Context


def preflighted(root: Path) -> Package:
    """The package at root, its descriptor, schemas and seed checked safe to read."""
    package = Package(root)
    try:
        preflight(package)
        return package
    except UnusableInput:
        raise
    except Exception as err:  # noqa: BLE001 - whatever the descriptor holds, name it instead of crashing
        raise UnusableInput(Problem("input.unreadable", DESCRIPTOR, message=f"the package cannot be read: {type(err).__name__}: {err}")) from None


def loaded(package: Package) -> Context:
    """Every table of a preflighted package, its bytes checked and typed, one file at a time."""
    tables = {}
    for name in package.table_names:
        path = package.resource(name)["path"]
        try:
            tables[name] = load_table(package, name)
        except UnusableInput:
            raise
        except Exception as err:  # noqa: BLE001 - the CSV reader cannot parse it (a ragged row, say)
            raise UnusableInput(Problem("input.csv_parse", path, message=f"{path} cannot be read as CSV: {type(err).__name__}: {err}".strip())) from None
    return Context(package, tables)


def load_context(root: Path) -> Context:
    """The package at root, preflighted and loaded; raises UnusableInput if it cannot be."""
    return loaded(preflighted(root))


def _guarded(name: str, file: str, run: Callable[[], list[RuleResult]]) -> list[RuleResult]:
    """Run a stage; an exception it raises becomes one failed result naming the stage and the file."""
    try:
        return run()
    except Exception as err:  # noqa: BLE001 - reported, not raised
        problem = Problem(f"{name}.crashed", file, expected=f"the {name} stage to run", found=f"{type(err).__name__}: {err}",
                          message=f"the {name} stage could not run on {file}")
        return [RuleResult(f"{name}.crashed", f"the {name} stage runs to the end", problems=[problem])]


def check_rules(ctx: Context) -> list[RuleResult]:
    """Pandera per table (its columns, then its row rules), then coverage of the seed, then the SQL files' form."""
    from checks.validate.pandera_stage import check_table
    from checks.validate.rules.coverage import check_coverage
    from checks.validate.rules.generated_sql import check_generated_sql

    results = []
    for table in ctx.package.table_names:
        results += _guarded(f"pandera.{table}", ctx.package.resource(table)["path"], lambda t=table: check_table(ctx, t))
    seed = ctx.package.resource("source_text")["path"]
    results += _guarded("coverage", seed, lambda: [check_coverage(ctx)])
    return results + _guarded("sql.generated", "sql/load.sql", lambda: [check_generated_sql(ctx)])


@dataclass(frozen=True)
class Validated:
    """A validation's report and, when the package could be read, its typed tables (for build, site, query)."""

    report: Report
    ctx: Context | None


def validated(root: Path) -> Validated:
    """Preflight, load, frictionless, pandera and the rules, coverage: in this order, in this process."""
    report = Report()
    try:
        ctx = load_context(root)
    except UnusableInput as err:
        report.unusable = err.problem
        return Validated(report, None)
    report.results += _guarded("frictionless", DESCRIPTOR, lambda: [check_frictionless(ctx.package, ctx.tables)])
    report.results += check_rules(ctx)
    return Validated(report, ctx)


def validate(root: Path) -> Report:
    """The report of `validated`."""
    return validated(root).report
