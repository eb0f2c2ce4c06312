"""dist/<name>.sqlite: the package as one SQLite file, which every language reads from its standard library, and
dist/<name>.datasette.json, the metadata that Datasette shows beside it.

Written with Python's own `sqlite3` (no extra dependency; sqlite-utils would add one for what a few statements do):
every table from the frames the validator typed, its columns INTEGER, REAL or TEXT (booleans as 0/1, dates as ISO
text, each held by a CHECK), NOT NULL where the schema requires a value, its primary and foreign keys declared; the
seed as the one-row table `source_text`; every view of the package's DuckDB SQL as a table of its rows under the
view's name (DuckDB's SQL is not SQLite's: the rows are copied, not the SQL), read from the DuckDB file the build
has just written; and an FTS5 index with the `trigram` tokenizer over the free text of each table, so that a search
for 困难村 finds 200个困难村 (the default tokenizer reads a run of Chinese characters as one word). A Python whose
SQLite is older than 3.34 (no trigram tokenizer) writes the file without the index, and the metadata names none.

The same input gives the same bytes: a fixed page size, no journal, one thread, rows in table order, then VACUUM;
no time is written. Every name is quoted as an identifier and every value bound as a parameter; the metadata holds
the package's text only where Datasette escapes it (never a `*_html` key) and only http(s) URLs.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from checks.database import deadline, ident, required_columns, sandboxed
from checks.database.tables import SOURCE_TEXT, _referenced_first
from checks.outputs import staging
from checks.package import Package, files
from checks.package.fields import primary_key

PAGE_SIZE = 4096
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
#: DuckDB types of view columns that SQLite keeps as INTEGER (64 bits: not UBIGINT or HUGEINT, which go out as text)
#: and as REAL (a DECIMAL too: SQLite has none).
_INTEGER = re.compile(r"U?(TINYINT|SMALLINT|INTEGER)|BIGINT")
_REAL = re.compile(r"DOUBLE|FLOAT|REAL|DECIMAL.*")
#: Default facets by table (where the table has the column).
FACETS = {"figures": ["measure", "unit", "section_id", "qualifier"], "readings": ["kind", "status"]}
#: The suffix of a table's full-text index, as sqlite-utils and Datasette name them.
FTS_SUFFIX = "_fts"
#: The section of docs/usage.md whose SQL becomes Datasette's canned queries (those that run unchanged in SQLite).
USAGE = "docs/usage.md"
QUESTIONS = "## Questions, answered in SQL"
MATERIALISED = (
    "Materialised: the rows of the DuckDB view {name} of the package's SQL, as the build computed them "
    "(DuckDB's SQL does not run in SQLite, so the rows are stored, not the view)."
)
_HTTP_URL = re.compile(r"https?://[^\s\"'<>`]+")


def sqlite_name(package: Package) -> str:
    """dist/<name>.sqlite (the package name is checked, as for the DuckDB file)."""
    return staging.database_name(package).removesuffix(".duckdb") + ".sqlite"


def metadata_name(package: Package) -> str:
    return staging.database_name(package).removesuffix(".duckdb") + ".datasette.json"


def _column_sql(field: dict, not_null: set[str]) -> str:
    """A column with its SQLite type and the CHECK that holds every value to its schema type."""
    name, kind = field["name"], field.get("type", "string")
    col = ident(name)
    check = {
        "string": f"typeof({col}) = 'text'",
        "integer": f"typeof({col}) = 'integer'",
        "number": f"typeof({col}) = 'real'",
        "boolean": f"{col} IN (0, 1)",
        "date": f"typeof({col}) = 'text' AND date({col}) IS {col}",
    }[kind]
    null = " NOT NULL" if name in not_null else ""
    return f"{col} {SQLITE_TYPES[kind]}{null} CHECK ({col} IS NULL OR ({check}))"


def _keys_sql(schema: dict) -> list[str]:
    clauses = []
    if key := primary_key(schema):
        clauses.append(f"PRIMARY KEY ({', '.join(map(ident, key))})")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        own, theirs = _as_list(fk["fields"]), _as_list(ref["fields"])
        if ref.get("resource"):  # a self-reference ("") is left to frictionless, as in the DuckDB file
            target = f"{ident(ref['resource'])} ({', '.join(map(ident, theirs))})"
            clauses.append(f"FOREIGN KEY ({', '.join(map(ident, own))}) REFERENCES {target}")
    return clauses


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _cell(value, kind: str):
    """A frame's cell as the Python value SQLite stores for its schema type (None for a missing one)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return int(bool(value))
    if kind == "date" and not isinstance(value, str):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _rows(schema: dict, frame: pd.DataFrame) -> Iterator[tuple]:
    kinds = [f.get("type", "string") for f in schema["fields"]]
    columns = [frame[f["name"]].astype(object).tolist() for f in schema["fields"]]
    for row in zip(*columns, strict=True):
        yield tuple(_cell(value, kind) for value, kind in zip(row, kinds, strict=True))


