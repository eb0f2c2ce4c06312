"""Declared relations: the arithmetic the text implies, recomputed here and, independently, in SQL."""
from __future__ import annotations

import functools
import math
import operator
import re
from collections import Counter

import pandas as pd

from checks.validate.rules.base import Context, RowRule, present, rows

ITEM_SEPARATOR = " | "
#: Kinds whose tolerance may be at most 1 % of the relation's right-hand side (the total, the whole, the stated increase).
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


def _items(relation: pd.Series) -> list[str]:
    return relation["items"].split(ITEM_SEPARATOR) if present(relation["items"]) else []


def evaluate(ctx: Context) -> pd.DataFrame:
    """Each relation's two sides and whether it holds (NA when it cannot be evaluated, with why), by relation_id.

    One relation at a time, so that a bad figure fails only its own relations, naming it.
    """
    figures = ctx.tables["figures"]
    ids = figures["figure_id"]
    repeated = set(ids[ids.duplicated()].dropna())
    base = dict(zip(ids, figures["base_value"]))
    out = {}
    for rel in rows(ctx.tables["relations"]):
        try:
            out[rel["relation_id"]] = _evaluate_one(rel, terms_of(ctx, rel["relation_id"]), base, repeated)
        except Exception as err:  # noqa: BLE001 - one relation's failure, named, not every relation's
            out[rel["relation_id"]] = (math.nan, math.nan, pd.NA, f"cannot evaluate: {type(err).__name__}: {err}")
    return pd.DataFrame.from_dict(out, orient="index", columns=["lhs", "rhs", "holds", "why"]).astype(
        {"lhs": float, "rhs": float, "holds": object, "why": object})


def _role_counts(terms: list[tuple[str, str]]) -> dict[str, int]:
    return dict(Counter(role for _, role in terms if not pd.isna(role)))


def _evaluate_one(rel: dict, terms: list[tuple[str, str]], base: dict, repeated: set):
    counts = _role_counts(terms)
    values: dict[str, list[float]] = {}
    for figure_id, role in terms:
        if figure_id in repeated:
            return math.nan, math.nan, pd.NA, f"figure {figure_id} appears more than once in figures"
        value = base.get(figure_id, math.nan)
        if pd.isna(value):
            return math.nan, math.nan, pd.NA, f"figure {figure_id} has no base_value (missing, unrecoverable or not a number)"
        values.setdefault(role, []).append(float(value))
    return _sides(rel, counts, values)


def _sum(values: list[float]) -> float:
    """Left to right, as the SQL view adds (Python 3.12's sum compensates, which could differ in the last bit)."""
    return functools.reduce(operator.add, values, 0.0)


def _sides(rel: pd.Series, counts: dict, values: dict[str, list[float]]):
    kind, tol = rel["kind"], float(rel["tolerance"]) if present(rel["tolerance"]) else 0.0
    misfit = _roles_fit(kind, counts)
    if misfit:
        return math.nan, math.nan, pd.NA, misfit
    one = {role: vs[0] for role, vs in values.items()}
    if kind == "sum":
        lhs, rhs = _sum(values["part"]), one["total"]
        return lhs, rhs, abs(lhs - rhs) <= tol, "Σ part = total"
    if kind == "product":
        lhs, rhs = math.prod(values["factor"]), one["total"]
        return lhs, rhs, abs(lhs - rhs) <= tol, "Π factor = total"
    if kind == "not_more_than":
        lhs, rhs = _sum(values["part"]), one["whole"]
        return lhs, rhs, lhs <= rhs + tol, "Σ part ≤ whole"
    if kind == "equal":
        lhs, rhs = min(values["member"]), max(values["member"])
        return lhs, rhs, rhs - lhs <= tol, "all members equal"
    if kind == "difference":
        lhs, rhs = one["later"] - one["earlier"], one["increase"]
        return lhs, rhs, abs(lhs - rhs) <= tol, "later − earlier = increase"
    if kind == "percent_change":
        earlier = one["earlier"]
        if earlier == 0:
            return math.nan, math.nan, pd.NA, "the earlier value is 0: no percentage change"
        lhs = (one["later"] - earlier) / earlier * 100
        rhs = -one["fall"] if "fall" in one else one["rise"]
        return lhs, rhs, abs(lhs - rhs) <= tol and float(earlier).is_integer(), "(later − earlier) / earlier × 100 = change, earlier a whole number"
    n, count = len(_items(rel)), one["count"]
    return float(n), count, (n <= count) if rel["list_is_open"] else (n == count), "items named ≤ count (等)" if rel["list_is_open"] else "items named = count"


