"""What each number measures agrees with its words and its role: no sum of a floor, a wage and a running total."""

from __future__ import annotations

import re

import pandas as pd

from checks.validate.rules.base import ColumnRule, Context, RowRule, filled, is_true, present
from checks.validate.rules.links import roles_of

#: Words in the quote or period_text that fix the measure (and, for rates, the denominator).
WORDS = (
    ("累计", "cumulative", None),
    ("以来", "cumulative", None),
    ("每人每月", "rate", "person_month"),
    ("每年", "flow", "year"),
)
#: Relation roles that are changes against a baseline.
CHANGE_ROLES = {"increase", "fall", "rise"}
THRESHOLD_QUALIFIERS = {"more_than", "at_least", "at_most"}
#: The last or first places of a ranking (后三名): a cutoff, so a threshold without a qualifier word.
RANKING_CUTOFF = re.compile(r"[前后][一二两三四五六七八九十0-9]+名")
PER_MEASURES = {"rate", "threshold", "flow", "change"}


def _expectations(row, ctx: Context) -> list[tuple[str, bool]]:
    """(what the words or fields require, whether the row meets it) for every requirement that applies."""
    measure, per = row["measure"], row["per"]
    words = "".join(str(row[c]) for c in ("quote", "period_text") if present(row[c]))
    found = []
    for word, want, denominator in WORDS:
        if word in words:
            found.append((f"{word} → measure {want}", measure == want))
            if denominator:
                found.append((f"{word} → per {denominator}", per == denominator))
    found.append(("date_value filled ⇔ measure date", present(row["date_value"]) == (measure == "date")))
    found.append(
        (
            "base_unit rank ⇔ measure rank",
            (present(row["base_unit"]) and row["base_unit"] == "rank") == (measure == "rank"),
        )
    )
    lost = is_true(row["stated"]) and not present(row["value"]) and not present(row["date_value"])
    found.append(("a stated figure without value or date ⇔ measure unknown", lost == (measure == "unknown")))
    if measure == "threshold":
        found.append(
            (
                "a threshold has a qualifier more_than, at_least or at_most, or cuts a ranking (后三名)",
                row["qualifier"] in THRESHOLD_QUALIFIERS or bool(RANKING_CUTOFF.search(words)),
            )
        )
    if measure == "rate":
        found.append(("a rate names its denominator in per", present(per)))
    if present(per):
        found.append(("per only for a rate, a threshold, a flow or the change of one", measure in PER_MEASURES))
    roles = roles_of(ctx, row["figure_id"])
    if roles & CHANGE_ROLES:
        found.append(
            (f"a relation's {'/'.join(sorted(roles & CHANGE_ROLES))} term → measure change", measure == "change")
        )
    return found


def _measure_fits(row, ctx: Context):
    if not present(row["measure"]):
        return None  # a missing measure is the schema's to report (required)
    checks = _expectations(row, ctx)
    broken = [what for what, ok in checks if not ok]
    return (
        not broken,
        "; ".join(what for what, _ in checks),
        (
            f"measure {row['measure']}, per {row['per'] if present(row['per']) else '(empty)'}: breaks "
            + "; ".join(broken)
        )
        if broken
        else row["measure"],
    )


#: Base units of figures counted in a classifier (个, 项, 名, 户 …): things, persons, households.
COUNTED = ("count", "person", "household")


def usual_measures(units: pd.Series, measures: pd.Series) -> pd.Series:
    """Each unit's usual measure, the one most of its figures have; NA where two are equally common."""
    counts = pd.crosstab(units.astype(object), measures.astype(object))
    alone_on_top = counts.eq(counts.max(axis=1), axis=0).sum(axis=1).eq(1)
    return counts.idxmax(axis=1).where(alone_on_top)


def _names(note: object, measure: object) -> bool:
    """Whether a note names a measure in words (count_of_kinds as 'count of kinds')."""
    if not (present(note) and present(measure)):
        return False
    return re.search(rf"\b{re.escape(str(measure).replace('_', ' '))}\b", note) is not None


def one_measure_per_classifier(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Figures counted in one classifier (the unit as written) have the measure most of them have; a figure with
    another measure names its own in its note, which says why."""
    unit, measure, note = (df[c].astype(object) for c in ("unit", "measure", "note"))
    counted = df["base_unit"].isin(COUNTED).fillna(False).astype(bool) & filled(df["unit"]) & filled(df["measure"])
    usual = unit.map(usual_measures(unit[counted], measure[counted])).astype(object)
    says_why = pd.Series([_names(n, m) for n, m in zip(note, measure)], index=df.index, dtype=bool)
    return pd.DataFrame(
        {
            "ok": (measure.eq(usual) | says_why).astype("boolean").where(counted, pd.NA),
            "expected": "measure "
            + usual.fillna("(none: two are equally common)")
            + ", as most figures counted in "
            + unit.fillna("")
            + ", or a note that names measure "
            + measure.fillna("").str.replace("_", " ")
            + " and says why",
            "found": "measure " + measure.fillna("(empty)") + "; note: " + note.fillna("(empty)"),
        },
        index=df.index,
    )


RULES = [
    RowRule(
        "figures.measure_fits",
        "figures",
        "measure",
        "measure and per agree with the words (累计, 以来, 每人每月, 每年), the value, the unit, the qualifier and the "
        "figure's relation roles",
        _measure_fits,
    ),
    ColumnRule(
        "figures.one_measure_per_classifier",
        "figures",
        "measure",
        "figures counted in one classifier (个, 项, 名, 户 …) have the measure most of them have, or a note that names "
        "the figure's own measure and says why",
        one_measure_per_classifier,
    ),
]
