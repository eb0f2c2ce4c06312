"""DuckDB over the package, sandboxed: tables from the typed frames, then the package's own SQL with no file access.

The SQL of `sql/` comes with the package, so it is untrusted: it runs on a connection that cannot read or
write files, reach the network, load extensions or unlock its configuration. The tables are loaded from the
frames `tables.load_table` already typed (one CSV reader, no line-size limit), not by DuckDB reading files.
`sql/tables.sql` (generated) reads the CSVs for users of the DuckDB CLI; validation checks it is current.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from checks.database.sandbox import deadline, ident, literal, sandboxed, sql_seconds
from checks.package import Package
from checks.package.fields import duckdb_columns, primary_key
from checks.problems import Problem, UnusableInput

TABLES_SQL = "tables.sql"
#: The one file that says in which order sql/ runs: `.read sql/<file>` lines, for the CLI and for Python alike.
LOAD_SQL = "load.sql"
SOURCE_TEXT = "source_text"
#: The CLI's line limit for sql/tables.sql. DuckDB 1.5 allocates 16 times this per CSV scan: 1 GiB lines made
#: the CLI run out of memory on any view joining two tables. Python does not read CSVs with DuckDB.
CLI_MAX_LINE = 2 * 2**20
_READ_LINE = re.compile(r"^\.read sql/([A-Za-z0-9_-]+\.sql)$")

def tables_sql(package: Package, absolute: bool = False) -> str:
    """CREATE VIEW statements reading each CSV with the column types its schema gives (relative paths by default)."""
    lines = ["-- Generated from schemas/*.json by `python -m checks sql`; do not edit by hand.",
             "-- Relative paths: run from the package root."]
    for name in package.table_names:
        path = package.path_of(name) if absolute else Path(package.resource(name)["path"])
        columns = ", ".join(f"{literal(col)}: {literal(typ)}" for col, typ in duckdb_columns(package.schema(name)).items())
        lines.append(
            f"CREATE OR REPLACE VIEW {ident(name)} AS SELECT * FROM read_csv({literal(path.as_posix())}, header = true, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', nullstr = '', max_line_size = {CLI_MAX_LINE}, columns = {{{columns}}});"
        )
    seed = package.resource(SOURCE_TEXT)["path"]
    lines.append(f"CREATE OR REPLACE VIEW {ident(SOURCE_TEXT)} AS SELECT content AS \"text\" FROM read_text({literal(seed)});")
    return "\n".join(lines) + "\n"


def load_frames(con: duckdb.DuckDBPyConnection, package: Package, tables: dict[str, pd.DataFrame], keys: bool = False) -> None:
    """Create one typed table per resource from its frame; with keys, declare primary and foreign keys too."""
    order = package.table_names
    if keys:  # a foreign key needs its target first
        order = _referenced_first(package)
    for name in order:
        schema = package.schema(name)
        types = duckdb_columns(schema)
        columns = [f"{ident(col)} {typ}" for col, typ in types.items()]
        if keys:
            columns += _key_clauses(schema)
        con.execute(f"CREATE TABLE {ident(name)} ({', '.join(columns)})")
        source = "_frame"
        con.register(source, tables[name])
        try:
            con.execute(f"INSERT INTO {ident(name)} {_typed_select(schema, source)}")
        finally:
            con.unregister(source)


def _typed_select(schema: dict, source: str) -> str:
    """SELECT every column of a registered frame as the type its schema gives (TRY_CAST: a bad cell is NULL, reported elsewhere)."""
    return "SELECT " + ", ".join(f"TRY_CAST({ident(col)} AS {typ}) AS {ident(col)}" for col, typ in duckdb_columns(schema).items()) + f" FROM {ident(source)}"


def _key_clauses(schema: dict) -> list[str]:
    clauses = []
    key = primary_key(schema)
    if key:
        clauses.append(f"PRIMARY KEY ({', '.join(map(ident, key))})")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        own, theirs = _as_list(fk["fields"]), _as_list(ref["fields"])
        if ref.get("resource"):  # self-references ("" resource) are left to frictionless
            clauses.append(f"FOREIGN KEY ({', '.join(map(ident, own))}) REFERENCES {ident(ref['resource'])} ({', '.join(map(ident, theirs))})")
    return clauses


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _referenced_first(package: Package) -> list[str]:
    """Table names ordered so that every foreign key's target comes before the table that references it."""
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in done or name in path:
            return
        for fk in package.schema(name).get("foreignKeys", []):
            target = fk["reference"].get("resource")
            if target and target != name and target in package.table_names:
                visit(target, (*path, name))
        done.append(name)

    for name in package.table_names:
        visit(name)
    return done


