"""Comments on view columns, derived: a view column that shows a table column unchanged takes its description."""

from __future__ import annotations

import json

import duckdb

from checks.database.sandbox import ident, literal
from checks.database.sql_safety import VIEW_HEAD


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
        head = VIEW_HEAD.match(sql)
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
