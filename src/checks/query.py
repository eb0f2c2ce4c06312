"""`python -m checks query "SQL"`: SQL against the package, every table and view loaded, results as text.

The connection is the validator's sandbox (in memory, no file access), filled from the typed frames. A query
that DuckDB rejects is the user's input error: its message goes to stderr and the exit code is 2.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from . import duck
from .formats import render
from .validate import load_context

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


def run(root, sql: str) -> Answer:
    """Run sql on a fresh sandboxed connection holding the package; never raises for bad SQL."""
    ctx = load_context(root)
    con = duck.connect(ctx.package, ctx.tables)
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return Answer([], [])
        columns = [d[0] for d in cursor.description]
        return Answer(columns, cursor.fetchall())
    except duckdb.Error as err:
        return Answer([], [], str(err))
    finally:
        con.close()


def query(root, sql: str, fmt: str = "table") -> tuple[int, str, str]:
    """(exit code, stdout, stderr) for one query."""
    answer = run(root, sql)
    if answer.error is not None:
        return 2, "", answer.error.rstrip("\n") + "\n"
    return 0, render(answer.columns, answer.rows, fmt), ""
