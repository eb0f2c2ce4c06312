"""One Parquet file per table, typed by its schema: the same column types as the DuckDB database.

Written by DuckDB from the typed frames: integers as INT64, numbers as DOUBLE, booleans as BOOLEAN, text as UTF-8,
dates as DATE (as in the DuckDB file and sql/load.sql, and as R's arrow reads them: Date). pandas turns a Parquet DATE
into `datetime.date` objects unless asked otherwise: `pd.read_parquet(path, to_pandas_kwargs={"date_as_object":
False})` gives datetime64[ms] (docs/usage.md lists what each call gives). The pandas metadata (what pyarrow would
store) makes nullable integers come back as Int64 (not float) and booleans as boolean. A column its schema requires
is REQUIRED (not null), as in the DuckDB database. The descriptions go in as key-value metadata. Same frames, same
DuckDB, one thread: the same bytes on every build.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from checks.database import required_columns
from checks.database.sandbox import ident, limits, literal
from checks.outputs import staging
from checks.package import Package
from checks.package.fields import DUCKDB_TYPES

FOLDER = f"{staging.DIST}/parquet"
#: Column types: those of the DuckDB database (dates as DATE).
TYPES = DUCKDB_TYPES
#: pandas' type and dtype by Table Schema type, as pyarrow records them in the pandas metadata.
PANDAS_TYPES = {
    "string": ("object", "string"),
    "integer": ("int64", "Int64"),
    "number": ("float64", "float64"),
    "boolean": ("bool", "boolean"),
    "date": ("date", "object"),
}


def metadata(package: Package, name: str) -> dict[str, str]:
    """Key-value metadata: the table's title and description, each column's description, the Table Schema itself,
    and the pandas metadata."""
    schema = package.schema(name)
    meta = {"title": schema.get("title", name), "description": schema.get("description", "")}
    meta.update({f"column:{f['name']}": f.get("description", "") for f in schema["fields"]})
    meta["frictionless:schema"] = json.dumps(schema, ensure_ascii=False, sort_keys=True)
    columns = [
        {
            "name": f["name"],
            "field_name": f["name"],
            "pandas_type": PANDAS_TYPES[f.get("type", "string")][0],
            "numpy_type": PANDAS_TYPES[f.get("type", "string")][1],
            "metadata": None,
        }
        for f in schema["fields"]
    ]
    meta["pandas"] = json.dumps(
        {
            "index_columns": [],
            "column_indexes": [],
            "columns": columns,
            "attributes": {},
            "creator": {"library": "duckdb", "version": duckdb.__version__},
            "pandas_version": pd.__version__,
        }
    )
    return meta


def write_table(package: Package, name: str, frame: pd.DataFrame, path: Path) -> None:
    """One table's file: a typed table (NOT NULL where the schema requires a value), copied out with its metadata.

    DuckDB writes a column REQUIRED when its statistics show no NULL, so an optional column that happens to be full
    goes out through a CASE whose statistics allow NULL."""
    schema = package.schema(name)
    not_null = required_columns(schema)
    fields = [(f["name"], f.get("type", "string")) for f in schema["fields"]]
    columns = ", ".join(f"{ident(n)} {TYPES[t]}" + (" NOT NULL" if n in not_null else "") for n, t in fields)
    select = ", ".join(
        ident(n) if n in not_null else f"CASE WHEN {ident(n)} IS NOT NULL THEN {ident(n)} END AS {ident(n)}"
        for n, _ in fields
    )
    kv = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in metadata(package, name).items())
    config = {"threads": 1, "autoinstall_known_extensions": False, "autoload_known_extensions": False}
    con = duckdb.connect(config={**config, **limits()})  # temp files in a bounded folder of our own, not in ./.tmp
    try:
        con.register("_frame", frame)
        con.execute(f"CREATE TABLE _table ({columns})")
        # a missing required value fails: validation refused it before
        con.execute("INSERT INTO _table SELECT * FROM _frame")
        options = f"FORMAT parquet, COMPRESSION zstd, KV_METADATA {{{kv}}}"
        con.execute(f"COPY (SELECT {select} FROM _table) TO {literal(str(path))} ({options})")
    finally:
        con.close()


def write_parquet(package: Package, tables: dict, out: Path) -> list[Path]:
    """dist/parquet/<table>.parquet for every table, in the output folder `out` (zstd, statistics, no wall-clock time in
    the file)."""
    return [
        staging.produce(
            out, f"{FOLDER}/{name}.parquet", lambda tmp, name=name: write_table(package, name, tables[name], tmp)
        )
        for name in package.table_names
    ]
