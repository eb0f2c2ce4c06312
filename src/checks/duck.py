"""DuckDB over the CSVs: table views typed from schemas/*.json, then the SQL of sql/."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .package import Package
from .tables import duckdb_columns

SQL_FILES = ("views.sql", "relations.sql")
TABLES_SQL = "tables.sql"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def tables_sql(package: Package, absolute: bool = False) -> str:
    """CREATE VIEW statements reading each CSV with the column types its schema gives (relative paths by default)."""
    lines = ["-- Generated from schemas/*.json by `python -m checks sql`; do not edit by hand.",
             "-- Relative paths: run from the package root."]
    for name in package.table_names:
        path = package.path_of(name) if absolute else Path(package.resource(name)["path"])
        columns = ", ".join(f"{_literal(col)}: {_literal(typ)}" for col, typ in duckdb_columns(package.schema(name)).items())
        lines.append(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_csv({_literal(path.as_posix())}, header = true, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', nullstr = '', columns = {{{columns}}});"
        )
    return "\n".join(lines) + "\n"


def connect(package: Package, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A connection with every table view and the package's SQL views."""
    con = duckdb.connect(database)
    con.execute(tables_sql(package, absolute=True))
    for name in SQL_FILES:
        con.execute((package.root / "sql" / name).read_text(encoding="utf-8"))
    return con


def evaluate_relations_sql(ctx) -> pd.DataFrame | str:
    """relation_results as a frame indexed by relation_id, or the error text when the SQL cannot run."""
    try:
        con = connect(ctx.package)
        try:
            frame = con.execute("SELECT relation_id, lhs, rhs, holds FROM relation_results").df()
        finally:
            con.close()
    except (duckdb.Error, OSError) as err:
        return f"the SQL could not run: {str(err).splitlines()[0]}"
    frame["holds"] = frame["holds"].astype("boolean")
    return frame.set_index("relation_id")
