"""The figures rules as column operations: each screen says which figures certainly pass, so `check` sees only the rest.

A screen must never pass a row that its rule's row check (figures.py) would fail; where an exact column form would
be intricate (a numeral of more than 15 digits, an unknown status) it flags the row and lets the check decide.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.validate.numerals import ARABIC, QUALIFIER_WORDS, WRITTEN_YEAR, YEAR_MONTH, parse_numeral
from checks.validate.rules.base import Context, filled, member, same, true_in, verdicts
from checks.validate.rules.links import linked, lost_readings

ANCHOR_FIELDS = ("quote", "char_start", "char_end", "numeral")
#: Float comparison decides Decimal equality exactly for numerals of at most this many significant digits.
EXACT_DIGITS = 15


def _everywhere(df: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=df.index)


def stated_fields(df: pd.DataFrame, ctx: Context) -> pd.Series:
    anchors = [filled(df[c]) for c in ANCHOR_FIELDS]
    all_anchors = np.logical_and.reduce(anchors)
    no_anchor = ~np.logical_or.reduce(anchors)
    formula, value = filled(df["formula"]), filled(df["value"])
    ok = np.where(true_in(df["stated"]), all_anchors & ~formula, formula & no_anchor & value)
    return verdicts(_everywhere(df), pd.Series(ok, index=df.index) & df["stated"].notna())  # an unread `stated`: the check decides


def numeral_in_quote(df: pd.DataFrame, ctx: Context) -> pd.Series:
    applies = filled(df["numeral"]) & filled(df["quote"])
    numeral, quote = df["numeral"][applies].astype(str), df["quote"][applies].astype(str)
    inside = pd.Series([n in q for n, q in zip(numeral, quote)], index=numeral.index, dtype=bool)
    arabic = numeral.str.fullmatch(ARABIC.pattern)
    only = quote.str.count(ARABIC.pattern).eq(1) & quote.str.extract(f"({ARABIC.pattern})", expand=False).eq(numeral)
    ok = pd.Series(False, index=df.index)
    ok[applies] = inside & (~arabic | only)
    return verdicts(applies, ok)


def _exact_float(numeral: str) -> float:
    """The number a numeral writes as a float, or NaN where a float cannot stand in for its Decimal exactly."""
    written = parse_numeral(numeral)
    if written is None or not written.is_finite() or len(written.as_tuple().digits) > EXACT_DIGITS:
        return np.nan
    return float(written)


def value_matches_numeral(df: pd.DataFrame, ctx: Context) -> pd.Series:
    numeral, has_numeral = df["numeral"], filled(df["numeral"])
    date, value = filled(df["date_value"]), filled(df["value"])
    parts = numeral.where(has_numeral & date).str.extract(rf"^(?:{YEAR_MONTH.pattern})\Z")
    expected = parts[0] + "-" + parts[1].str.zfill(2)
    date_ok = same(df["date_value"], expected).fillna(False).astype(bool)
    wanted = numeral[has_numeral & ~date & value]
    written = wanted.map({n: _exact_float(n) for n in wanted.unique()})  # each distinct numeral parsed once
    value_ok = pd.Series(False, index=df.index)
    value_ok[wanted.index] = df["value"][wanted.index].astype(float).eq(written.astype(float)).to_numpy()
    return verdicts(has_numeral & (date | value), pd.Series(np.where(date, date_ok, value_ok), index=df.index))


def _is_close(a: pd.Series, b: pd.Series, rel: float = 1e-9, absolute: float = 1e-9) -> pd.Series:
    """math.isclose on columns (same formula, same float64 arithmetic)."""
    return (a - b).abs() <= np.maximum(rel * np.maximum(a.abs(), b.abs()), absolute)


def base_value_conversion(df: pd.DataFrame, ctx: Context) -> pd.Series:
    base_units = ctx.lookup("indicators", "base_unit")
    indicator_known = member(df["indicator_id"], base_units.index)
    no_base = ~filled(df["value"]) | (indicator_known & ~filled(df["indicator_id"].map(base_units)))
    found = filled(df["base_value"])
    multipliers = ctx.lookup("units", "multiplier")
    has_unit = filled(df["unit"])
    factor = pd.Series(np.where(has_unit, df["unit"].map(multipliers).astype("Float64").to_numpy(float, na_value=np.nan), 1.0), index=df.index)
    unit_ok = ~has_unit | (member(df["unit"], multipliers.index) & factor.notna())
    expected = df["value"].astype("Float64").to_numpy(float, na_value=np.nan) * factor
    close = _is_close(expected, df["base_value"].astype("Float64").astype(float)).fillna(False).astype(bool)
    return verdicts(~(no_base & ~found), ~no_base & unit_ok & found & close)


def base_unit_matches_indicator(df: pd.DataFrame, ctx: Context) -> pd.Series:
    base_units = ctx.lookup("indicators", "base_unit")
    want = df["indicator_id"].map(base_units)
    ok = np.where(filled(want), same(df["base_unit"], want).fillna(False).astype(bool), ~filled(df["base_unit"]))
    return verdicts(member(df["indicator_id"], base_units.index), pd.Series(ok, index=df.index))


def qualifier_matches_quote(df: pd.DataFrame, ctx: Context) -> pd.Series:
    applies = filled(df["quote"])
    quote = df["quote"].where(applies, "")
    matched = [quote.str.contains(words.pattern, regex=True).fillna(False).astype(bool) for _, words in QUALIFIER_WORDS]
    want = np.select(matched, [q for q, _ in QUALIFIER_WORDS], default="exact")
    return verdicts(applies, same(df["qualifier"], pd.Series(want, index=df.index)))


def period_order(df: pd.DataFrame, ctx: Context) -> pd.Series:
    applies = filled(df["period_start"]) & filled(df["period_end"])
    return verdicts(applies, df["period_start"].where(applies) <= df["period_end"].where(applies))


def period_matches_text(df: pd.DataFrame, ctx: Context) -> pd.Series:
    start, end = filled(df["period_start"]), filled(df["period_end"])
    bounded = (start | end) & true_in(df["stated"])
    has_text = filled(df["period_text"])
    years = df["period_text"][bounded & has_text].str.extractall(WRITTEN_YEAR.pattern)[0].astype(int)
    low = years.groupby(level=0).min().reindex(df.index)
    high = years.groupby(level=0).max().reindex(df.index)
    has_years = low.notna()
    ok = has_text & has_years
    for column, given in (("period_start", start), ("period_end", end)):
        year = pd.to_numeric(df[column].where(given).astype("string").str[:4], errors="coerce")  # str(bound)[:4], as the check
        ok &= ~given | ((low <= year) & (year <= high)).fillna(False).astype(bool)
    return verdicts(bounded & (~has_text | has_years), ok)


def no_value_under_unrecoverable(df: pd.DataFrame, ctx: Context) -> pd.Series:
    """Figures overlapping an unrecoverable reading (an interval join on sorted readings) must be value-less and link it."""
    ids, starts, ends = lost_readings(ctx)
    spans = filled(df["char_start"]) & filled(df["char_end"])
    fs = df["char_start"].astype("Float64").to_numpy(float, na_value=np.nan)
    fe = df["char_end"].astype("Float64").to_numpy(float, na_value=np.nan)
    known = ~(np.isnan(starts) | np.isnan(ends))
    order = np.argsort(starts[known], kind="stable")
    s_sorted, e_sorted, id_sorted = starts[known][order], ends[known][order], ids[known][order]
    upto = np.searchsorted(s_sorted, fe, side="left")  # readings starting before the figure ends
    reach = np.maximum.accumulate(e_sorted) if len(e_sorted) else e_sorted
    overlaps = spans.to_numpy() & (upto > 0) & (reach[np.maximum(upto - 1, 0)] > fs if len(reach) else False)
    ok = pd.Series(False, index=df.index)
    if overlaps.any() and np.all(np.diff(e_sorted) >= 0):  # ends ordered like starts: the overlapping ones are a range
        rows = np.flatnonzero(overlaps)
        first = np.searchsorted(e_sorted, fs[rows], side="right")
        counts = np.maximum(upto[rows] - first, 0)
        pair_rows = np.repeat(rows, counts)
        pair_readings = id_sorted[np.concatenate([np.arange(a, a + n) for a, n in zip(first, counts)]) if len(rows) else []]
        links = linked(ctx, "value")
        have = set(zip(links["figure_id"], links["reading_id"]))
        figure_ids = df["figure_id"].to_numpy(object)
        unlinked = {r for r, reading in zip(pair_rows, pair_readings) if (figure_ids[r], reading) not in have}
        ok.iloc[rows] = [r not in unlinked for r in rows]
        ok &= ~filled(df["value"])
    return verdicts(pd.Series(overlaps, index=df.index), ok)


def _linked_by_status(ctx: Context, df: pd.DataFrame, aspect: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per figure: any link of this aspect; any to an unrecoverable reading; any to a reading of unknown status."""
    links = linked(ctx, aspect)
    status = pd.Series(links["status"], dtype="string")
    ids = df["figure_id"]
    return (member(ids, links["figure_id"]), member(ids, links["figure_id"][status.eq("unrecoverable").fillna(False).to_numpy(bool)]),
            member(ids, links["figure_id"][status.isna().to_numpy(bool)]))


