"""Declared relations: the arithmetic the text implies, recomputed here and, independently, in SQL."""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd

from checks.validate.rules.base import Context, RowRule, present, rows

ITEM_SEPARATOR = " | "
#: Kinds whose tolerance may be at most 1 % of the relation's right-hand side (the total, the whole, the stated
#: increase).
ONE_PER_CENT_OF_TOTAL = ("sum", "product", "not_more_than", "equal", "difference")
ARABIC_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")

#: Roles each kind needs: role → (fewest, most) terms; None means no upper bound.
ROLES = {
    "sum": {"part": (2, None), "total": (1, 1)},
    "not_more_than": {"part": (1, None), "whole": (1, 1)},
    "equal": {"member": (2, None)},
    "difference": {"earlier": (1, 1), "later": (1, 1), "increase": (1, 1)},
    "percent_change": {"earlier": (1, 1), "later": (1, 1), "fall": (0, 1), "rise": (0, 1)},
    "count_of_items": {"count": (1, 1)},
    "product": {"factor": (2, None), "total": (1, 1)},
}


def _roles_fit(kind: str, counts: dict[str, int]) -> str | None:
    """None when the terms' roles fit the kind, else what is wrong."""
    needed = ROLES.get(kind)
    if needed is None:
        return f"unknown kind {kind!r}"
    stray = sorted(set(counts) - set(needed))
    if stray:
        return f"role(s) {', '.join(stray)} do not belong to {kind}"
    for role, (low, high) in needed.items():
        n = counts.get(role, 0)
        if n < low or (high is not None and n > high):
            return f"{n} {role} term(s); {kind} needs {low}" + ("" if high == low else f" to {high or 'any'}")
    if kind == "percent_change" and counts.get("fall", 0) + counts.get("rise", 0) != 1:
        return "percent_change needs exactly one fall or rise term"
    return None


def evaluate(ctx: Context) -> pd.DataFrame:
    """Each relation's two sides and whether it holds (NA when it cannot be evaluated, with why), by relation_id: the
    terms' base values aggregated by relation and role, then each kind's formula over the whole table."""
    figures, relations = ctx.tables["figures"], ctx.tables["relations"].drop_duplicates("relation_id", keep="last")
    ids = figures["figure_id"]
    terms = ctx.tables["relation_terms"].dropna(subset=["relation_id"])
    terms = terms.assign(
        value=terms["figure_id"].map(dict(zip(ids, figures["base_value"]))).astype(float),
        repeated=terms["figure_id"].isin(ids[ids.duplicated()].dropna()),
    )
    by_id = relations.set_index("relation_id")
    kind, rid = by_id["kind"], by_id.index
    side = terms.groupby(["relation_id", "role"])["value"].agg(["sum", "prod", "min", "max", "first"]).unstack("role")

    def of(stat: str, role: str) -> pd.Series:
        return side[(stat, role)].reindex(rid) if (stat, role) in side else pd.Series(math.nan, index=rid)

    earlier, later, count = of("first", "earlier"), of("first", "later"), of("first", "count")
    change = (-of("first", "fall")).fillna(of("first", "rise"))
    n_items = by_id["items"].str.split(ITEM_SEPARATOR, regex=False).str.len().fillna(0).astype(float)
    is_open = by_id["list_is_open"].fillna(False).astype(bool)
    formulas = {  # kind: (lhs, rhs, holds given the tolerance, why)
        "sum": (
            of("sum", "part"),
            of("first", "total"),
            lambda lhs, rhs, tol: (lhs - rhs).abs() <= tol,
            "Σ part = total",
        ),
        "product": (
            of("prod", "factor"),
            of("first", "total"),
            lambda lhs, rhs, tol: (lhs - rhs).abs() <= tol,
            "Π factor = total",
        ),
        "not_more_than": (
            of("sum", "part"),
            of("first", "whole"),
            lambda lhs, rhs, tol: lhs <= rhs + tol,
            "Σ part ≤ whole",
        ),
        "equal": (
            of("min", "member"),
            of("max", "member"),
            lambda lhs, rhs, tol: rhs - lhs <= tol,
            "all members equal",
        ),
        "difference": (
            later - earlier,
            of("first", "increase"),
            lambda lhs, rhs, tol: (lhs - rhs).abs() <= tol,
            "later − earlier = increase",
        ),
        "percent_change": (
            (later - earlier) / earlier * 100,
            change,
            lambda lhs, rhs, tol: ((lhs - rhs).abs() <= tol) & (earlier % 1 == 0),
            "(later − earlier) / earlier × 100 = change, earlier a whole number",
        ),
        "count_of_items": (
            n_items,
            count,
            lambda lhs, rhs, tol: (lhs <= rhs).where(is_open, lhs == rhs),
            is_open.map({True: "items named ≤ count (等)", False: "items named = count"}),
        ),
    }
    tol = by_id["tolerance"].astype(float).fillna(0.0)
    out = pd.DataFrame({"lhs": math.nan, "rhs": math.nan, "holds": pd.NA, "why": ""}, index=rid).astype(
        {"holds": object}
    )
    for name, (lhs, rhs, holds, why) in formulas.items():
        mine = kind.eq(name).fillna(False).to_numpy()
        out.loc[mine, ["lhs", "rhs"]] = pd.DataFrame({"lhs": lhs, "rhs": rhs})[mine].to_numpy()
        out.loc[mine, "holds"] = holds(lhs, rhs, tol)[mine].astype(object)
        out.loc[mine, "why"] = why[mine] if isinstance(why, pd.Series) else why
    misfit = pd.Series(
        [_roles_fit(k, _role_counts(ctx, i)) for k, i in zip(kind.tolist(), rid)], index=rid, dtype=object
    )
    zero = kind.eq("percent_change").fillna(False) & earlier.eq(0)
    unknown_open = kind.eq("count_of_items").fillna(False) & by_id["list_is_open"].isna()
    bad = terms[terms["repeated"] | terms["value"].isna()].drop_duplicates("relation_id")
    unvalued = pd.Series(
        ("figure " + bad["figure_id"].astype(str)).str.cat(
            bad["repeated"].map(
                {
                    True: " appears more than once in figures",
                    False: " has no base_value (missing, unrecoverable or not a number)",
                }
            )
        )
    ).set_axis(bad["relation_id"])
    stops = (
        zero.map({True: "the earlier value is 0: no percentage change", False: None}),
        unknown_open.map({True: "list_is_open is empty: an open list (等) or a closed one decides", False: None}),
        misfit,
        unvalued.reindex(rid),
    )
    for why in stops:  # the last that applies wins: a bad term before a misfit before an empty list_is_open or a zero
        stopped = why.notna().to_numpy()
        out.loc[stopped, ["lhs", "rhs", "holds"]] = [math.nan, math.nan, pd.NA]
        out.loc[stopped, "why"] = why[stopped]
    return out.astype({"lhs": float, "rhs": float}).rename_axis(None)


