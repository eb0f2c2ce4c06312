"""Nothing is silently left out: every numeral character of the seed lies in a figure, a non-figure or a reading."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..numerals import NUMERAL_CHARACTERS
from ..problems import Problem, RuleResult
from .anchoring import ANCHORED
from .base import Context, filled, same

NAME = "seed.numeral_coverage"
DESCRIPTION = ("every Arabic digit and Chinese numeral character of the seed is inside a figure quote or a non-figure, "
               "or inside a reading that is unrecoverable or page chrome")


def _excuses(df: pd.DataFrame) -> pd.Series:
    """Only a reading that says the number is lost, or is page furniture, stands in for a figure or non-figure."""
    return (same(df["status"], pd.Series("unrecoverable", index=df.index)).fillna(False).astype(bool)
            | same(df["kind"], pd.Series("page_chrome", index=df.index)).fillna(False).astype(bool))


def covered_spans(ctx: Context) -> list[tuple[int, int, str]]:
    """(start, end, id) of every anchored span in the tables that account for numerals."""
    spans = []
    for table in ("figures", "non_figures", "readings"):
        df = ctx.tables[table]
        chosen = filled(df[ANCHORED[table]]) & filled(df["char_start"]) & filled(df["char_end"])
        if table == "readings":
            chosen &= _excuses(df)
        spans += zip(df["char_start"][chosen].astype(int).tolist(), df["char_end"][chosen].astype(int).tolist(), df[df.columns[0]][chosen].tolist())
    return spans


def _numeral_mask(seed: str) -> np.ndarray:
    """One flag per code point of the seed: is it a numeral character (NUMERAL_CHAR)?"""
    points = np.frombuffer(seed.encode("utf-32-le"), dtype=np.uint32)
    return np.isin(points, np.array([ord(c) for c in NUMERAL_CHARACTERS], dtype=np.uint32))


def uncovered_runs(ctx: Context) -> list[tuple[int, int]]:
    """Runs of adjacent numeral characters that no span covers (a difference array marks the covered code points)."""
    length = len(ctx.seed)
    depth = np.zeros(length + 1, dtype=np.int64)
    spans = np.array([(s, e) for s, e, _ in covered_spans(ctx)], dtype=np.int64).reshape(-1, 2)
    starts, ends = np.clip(spans[:, 0], 0, length), np.clip(spans[:, 1], 0, length)
    keep = starts < ends
    np.add.at(depth, starts[keep], 1)
    np.add.at(depth, ends[keep], -1)
    covered = np.cumsum(depth[:length]) > 0
    loose = _numeral_mask(ctx.seed) & ~covered
    edges = np.diff(np.concatenate(([0], loose.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def check_coverage(ctx: Context) -> RuleResult:
    result = RuleResult(NAME, DESCRIPTION, checked=int(_numeral_mask(ctx.seed).sum()))
    seed_file = ctx.package.resource("source_text")["path"]
    for start, end in uncovered_runs(ctx):
        context = ctx.seed[max(0, start - 8): end + 8].replace("\n", "⏎")
        result.problems.append(Problem(
            NAME, seed_file, row=f"offset {start}-{end}", column=None,
            expected="a figure or non-figure covering it (or an unrecoverable or page-chrome reading)",
            found=f"{ctx.seed[start:end]!r} uncovered in …{context}…",
            message=f"numeral {ctx.seed[start:end]!r} at {start}-{end} is in no figure, non-figure or reading"))
    return result