def value_or_reading(df: pd.DataFrame, ctx: Context) -> pd.Series:
    _, unrecoverable, unknown = _linked_by_status(ctx, df, "value")
    ok = np.where(filled(df["value"]), ~unrecoverable, filled(df["date_value"]) | unrecoverable) & ~unknown
    return verdicts(_everywhere(df), pd.Series(ok, index=df.index))


def unit_or_reading(df: pd.DataFrame, ctx: Context) -> pd.Series:
    any_link, _, _ = _linked_by_status(ctx, df, "unit")
    applies = true_in(df["stated"]) & filled(df["value"]) & ~filled(df["unit"])
    return verdicts(applies, any_link)


SCREENS = {
    "figures.stated_fields": stated_fields,
    "figures.numeral_in_quote": numeral_in_quote,
    "figures.value_matches_numeral": value_matches_numeral,
    "figures.base_value_conversion": base_value_conversion,
    "figures.base_unit_matches_indicator": base_unit_matches_indicator,
    "figures.qualifier_matches_quote": qualifier_matches_quote,
    "figures.period_order": period_order,
    "figures.period_matches_text": period_matches_text,
    "figures.no_value_under_unrecoverable": no_value_under_unrecoverable,
    "figures.value_or_reading": value_or_reading,
    "figures.unit_or_reading": unit_or_reading,
}
