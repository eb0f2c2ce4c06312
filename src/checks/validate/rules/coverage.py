"""Nothing is silently left out: every numeral character of the seed lies in a figure, a non-figure or a reading."""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.problems import Problem, RuleResult
from checks.validate.numerals import NUMERAL_CHARACTERS
from checks.validate.rules.anchoring import ANCHORED
from checks.validate.rules.base import Context, filled

NAME = "seed.numeral_coverage"
DESCRIPTION = (
    "every Arabic digit and Chinese numeral character of the seed is inside a figure quote or a non-figure, "
    "or inside a page-chrome reading in the page's head or foot"
)


def _excuses(ctx: Context, df: pd.DataFrame) -> pd.Series:
    """Only page furniture stands in for a figure or non-figure, and only where the page has furniture: inside the
    first or the last section (the site's header and footer). A reading that a number is lost does not: the figure
    whose words it reads still covers the numeral with its quote, so deleting that figure cannot hide under it."""
    sections = ctx.tables["sections"].sort_values("position")
    edges = sections.iloc[[0, -1]] if len(sections) else sections
    inside = pd.Series(False, index=df.index)
    for start, end in zip(edges["char_start"], edges["char_end"]):
        inside |= (df["char_start"] >= start).fillna(False).astype(bool) & (df["char_end"] <= end).fillna(False).astype(
            bool
        )
    return df["kind"].eq("page_chrome").fillna(False).astype(bool) & inside


def _positions(ctx: Context) -> np.ndarray:
    """Offsets of the seed's numeral characters (NUMERAL_CHARACTERS), found once."""

    def find(c: Context) -> np.ndarray:
        return np.array([i for i, ch in enumerate(c.seed) if ch in NUMERAL_CHARACTERS], dtype=np.int64)

    return ctx.memo("numeral_positions", find)


def uncovered_runs(ctx: Context) -> list[tuple[int, int]]:
    """Runs of adjacent numeral characters that no anchored span of a figure, non-figure or excusing reading covers:
    a position is covered when it lies before the furthest end of the spans that start at or before it."""
    starts, ends = [], []
    for table in ("figures", "non_figures", "readings"):
        df = ctx.tables[table]
        chosen = filled(df[ANCHORED[table]]) & filled(df["char_start"]) & filled(df["char_end"])
        if table == "readings":
            chosen &= _excuses(ctx, df)
        starts.append(df["char_start"][chosen].to_numpy(np.int64))
        ends.append(df["char_end"][chosen].to_numpy(np.int64))
    starts, ends = (np.clip(np.concatenate(offsets), 0, len(ctx.seed)) for offsets in (starts, ends))
    keep = starts < ends
    order = np.argsort(starts[keep], kind="stable")
    starts, reach = starts[keep][order], np.maximum.accumulate(ends[keep][order]) if keep.any() else ends[keep]
    positions = _positions(ctx)
    last = np.searchsorted(starts, positions, side="right") - 1
    covered = (
        (last >= 0) & (positions < reach[np.maximum(last, 0)]) if len(starts) else np.zeros(len(positions), dtype=bool)
    )
    loose = positions[~covered]
    if not len(loose):
        return []
    breaks = np.flatnonzero(np.diff(loose) != 1) + 1
    return list(zip(loose[np.r_[0, breaks]].tolist(), (loose[np.r_[breaks - 1, len(loose) - 1]] + 1).tolist()))


def check_coverage(ctx: Context) -> RuleResult:
    result = RuleResult(NAME, DESCRIPTION, checked=len(_positions(ctx)))
    seed_file = ctx.package.resource("source_text")["path"]
    for start, end in uncovered_runs(ctx):
        context = ctx.seed[max(0, start - 8) : end + 8].replace("\n", "⏎")
        result.problems.append(
            Problem(
                NAME,
                seed_file,
                row=f"offset {start}-{end}",
                column=None,
                expected="a figure or non-figure covering it (or a page-chrome reading in the page's head or foot)",
                found=f"{ctx.seed[start:end]!r} uncovered in …{context}…",
                message=f"numeral {ctx.seed[start:end]!r} at {start}-{end} is in no figure, non-figure or reading",
            )
        )
    return result
