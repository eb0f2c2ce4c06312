"""The package's own SQL (the files of sql/), run in order on a sandboxed connection over its tables.

The SQL comes with the package, so it is untrusted: it runs on a connection that cannot read or write files, reach
the network, load extensions or unlock its configuration (`sandbox`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb

from checks.database.sandbox import deadline, ident, run_sql_file, sandboxed, sql_seconds
from checks.database.tables import SOURCE_TEXT, _typed_select, describe, load_frames, load_source_text
from checks.database.view_comments import comment_views
from checks.package import Package

if TYPE_CHECKING:
    import pandas as pd

TABLES_SQL = "tables.sql"
#: The one entry file: plain SQL defining every table and view, generated (`python -m checks sql`).
LOAD_SQL = "load.sql"
GENERATED_SQL = (TABLES_SQL, LOAD_SQL)
_SQL_PATH = re.compile(r"sql/([A-Za-z0-9_-]+\.sql)")


def sql_order(package: Package) -> list[str]:
    """The files of sql/ in the order they run: tables.sql, then the hand-written files in the order datapackage.json
    declares them. sql/load.sql, which holds them all, is not among them."""
    names = [TABLES_SQL]
    for resource in package.resources:
        match = _SQL_PATH.fullmatch(str(resource.get("path", "")))
        if match and match.group(1) not in GENERATED_SQL and match.group(1) not in names:
            names.append(match.group(1))
    return names


def run_package_sql(con: duckdb.DuckDBPyConnection, package: Package) -> list[str]:
    """The views of sql/, in order, on a sandboxed connection (tables come from the frames), then a comment on every
    view column that has none (`comment_views`). Returns those comments, as statements."""
    for name in sql_order(package):
        if name != TABLES_SQL:
            run_sql_file(con, f"sql/{name}", package.read_text(package.sql_path(name)))
    return comment_views(con)


def populate(
    con: duckdb.DuckDBPyConnection, package: Package, tables: dict[str, pd.DataFrame], keys: bool = False
) -> None:
    """Every table (with its comments) and every view of the package, on a connection opened with `sandboxed`."""
    load_frames(con, package, tables, keys=keys)
    load_source_text(con, package)
    describe(con, package)
    run_package_sql(con, package)


def connect(package: Package, tables: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory, sandboxed connection with every table and every view of the package."""
    con = sandboxed()
    populate(con, package, tables)
    return con


def attach(con: duckdb.DuckDBPyConnection, package: Package, tables: dict[str, pd.DataFrame]) -> None:
    """Every table and every view of the package over the frames themselves, registered rather than copied.

    For validation, which reads relation_results once: the same typed columns as `load_frames` gives (the same
    TRY_CAST), without holding a second copy of every table (and of the seed) in DuckDB.
    """
    for name in package.table_names:
        source = f"_frame_{name}"  # table names start with a letter (preflight), so this cannot clash
        con.register(source, tables[name])
        con.execute(f"CREATE VIEW {ident(name)} AS {_typed_select(package.schema(name), source)}")
    import pandas as pd  # here, not at the top: `query` on a built database never loads pandas

    con.register("_frame_source_text", pd.DataFrame({"text": pd.Series([package.seed_text], dtype=object)}))
    con.execute(f'CREATE VIEW {ident(SOURCE_TEXT)} AS SELECT "text" FROM _frame_source_text')
    for name in sql_order(package):
        if name != TABLES_SQL:
            run_sql_file(con, f"sql/{name}", package.read_text(package.sql_path(name)))


def evaluate_relations_sql(ctx) -> pd.DataFrame | str:
    """relation_results as a frame indexed by relation_id, or the error text when the SQL cannot run."""
    try:
        con = sandboxed()
        try:
            with deadline(con):
                attach(con, ctx.package, ctx.tables)
                frame = con.execute("SELECT relation_id, lhs, rhs, holds FROM relation_results").df()
        finally:
            con.close()
    except (duckdb.Error, OSError) as err:
        first = str(err).splitlines()[0]
        if isinstance(err, duckdb.InterruptException) or getattr(err, "timed_out", False):
            first = f"the package's SQL ran past {sql_seconds():g} s (CHECKS_SQL_SECONDS) and was stopped"
        return f"the SQL could not run: {first}"
    frame["holds"] = frame["holds"].astype("boolean")
    return frame.set_index("relation_id")
