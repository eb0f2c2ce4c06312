"""Tables typed by their Table Schemas: the one place where schemas/*.json become pandas, pandera and DuckDB types."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.io.pandas_io import from_frictionless_schema
from pyarrow import csv

from checks.package import Package, files
from checks.package.csv_bytes import check_table_bytes
from checks.package.fields import CANONICAL, CSV_DIALECT

_BOOLEANS = {"true": True, "false": False}
#: The package's one CSV dialect, for pyarrow (no escape character; a quoted cell may hold a newline).
_DIALECT = csv.ParseOptions(delimiter=CSV_DIALECT["delimiter"], quote_char=CSV_DIALECT["quoteChar"], double_quote=CSV_DIALECT["doubleQuote"],
                            escape_char=False, newlines_in_values=True)


def row_id(df: pd.DataFrame, key: list[str], index) -> str | None:
    """How problems name a row: its primary key value(s), joined by '/'."""
    if index is None or pd.isna(index) or index not in df.index:
        return None
    return "/".join("" if pd.isna(df.at[index, k]) else str(df.at[index, k]) for k in key)


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

    pyarrow parses every column as text (empty cells missing) in the package's one dialect, the whole file as one
    block (a row may be as long as the file), and names the line of a ragged row. `attrs["noncanonical"]`, present only when there are any, lists (row index, column, cell) of
    typed cells not written in canonical form.
    """
    schema = package.schema(name)
    rel = package.resource(name)["path"]
    raw = files.read_bytes(package.path_of(name), rel)
    check_table_bytes(raw, schema, rel)
    names = [f["name"] for f in schema["fields"]]
    as_text = csv.ConvertOptions(column_types={col: pyarrow.string() for col in names}, strings_can_be_null=True, null_values=[""],
                                 quoted_strings_can_be_null=True)
    frame = csv.read_csv(pyarrow.py_buffer(raw), read_options=csv.ReadOptions(use_threads=False, block_size=min(len(raw) + 1, 2**31 - 1)), parse_options=_DIALECT,
                         convert_options=as_text).to_pandas(types_mapper={pyarrow.string(): pd.StringDtype("pyarrow")}.get)
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    typed = pd.DataFrame({col: _typed(frame[col], types.get(col, "string")) for col in frame.columns})
    noncanonical = [
        (index, col, frame.at[index, col])
        for col in frame.columns if types.get(col, "string") in CANONICAL
        for index in frame.index[frame[col].notna() & typed[col].isna()]
    ]
    if noncanonical:
        typed.attrs["noncanonical"] = noncanonical
    return typed


def load_tables(package: Package) -> dict[str, pd.DataFrame]:
    return {name: load_table(package, name) for name in package.table_names}


def pandera_schema(schema: dict, checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    """pandera's own reading of the Table Schema, with nullable integers and booleans (the loader's types), plus row checks."""
    nullable_types = {"integer": "Int64", "boolean": "boolean"}
    derived = from_frictionless_schema(schema)
    nullable = {f["name"]: {"dtype": nullable_types[f["type"]]} for f in schema["fields"] if f.get("type") in nullable_types}
    derived = derived.update_columns(nullable) if nullable else derived
    derived.checks = checks or []
    return derived


def with_dates(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """The frame with its `date` fields as datetime64 (for readers; validation keeps the text it checks)."""
    dates = [f["name"] for f in schema["fields"] if f.get("type") == "date"]
    return frame.assign(**{col: pd.to_datetime(frame[col], format="%Y-%m-%d", errors="coerce") for col in dates})


def for_readers(ctx) -> dict[str, pd.DataFrame]:
    """The validator's typed tables, with dates as dates (a Context: the package and its tables)."""
    return {name: with_dates(frame, ctx.package.schema(name)) for name, frame in ctx.tables.items()}