def terms_of(ctx: Context, relation_id) -> list[tuple[str, str]]:
    """The relation's terms as (figure_id, role), in table order (grouped once: filtering per relation is quadratic)."""

    def group(c: Context) -> dict[str, list[tuple[str, str]]]:
        terms = c.tables["relation_terms"]
        out: dict[str, list[tuple[str, str]]] = {}
        for relation, figure, role in zip(
            terms["relation_id"].tolist(), terms["figure_id"].tolist(), terms["role"].tolist()
        ):
            if not pd.isna(relation):
                out.setdefault(relation, []).append((figure, role))
        return out

    return ctx.memo("terms_by_relation", group).get(relation_id, [])


def _by_id(results: pd.DataFrame | str) -> dict[str, dict] | str:
    """A results frame as relation_id → {column: value}, missing values kept as pd.NA (to_dict would make them None)."""
    return results if isinstance(results, str) else {row.name: row for row in rows(results)}


def _results(ctx: Context) -> dict[str, dict]:
    """`evaluate`'s rows by relation_id, computed once."""
    return ctx.memo("relations", lambda c: _by_id(evaluate(c)))


def _role_counts(ctx: Context, relation_id) -> dict[str, int]:
    return dict(Counter(role for _, role in terms_of(ctx, relation_id) if not pd.isna(role)))


def _terms_fit_kind(row, ctx: Context):
    counts = _role_counts(ctx, row["relation_id"])
    misfit = _roles_fit(row["kind"], counts)
    found = ", ".join(f"{n} {r}" for r, n in sorted(counts.items())) or "no terms"
    return misfit is None, f"the roles {row['kind']} needs", found if misfit is None else f"{found}: {misfit}"


def _items_in_quote(row, ctx: Context):
    items = row["items"].split(ITEM_SEPARATOR) if present(row["items"]) else []
    if row["kind"] != "count_of_items":
        return (
            not items and row["list_is_open"] is pd.NA,
            "no items, no list_is_open",
            f"items={row['items']}, list_is_open={row['list_is_open']}",
        )
    missing = [i for i in items if not present(row["implied_by"]) or i not in row["implied_by"]]
    ok = bool(items) and not missing and row["list_is_open"] is not pd.NA
    return (
        ok,
        "items named in implied_by, list_is_open set",
        (
            f"not in the quote: {', '.join(missing)}"
            if missing
            else f"{len(items)} items, list_is_open={row['list_is_open']}"
        ),
    )


