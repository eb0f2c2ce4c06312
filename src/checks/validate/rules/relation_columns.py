"""The relations rules as column operations: every well-formed relation evaluated at once, and screens for its rules.

`relations.evaluate_one` stays the reference. Here the relations it would evaluate without a complaint (known kind,
roles that fit, every term a unique figure with a base value, no zero base for a percentage, a set list_is_open for
a count) are evaluated with the same floating-point operations in the same order, so both give identical sides;
the rest go to the reference, one by one, with its messages.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context, filled, member, present, verdicts

#: What each kind says it checks (the `why` of relations.evaluate).
WHY = {"sum": "Σ part = total", "product": "Π factor = total", "not_more_than": "Σ part ≤ whole", "equal": "all members equal",
       "difference": "later − earlier = increase",
       "percent_change": "(later − earlier) / earlier × 100 = change, earlier a whole number"}


def role_counts(ctx: Context) -> pd.DataFrame:
    """Relation id → how many terms of each role it has (a column per role, 0 where none), for relations with terms."""

    def build(c: Context) -> pd.DataFrame:
        terms = c.tables["relation_terms"]
        terms = terms[terms["relation_id"].notna() & terms["role"].notna()]  # as value_counts and groupby(dropna=True) see them
        return terms.groupby(["relation_id", "role"], sort=False).size().unstack(fill_value=0)

    return ctx.memo("relation_columns:counts", build)


def misfits(ctx: Context) -> pd.Series:
    """relation_id → what is wrong with its roles for its kind (relations._roles_fit), None where they fit.

    The reason is worked out once for each distinct (kind, counts) pair, not once per relation.
    """
    from checks.validate.rules.relations import _roles_fit

    def build(c: Context) -> pd.Series:
        relations = c.tables["relations"]
        counts = role_counts(c).reindex(relations["relation_id"]).fillna(0).astype(int)
        roles = list(counts.columns)
        table = counts.reset_index(drop=True).set_axis(range(len(roles)), axis=1).assign(kind=relations["kind"].astype(object).to_numpy())
        signature = list(table.columns)
        distinct = table.drop_duplicates()
        reasons = [_roles_fit(kind, {role: n for role, n in zip(roles, row) if n})
                   for kind, row in zip(distinct["kind"], distinct.drop(columns="kind").itertuples(index=False))]
        merged = table.merge(distinct.assign(reason=reasons), on=signature, how="left")
        return pd.Series(merged["reason"].to_numpy(object), index=relations.index)

    return ctx.memo("relation_columns:misfits", build)


def _ordered_terms(ctx: Context, relation_ids: pd.Index) -> pd.DataFrame:
    """The terms of these relations with each figure's base value and its rank among the terms of the same role."""
    terms = ctx.tables["relation_terms"]
    terms = terms[member(terms["relation_id"], relation_ids)][["relation_id", "figure_id", "role"]]
    base = ctx.lookup("figures", "base_value")
    return terms.assign(value=terms["figure_id"].map(base).astype("Float64").to_numpy(float, na_value=np.nan),
                        rank=terms.groupby(["relation_id", "role"], sort=False).cumcount())


def _folds(wide: pd.DataFrame, role: str, ids: pd.Index) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """For one role: the first value, left-to-right sum and product (as Python's sum and math.prod), min and max.

    wide: every term value by relation (rows, in ids order) and by (role, rank) (columns, ranks ascending).
    """
    wide = wide[role] if role in wide.columns.get_level_values(0) else pd.DataFrame(index=ids)
    total, product = pd.Series(0.0, index=ids), pd.Series(1.0, index=ids)
    for rank in wide.columns:  # one column operation per term position, never per relation
        column = wide[rank]
        total = total.where(column.isna(), total + column)
        product = product.where(column.isna(), product * column)
    first = wide[0] if 0 in wide.columns else pd.Series(np.nan, index=ids)
    return first, total, product, wide.min(axis=1), wide.max(axis=1)