def text_columns(schema: dict) -> list[str]:
    """The free text of a table, for its full-text index: string columns that are no key, no code and no id."""
    keys = set(primary_key(schema))
    for fk in schema.get("foreignKeys", []):
        keys.update(_as_list(fk["fields"]))
    return [
        f["name"]
        for f in schema["fields"]
        if f.get("type", "string") == "string"
        and f["name"] not in keys
        and not f["name"].endswith("_id")
        and "enum" not in (f.get("constraints") or {})
    ]


#: Column names FTS5 or the rowid it indexes by would read as something else (compared in lower case).
_RESERVED = {"rowid", "oid", "_rowid_", "rank"}


@functools.cache
def has_trigram() -> bool:
    """Whether this Python's SQLite has FTS5 and its trigram tokenizer (SQLite 3.34 or later, built with FTS5)."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        con.close()


def fts_tables(package: Package, views: list[str]) -> dict[str, str]:
    """Table → its full-text index, for every table with free text whose index name no table or view takes and whose
    columns FTS5 can index as they are (none named rowid, oid, _rowid_, rank or as the index itself). None where
    this Python's SQLite has no trigram tokenizer: the file is written without search."""
    if not has_trigram():
        return {}
    taken = {name.lower() for name in (*package.table_names, SOURCE_TEXT, *views)}
    found = {}
    for name in package.table_names:
        schema, fts = package.schema(name), name + FTS_SUFFIX
        columns = {f["name"].lower() for f in schema["fields"]}
        if text_columns(schema) and fts.lower() not in taken and not columns & (_RESERVED | {fts.lower()}):
            found[name] = fts
    return found


def _view_columns(duck, view: str) -> list[tuple[str, str, str]]:
    """(name, DuckDB type, comment) of every column of a view, in order."""
    return duck.execute(
        "SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns() "
        "WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index",
        [view],
    ).fetchall()


def views(duck) -> list[tuple[str, str]]:
    """(name, comment) of every view of the package in a DuckDB database, by name."""
    return duck.execute(
        "SELECT view_name, coalesce(comment, '') FROM duckdb_views() "
        "WHERE NOT internal AND schema_name = 'main' ORDER BY view_name"
    ).fetchall()


def _view_select(view: str, columns: list[tuple[str, str, str]]) -> tuple[str, list[str]]:
    """The SELECT that reads a view's rows as SQLite keeps them, and the SQLite column definitions."""
    select, definitions = [], []
    for name, kind, _ in columns:
        col = ident(name)
        if _INTEGER.fullmatch(kind):
            select.append(col)
            definitions.append(f"{col} INTEGER")
        elif _REAL.fullmatch(kind):
            select.append(f"CAST({col} AS DOUBLE)")
            definitions.append(f"{col} REAL")
        elif kind == "BOOLEAN":
            select.append(f"CAST({col} AS INTEGER)")
            definitions.append(f"{col} INTEGER CHECK ({col} IN (0, 1))")
        elif kind == "VARCHAR":
            select.append(col)
            definitions.append(f"{col} TEXT")
        else:  # a date as ISO text; anything else as DuckDB writes it
            select.append(f"CAST({col} AS VARCHAR)")
            definitions.append(f"{col} TEXT")
    return f"SELECT {', '.join(select)} FROM {ident(view)}", definitions


def _copy_views(con: sqlite3.Connection, duckdb_file: Path) -> list[str]:
    """Every view of the DuckDB file as a table of its rows, in the order the view gives them (one thread); returns
    their names."""
    duck = sandboxed(duckdb_file, {"threads": 1}, read_only=True)
    try:
        with deadline(duck):
            names = [view for view, _ in views(duck)]
            for view in names:
                columns = _view_columns(duck, view)
                select, definitions = _view_select(view, columns)
                con.execute(f"CREATE TABLE {ident(view)} ({', '.join(definitions)})")
                marks = ", ".join("?" * len(columns))
                con.executemany(f"INSERT INTO {ident(view)} VALUES ({marks})", duck.execute(select).fetchall())
    finally:
        duck.close()
    return names


