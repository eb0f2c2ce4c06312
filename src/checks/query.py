"""`python -m checks query "SQL"`: SQL against every table and view of the package, in the sandbox, bounded in time.

When dist/'s DuckDB database was built from exactly the files the package holds now (its fingerprint matches), the
query runs on it, read-only, without loading pandas or the validator; otherwise the package is loaded into memory."""

from __future__ import annotations

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


@dataclass
class Answer:
    """A query's result (columns and rows), or DuckDB's error message."""

    columns: list[str]
    rows: list[tuple]
    error: str | None = None


def connect(root) -> duckdb.DuckDBPyConnection:
    """The built database if it is current (read-only), else the package loaded into a memory database; sandboxed."""
    package = Package(root)
    try:
        database = staging.database_name(package)
    except Exception:  # noqa: BLE001 - a descriptor that cannot name it: loading reports what is wrong
        database = None
    if database is not None and fingerprint.current(package, database):
        return sandbox.sandboxed(package.root / database, read_only=True)
    from checks import database as duck
    from checks.validate import load_context

    ctx = load_context(root)
    con = sandbox.sandboxed()
    try:
        with sandbox.deadline(con):  # the package's SQL runs as its views are created
            duck.populate(con, ctx.package, ctx.tables)
    except BaseException:
        con.close()
        raise
    return con


def run(root, sql: str) -> Answer:
    """Run sql on a fresh sandboxed connection holding the package, within the time limit; never raises for bad SQL."""
    try:
        con = connect(root)
    except duckdb.Error as err:  # the package's own SQL failed or ran too long
        if isinstance(err, duckdb.InterruptException) or getattr(err, "timed_out", False):
            return Answer([], [], sandbox.timed_out_message("the package's SQL"))
        return Answer([], [], f"the package's SQL could not run: {str(err).splitlines()[0]}")
    limit = sandbox.Deadline()
    try:
        with sandbox.deadline(con) as limit:
            cursor = con.execute(sql)
            if cursor.description is None:
                return Answer([], [])
            return Answer([d[0] for d in cursor.description], cursor.fetchall())
    except duckdb.InterruptException:
        if not limit.expired:
            raise KeyboardInterrupt from None
        return Answer([], [], sandbox.timed_out_message("the query (with the package's views it reads)"))
    except duckdb.Error as err:
        return Answer([], [], str(err))
    finally:
        con.close()