def evaluable(ctx: Context) -> pd.Series:
    """Which relations (by row) the columns evaluate: those the reference would evaluate without a complaint."""
    relations = ctx.tables["relations"]
    ids = relations["relation_id"]
    figures = ctx.tables["figures"]["figure_id"]
    repeated = figures[figures.duplicated()].dropna()
    terms = ctx.tables["relation_terms"]
    base = ctx.lookup("figures", "base_value")
    bad_term = ~member(terms["figure_id"], base.index) | member(terms["figure_id"], repeated) | terms["figure_id"].map(base).isna()
    complaining = set(terms["relation_id"][bad_term.to_numpy(bool)].dropna())
    ok = filled(ids) & ~ids.duplicated(keep=False) & ~member(ids, complaining) & misfits(ctx).isna()
    ok &= ~(relations["kind"].eq("count_of_items").fillna(False) & relations["list_is_open"].isna())
    return ok.astype(bool)


def evaluate_columns(ctx: Context, rows: pd.Series) -> pd.DataFrame:
    """lhs, rhs, holds, why of the relations in rows (see `evaluable`), indexed by relation_id."""
    relations = ctx.tables["relations"][rows]
    ids = pd.Index(relations["relation_id"].astype(object))
    kind = relations["kind"].astype(object).to_numpy()
    tolerance = relations["tolerance"].astype("Float64").fillna(0.0).to_numpy(float)
    terms = _ordered_terms(ctx, ids)
    wide = terms.pivot(index="relation_id", columns=["role", "rank"], values="value").sort_index(axis=1).reindex(ids)  # one pivot for all roles
    folds = {role: _folds(wide, role, ids) for role in ("part", "total", "whole", "member", "earlier", "later", "increase", "fall", "rise",
                                                          "count", "factor")}
    first = {role: f[0].to_numpy(float) for role, f in folds.items()}
    earlier = first["earlier"]
    has_fall = ~np.isnan(first["fall"])
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (first["later"] - earlier) / earlier * 100
    items = relations["items"].astype("string")
    named = np.where(filled(relations["items"]), items.str.count(r" \| ").fillna(0).to_numpy(float) + 1, 0.0)
    sides = {
        "sum": (folds["part"][1].to_numpy(float), first["total"]),
        "product": (folds["factor"][2].to_numpy(float), first["total"]),
        "not_more_than": (folds["part"][1].to_numpy(float), first["whole"]),
        "equal": (folds["member"][3].to_numpy(float), folds["member"][4].to_numpy(float)),
        "difference": (first["later"] - earlier, first["increase"]),
        "percent_change": (change, np.where(has_fall, -first["fall"], first["rise"])),
        "count_of_items": (named, first["count"]),
    }
    lhs, rhs = np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    for name, (left, right) in sides.items():
        lhs, rhs = np.where(kind == name, left, lhs), np.where(kind == name, right, rhs)
    is_open = relations["list_is_open"].astype("boolean").fillna(False).to_numpy(bool)
    holds = np.select(
        [np.isin(kind, ["sum", "product", "difference"]), kind == "not_more_than", kind == "equal", kind == "percent_change",
         kind == "count_of_items"],
        [np.abs(lhs - rhs) <= tolerance, lhs <= rhs + tolerance, rhs - lhs <= tolerance,
         (np.abs(lhs - rhs) <= tolerance) & (np.mod(earlier, 1) == 0), np.where(is_open, lhs <= rhs, lhs == rhs)], False)
    why = np.where(kind == "count_of_items", np.where(is_open, "items named ≤ count (等)", "items named = count"),
                   pd.Series(kind).map(WHY).to_numpy(object))
    out = pd.DataFrame({"lhs": lhs, "rhs": rhs, "holds": pd.Series(holds.tolist(), dtype=object).to_numpy(), "why": why.astype(object)}, index=ids)
    zero = (kind == "percent_change") & (earlier == 0)  # the reference's own words for a 0 base
    out.loc[zero, ["lhs", "rhs"]] = math.nan
    out.loc[zero, "holds"] = pd.NA
    out.loc[zero, "why"] = "the earlier value is 0: no percentage change"
    return out


def _python(ctx: Context) -> pd.DataFrame:
    from checks.validate.rules.relations import evaluate

    return ctx.memo("relations", evaluate)


def as_declared_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    computed = df["relation_id"].map(_python(ctx)["holds"]) if df["relation_id"].is_unique else pd.Series(pd.NA, index=df.index)
    declared = df["holds"].astype("boolean")
    known = computed.notna() & declared.notna()
    ok = known & (computed.where(known, False).astype(bool) == declared.fillna(False).astype(bool))
    return verdicts(pd.Series(True, index=df.index), ok)


