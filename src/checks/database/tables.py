"""The package's tables in DuckDB: created from the frames the loader typed (not by DuckDB reading CSVs), keyed
and commented from schemas/*.json, with the seed as a one-row table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from checks.database.sandbox import ident, literal
from checks.package import Package
from checks.package.fields import duckdb_columns, primary_key

if TYPE_CHECKING:
    import pandas as pd

SOURCE_TEXT = "source_text"


def required_columns(schema: dict) -> set[str]:
    """The columns that may hold no missing value: `required` in the schema, or part of the primary key."""
    return {f["name"] for f in schema["fields"] if (f.get("constraints") or {}).get("required")} | set(
        primary_key(schema)
    )


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
    """SELECT every column of a registered frame as the type its schema gives (TRY_CAST: a bad cell is NULL, reported
    elsewhere)."""
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
            target = f"{ident(ref['resource'])} ({', '.join(map(ident, theirs))})"
            clauses.append(f"FOREIGN KEY ({', '.join(map(ident, own))}) REFERENCES {target}")
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
