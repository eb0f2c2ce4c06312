"""The package's own SQL (the files of sql/), run in order on a sandboxed connection over its tables.

The SQL comes with the package, so it is untrusted: it runs on a connection that cannot read or write files, reach
the network, load extensions or unlock its configuration (`sandbox`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb

from checks.database.sandbox import deadline, run_sql_file, sandboxed, timed_out_message
from checks.database.tables import describe, load_frames, load_source_text
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


def run_views(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    """The hand-written files of sql/, in order (the tables are already there)."""
    for name in sql_order(package):
        if name != TABLES_SQL:
            run_sql_file(con, f"sql/{name}", package.read_text(package.sql_path(name)))


def run_package_sql(con: duckdb.DuckDBPyConnection, package: Package) -> list[str]:
    """The views of sql/, in order, on a sandboxed connection (tables come from the frames), then a comment on every
    view column that has none (`comment_views`). Returns those comments, as statements."""
    run_views(con, package)
    return comment_views(con)


def populate(
    con: duckdb.DuckDBPyConnection, package: Package, tables: dict[str, pd.DataFrame], keys: bool = False
) -> None:
    """Every table (with its comments) and every view of the package, on a connection opened with `sandboxed`."""
    load_frames(con, package, tables, keys=keys)
    load_source_text(con, package)
    describe(con, package)
    run_package_sql(con, package)


def evaluate_relations_sql(ctx) -> pd.DataFrame | str:
    """relation_results as a frame indexed by relation_id, or the error text when the SQL cannot run."""
    try:
        con = sandboxed()
        try:
            with deadline(con):  # the tables and views, without the comments that only readers need
                load_frames(con, ctx.package, ctx.tables)
                load_source_text(con, ctx.package)
                run_views(con, ctx.package)
                frame = con.execute("SELECT relation_id, lhs, rhs, holds FROM relation_results").df()
        finally:
            con.close()
    except (duckdb.Error, OSError) as err:
        first = str(err).splitlines()[0]
        if isinstance(err, duckdb.InterruptException) or getattr(err, "timed_out", False):
            first = timed_out_message("the package's SQL")
        return f"the SQL could not run: {first}"
    frame["holds"] = frame["holds"].astype("boolean")
    return frame.set_index("relation_id")
