"""One command, every rule, reported in order: preflight, load, frictionless, pandera (columns and row rules), coverage.
Any exception a stage raises becomes a named problem (the stage, the file, the error), never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from checks.package import DESCRIPTOR, Package
from checks.package.files import refuse
from checks.package.preflight import preflight
from checks.package.tables import load_table
from checks.problems import Problem, Report, RuleResult, UnusableInput
from checks.validate.frictionless_stage import check_frictionless
from checks.validate.rules.base import Context


def load_context(root: Path) -> Context:
    """The package at root, preflighted (descriptor, schemas and seed safe to read), then every table loaded, its bytes
    checked and typed, one file at a time; raises UnusableInput if it cannot be."""
    package = Package(root)
    try:
        preflight(package)
    except UnusableInput:
        raise
    except Exception as err:  # noqa: BLE001 - whatever the descriptor holds, name it instead of crashing
        why = f"the package cannot be read: {type(err).__name__}: {err}"
        raise refuse("input.unreadable", DESCRIPTOR, why) from None
    tables = {}
    for name in package.table_names:
        path = package.resource(name)["path"]
        try:
            tables[name] = load_table(package, name)
        except UnusableInput:
            raise
        except Exception as err:  # noqa: BLE001 - the CSV reader cannot parse it (a ragged row, say)
            message = f"{path} cannot be read as CSV: {type(err).__name__}: {err}".strip()
            raise refuse("input.csv_parse", path, message) from None
    return Context(package, tables)


def _guarded(name: str, file: str, run: Callable[[], list[RuleResult]]) -> list[RuleResult]:
    """Run a stage; an exception it raises becomes one failed result naming the stage and the file."""
    try:
        return run()
    except Exception as err:  # noqa: BLE001 - reported, not raised
        problem = Problem(
            f"{name}.crashed",
            file,
            expected=f"the {name} stage to run",
            found=f"{type(err).__name__}: {err}",
            message=f"the {name} stage could not run on {file}",
        )
        return [RuleResult(f"{name}.crashed", f"the {name} stage runs to the end", problems=[problem])]


@dataclass(frozen=True)
class Validated:
    """A validation's report and, when the package could be read, its typed tables (for build, site, query)."""

    report: Report
    ctx: Context | None


def stages(ctx: Context) -> list[tuple[str, str, Callable[[], list[RuleResult]]]]:
    """The stages after loading, in order, each as (name, the file it reads, how to run it): frictionless, pandera per
    table (its columns, then its row rules), coverage of the seed, the SQL files' form."""
    from checks.validate.pandera_stage import check_table
    from checks.validate.rules.coverage import check_coverage
    from checks.validate.rules.generated_sql import check_generated_sql

    package = ctx.package
    return [
        ("frictionless", DESCRIPTOR, lambda: [check_frictionless(package, ctx.tables)]),
        *((f"pandera.{t}", package.resource(t)["path"], lambda t=t: check_table(ctx, t)) for t in package.table_names),
        ("coverage", package.resource("source_text")["path"], lambda: [check_coverage(ctx)]),
        ("sql.generated", "sql/load.sql", lambda: [check_generated_sql(ctx)]),
    ]


def validated(root: Path) -> Validated:
    """Preflight and load, then every stage (see `stages`): in this order, in this process."""
    report = Report()
    try:
        ctx = load_context(root)
    except UnusableInput as err:
        report.unusable = err.problem
        return Validated(report, None)
    for name, file, run in stages(ctx):
        report.results += _guarded(name, file, run)
    return Validated(report, ctx)


def validate(root: Path) -> Report:
    """The report of `validated`."""
    return validated(root).report
