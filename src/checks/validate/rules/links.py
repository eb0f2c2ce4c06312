"""Indexes over the link tables, built once per validation: a rule looks a figure's links up instead of filtering
`figure_readings` or `relation_terms` for each row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context


def readings_of(ctx: Context, figure_id, aspect: str) -> list[dict]:
    """The existing readings a figure links for one aspect (value, unit, …), in link order."""

    def build(c: Context) -> dict[tuple[str, str], list[dict]]:
        readings, index = c.rows_by_id("readings"), {}
        for link in c.rows_of("figure_readings"):
            figure, reading, aspect = link["figure_id"], link["reading_id"], link["aspect"]
            if not (pd.isna(figure) or pd.isna(aspect) or pd.isna(reading)) and reading in readings:
                index.setdefault((figure, aspect), []).append(readings[reading])
        return index

    return [] if pd.isna(figure_id) else ctx.memo("links:readings", build).get((figure_id, aspect), [])


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
        return (
            lost["reading_id"].to_numpy(object),
            lost["char_start"].astype("Float64").to_numpy(float, na_value=np.nan),
            lost["char_end"].astype("Float64").to_numpy(float, na_value=np.nan),
        )

    return ctx.memo("links:lost", build)
