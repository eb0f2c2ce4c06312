"""One Parquet file per table, typed by its schema (DATE, INT64, BOOLEAN), with the descriptions as key-value metadata.

DuckDB writes them from the typed frames on a connection that may write only into the output folder and runs
only the statements generated here, never the package's SQL. One thread: the same bytes on every build.
"""
from __future__ import annotations

import json
from pathlib import Path

from checks import database as duck
from checks.build import outputs
from checks.package import Package

FOLDER = f"{outputs.DIST}/parquet"


def metadata(package: Package, name: str) -> dict[str, str]:
    """Key-value metadata: the table's title and description, each column's description, the Table Schema itself."""
    schema = package.schema(name)
    meta = {"title": schema.get("title", name), "description": schema.get("description", "")}
    meta.update({f"column:{f['name']}": f.get("description", "") for f in schema["fields"]})
    meta["frictionless:schema"] = json.dumps(schema, ensure_ascii=False, sort_keys=True)
    return meta


def write_parquet(package: Package, tables: dict) -> list[Path]:
    """dist/parquet/<table>.parquet for every table."""
    root = package.root
    folder = outputs.dist_dir(root) / "parquet"
    folder.mkdir(exist_ok=True)
    con = duck.sandboxed(writable=folder.resolve(), config={"threads": 1})
    try:
        duck.load_frames(con, package, tables)
        written = []
        for name in package.table_names:
            kv = ", ".join(f"{duck.literal(k)}: {duck.literal(v)}" for k, v in metadata(package, name).items())

            def copy(tmp: Path, name: str = name, kv: str = kv) -> None:
                con.execute(f"COPY {duck.ident(name)} TO {duck.literal(str(tmp))} "
                            f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {{{kv}}})")

            written.append(outputs.produce(root, f"{FOLDER}/{name}.parquet", copy))
        return written
    finally:
        con.close()
