"""DuckDB over the package, sandboxed: tables from the typed frames, then the package's own SQL with no file access.

The SQL of `sql/` comes with the package, so it is untrusted: it runs on a connection that cannot read or
write files, reach the network, load extensions or unlock its configuration. The tables are loaded from the
frames `tables.load_table` already typed (one CSV reader, no line-size limit), not by DuckDB reading files.

Two files of `sql/` are generated, and validation checks both are current (rule `sql.generated`):
`sql/tables.sql` reads the CSVs as typed views, and `sql/load.sql` is every table and view of the package in
plain SQL (no dot commands): the tables of tables.sql with their comments, the hand-written files in the order
datapackage.json lists them, then a comment on every view column, derived from the schemas through each view's
SELECT. The DuckDB CLI runs it with `.read sql/load.sql`, Python DuckDB with `con.execute(open(...).read())`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from checks.database.sandbox import deadline, ident, literal, run_sql_file, sandboxed, sql_seconds  # noqa: F401 - the sandbox, as callers know it
from checks.package import Package
from checks.package.fields import duckdb_columns, primary_key
from checks.problems import Problem, UnusableInput  # noqa: F401 - raised by callers that know it from here

if TYPE_CHECKING:
    import pandas as pd

TABLES_SQL = "tables.sql"
#: The one entry file: plain SQL defining every table and view, generated (`python -m checks sql`).
LOAD_SQL = "load.sql"
GENERATED_SQL = (TABLES_SQL, LOAD_SQL)
SOURCE_TEXT = "source_text"
#: The CLI's line limit for sql/tables.sql. DuckDB 1.5 allocates 16 times this per CSV scan: 1 GiB lines made
#: the CLI run out of memory on any view joining two tables. Python does not read CSVs with DuckDB.
CLI_MAX_LINE = 2 * 2**20
_SQL_PATH = re.compile(r"sql/([A-Za-z0-9_-]+\.sql)")
_VIEW_HEAD = re.compile(r'CREATE VIEW\s+(?:"(?:[^"]|"")*"|\S+)\s+AS\s+', re.IGNORECASE)


def required_columns(schema: dict) -> set[str]:
    """The columns that may hold no missing value: `required` in the schema, or part of the primary key."""
    return {f["name"] for f in schema["fields"] if (f.get("constraints") or {}).get("required")} | set(
        primary_key(schema)
    )


def tables_sql(package: Package, absolute: bool = False) -> str:
    """CREATE VIEW statements reading each CSV with the column types its schema gives (relative paths by default)."""
    lines = [
        "-- Generated from schemas/*.json by `python -m checks sql`; do not edit by hand.",
        "-- Relative paths: run from the package root.",
    ]
    for name in package.table_names:
        path = package.path_of(name) if absolute else Path(package.resource(name)["path"])
        columns = ", ".join(
            f"{literal(col)}: {literal(typ)}" for col, typ in duckdb_columns(package.schema(name)).items()
        )
        lines.append(
            f"CREATE OR REPLACE VIEW {ident(name)} AS SELECT * FROM read_csv({literal(path.as_posix())}, header = true, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', nullstr = '', max_line_size = {CLI_MAX_LINE}, columns = {{{columns}}});"
        )
    seed = package.resource(SOURCE_TEXT)["path"]
    lines.append(
        f'CREATE OR REPLACE VIEW {ident(SOURCE_TEXT)} AS SELECT content AS "text" FROM read_text({literal(seed)});'
    )
    return "\n".join(lines) + "\n"


def load_frames(
    con: duckdb.DuckDBPyConnection, package: Package, tables: dict[str, pd.DataFrame], keys: bool = False
) -> None:
    """Create one typed table per resource from its frame; with keys (a validated package), declare primary and
    foreign keys too, and NOT NULL on the columns the schema requires (as the Parquet files mark them)."""
    order = package.table_names
    if keys:  # a foreign key needs its target first
        order = _referenced_first(package)
    for name in order:
        schema = package.schema(name)
        not_null = required_columns(schema) if keys else set()
        columns = [
            f"{ident(col)} {typ}" + (" NOT NULL" if col in not_null else "")
            for col, typ in duckdb_columns(schema).items()
        ]
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
    return (
        "SELECT "
        + ", ".join(f"TRY_CAST({ident(col)} AS {typ}) AS {ident(col)}" for col, typ in duckdb_columns(schema).items())
        + f" FROM {ident(source)}"
    )


def _key_clauses(schema: dict) -> list[str]:
    clauses = []
    key = primary_key(schema)
    if key:
        clauses.append(f"PRIMARY KEY ({', '.join(map(ident, key))})")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        own, theirs = _as_list(fk["fields"]), _as_list(ref["fields"])
        if ref.get("resource"):  # self-references ("" resource) are left to frictionless
            clauses.append(
                f"FOREIGN KEY ({', '.join(map(ident, own))}) REFERENCES {ident(ref['resource'])} ({', '.join(map(ident, theirs))})"
            )
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
    con.execute(f'CREATE TABLE {ident(SOURCE_TEXT)} ("text" VARCHAR)')
    con.execute(f"INSERT INTO {ident(SOURCE_TEXT)} VALUES (?)", [package.seed_text])


def table_comments(package: Package, kind: str = "TABLE") -> list[str]:
    """COMMENT ON statements for every table and its columns, from schemas/*.json (kind VIEW for sql/load.sql)."""
    statements = []
    for name in package.table_names:
        schema = package.schema(name)
        title = schema.get("title") or package.resource(name).get("title", "")
        about = ": ".join(part for part in (title, schema.get("description", "")) if part)
        statements.append(f"COMMENT ON {kind} {ident(name)} IS {literal(about)};")
        statements += [
            f"COMMENT ON COLUMN {ident(name)}.{ident(field['name'])} IS {literal(field.get('description', ''))};"
            for field in schema["fields"]
        ]
    about = package.resource(SOURCE_TEXT).get("description", "")
    statements.append(f"COMMENT ON {kind} {ident(SOURCE_TEXT)} IS {literal(about)};")
    statements.append(
        f'COMMENT ON COLUMN {ident(SOURCE_TEXT)}."text" IS {literal("The source text (the seed), as one string.")};'
    )
    return statements


def describe(con: duckdb.DuckDBPyConnection, package: Package) -> None:
    """Table and column descriptions of schemas/*.json as COMMENT ON, so that duckdb_columns() documents the data."""
    con.execute("\n".join(table_comments(package)))  # one call: each COMMENT ON alone costs a round trip


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


def _from_tables(node: dict | None, aliases: dict[str, str], order: list[str]) -> None:
    """Every table or view a FROM clause reads, by the alias the SELECT uses for it (the name if none)."""
    if not node:
        return
    if node.get("type") == "BASE_TABLE":
        alias = node.get("alias") or node["table_name"]
        aliases[alias] = node["table_name"]
        order.append(node["table_name"])
    elif node.get("type") == "JOIN":
        _from_tables(node.get("left"), aliases, order)
        _from_tables(node.get("right"), aliases, order)


def _sources(
    select_sql: str, con: duckdb.DuckDBPyConnection, columns: dict[str, dict[str, str]]
) -> dict[str, tuple[str, str]]:
    """View column → (relation, column) it shows unchanged, for the SELECT's plain column references and stars."""
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [select_sql]).fetchall()[0][0])
        node = tree["statements"][0]["node"]
    except (duckdb.Error, KeyError, IndexError, TypeError, ValueError):
        return {}
    if node.get("type") != "SELECT_NODE":
        return {}
    ctes = set((node.get("cte_map") or {}).get("map") and [c["key"] for c in node["cte_map"]["map"]] or [])
    aliases: dict[str, str] = {}
    order: list[str] = []
    _from_tables(node.get("from_table"), aliases, order)
    readable = [t for t in order if t in columns and t not in ctes]
    found: dict[str, tuple[str, str]] = {}
    for item in node.get("select_list", []):
        if item.get("class") == "STAR" and not item.get("relation_name"):
            for table in readable:
                for col in columns[table]:
                    found.setdefault(col, (table, col))
        elif item.get("class") == "COLUMN_REF":
            names = item["column_names"]
            if len(names) == 2 and aliases.get(names[0]) in readable:
                table, col = aliases[names[0]], names[1]
            elif len(names) == 1:
                table = next((t for t in readable if names[0] in columns[t]), None)
                col = names[0]
            else:
                continue
            if table is not None and col in columns.get(table, {}):
                found[item.get("alias") or col] = (table, col)
    return found


def comment_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A comment on every view column that has none, taken from the column it shows unchanged (`t.label_en AS
    indicator_en` takes indicators.label_en's), through views of views; applied, and returned as statements.
    Computed columns are commented by the SQL that computes them (COMMENT ON COLUMN in sql/)."""
    rows = con.execute(
        "SELECT table_name, column_name, coalesce(comment, '') FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND NOT internal ORDER BY table_oid, column_index"
    ).fetchall()
    columns: dict[str, dict[str, str]] = {}
    for table, column, comment in rows:
        columns.setdefault(table, {})[column] = comment
    views = con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal ORDER BY view_oid"
    ).fetchall()
    sources = {}
    for view, sql in views:
        head = _VIEW_HEAD.match(sql)
        sources[view] = _sources(sql[head.end() :].rstrip().rstrip(";"), con, columns) if head else {}
    statements: list[str] = []
    progress = True
    while progress:  # a view of a view is commented once the view it reads is
        progress = False
        for view, _ in views:
            for column, comment in columns[view].items():
                source = sources[view].get(column)
                if comment or source is None:
                    continue
                text = columns.get(source[0], {}).get(source[1], "")
                if text:
                    columns[view][column] = text
                    statements.append(f"COMMENT ON COLUMN {ident(view)}.{ident(column)} IS {literal(text)};")
                    progress = True
    if statements:
        con.execute("\n".join(statements))
    return statements


def load_sql(package: Package) -> str:
    """sql/load.sql: every table (as a view of its CSV) and every view of the package, commented, in plain SQL.

    The hand-written files run on empty tables in the sandbox, bounded in time, to learn each view's columns."""
    con = sandboxed()
    try:
        with deadline(con):
            for name in package.table_names:
                columns = ", ".join(f"{ident(col)} {typ}" for col, typ in duckdb_columns(package.schema(name)).items())
                con.execute(f"CREATE TABLE {ident(name)} ({columns})")
            con.execute(f'CREATE TABLE {ident(SOURCE_TEXT)} ("text" VARCHAR)')
            describe(con, package)
            derived = run_package_sql(con, package)
    finally:
        con.close()
    parts = [
        "-- Every table and view of the package in plain SQL, no dot commands. Generated by `python -m checks sql`",
        "-- from schemas/*.json and the files of sql/; do not edit by hand. Relative paths: from the package root,",
        '--     duckdb -c ".read sql/load.sql"                               (the DuckDB CLI)',
        '--     duckdb.connect().execute(open("sql/load.sql").read())       (Python)',
        "-- From elsewhere, first: SET file_search_path = '/path/to/the/package';",
        "",
        f"-- The tables: one view per CSV, typed by its Table Schema (sql/{TABLES_SQL})",
        *tables_sql(package).splitlines()[2:],
        *table_comments(package, "VIEW"),
    ]
    for name in sql_order(package)[1:]:
        parts += ["", f"-- sql/{name}", package.read_text(package.sql_path(name)).rstrip("\n")]
    parts += [
        "",
        "-- A comment on every view column that shows a column unchanged: its description in schemas/*.json",
        *derived,
    ]
    return "\n".join(parts) + "\n"


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
