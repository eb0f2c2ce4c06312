"""Indexes over the link tables, built once per validation: a rule looks a figure's links up instead of filtering
`figure_readings` or `relation_terms` for each row."""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context


def _reading_ids(ctx: Context) -> dict[tuple[str, str], list[str]]:
    """(figure_id, aspect) → reading ids of existing readings, in the link table's order."""
    links = ctx.tables["figure_readings"]
    readings = ctx.rows_by_id("readings")
    index: dict[tuple[str, str], list[str]] = {}
    for figure, reading, aspect in zip(links["figure_id"].tolist(), links["reading_id"].tolist(), links["aspect"].tolist()):
        if pd.isna(figure) or pd.isna(aspect) or pd.isna(reading) or reading not in readings:
            continue
        index.setdefault((figure, aspect), []).append(reading)
    return index


def readings_of(ctx: Context, figure_id, aspect: str) -> list[pd.Series]:
    """The readings a figure links for one aspect (value, unit, …), in link order."""
    if pd.isna(figure_id):
        return []
    ids = ctx.memo("links:reading_ids", _reading_ids).get((figure_id, aspect), [])
    readings = ctx.rows_by_id("readings")
    return [readings[r] for r in ids]


def roles_of(ctx: Context, figure_id) -> set[str]:
    """The roles a figure plays in declared relations."""

    def build(ctx: Context) -> dict[str, set[str]]:
        terms = ctx.tables["relation_terms"]
        index: dict[str, set[str]] = {}
        for figure, role in zip(terms["figure_id"].tolist(), terms["role"].tolist()):
            if not pd.isna(figure) and not pd.isna(role):
                index.setdefault(figure, set()).add(role)
        return index

    return set() if pd.isna(figure_id) else ctx.memo("links:roles", build).get(figure_id, set())


def lost_readings(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The unrecoverable readings in table order: ids, starts and ends (NaN for a missing offset)."""

    def build(ctx: Context):
        readings = ctx.tables["readings"]
        lost = readings[readings["status"].eq("unrecoverable").fillna(False).astype(bool)]
        return (lost["reading_id"].to_numpy(object), lost["char_start"].astype("Float64").to_numpy(float, na_value=np.nan),
                lost["char_end"].astype("Float64").to_numpy(float, na_value=np.nan))

    return ctx.memo("links:lost", build)