def _index(con: sqlite3.Connection, package: Package, view_names: list[str]) -> None:
    """The trigram full-text index of each table's free text, over the table itself (external content)."""
    for table, fts in fts_tables(package, view_names).items():
        columns = ", ".join(map(ident, text_columns(package.schema(table))))
        con.execute(
            f"CREATE VIRTUAL TABLE {ident(fts)} USING fts5({columns}, content={ident(table)}, "
            "content_rowid='rowid', tokenize='trigram')"
        )
        con.execute(f"INSERT INTO {ident(fts)} ({ident(fts)}) VALUES ('rebuild')")
        con.execute(f"INSERT INTO {ident(fts)} ({ident(fts)}) VALUES ('optimize')")


def _check(con: sqlite3.Connection, package: Package, view_names: list[str]) -> None:
    """Refuse a file whose keys do not hold or whose index does not match its table (say, after a VACUUM that
    renumbered rows)."""
    broken = con.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the SQLite file breaks its foreign keys: {broken[:5]}")
    if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        raise RuntimeError("the SQLite file fails PRAGMA integrity_check")
    for fts in fts_tables(package, view_names).values():
        con.execute(f"INSERT INTO {ident(fts)} ({ident(fts)}, rank) VALUES ('integrity-check', 1)")


def write_sqlite_file(package: Package, tables: dict[str, pd.DataFrame], duckdb_file: Path, path: Path) -> None:
    """Write the SQLite file at path (a fresh temporary name that `staging.produce` renames into place)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        con.execute("PRAGMA journal_mode = OFF")  # no journal beside the file; a failed write is thrown away whole
        con.execute("PRAGMA encoding = 'UTF-8'")
        con.execute("BEGIN")
        for name in _referenced_first(package):
            schema = package.schema(name)
            not_null = required_columns(schema)
            columns = [_column_sql(field, not_null) for field in schema["fields"]] + _keys_sql(schema)
            con.execute(f"CREATE TABLE {ident(name)} ({', '.join(columns)})")
            marks = ", ".join("?" * len(schema["fields"]))
            con.executemany(f"INSERT INTO {ident(name)} VALUES ({marks})", _rows(schema, tables[name]))
        con.execute(f'CREATE TABLE {ident(SOURCE_TEXT)} ("text" TEXT NOT NULL)')
        con.execute(f"INSERT INTO {ident(SOURCE_TEXT)} VALUES (?)", [package.seed_text])
        view_names = _copy_views(con, duckdb_file)
        _index(con, package, view_names)
        con.execute("COMMIT")
        con.execute("VACUUM")
        _check(con, package, view_names)
    finally:
        con.close()
        path.with_name(path.name + "-journal").unlink(missing_ok=True)  # none is written (journal_mode OFF)


def _url(value) -> str | None:
    """An http(s) URL, or None: a javascript: or relative link never reaches an href."""
    return value if isinstance(value, str) and _HTTP_URL.fullmatch(value) else None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _licence(item: dict, key: str = "license") -> dict:
    out = {key: _text(item.get("title") or item.get("name"))}
    if url := _url(item.get("path")):
        out[f"{key}_url"] = url
    return out


def _table_metadata(package: Package, name: str, fts: str | None) -> dict:
    schema, resource = package.schema(name), package.resource(name)
    columns = [f["name"] for f in schema["fields"]]
    meta = {
        "title": _text(schema.get("title") or resource.get("title") or name),
        "description": _text(schema.get("description") or resource.get("description")),
        "columns": {f["name"]: _text(f.get("description")) for f in schema["fields"]},
    }
    if facets := [column for column in FACETS.get(name, []) if column in columns]:
        meta["facets"] = facets
    if key := primary_key(schema):
        meta["sort"] = key[0]
    if "label_en" in columns:
        meta["label_column"] = "label_en"
    if fts:
        meta.update({"fts_table": fts, "fts_pk": "rowid"})
    return meta


def canned_queries(package: Package, database: Path) -> dict[str, dict]:
    """The SQL of the docs' questions (docs/usage.md) that runs unchanged in SQLite, as Datasette's canned queries
    (read-only: never `write`). Each is tried on the built file, opened read-only with an authorizer that allows
    reading only; one that fails there (DuckDB's own syntax) is left out."""
    try:
        text = package.read_text(files.regular_file(package.root, USAGE, "documentation"))
    except files.UnusableInput:
        return {}
    _, _, section = text.partition(f"\n{QUESTIONS}\n")
    section = section.split("\n## ", 1)[0]
    queries: dict[str, dict] = {}
    question = ""
    for match in re.finditer(r"^\*([^*\s][^*]*)\*|^```sql\n(.*?)^```", section, re.S | re.M):
        if match.group(1):
            question = " ".join(match.group(1).split())
            continue
        sql = match.group(2).strip()
        if not question or not _runs_in_sqlite(database, sql):
            continue
        words = re.findall(r"[a-z0-9]+", question.lower())
        while len("_".join(words)) > 60:  # short enough for a URL, cut between words
            words.pop()
        slug = "_".join(words) or "query"
        name, title, n = slug, question, 2
        while name in queries:  # a second query under one question: numbered in its name and its title
            name, title, n = f"{slug}_{n}", f"{question} ({n})", n + 1
        queries[name] = {"title": title, "sql": sql}
    return queries


_READ_ONLY = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}


