"""`python -m checks query "SQL"`: SQL against every table and view of the package, in the sandbox, bounded in time,
memory, temp disk and rows fetched.

When dist/'s DuckDB database was written by this user's validator from exactly the files the package holds now, and
still holds the bytes it was written with (`fingerprint.current`), the query runs on it, read-only, without loading
pandas or the validator; otherwise the package is validated and loaded into memory, and the answer says when it does
not validate."""

from __future__ import annotations

import os
from dataclasses import dataclass

import duckdb

from checks.database import sandbox
from checks.outputs import fingerprint, staging
from checks.package import Package

LIST_SQL = """
SELECT table_name AS name, 'table' AS kind, comment AS description FROM duckdb_tables() WHERE schema_name = 'main'
UNION ALL
SELECT view_name, 'view', comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'
ORDER BY kind, name
"""
#: Rows a query prints at most (CHECKS_QUERY_ROWS); the rest are counted, within the time limit. The package's
#: largest table has under a hundred rows.
QUERY_ROWS = 100_000
_BATCH = 10_000


def query_rows() -> int:
    value = os.environ.get("CHECKS_QUERY_ROWS", "")
    return int(value) if value.isdigit() and int(value) > 0 else QUERY_ROWS


@dataclass
class Answer:
    """A query's result (columns and rows), or DuckDB's error message; `more` rows were cut (None: how many is not
    known, the time limit ran out counting them); `notes` to print on stderr."""

    columns: list[str]
    rows: list[tuple]
    error: str | None = None
    more: int | None = 0
    notes: tuple[str, ...] = ()


def connect(root) -> tuple[duckdb.DuckDBPyConnection, tuple[str, ...]]:
    """The built database if it is current (read-only), else the package validated and loaded into a memory database;
    sandboxed. With it, the notes to print (the package does not validate)."""
    package = Package(root)
    try:
        database = staging.database_name(package)
    except Exception:  # noqa: BLE001 - a descriptor that cannot name it: loading reports what is wrong
        database = None
    if database is not None and fingerprint.current(package, database):
        return sandbox.sandboxed(package.root / database, read_only=True), ()
    from checks import database as duck
    from checks.problems import UnusableInput
    from checks.validate import validated

    checked = validated(root)
    if checked.report.unusable is not None:
        raise UnusableInput(checked.report.unusable)
    notes = ()
    if checked.report.exit_code != 0:
        failed = len(checked.report.failed_rules())
        notes = (
            f"note: this package does not validate ({failed} rule{'' if failed == 1 else 's'} failed; "
            "see python -m checks validate); the answer is from its files as they are",
        )
    con = sandbox.sandboxed()
    try:
        with sandbox.deadline(con):  # the package's SQL runs as its views are created
            duck.populate(con, checked.ctx.package, checked.ctx.tables)
    except BaseException:
        con.close()
        raise
    return con, notes


def _fetch(cursor: duckdb.DuckDBPyConnection, limit: sandbox.Deadline) -> Answer:
    """At most query_rows() rows; the rest counted in batches (never held), unless the time limit runs out."""
    columns, maximum = [d[0] for d in cursor.description], query_rows()
    rows = cursor.fetchmany(maximum + 1)
    if len(rows) <= maximum:
        return Answer(columns, rows)
    more = len(rows) - maximum
    try:
        while batch := cursor.fetchmany(_BATCH):
            more += len(batch)
    except duckdb.InterruptException:
        if not limit.expired:
            raise
        return Answer(columns, rows[:maximum], more=None)
    return Answer(columns, rows[:maximum], more=more)


def run(root, sql: str) -> Answer:
    """Run sql on a fresh sandboxed connection holding the package, within the limits; never raises for bad SQL."""
    try:
        con, notes = connect(root)
    except duckdb.Error as err:  # the package's own SQL failed or ran too long
        if isinstance(err, duckdb.InterruptException) or getattr(err, "timed_out", False):
            return Answer([], [], sandbox.timed_out_message("the package's SQL"))
        if sandbox.out_of_space(err):
            return Answer([], [], sandbox.out_of_space_message("the package's SQL"))
        return Answer([], [], f"the package's SQL could not run: {str(err).splitlines()[0]}")
    limit = sandbox.Deadline()
    try:
        with sandbox.deadline(con) as limit:
            cursor = con.execute(sql)
            answer = Answer([], []) if cursor.description is None else _fetch(cursor, limit)
            answer.notes = notes
            return answer
    except duckdb.InterruptException:
        if not limit.expired:
            raise KeyboardInterrupt from None
        return Answer([], [], sandbox.timed_out_message("the query (with the package's views it reads)"), notes=notes)
    except duckdb.Error as err:
        if sandbox.out_of_space(err):
            return Answer([], [], sandbox.out_of_space_message("the query"), notes=notes)
        return Answer([], [], str(err), notes=notes)
    finally:
        con.close()