def terms_of(ctx: Context, relation_id) -> list[tuple[str, str]]:
    """The relation's terms as (figure_id, role), in table order (grouped once: filtering per relation is quadratic)."""

    def group(c: Context) -> dict[str, list[tuple[str, str]]]:
        terms = c.tables["relation_terms"]
        out: dict[str, list[tuple[str, str]]] = {}
        for relation, figure, role in zip(terms["relation_id"].tolist(), terms["figure_id"].tolist(), terms["role"].tolist()):
            if not pd.isna(relation):
                out.setdefault(relation, []).append((figure, role))
        return out

    return ctx.memo("terms_by_relation", group).get(relation_id, [])


def _by_id(results: pd.DataFrame | str) -> dict[str, dict] | str:
    """A results frame as relation_id → {column: value}, missing values kept as pd.NA (to_dict would make them None)."""
    if isinstance(results, str):
        return results
    names = list(results.columns)
    return {rid: dict(zip(names, values)) for rid, values in zip(results.index, zip(*(results[c].tolist() for c in names)))}


def _results(ctx: Context) -> dict[str, dict]:
    """`evaluate`'s rows by relation_id, computed once."""
    return ctx.memo("relations", lambda c: _by_id(evaluate(c)))


def _terms_fit_kind(row, ctx: Context):
    counts = _role_counts(terms_of(ctx, row["relation_id"]))
    misfit = _roles_fit(row["kind"], counts)
    found = ", ".join(f"{n} {r}" for r, n in sorted(counts.items())) or "no terms"
    return misfit is None, f"the roles {row['kind']} needs", found if misfit is None else f"{found}: {misfit}"


def _items_in_quote(row, ctx: Context):
    items = _items(row)
    if row["kind"] != "count_of_items":
        return not items and row["list_is_open"] is pd.NA, "no items, no list_is_open", f"items={row['items']}, list_is_open={row['list_is_open']}"
    missing = [i for i in items if not present(row["implied_by"]) or i not in row["implied_by"]]
    ok = bool(items) and not missing and row["list_is_open"] is not pd.NA
    return ok, "items named in implied_by, list_is_open set", (f"not in the quote: {', '.join(missing)}" if missing else f"{len(items)} items, list_is_open={row['list_is_open']}")


def _as_declared(row, ctx: Context):
    result = _results(ctx)[row["relation_id"]]
    computed = result["holds"]
    if computed is pd.NA:
        return False, f"holds = {str(row['holds']).lower()}", f"cannot evaluate: {result['why']}"
    return bool(computed) == bool(row["holds"]), f"holds = {str(row['holds']).lower()} ({result['why']})", f"{result['lhs']:.10g} against {result['rhs']:.10g}: holds = {str(bool(computed)).lower()}"


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
        return 0.5 * 10.0 ** -decimals, f"half the last digit of the stated {numeral or 'change'} (percentage points)"
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
    same_holds = (python["holds"] is pd.NA and theirs["holds"] is pd.NA) or (python["holds"] is not pd.NA and theirs["holds"] is not pd.NA and bool(python["holds"]) == bool(theirs["holds"]))
    same_sides = all((math.isnan(a) and pd.isna(b)) or (not pd.isna(b) and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-9))
                     for a, b in ((python["lhs"], theirs["lhs"]), (python["rhs"], theirs["rhs"])))
    def show(r):
        return f"{r['lhs']:.10g} / {r['rhs']:.10g} holds={r['holds']}"
    return same_holds and same_sides, f"pandas: {show(python)}", f"SQL: {show(theirs)}"


RULES = [
    RowRule("relations.terms_fit_kind", "relations", "kind", "the relation's terms have the roles its kind needs", _terms_fit_kind),
    RowRule("relations.items_in_quote", "relations", "items", "count_of_items lists items that its quote names; other kinds list none", _items_in_quote),
    RowRule("relations.sql_agrees", "relations", "holds", "the SQL view relation_results gives the same sides and verdict as pandas", _sql_agrees),
    RowRule("relations.tolerance_within_bound", "relations", "tolerance", "the tolerance allows only rounding: at most 1 % of the total (half the last stated digit for percentages, 0 for counts)",
            _tolerance_within_bound),
    RowRule("relations.evaluate_as_declared", "relations", "holds", "recomputed from the figures' base values, the relation holds exactly when declared", _as_declared),
]
