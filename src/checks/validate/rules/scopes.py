"""An inferred scope is data: a figure whose own clause does not name its scope links a reading (aspect scope) that
shows where the text names it, and that reading agrees with the figure."""

from __future__ import annotations

import bisect
import re

from checks.validate.rules.base import Context, RowRule, is_true, present
from checks.validate.rules.links import readings_of

#: Where a clause ends: the punctuation that separates clauses in the text, and line ends.
CLAUSE_BREAK = re.compile(r"[，,；;。：:！？!?\n]")
#: Reading kinds that say where a figure's scope comes from.
SCOPE_KINDS = ("inferred_scope", "ambiguous_scope")
DISTRICT = "全区"


def scope_head(scope_zh: str) -> str:
    """The scope without its gloss: the words before the first parenthesis."""
    return re.split(r"[(（]", scope_zh, maxsplit=1)[0].strip()


def clause_of(ctx: Context, start: int, end: int) -> str:
    """The clause holding seed[start:end]: from the break before it to the break after it (a binary search over
    the seed's clause breaks, found once)."""
    breaks = ctx.memo("scopes:breaks", lambda c: [m.start() for m in CLAUSE_BREAK.finditer(c.seed)])
    before = bisect.bisect_left(breaks, start) - 1
    after = bisect.bisect_left(breaks, end)
    return ctx.seed[breaks[before] + 1 if before >= 0 else 0 : breaks[after] if after < len(breaks) else len(ctx.seed)]


def _scope_marked(row, ctx: Context):
    if not (
        is_true(row["stated"]) and present(row["scope_zh"]) and present(row["char_start"]) and present(row["char_end"])
    ):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    head, clause = scope_head(row["scope_zh"]), clause_of(ctx, a, b)
    marks = [r for r in readings_of(ctx, row["figure_id"], "scope") if r["kind"] in SCOPE_KINDS]
    problems = []
    for r in (r for r in marks if r["kind"] == "inferred_scope"):
        rid, adopted, written = r["reading_id"], r["adopted"], r["written"] if present(r["written"]) else ""
        if adopted != head:
            problems.append(f"{rid} adopts {adopted!r}, not the scope {head!r}")
        if written.replace(" ", "") != adopted:
            problems.append(f"{rid} adopts {adopted!r}, which is not the words it marks ({written!r})")
        if present(r["char_start"]) and present(r["char_end"]) and int(r["char_start"]) < b and a < int(r["char_end"]):
            problems.append(f"{rid} lies inside the figure's own words")
        if head in clause:
            problems.append(f"{rid} marks a scope that the figure's own clause names ({clause!r})")
    if not marks and head != DISTRICT and head not in clause:
        unmarked = "no reading (aspect scope) says where it comes from"
        problems.append(f"scope {head!r} is not in the figure's clause {clause!r}, and {unmarked}")
    expected = "a scope named in the figure's clause, or a reading (aspect scope) that marks where the text names it"
    return not problems, expected, "; ".join(problems) or "as marked"


RULES = [
    RowRule(
        "figures.scope_inferred_consistently",
        "figures",
        "scope_zh",
        "a scope the figure's own clause does not name is marked by a reading (aspect scope) that adopts exactly that "
        "scope, outside the figure's words",
        _scope_marked,
    ),
]
