"""What a Table Schema says, read without pandas (all preflight needs): the CSV dialect, DuckDB types, canonical
spellings, the text pattern, keys."""

from __future__ import annotations

import re

#: The one CSV dialect of the package: frictionless and the loader (Python's csv) must read the same rows.
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "lineTerminator": "\n"}
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}

#: How each type is written in this package's CSVs, one spelling per value: no spaces, exponents, NaN or -0,
#: integers within BIGINT. A cell written otherwise is read as missing and reported by `cells.canonical_form`.
CANONICAL = {
    "integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    "number": re.compile(r"(?!-0(\.0+)?$)-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,15})?"),
    "boolean": re.compile(r"true|false"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
}
#: The pattern every free-text column carries in schemas/: no control characters (tab and newline allowed),
#: and no leading = + - @, which a spreadsheet would run as a formula. Written without lookaround, so that RE2 runs
#: it too: pandas does where pyarrow backs its strings (5x faster than calling Python's re on every cell).
TEXT_PATTERN = r"(?:[^=+\-@\x00-\x08\x0b-\x1f\x7f-\x9f][^\x00-\x08\x0b-\x1f\x7f-\x9f]*)?"

TEXT_RULE = "text without control characters, not starting with = + - @ (a spreadsheet would run it as a formula)"


def explain(check: str) -> str:
    """A constraint as a reader understands it: the text pattern by what it means, others as written."""
    return TEXT_RULE if TEXT_PATTERN in check else check


def primary_key(schema: dict) -> list[str]:
    key = schema.get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def duckdb_columns(schema: dict) -> dict[str, str]:
    """Column name → DuckDB type, in schema order."""
    return {f["name"]: DUCKDB_TYPES[f.get("type", "string")] for f in schema["fields"]}