def load_source_text(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    """The seed as a one-row table `source_text(text)`, so that views can quote the sentence around a figure."""
    con.execute(f"CREATE TABLE {ident(SOURCE_TEXT)} (\"text\" VARCHAR)")
    con.execute(f"INSERT INTO {ident(SOURCE_TEXT)} VALUES (?)", [package.seed_text])
    con.execute(f"COMMENT ON TABLE {ident(SOURCE_TEXT)} IS {literal(package.resource(SOURCE_TEXT).get('description', ''))}")


def describe(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    """Table and column descriptions of schemas/*.json as COMMENT ON, so that duckdb_columns() documents the data."""
    for name in package.table_names:
        schema = package.schema(name)
        title = schema.get("title") or package.resource(name).get("title", "")
        about = ": ".join(part for part in (title, schema.get("description", "")) if part)
        con.execute(f"COMMENT ON TABLE {ident(name)} IS {literal(about)}")
        for field in schema["fields"]:
            con.execute(f"COMMENT ON COLUMN {ident(name)}.{ident(field['name'])} IS {literal(field.get('description', ''))}")


def sql_order(package: Package) -> list[str]:
    """The files of sql/ in the order sql/load.sql reads them; any other line but a comment is refused."""
    rel = f"sql/{LOAD_SQL}"
    names = []
    for number, line in enumerate(package.read_text(package.sql_path(LOAD_SQL)).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("--"):
            continue
        match = _READ_LINE.match(line)
        if not match:
            raise UnusableInput(Problem("input.load_sql", rel, row=f"line {number}",
                                        message=f"{rel} line {number}: expected `.read sql/<name>.sql` or a comment, found {line[:80]!r}"))
        names.append(match.group(1))
    return names


def run_package_sql(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    """The views of sql/, in the order of sql/load.sql, on a sandboxed connection (tables come from the frames)."""
    for name in sql_order(package):
        if name != TABLES_SQL:
            con.execute(package.read_text(package.sql_path(name)))


def populate(con: duckdb.DuckDBPyConnection, package: Package, tables: dict[str, pd.DataFrame], keys: bool = False) -> None:
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
    TRY_CAST), without holding a second copy of every table (and of the seed) in DuckDB. Frames go in as Arrow
    tables, which share the frames' Arrow string buffers and bind at once (a pandas frame is analysed at every
    view that reads it: 0.14 s for the package's views, against 0.06 s).
    """
    import pyarrow

    for name in package.table_names:
        source = f"_frame_{name}"  # table names start with a letter (preflight), so this cannot clash
        con.register(source, pyarrow.Table.from_pandas(tables[name], preserve_index=False))
        con.execute(f"CREATE VIEW {ident(name)} AS {_typed_select(package.schema(name), source)}")
    con.register("_frame_source_text", pd.DataFrame({"text": pd.Series([package.seed_text], dtype=object)}))
    con.execute(f"CREATE VIEW {ident(SOURCE_TEXT)} AS SELECT \"text\" FROM _frame_source_text")
    run_package_sql(con, package)


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
        if isinstance(err, duckdb.InterruptException):
            first = f"the package's SQL ran past {sql_seconds():g} s (CHECKS_SQL_SECONDS) and was stopped"
        return f"the SQL could not run: {first}"
    frame["holds"] = frame["holds"].astype("boolean")
    return frame.set_index("relation_id")
