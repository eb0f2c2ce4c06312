"""What each number measures agrees with its words and its role: no sum of a floor, a wage and a running total.

`_expectations` (per row) writes the message; `_measure_fits_screen` checks the same requirements on whole columns.
"""
from __future__ import annotations

import pandas as pd

from checks.validate.rules.base import Context, RowRule, filled, is_true, member, present, true_in, verdicts
from checks.validate.rules.links import roles_of

#: Words in the quote or period_text that fix the measure (and, for rates, the denominator).
WORDS = (("累计", "cumulative", None), ("以来", "cumulative", None), ("每人每月", "rate", "person_month"), ("每年", "flow", "year"))
#: Relation roles that are changes against a baseline.
CHANGE_ROLES = {"increase", "fall", "rise"}
THRESHOLD_QUALIFIERS = {"more_than", "at_least", "at_most"}
PER_MEASURES = {"rate", "threshold", "flow"}


def _words(row) -> str:
    return "".join(str(row[c]) for c in ("quote", "period_text") if present(row[c]))


def _expectations(row, ctx: Context) -> list[tuple[str, bool]]:
    """(what the words or fields require, whether the row meets it) for every requirement that applies."""
    measure, per, words = row["measure"], row["per"], _words(row)
    found = []
    for word, want, denominator in WORDS:
        if word in words:
            found.append((f"{word} → measure {want}", measure == want))
            if denominator:
                found.append((f"{word} → per {denominator}", per == denominator))
    found.append(("date_value filled ⇔ measure date", present(row["date_value"]) == (measure == "date")))
    found.append(("base_unit rank ⇔ measure rank", (present(row["base_unit"]) and row["base_unit"] == "rank") == (measure == "rank")))
    lost = is_true(row["stated"]) and not present(row["value"]) and not present(row["date_value"])
    found.append(("a stated figure without value or date ⇔ measure unknown", lost == (measure == "unknown")))
    if measure == "threshold":
        found.append(("a threshold has a qualifier more_than, at_least or at_most", row["qualifier"] in THRESHOLD_QUALIFIERS))
    if measure == "rate":
        found.append(("a rate names its denominator in per", present(per)))
    if present(per):
        found.append(("per only for a rate, a threshold or a flow", measure in PER_MEASURES))
    roles = roles_of(ctx, row["figure_id"])
    if roles & CHANGE_ROLES:
        found.append((f"a relation's {'/'.join(sorted(roles & CHANGE_ROLES))} term → measure change", measure == "change"))
    return found


def _measure_fits(row, ctx: Context):
    if not present(row["measure"]):
        return None  # a missing measure is the schema's to report (required)
    checks = _expectations(row, ctx)
    broken = [what for what, ok in checks if not ok]
    return not broken, "; ".join(what for what, _ in checks), (f"measure {row['measure']}, per {row['per'] if present(row['per']) else '(empty)'}: breaks " + "; ".join(broken)) if broken else row["measure"]


def _measure_fits_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    measure = df["measure"].astype(object)
    per = df["per"].astype(object)
    is_ = lambda column, value: (column == value).fillna(False).astype(bool)  # noqa: E731 - a cell-wise ==
    words = df["quote"].astype("string").where(filled(df["quote"]), "") + df["period_text"].astype("string").where(filled(df["period_text"]), "")
    ok = pd.Series(True, index=df.index)
    for word, want, denominator in WORDS:
        said = words.str.contains(word, regex=False).fillna(False).astype(bool)
        ok &= ~said | (is_(measure, want) & (is_(per, denominator) if denominator else True))
    ok &= filled(df["date_value"]) == is_(measure, "date")
    ok &= (filled(df["base_unit"]) & is_(df["base_unit"].astype(object), "rank")) == is_(measure, "rank")
    lost = true_in(df["stated"]) & ~filled(df["value"]) & ~filled(df["date_value"])
    ok &= lost == is_(measure, "unknown")
    ok &= ~is_(measure, "threshold") | df["qualifier"].astype(object).isin(THRESHOLD_QUALIFIERS)
    ok &= ~is_(measure, "rate") | filled(df["per"])
    ok &= ~filled(df["per"]) | measure.isin(PER_MEASURES)
    terms = ctx.tables["relation_terms"]
    changing = member(df["figure_id"], terms["figure_id"][terms["role"].isin(CHANGE_ROLES).fillna(False).astype(bool)])
    ok &= ~changing | is_(measure, "change")
    return verdicts(filled(df["measure"]), ok)


RULES = [
    RowRule("figures.measure_fits", "figures", "measure", "measure and per agree with the words (累计, 以来, 每人每月, 每年), the value, the unit, the qualifier and the figure's relation roles", _measure_fits,
            _measure_fits_screen),
]
