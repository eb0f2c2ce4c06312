"""One command, every rule, reported in order: preflight, frictionless, pandera (columns and row rules), coverage.

Frictionless runs in a worker process beside the rest (see frictionless_stage); its results still come first.
The worker starts right after preflight, which needs no pandas: pandas, pandera and the rules are imported
(a second or so) while it runs, by the functions that use them. Once the worker has finished, the last stages run
in a forked child on the core it left free (idle_core).

Any exception a stage raises becomes a named problem (the stage, the file, the error), never a traceback.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import frictionless_stage
from .package import DESCRIPTOR, Package
from .preflight import preflight
from .problems import Problem, Report, RuleResult, UnusableInput

if TYPE_CHECKING:
    from .rules.base import Context


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
    from .rules.base import Context
    from .tables import load_table

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


def check_rules(ctx: Context, idle: Callable[[], bool] = lambda: False) -> list[RuleResult]:
    """Pandera per table (its columns, then its row rules), then coverage of the seed; the last of these stages on
    a second core once `idle()` says frictionless has left one free (see idle_core)."""
    from .idle_core import run_stages
    from .pandera_stage import check_table
    from .rules import rules_for
    from .rules.coverage import check_coverage

    def table_stage(table: str) -> list[RuleResult]:
        results = _guarded(f"pandera.{table}", ctx.package.resource(table)["path"], lambda: check_table(ctx, table))
        ctx.forget()  # what this table's rules computed: the next table's rules compute what they need
        return results

    seed = ctx.package.resource("source_text")["path"]
    stages = [(table, lambda t=table: table_stage(t)) for table in ctx.package.table_names]
    stages.append(("coverage", lambda: _guarded("coverage", seed, lambda: [check_coverage(ctx)])))
    return run_stages(stages, idle, cost=lambda name: 1 + len(rules_for(name)))


def validate(root: Path) -> Report:
    report = Report()
    try:
        package = preflighted(root)
    except UnusableInput as err:
        report.unusable = err.problem
        return report
    worker = frictionless_stage.start(package)  # frictionless runs on the other core while the rest imports, loads and checks
    try:
        ctx = loaded(package)
    except UnusableInput as err:
        frictionless_stage.stop(worker)
        report.unusable = err.problem
        return report
    rules = check_rules(ctx, idle=lambda: frictionless_stage.done(worker))
    report.results += _guarded("frictionless", DESCRIPTOR, lambda: [frictionless_stage.finish(worker, ctx.package, ctx.tables)])
    report.results += rules
    return report
