"""Tables typed by their Table Schemas: the one place where schemas/*.json become pandas, pandera and DuckDB types."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pyarrow
from pyarrow import csv
import pandera.pandas as pa
from pandera.io.pandas_io import FrictionlessFieldParser, deserialize_schema

from checks.package import files
from checks.package.fields import CANONICAL, CSV_DIALECT, primary_key
from checks.package import Package
from checks.package.csv_bytes import check_table_bytes

_BOOLEANS = {"true": True, "false": False}
#: The CSV reader's block: its working memory per table (a whole 300 MiB file in one block took 570 MiB more).
BLOCK_BYTES = 64 * 2**20
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

    pyarrow parses the bytes straight into the Arrow strings pandas keeps (every column as text first, empty
    cells missing): a quarter of the time of pandas' own reader, which makes a Python string of every cell on
    the way. One thread: the other core runs frictionless, and only a serial read names a ragged row's line.
    The bytes are dropped with the call: loading holds one file at a time.
    `attrs["noncanonical"]`, present only when there are any, lists (row index, column, cell) of typed cells not
    written in canonical form (an empty list would still be deep-copied by every pandas operation).
    """
    schema = package.schema(name)
    rel = package.resource(name)["path"]
    raw = files.read_bytes(package.path_of(name), rel)
    check_table_bytes(raw, schema, rel)
    names = [f["name"] for f in schema["fields"]]
    columns = _parsed(raw, names)
    del raw  # before the columns are joined: the file and its text are held together only while it is parsed
    frame = _joined(columns, names)
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


def _parsed(raw: bytes, names: list[str]) -> list[pyarrow.ChunkedArray]:
    """Every column as text, empty cells missing; blocks of 64 MiB (the parser's working memory), or the whole
    file in one block when a single row is larger than that."""
    as_text = csv.ConvertOptions(column_types={col: pyarrow.large_string() for col in names}, strings_can_be_null=True, null_values=[""],
                                 quoted_strings_can_be_null=True)

    def read(block: int) -> list[pyarrow.ChunkedArray]:
        return csv.read_csv(pyarrow.py_buffer(raw), read_options=csv.ReadOptions(use_threads=False, block_size=block),
                            parse_options=_DIALECT, convert_options=as_text).columns

    whole = min(len(raw) + 1, 2**31 - 1)
    try:
        return read(min(whole, BLOCK_BYTES))
    except pyarrow.ArrowInvalid as err:
        if "straddl" not in str(err) or whole <= BLOCK_BYTES:  # only a row longer than a block is worth a second try
            raise
    return read(whole)


def _joined(columns: list[pyarrow.ChunkedArray], names: list[str]) -> pd.DataFrame:
    """The parsed columns as pandas text, each in one buffer, joined a column at a time (the list is emptied).

    Arrow's take (selecting rows, sorting) first joins every block of a column into one, at every call: with the
    blocks kept, looking at one row of a 300 MiB table copied all of it (0.7 s and 280 MiB at 10,000x the package)."""
    for i, column in enumerate(columns):
        columns[i] = column.combine_chunks()
    frame = pyarrow.table(columns, names=names).to_pandas(types_mapper={pyarrow.large_string(): pd.StringDtype("pyarrow")}.get)
    columns.clear()
    pyarrow.default_memory_pool().release_unused()  # the parser's blocks: kept by Arrow's allocator, numpy could not reuse them
    return frame


def load_tables(package: Package) -> dict[str, pd.DataFrame]:
    return {name: load_table(package, name) for name in package.table_names}


def from_table_schema(schema: dict, dtypes: dict[str, str] | None = None) -> pa.DataFrameSchema:
    """pandera's own reading of a Table Schema (its `from_frictionless_schema`), from the plain JSON; `dtypes`
    replaces the dtype of the columns it names.

    pandera's function first builds a frictionless Schema, which imports frictionless (0.5 s) into a process that
    no longer runs it (the worker does). Its field parser needs only each field's name, type, constraints,
    description and title, as frictionless gives them (a missing type is `any`); a test checks the two agree.
    """
    key = primary_key(schema)
    columns = {}
    for f in schema["fields"]:
        column = FrictionlessFieldParser(SimpleNamespace(name=f["name"], type=f.get("type", "any"), constraints=f.get("constraints") or {},
                                                         description=f.get("description", ""), title=f.get("title", "")), key).to_pandera_column()
        columns[f["name"]] = {**column, "dtype": (dtypes or {}).get(f["name"], column["dtype"])}
    return deserialize_schema({"columns": columns, "index": None, "checks": None, "coerce": True, "strict": True,
                               "unique": None if len(key) == 1 else key})


def pandera_schema(schema: dict, checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    """The pandera schema derived from a Table Schema, with nullable integers and booleans, plus row checks.

    Built once: each further schema pandera derives (update_columns, a new DataFrameSchema) deep-copies every column."""
    nullable_types = {"integer": "Int64", "boolean": "boolean"}
    derived = from_table_schema(schema, {f["name"]: nullable_types[f["type"]] for f in schema["fields"] if f.get("type") in nullable_types})
    derived.checks = checks or []
    return derived


def with_dates(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """The frame with its `date` fields as datetime64 (for readers; validation keeps the text it checks)."""
    dates = [f["name"] for f in schema["fields"] if f.get("type") == "date"]
    return frame.assign(**{col: pd.to_datetime(frame[col], format="%Y-%m-%d", errors="coerce") for col in dates})


def for_readers(ctx) -> dict[str, pd.DataFrame]:
    """The validator's typed tables, with dates as dates (a Context: the package and its tables)."""
    return {name: with_dates(frame, ctx.package.schema(name)) for name, frame in ctx.tables.items()}
