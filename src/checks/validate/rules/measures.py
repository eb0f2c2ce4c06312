"""What each number measures agrees with its words and its role: no sum of a floor, a wage and a running total."""

from __future__ import annotations

from checks.validate.rules.base import Context, RowRule, is_true, present
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
            ("a threshold has a qualifier more_than, at_least or at_most", row["qualifier"] in THRESHOLD_QUALIFIERS)
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


RULES = [
    RowRule(
        "figures.measure_fits",
        "figures",
        "measure",
        "measure and per agree with the words (累计, 以来, 每人每月, 每年), the value, the unit, the qualifier and the "
        "figure's relation roles",
        _measure_fits,
    ),
]
