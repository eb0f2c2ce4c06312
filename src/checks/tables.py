"""Tables typed by their Table Schemas: the one place where schemas/*.json become pandas, pandera and DuckDB types."""
from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pandas as pd
import pandera.pandas as pa
from pandera.io.pandas_io import FrictionlessFieldParser, deserialize_schema

from .package import Package

DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}
_BOOLEANS = {"true": True, "false": False}

#: How each type is written in this package's CSVs, one spelling per value: no spaces, exponents, NaN or -0,
#: integers within BIGINT. A cell written otherwise is read as missing and reported by `cells.canonical_form`.
CANONICAL = {
    "integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    "number": re.compile(r"(?!-0(\.0+)?$)-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,15})?"),
    "boolean": re.compile(r"true|false"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
}
#: The pattern every free-text column carries in schemas/: no control characters (tab and newline allowed),
#: and no leading = + - @, which a spreadsheet would run as a formula.
TEXT_PATTERN = r"(?![=+\-@])[^\x00-\x08\x0b-\x1f\x7f-\x9f]*"


TEXT_RULE = "text without control characters, not starting with = + - @ (a spreadsheet would run it as a formula)"


def explain(check: str) -> str:
    """A constraint as a reader understands it: the text pattern by what it means, others as written."""
    return TEXT_RULE if TEXT_PATTERN in check else check


def primary_key(schema: dict) -> list[str]:
    key = schema.get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


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


def load_table(package: Package, name: str, text: str | None = None) -> pd.DataFrame:
    """Read one CSV as text (bounded, inside the package), then type each column as its schema says.

    `text` is the file's content when the caller has read it already (preflight has), so no file is read twice.
    `attrs["noncanonical"]` lists (row index, column, cell) of typed cells not written in canonical form.
    """
    schema = package.schema(name)
    if text is None:
        text = package.read_text(package.path_of(name))
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], engine="c")
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    typed = pd.DataFrame({col: _typed(raw[col], types.get(col, "string")) for col in raw.columns})
    typed.attrs["noncanonical"] = [
        (index, col, raw.at[index, col])
        for col in raw.columns if types.get(col, "string") in CANONICAL
        for index in raw.index[raw[col].notna() & typed[col].isna()]
    ]
    return typed


def load_tables(package: Package) -> dict[str, pd.DataFrame]:
    return {name: load_table(package, name) for name in package.table_names}


def from_table_schema(schema: dict) -> pa.DataFrameSchema:
    """pandera's own reading of a Table Schema (its `from_frictionless_schema`), from the plain JSON.

    pandera's function first builds a frictionless Schema, which imports frictionless (0.5 s) into a process that
    no longer runs it (the worker does). Its field parser needs only each field's name, type, constraints,
    description and title, as frictionless gives them (a missing type is `any`); a test checks the two agree.
    """
    key = primary_key(schema)
    columns = {f["name"]: FrictionlessFieldParser(SimpleNamespace(name=f["name"], type=f.get("type", "any"), constraints=f.get("constraints") or {},
                                                                  description=f.get("description", ""), title=f.get("title", "")), key).to_pandera_column()
               for f in schema["fields"]}
    return deserialize_schema({"columns": columns, "index": None, "checks": None, "coerce": True, "strict": True,
                               "unique": None if len(key) == 1 else key})


def pandera_schema(schema: dict, checks: list[pa.Check] | None = None) -> pa.DataFrameSchema:
    """The pandera schema derived from a Table Schema, with nullable integers and booleans, plus row checks."""
    base = from_table_schema(schema)
    nullable_types = {"integer": "Int64", "boolean": "boolean"}
    base = base.update_columns({f["name"]: {"dtype": nullable_types[f["type"]]} for f in schema["fields"] if f.get("type") in nullable_types})
    return pa.DataFrameSchema(columns=base.columns, checks=checks or [], strict=True, coerce=True, unique=base.unique, name=base.name)


def duckdb_columns(schema: dict) -> dict[str, str]:
    """Column name → DuckDB type, in schema order."""
    return {f["name"]: DUCKDB_TYPES[f.get("type", "string")] for f in schema["fields"]}


def with_dates(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """The frame with its `date` fields as datetime64 (for readers; validation keeps the text it checks)."""
    dates = [f["name"] for f in schema["fields"] if f.get("type") == "date"]
    return frame.assign(**{col: pd.to_datetime(frame[col], format="%Y-%m-%d", errors="coerce") for col in dates})
