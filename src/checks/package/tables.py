"""Tables typed by their Table Schemas: the one place where schemas/*.json become pandas, pandera and DuckDB types."""

from __future__ import annotations

import copy
import csv
import io
import json
from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
from pandera.io.pandas_io import from_frictionless_schema

from checks.package import Package, files
from checks.package.csv_bytes import check_row_count, check_table_bytes
from checks.package.fields import CANONICAL, CSV_DIALECT

csv.field_size_limit(2**31 - 1)  # a cell may be as long as the file (frictionless sets the same limit)
_BOOLEANS = {"true": True, "false": False}


def row_id(df: pd.DataFrame, key: list[str], index) -> str | None:
    """How problems name a row: its primary key value(s), joined by '/'."""
    if index is None or pd.isna(index) or index not in df.index:
        return None
    return "/".join("" if pd.isna(df.at[index, k]) else str(df.at[index, k]) for k in key)


def _rows(text: str, width: int) -> list[list[str]]:
    """The records of a CSV in the package's one dialect (a quoted cell may hold a newline), blank lines skipped.

    A record of the wrong width is refused, naming its number (the header is #1) and its text (over 100 bytes, the
    first 96 and " ...")."""
    lines = io.StringIO(text, newline="").readlines()  # split at LF only (no CR gets here), each kept with its LF
    reader = csv.reader(
        lines,
        delimiter=CSV_DIALECT["delimiter"],
        quotechar=CSV_DIALECT["quoteChar"],
        doublequote=CSV_DIALECT["doubleQuote"],
    )
    records, start = [], 0
    for cells in reader:
        if cells and len(cells) != width:
            row = "".join(lines[start : reader.line_num]).removesuffix("\n").encode("utf-8")
            shown = row.decode("utf-8") if len(row) <= 100 else row[:96].decode("utf-8", errors="replace") + " ..."
            raise ValueError(
                f"CSV parse error: Row #{len(records) + 1}: Expected {width} columns, got {len(cells)}: {shown}"
            )
        start = reader.line_num
        if cells:
            records.append(cells)
    return records


def _typed(column: pd.Series, field_type: str) -> pd.Series:
    """Parse CSV text by field type; cells not in canonical form become missing (and are reported)."""
    canonical = CANONICAL.get(field_type)
    if canonical is not None:
        column = column.where(column.isna() | column.str.fullmatch(canonical.pattern).fillna(False).astype(bool))
    if field_type == "integer":
        return pd.to_numeric(column, errors="coerce").astype("Int64")
    if field_type == "number":
        return pd.to_numeric(column, errors="coerce").astype("float64")
    if field_type == "boolean":
        return column.map(_BOOLEANS.get, na_action="ignore").astype("boolean")
    return column.astype("string")


def load_table(package: Package, name: str) -> pd.DataFrame:
    """Read one CSV's bytes (bounded, inside the package), check their form, then type each column as its schema says.

    Every column is read as text (pandas' string dtype; empty cells missing). `attrs["noncanonical"]`, present only
    when there are any, lists (row index, column, cell) of typed cells not written in canonical form.
    """
    schema = package.schema(name)
    rel = package.resource(name)["path"]
    raw = files.read_bytes(package.path_of(name), rel)
    check_table_bytes(raw, schema, rel)
    check_row_count(raw, rel)
    schema_json = json.dumps(schema, sort_keys=True)
    if len(raw) > REMEMBERED_BYTES:
        return _typed_table(raw, schema_json)
    return _remembered_table(raw, schema_json).copy()


#: Tables up to this size are parsed once per bytes and schema in a process (`diff` reads two packages that share
#: most tables; the tests validate hundreds of copies of one); a larger one is parsed every time, so that no copy of
#: it outlives the validation that read it.
REMEMBERED_BYTES = 2**20


@lru_cache(maxsize=32)
def _remembered_table(raw: bytes, schema_json: str) -> pd.DataFrame:
    """_typed_table, remembered (load_table hands out copies)."""
    return _typed_table(raw, schema_json)


def _typed_table(raw: bytes, schema_json: str) -> pd.DataFrame:
    """The typed frame of a table's checked bytes."""
    schema = json.loads(schema_json)
    header, *records = _rows(raw.decode("utf-8"), len(schema["fields"]))
    # an empty cell is missing (None here costs far less than masking the frame after)
    frame = pd.DataFrame([[cell or None for cell in record] for record in records], columns=header, dtype="string")
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    typed = pd.DataFrame({col: _typed(frame[col], types.get(col, "string")) for col in frame.columns})
    noncanonical = [
        (index, col, frame.at[index, col])
        for col in frame.columns
        if types.get(col, "string") in CANONICAL
        for index in frame.index[frame[col].notna() & typed[col].isna()]
    ]
    if noncanonical:
        typed.attrs["noncanonical"] = noncanonical
    return typed


def load_tables(package: Package) -> dict[str, pd.DataFrame]:
    return {name: load_table(package, name) for name in package.table_names}


def pandera_schema(schema: dict, checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    """pandera's own reading of the Table Schema, with nullable integers and booleans (the loader's types), plus row
    checks."""
    derived = copy.copy(_derived(json.dumps(schema, sort_keys=True)))
    derived.checks = checks or []
    return derived


@lru_cache(maxsize=64)
def _derived(schema_json: str) -> pa.DataFrameSchema:
    """The column rules of pandera_schema, derived once per schema text in a process (a few milliseconds a table, paid
    again on every validation otherwise); callers take a copy and never change the columns."""
    schema = json.loads(schema_json)
    nullable_types = {"integer": "Int64", "boolean": "boolean"}
    derived = from_frictionless_schema(schema)
    nullable = {
        f["name"]: {"dtype": nullable_types[f["type"]]} for f in schema["fields"] if f.get("type") in nullable_types
    }
    derived = derived.update_columns(nullable) if nullable else derived
    patterns = {f["name"]: f["constraints"]["pattern"] for f in schema["fields"] if _pattern_of(f) is not None}
    for name, pattern in patterns.items():
        column = derived.columns[name]
        kept = [check for check in column.checks if check.name != "str_matches"]
        column.checks = [*kept, _fullmatch(pattern)]
    return derived


def _pattern_of(field: dict) -> str | None:
    constraints = field.get("constraints")
    return constraints.get("pattern") if isinstance(constraints, dict) else None


def _fullmatch(pattern: str) -> pa.Check:
    """The pattern matched against the whole cell, as the Table Schema means it. pandera and frictionless match
    `^pattern$`, where `$` also matches before a final newline ("S01\\n" passes S[0-9]{2}) and `^a|b$` only anchors
    one branch ("bx" passes)."""
    return pa.Check(
        lambda cells: cells.str.fullmatch(pattern).fillna(False).astype(bool),
        name="str_fullmatch",
        error=f"str_fullmatch('{pattern}')",
    )


def with_dates(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """The frame with its `date` fields as datetime64 (for readers; validation keeps the text it checks)."""
    dates = [f["name"] for f in schema["fields"] if f.get("type") == "date"]
    return frame.assign(**{col: pd.to_datetime(frame[col], format="%Y-%m-%d", errors="coerce") for col in dates})


def for_readers(ctx) -> dict[str, pd.DataFrame]:
    """The validator's typed tables, with dates as dates (a Context: the package and its tables)."""
    return {name: with_dates(frame, ctx.package.schema(name)) for name, frame in ctx.tables.items()}
