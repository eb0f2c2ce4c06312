"""Cells written in one spelling: a number, boolean or date not in canonical form is a data error, not a guess."""

from __future__ import annotations

from checks.package.fields import CANONICAL, primary_key
from checks.package.tables import row_id
from checks.problems import Problem, RuleResult
from checks.validate.rules.base import Context

NAME = "cells.canonical_form"
DESCRIPTION = (
    "integers, numbers, booleans and dates are written in one canonical form (no spaces, exponents, NaN, -0 or values "
    "beyond BIGINT)"
)
SPELLING = {
    "integer": "an integer such as 622",
    "number": "a decimal such as 22.9",
    "boolean": "true or false",
    "date": "a date such as 2020-07-31",
}


def check_canonical_form(ctx: Context, table: str) -> list[RuleResult]:
    """One problem per cell that the loader could not read in canonical form (it reads such a cell as missing); no
    result for a table without typed columns."""
    df = ctx.tables[table]
    schema = ctx.package.schema(table)
    types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
    typed = [c for c in df.columns if types.get(c) in CANONICAL]
    if not typed:
        return []
    key = primary_key(schema)
    result = RuleResult(f"{table}.{NAME}", DESCRIPTION, checked=int(sum(df[c].notna().sum() for c in typed)))
    for index, column, cell in df.attrs.get("noncanonical", []):
        result.problems.append(
            Problem(
                result.rule,
                ctx.package.resource(table)["path"],
                row=row_id(df, key, index) or f"line {index + 2}",
                column=column,
                expected=SPELLING[types[column]],
                found=repr(cell),
                message=DESCRIPTION,
            )
        )
    return [result]