def sql_agrees_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    from checks.database import evaluate_relations_sql

    sql = ctx.memo("relations_sql", evaluate_relations_sql)  # first: DuckDB's working memory (330 MiB at 10,000x) is spent before pandas' evaluation is held
    python = _python(ctx)
    applies = df["relation_id"].map(python["holds"]).notna() if df["relation_id"].is_unique else pd.Series(True, index=df.index)
    if isinstance(sql, str) or not sql.index.is_unique or not df["relation_id"].is_unique:
        return verdicts(applies, pd.Series(False, index=df.index))
    ours, theirs = python.reindex(df["relation_id"]), sql.reindex(df["relation_id"])
    present_in_sql = member(df["relation_id"], sql.index).to_numpy()
    ours_holds, their_holds = ours["holds"].astype("boolean"), theirs["holds"].astype("boolean")
    same_holds = (ours_holds.isna() & their_holds.isna()) | (ours_holds.notna() & their_holds.notna() & (ours_holds == their_holds).fillna(False))

    def close(a: pd.Series, b: pd.Series) -> np.ndarray:
        a, b = a.to_numpy(float), b.astype("Float64").to_numpy(float, na_value=np.nan)
        both_nan = np.isnan(a) & np.isnan(b)
        with np.errstate(invalid="ignore"):
            near = np.abs(a - b) <= np.maximum(1e-9 * np.maximum(np.abs(a), np.abs(b)), 1e-9)
        return both_nan | (near & ~np.isnan(b) & ~np.isnan(a))

    ok = present_in_sql & same_holds.to_numpy(bool) & close(ours["lhs"], theirs["lhs"]) & close(ours["rhs"], theirs["rhs"])
    return verdicts(applies, pd.Series(ok, index=df.index))


def terms_fit_kind_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    fits = misfits(ctx).isna() & filled(df["relation_id"])
    return verdicts(pd.Series(True, index=df.index), fits)


def items_in_quote_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    counting = df["kind"].eq("count_of_items").fillna(False).astype(bool)
    has_items, is_open_set = filled(df["items"]), df["list_is_open"].notna()
    other_ok = df["kind"].notna() & ~counting & ~has_items & ~is_open_set
    items, quote = df["items"][counting & has_items], df["implied_by"][counting & has_items]
    named = pd.Series([present(q) and all(i in q for i in str(s).split(" | ")) for s, q in zip(items, quote)], index=items.index, dtype=bool)
    count_ok = (counting & has_items & is_open_set) & named.reindex(df.index, fill_value=False)
    return verdicts(pd.Series(True, index=df.index), other_ok | count_ok)


def tolerance_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    """The bound of relations._tolerance_bound as columns: 0 for counts, half the last digit of a percentage, 1 % of rhs."""
    from checks.validate.rules.relations import ARABIC_DECIMAL, ONE_PER_CENT_OF_TOTAL, ROLES

    applies = filled(df["tolerance"]) & df["kind"].isin(list(ROLES))
    if not df["relation_id"].is_unique:
        return verdicts(applies, pd.Series(False, index=df.index))
    kind = df["kind"].astype(object)
    rhs = df["relation_id"].map(_python(ctx)["rhs"]).astype(float)
    terms = ctx.tables["relation_terms"]
    changes = terms[terms["role"].isin(["fall", "rise"])].drop_duplicates("relation_id")
    numeral = df["relation_id"].map(changes.set_index("relation_id")["figure_id"]).map(ctx.lookup("figures", "numeral")).astype("string")
    decimal = numeral.str.fullmatch(ARABIC_DECIMAL.pattern).fillna(False).astype(bool)
    decimals = np.where(decimal, numeral.str.partition(".")[2].str.len().fillna(0).to_numpy(float), 0.0)
    bound = np.where(kind.eq("percent_change"), 0.5 * 10.0 ** -decimals,
                     np.where(kind.isin(list(ONE_PER_CENT_OF_TOTAL)), np.where(rhs.isna(), 0.0, 0.01 * rhs.abs()), 0.0))
    tolerance = df["tolerance"].astype("Float64").to_numpy(float, na_value=np.nan)
    return verdicts(applies, pd.Series((0 <= tolerance) & (tolerance <= bound * (1 + 1e-12)), index=df.index))
