"""The package's SQL gives the same answer wherever and whenever it runs: validation runs it on a database in memory,
the build on a file, a reader on a copy of that file. So before any of it runs, each statement of the hand-written
files of sql/ is parsed (never executed) and refused unless it only creates a view or a comment, reads only the
package's tables, its own views and common table expressions, and calls only functions that DuckDB marks as
consistent (the same arguments give the same result): no random() or now(), no current_setting() or
current_database(), no table function such as duckdb_databases() or range(), which could tell the build's database
from validation's, or fill a disk."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache

import duckdb

#: A view's head, after any comment lines: what follows it is its SELECT (here, and for the view comments).
VIEW_HEAD = re.compile(
    r'(?:\s*--[^\n]*\n)*\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+("(?:[^"]|"")*"|[^\s(]+)\s+AS\s', re.I
)
_COMMENT = re.compile(r"(?:\s*--[^\n]*\n)*\s*COMMENT\s+ON\s", re.I)
#: Built-in macros and special forms without a stability of their own that give the same result for the same input.
_CONSISTENT_MACROS = {"array_to_string", "unnest"}


@cache
def _parser() -> duckdb.DuckDBPyConnection:
    """One in-memory connection of our own that only parses (json_serialize_sql runs nothing) and lists functions."""
    return duckdb.connect()


@cache
def _consistent_functions() -> frozenset[str]:
    """Names of the functions that have an overload DuckDB marks CONSISTENT, and the built-in macros above."""
    rows = _parser().execute("SELECT DISTINCT function_name FROM duckdb_functions() WHERE stability = 'CONSISTENT'")
    return frozenset(name for (name,) in rows.fetchall()) | _CONSISTENT_MACROS


def _name(quoted: str) -> str:
    return quoted[1:-1].replace('""', '"') if quoted.startswith('"') else quoted


def _walk(node, found: list[tuple[str, str]], ctes: set[str]) -> None:
    """Collect ("function", name), ("table function", name) and ("relation", schema.name) from a parsed SELECT."""
    if isinstance(node, list):
        for item in node:
            _walk(item, found, ctes)
        return
    if not isinstance(node, dict):
        return
    for entry in (node.get("cte_map") or {}).get("map") or []:
        ctes.add(str(entry.get("key", "")).lower())
    if node.get("type") == "TABLE_FUNCTION":
        found.append(("table function", str((node.get("function") or {}).get("function_name", "?"))))
    elif node.get("type") == "BASE_TABLE":
        schema = ".".join(part for part in (node.get("catalog_name"), node.get("schema_name")) if part)
        found.append(("relation", f"{schema}.{node.get('table_name')}" if schema else str(node.get("table_name"))))
    elif "function_name" in node and node.get("class") in ("FUNCTION", "WINDOW", "AGGREGATE"):
        found.append(("function", str(node["function_name"])))
    for value in node.values():
        _walk(value, found, ctes)


#: A SELECT up to this many characters is parsed once per text in a process (the tests validate the same views
#: hundreds of times); a longer one every time, so that none outlives the validation that read it.
REMEMBERED_CHARS = 2**16


def _parsed(select: str) -> tuple[str | None, tuple[tuple[str, str], ...], frozenset[str]]:
    """DuckDB's parse error, or what the SELECT calls and reads and the names of its common table expressions."""
    return _remembered_parse(select) if len(select) <= REMEMBERED_CHARS else _parse(select)


@lru_cache(maxsize=256)
def _remembered_parse(select: str) -> tuple[str | None, tuple[tuple[str, str], ...], frozenset[str]]:
    return _parse(select)


def _parse(select: str) -> tuple[str | None, tuple[tuple[str, str], ...], frozenset[str]]:
    tree = json.loads(_parser().execute("SELECT json_serialize_sql(?)", [select]).fetchone()[0])
    if tree.get("error"):
        return str(tree.get("error_message", "")), (), frozenset()
    found, ctes = [], set()
    _walk(tree.get("statements"), found, ctes)
    return None, tuple(found), frozenset(ctes)


def problems(statements: list[str], readable: set[str]) -> list[tuple[int, str]]:
    """(statement number, why) for each statement that is not a consistent view or a comment; readable holds the
    lower-cased names a view may read (the package's tables and the views made before it, which are added)."""
    out = []
    for number, sql in enumerate(statements, 1):
        if _COMMENT.match(sql):
            continue
        head = VIEW_HEAD.match(sql)
        if head is None:
            out.append((number, "only CREATE VIEW and COMMENT ON statements may run: " + " ".join(sql.split())[:60]))
            continue
        error, found, ctes = _parsed(sql[head.end() :].strip().rstrip(";"))
        if error is not None:
            out.append((number, f"its SELECT cannot be parsed: {error[:100]}"))
            continue
        for kind, name in found:
            if kind == "table function":
                out.append((number, f"it calls the table function {name}(), which can read the machine"))
            elif kind == "relation" and name.lower() not in readable | ctes:
                out.append((number, f"it reads {name}, which is neither a table of the package nor one of its views"))
            elif kind == "function" and name not in _consistent_functions():
                out.append((number, f"it calls {name}(), whose result depends on where or when it runs"))
        readable.add(_name(head.group(1)).lower())
    return out