def _as_declared(row, ctx: Context):
    result = _results(ctx)[row["relation_id"]]
    computed = result["holds"]
    if computed is pd.NA:
        return False, f"holds = {str(row['holds']).lower()}", f"cannot evaluate: {result['why']}"
    return (
        bool(computed) == bool(row["holds"]),
        f"holds = {str(row['holds']).lower()} ({result['why']})",
        f"{result['lhs']:.10g} against {result['rhs']:.10g}: holds = {str(bool(computed)).lower()}",
    )


def _tolerance_bound(row, ctx: Context) -> tuple[float, str]:
    """The largest tolerance a relation may declare, and why: rounding of what is stated, never more."""
    kind = row["kind"]
    if kind == "count_of_items":
        return 0.0, "0: items are counted exactly"
    if kind == "percent_change":
        changes = [figure for figure, role in terms_of(ctx, row["relation_id"]) if role in ("fall", "rise")]
        figure = ctx.rows_by_id("figures").get(changes[0]) if changes else None
        numeral = figure["numeral"] if figure is not None and present(figure["numeral"]) else ""
        decimals = len(numeral.partition(".")[2]) if ARABIC_DECIMAL.fullmatch(numeral) else 0
        return 0.5 * 10.0**-decimals, f"half the last digit of the stated {numeral or 'change'} (percentage points)"
    if kind not in ONE_PER_CENT_OF_TOTAL:
        return 0.0, f"0: no bound is defined for {kind!r}"
    rhs = _results(ctx)[row["relation_id"]]["rhs"]
    if pd.isna(rhs):
        return 0.0, "0: the relation cannot be evaluated"
    return 0.01 * abs(float(rhs)), f"1 % of {float(rhs):.10g}"


def _tolerance_within_bound(row, ctx: Context):
    if not present(row["tolerance"]) or row["kind"] not in ROLES:
        return None
    bound, why = _tolerance_bound(row, ctx)
    tolerance = float(row["tolerance"])
    return 0 <= tolerance <= bound * (1 + 1e-12), f"0 ≤ tolerance ≤ {bound:.10g} ({why})", f"{tolerance:.10g}"


def _sql_agrees(row, ctx: Context):
    from checks.database import evaluate_relations_sql  # DuckDB only when this rule runs

    python = _results(ctx)[row["relation_id"]]
    if python["holds"] is pd.NA:
        return None  # evaluate_as_declared already names why this relation cannot be evaluated
    sql = ctx.memo("relations_sql", lambda c: _by_id(evaluate_relations_sql(c)))
    if isinstance(sql, str):
        return False, "the SQL view relation_results runs", sql
    if row["relation_id"] not in sql:
        return False, "a row in relation_results", "none"
    theirs = sql[row["relation_id"]]
    same_holds = theirs["holds"] is not pd.NA and bool(python["holds"]) == bool(theirs["holds"])
    same_sides = all(
        (math.isnan(a) and pd.isna(b)) or (not pd.isna(b) and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-9))
        for a, b in ((python["lhs"], theirs["lhs"]), (python["rhs"], theirs["rhs"]))
    )

    def show(r):
        return f"{r['lhs']:.10g} / {r['rhs']:.10g} holds={r['holds']}"

    return same_holds and same_sides, f"pandas: {show(python)}", f"SQL: {show(theirs)}"


RULES = [
    RowRule(
        "relations.terms_fit_kind",
        "relations",
        "kind",
        "the relation's terms have the roles its kind needs",
        _terms_fit_kind,
    ),
    RowRule(
        "relations.items_in_quote",
        "relations",
        "items",
        "count_of_items lists items that its quote names; other kinds list none",
        _items_in_quote,
    ),
    RowRule(
        "relations.sql_agrees",
        "relations",
        "holds",
        "the SQL view relation_results gives the same sides and verdict as pandas",
        _sql_agrees,
    ),
    RowRule(
        "relations.tolerance_within_bound",
        "relations",
        "tolerance",
        "the tolerance allows only rounding: at most 1 % of the total (half the last stated digit for percentages, 0 "
        "for counts)",
        _tolerance_within_bound,
    ),
    RowRule(
        "relations.evaluate_as_declared",
        "relations",
        "holds",
        "recomputed from the figures' base values, the relation holds exactly when declared",
        _as_declared,
    ),
]
