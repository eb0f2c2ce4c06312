"""Each figure says what its words say: numeral, value, unit conversion, qualifier, period, and readings where the
text fails."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from checks.validate.numerals import ARABIC, WRITTEN_YEAR, YEAR_MONTH, parse_numeral, qualifier_of
from checks.validate.rules.base import ColumnRule, Context, RowRule, filled, is_true, present
from checks.validate.rules.links import lost_readings, readings_of

ANCHOR_FIELDS = ("quote", "char_start", "char_end", "numeral")


def _stated_fields(row, ctx):
    """Stated figures are anchored and have no formula; derived ones have a formula and a value, and no anchor."""
    if row["stated"] is pd.NA:
        return None
    filled = {f for f in (*ANCHOR_FIELDS, "formula") if present(row[f])}
    if row["stated"]:
        want = set(ANCHOR_FIELDS)
        return filled == want, "quote, char_start, char_end, numeral; no formula", ", ".join(sorted(filled)) or "(none)"
    ok = filled == {"formula"} and present(row["value"])
    return (
        ok,
        "formula and value; no quote, offsets or numeral",
        ", ".join(sorted(filled | ({"value"} if present(row["value"]) else set()))) or "(none)",
    )


def _numeral_in_quote(row, ctx):
    if not (present(row["numeral"]) and present(row["quote"])):
        return None
    numeral, quote = row["numeral"], row["quote"]
    if numeral not in quote:
        return False, f"numeral {numeral!r} inside the quote", quote
    if ARABIC.fullmatch(numeral):
        others = ARABIC.findall(quote)
        return others == [numeral], f"the quote's only Arabic numeral is {numeral}", ", ".join(others)
    return True, numeral, quote


def _value_matches_numeral(row, ctx):
    if not present(row["numeral"]):
        return None
    numeral = row["numeral"]
    if present(row["date_value"]):
        match = YEAR_MONTH.fullmatch(numeral)
        if not match:
            return (
                False,
                f"a numeral that writes a year and a month (as 20178 does), for date_value {row['date_value']}",
                numeral,
            )
        expected = f"{match.group(1)}-{int(match.group(2)):02d}"
        return (
            row["date_value"] == expected,
            f"{expected} (the year and month that {numeral} writes; no day is written)",
            row["date_value"],
        )
    if not present(row["value"]):
        return None
    written = parse_numeral(numeral)
    if written is None:
        return False, f"a number written as {numeral!r}", "cannot be read as a number"
    return Decimal(repr(float(row["value"]))) == written, written, row["value"]


def _base_value_conversion(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """base_value = value × the unit's multiplier, over the whole table; a lost unit counts as the base unit (its
    reading says why). Nothing to convert (no value, or an indicator without a base unit): base_value stays empty."""
    known = df["indicator_id"].map(filled(ctx.table_by_id("indicators")["base_unit"]))  # NA: no such indicator
    no_base = ~filled(df["value"]) | known.eq(False)
    unit, has_unit = df["unit"], filled(df["unit"])
    multiplier = unit.map(ctx.table_by_id("units")["multiplier"]).astype(float)
    factor = multiplier.where(has_unit, 1.0)
    expected, found = df["value"].astype(float) * factor, df["base_value"].astype(float)
    close = (expected - found).abs() <= np.maximum(1e-9 * np.maximum(expected.abs(), found.abs()), 1e-9)
    out = pd.DataFrame(
        {
            "ok": (close & filled(found)).astype("boolean"),
            "found": df["base_value"].astype(object),
            "expected": [f"{v:g} × {f:g} = {e:.10g}" for v, f, e in zip(df["value"], factor, expected)],
        }
    )
    lost = has_unit & multiplier.isna()
    out.loc[lost, "ok"] = False
    out.loc[lost, "expected"] = "a unit with a multiplier for " + unit[lost].map(repr)
    out.loc[lost, "found"] = "no such unit"
    out.loc[no_base, "ok"] = ~filled(found)[no_base].astype("boolean") & pd.NA  # fails only where a base_value is given
    out.loc[no_base, "expected"] = "(empty): no value or no known base unit"
    out.loc[no_base, "found"] = df["base_value"][no_base].astype(object)
    return out


def _base_unit_matches_indicator(row, ctx):
    indicator = ctx.rows_by_id("indicators").get(row["indicator_id"])
    if indicator is None:
        return None  # a dangling indicator is the foreign-key rule's to report
    want = indicator["base_unit"]
    if not present(want):
        return not present(row["base_unit"]), "(empty): the indicator's unit is unknown", row["base_unit"]
    return row["base_unit"] == want, want, row["base_unit"]


def _qualifier_matches_quote(row, ctx):
    if not present(row["quote"]):
        return None
    want = qualifier_of(row["quote"])
    return row["qualifier"] == want, f"{want} (from the words of {row['quote']!r})", row["qualifier"]


def _period_order(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    start, end = df["period_start"], df["period_end"]
    return pd.DataFrame(
        {
            "ok": (start <= end).where(filled(start) & filled(end)),
            "expected": "period_start ≤ period_end",
            "found": start.astype(object).astype(str) + " .. " + end.astype(object).astype(str),
        }
    )


def _period_matches_text(row, ctx):
    """A period needs words, and a year the words write bounds the period (a reading of 今年 or 目前 writes none)."""
    bounds = [row[c] for c in ("period_start", "period_end") if present(row[c])]
    if not bounds or not is_true(row["stated"]):  # a derived figure's period comes with its formula
        return None
    if not present(row["period_text"]):
        return False, "period_text: the words that give the period", "(empty)"
    years = [int(y) for y in WRITTEN_YEAR.findall(row["period_text"])]
    if not years:
        return None
    found = {str(b)[:4] for b in bounds}
    ok = all(min(years) <= int(y) <= max(years) for y in found)
    shown = "–".join(str(y) for y in sorted({min(years), max(years)}))
    return (
        ok,
        f"period within {shown}, the year(s) {row['period_text']!r} writes",
        " .. ".join(str(row[c]) if present(row[c]) else "…" for c in ("period_start", "period_end")),
    )


def _no_value_under_unrecoverable(row, ctx):
    """A figure whose words an unrecoverable reading covers has no value, and names that reading."""
    if not (present(row["char_start"]) and present(row["char_end"])):
        return None
    ids, starts, ends = lost_readings(ctx)
    lost = ids[(starts < row["char_end"]) & (ends > row["char_start"])].tolist()
    if not lost:
        return None
    linked = {r["reading_id"] for r in readings_of(ctx, row["figure_id"], "value")}
    missing = sorted(set(lost) - linked)
    ok = not present(row["value"]) and not missing
    return (
        ok,
        f"no value, and a link (aspect value) to {', '.join(lost)}",
        (f"value {row['value']}" if present(row["value"]) else "no value")
        + (f"; not linked: {', '.join(missing)}" if missing else ""),
    )


def _value_or_reading(row, ctx):
    """A value is missing only for a date figure or where an unrecoverable reading says why, and only then."""
    unrecoverable = [r for r in readings_of(ctx, row["figure_id"], "value") if r["status"] == "unrecoverable"]
    if present(row["value"]):
        return (
            not unrecoverable,
            "no unrecoverable reading for a figure with a value",
            ", ".join(r["reading_id"] for r in unrecoverable) or "none",
        )
    if present(row["date_value"]):
        return True, "date_value", row["date_value"]
    return (
        bool(unrecoverable),
        "an unrecoverable reading (figure_readings, aspect value) explaining the empty value",
        "none",
    )


def _unit_or_reading(row, ctx):
    if row["stated"] is pd.NA or not row["stated"] or not present(row["value"]) or present(row["unit"]):
        return None
    readings = readings_of(ctx, row["figure_id"], "unit")
    return (
        bool(readings),
        "a reading (aspect unit) explaining the lost unit",
        ", ".join(r["reading_id"] for r in readings) or "none",
    )


RULES = [
    RowRule(
        "figures.stated_fields",
        "figures",
        "stated",
        "stated figures carry quote, offsets and numeral; derived figures a formula and a value",
        _stated_fields,
    ),
    RowRule(
        "figures.numeral_in_quote",
        "figures",
        "numeral",
        "the numeral is written inside the quote, and is its only Arabic numeral",
        _numeral_in_quote,
    ),
    RowRule(
        "figures.value_matches_numeral",
        "figures",
        "value",
        "value is the number the numeral writes (Chinese numerals parsed)",
        _value_matches_numeral,
    ),
    ColumnRule(
        "figures.base_value_conversion",
        "figures",
        "base_value",
        "base_value = value × the unit's multiplier (亿 = 1e8, 万 = 1e4)",
        _base_value_conversion,
    ),
    RowRule(
        "figures.base_unit_matches_indicator",
        "figures",
        "base_unit",
        "base_unit is the indicator's base unit",
        _base_unit_matches_indicator,
    ),
    RowRule(
        "figures.qualifier_matches_quote",
        "figures",
        "qualifier",
        "qualifier agrees with the quote's words (约, 余, 超过, 以上, 以下)",
        _qualifier_matches_quote,
    ),
    ColumnRule(
        "figures.period_order", "figures", "period_start", "period_start is not after period_end", _period_order
    ),
    RowRule(
        "figures.period_matches_text",
        "figures",
        "period_start",
        "a stated figure's period has words in period_text, and lies within the years they write",
        _period_matches_text,
    ),
    RowRule(
        "figures.no_value_under_unrecoverable",
        "figures",
        "value",
        "a figure inside an unrecoverable reading has no value and links that reading",
        _no_value_under_unrecoverable,
    ),
    RowRule(
        "figures.value_or_reading",
        "figures",
        "value",
        "value is empty exactly when the figure is a date or an unrecoverable reading says why",
        _value_or_reading,
    ),
    RowRule(
        "figures.unit_or_reading", "figures", "unit", "an empty unit has a reading that explains it", _unit_or_reading
    ),
]
