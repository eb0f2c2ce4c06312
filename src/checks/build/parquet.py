"""One Parquet file per table, typed by its schema, that plain `pd.read_parquet` reads back as `checks.load()` gives it.

Written by pyarrow from the typed frames (no SQL runs here): integers as INT64, numbers as DOUBLE, booleans as
BOOLEAN, text as UTF-8, dates as TIMESTAMP (microseconds, no time zone), so that every pandas route the README
shows gives the same date type, datetime64[us]. The pandas metadata pyarrow stores makes nullable integers come
back as Int64 (not float) and booleans as boolean. A column its schema requires is REQUIRED (not null), as in the
DuckDB database. The descriptions go in as key-value metadata, and as each field's `description`. Same frames,
same pyarrow: the same bytes on every build.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow
import pyarrow.parquet as pq

from checks.build import outputs
from checks.database import required_columns
from checks.package import Package
from checks.package.tables import with_dates

FOLDER = f"{outputs.DIST}/parquet"
#: Arrow types by Table Schema type; dates are timestamps so that pandas reads datetime64[us], not date objects.
ARROW_TYPES = {"string": pyarrow.string(), "integer": pyarrow.int64(), "number": pyarrow.float64(),
               "boolean": pyarrow.bool_(), "date": pyarrow.timestamp("us")}


def metadata(package: Package, name: str) -> dict[str, str]:
    """Key-value metadata: the table's title and description, each column's description, the Table Schema itself."""
    schema = package.schema(name)
    meta = {"title": schema.get("title", name), "description": schema.get("description", "")}
    meta.update({f"column:{f['name']}": f.get("description", "") for f in schema["fields"]})
    meta["frictionless:schema"] = json.dumps(schema, ensure_ascii=False, sort_keys=True)
    return meta


def arrow_schema(package: Package, name: str) -> pyarrow.Schema:
    """The Arrow schema of a table: its types, REQUIRED where the schema requires a value, its descriptions."""
    schema = package.schema(name)
    not_null = required_columns(schema)
    fields = [pyarrow.field(f["name"], ARROW_TYPES[f.get("type", "string")], nullable=f["name"] not in not_null,
                            metadata={"description": f.get("description", "")})
              for f in schema["fields"]]
    return pyarrow.schema(fields)


def arrow_table(package: Package, name: str, frame) -> pyarrow.Table:
    """The frame as an Arrow table of exactly `arrow_schema`, with the pandas metadata and the descriptions."""
    schema = arrow_schema(package, name)
    table = pyarrow.Table.from_pandas(with_dates(frame, package.schema(name)), preserve_index=False)
    pandas_meta = table.schema.metadata or {}
    table = table.cast(schema)  # a required column holding a missing value fails here: validation refuses it before
    kv = {k.encode("utf-8"): v.encode("utf-8") for k, v in metadata(package, name).items()}
    return table.replace_schema_metadata({**pandas_meta, **kv})


def write_parquet(package: Package, tables: dict) -> list[Path]:
    """dist/parquet/<table>.parquet for every table (zstd, statistics, no wall-clock time in the file)."""
    root = package.root
    (outputs.dist_dir(root) / "parquet").mkdir(exist_ok=True)
    written = []
    for name in package.table_names:
        table = arrow_table(package, name, tables[name])

        def write(tmp: Path, table: pyarrow.Table = table) -> None:
            pq.write_table(table, tmp, compression="zstd", use_dictionary=True, write_statistics=True)

        written.append(outputs.produce(root, f"{FOLDER}/{name}.parquet", write))
    return written
