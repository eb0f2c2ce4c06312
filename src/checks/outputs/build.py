"""`python -m checks build`: validate, then write dist/ — a DuckDB database, a SQLite file with its Datasette
metadata, one Parquet per table, a workbook, the report view — offline, from the tables the validator loaded. An
invalid package is not built (the report is printed, its exit code returned); every input, CITATION.cff too, is
checked before anything is written, and dist/ is written anew beside the old one and swapped in whole
(`staging.staged`): a failed or killed build leaves the old dist/ whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from checks import database as duck
from checks.outputs import fingerprint, reproducible, staging
from checks.outputs.parquet import write_parquet
from checks.outputs.sqlite import write_sqlite
from checks.outputs.workbook import workbook_bytes
from checks.package import Package
from checks.package.citation import read_citation
from checks.package.tables import for_readers
from checks.problems import Report
from checks.site.report_view import build_site
from checks.validate import validated

#: Written so that the DuckDB 1.5 CLI opens the file as well as DuckDB 2.0 (a 2.0 default file it cannot).
STORAGE = {"storage_compatibility_version": "v1.5.0"}
database_name = staging.database_name


@dataclass
class Built:
    """What a build (or a release) did: the validation report and, if valid, the files written."""

    report: Report
    written: list[Path] = field(default_factory=list)


def workbook_name(package: Package) -> str:
    return f"{staging.DIST}/{package.descriptor['name']}.xlsx"


def build(root: Path) -> Built:
    """Validate and check every other input; if all is well, write every file of dist/ (all of them, or none)."""
    staging.check_old_dist(Path(root).resolve())  # a dist/ that cannot be replaced is refused before validating
    checked = validated(root)
    built = Built(checked.report)
    if checked.report.exit_code != 0:
        return built
    ctx, package = checked.ctx, checked.ctx.package
    read_citation(package)  # the workbook cites it: a missing one is refused before anything is written
    database = database_name(package)

    def write_database(tmp: Path) -> None:
        """Every table with keys and comments, every view of sql/, under the validation's time limit; the same
        bytes from the same tables."""
        with duck.sandboxed(tmp, STORAGE) as con, duck.deadline(con):
            duck.populate(con, package, ctx.tables, keys=True)
            con.execute("CHECKPOINT")
        reproducible.fix_identifier(tmp)  # the same bytes on every build

    with staging.staged(root) as stage:
        written = [staging.produce(stage, database, write_database)]
        written.append(fingerprint.record(package, database, stage, written[0]))  # lets `query` use the database
        written.extend(write_sqlite(package, ctx.tables, written[0], stage))  # with the DuckDB views' rows
        written.extend(write_parquet(package, ctx.tables, stage))
        written.append(staging.write(stage, workbook_name(package), workbook_bytes(package, for_readers(ctx))))
        written.extend(root / rel for rel in build_site(ctx, stage))  # the report view and the W3C annotations
    dist = root.resolve() / staging.DIST
    built.written = [dist / path.relative_to(stage) if path.is_relative_to(stage) else path for path in written]
    return built