def _runs_in_sqlite(database: Path, sql: str) -> bool:
    """Whether one statement of SQL runs on the file, read-only, within a bounded number of steps."""
    if not sqlite3.complete_statement(sql + ";") or ";" in sql.rstrip(";"):
        return False
    con = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        con.set_authorizer(lambda action, *_: sqlite3.SQLITE_OK if action in _READ_ONLY else sqlite3.SQLITE_DENY)
        steps = [0]

        def stop() -> int:
            steps[0] += 1
            return int(steps[0] > 10_000)  # x 1000 virtual machine instructions

        con.set_progress_handler(stop, 1000)
        con.execute(sql).fetchall()
        return True
    except sqlite3.Error:
        return False
    finally:
        con.close()


def datasette_metadata(package: Package, database: Path, duckdb_file: Path) -> dict:
    """Datasette's metadata, from datapackage.json, the schemas and the views' comments: plain text only."""
    descriptor = package.descriptor
    meta: dict = {"title": _text(descriptor.get("title")), "description": _text(descriptor.get("description"))}
    if licences := descriptor.get("licenses"):
        meta.update(_licence(licences[0]))
    if sources := descriptor.get("sources"):
        meta.update(_licence(sources[0], "source"))
    if homepage := _url(descriptor.get("homepage")):
        meta.update({"about": homepage, "about_url": homepage})
    duck = sandboxed(duckdb_file, {"threads": 1}, read_only=True)
    try:
        materialised = {
            view: {
                "description": " ".join(part for part in (_text(comment), MATERIALISED.format(name=view)) if part),
                "columns": {name: _text(about) for name, _, about in _view_columns(duck, view)},
                "materialised_view": True,
            }
            for view, comment in views(duck)
        }
    finally:
        duck.close()
    fts = fts_tables(package, list(materialised))
    tables = {name: _table_metadata(package, name, fts.get(name)) for name in package.table_names}
    seed = package.resource(SOURCE_TEXT)
    tables[SOURCE_TEXT] = {
        "title": _text(seed.get("title")),
        "description": _text(seed.get("description")),
        "columns": {"text": "The source text (the seed), as one string."},
        **(_licence(seed["licenses"][0]) if seed.get("licenses") else {}),
    }
    tables.update(materialised)
    name = Path(sqlite_name(package)).stem
    meta["databases"] = {name: {"tables": tables, "queries": canned_queries(package, database)}}
    return meta


def _metadata_bytes(meta: dict) -> bytes:
    return (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def renamed_metadata(raw: bytes, database: str) -> bytes:
    """The metadata for the same file under another name (Datasette names a database after its file's stem)."""
    meta = json.loads(raw)
    meta["databases"] = {database: next(iter(meta["databases"].values()))}
    return _metadata_bytes(meta)


def write_sqlite(package: Package, tables: dict[str, pd.DataFrame], duckdb_file: Path, out: Path) -> list[Path]:
    """dist/<name>.sqlite and dist/<name>.datasette.json in the output folder `out`, each written whole or not at
    all."""
    database = staging.produce(
        out, sqlite_name(package), lambda tmp: write_sqlite_file(package, tables, duckdb_file, tmp)
    )
    meta = _metadata_bytes(datasette_metadata(package, database, duckdb_file))
    return [database, staging.write(out, metadata_name(package), meta)]
