"""Offsets kept sorted, so that span questions are binary searches instead of scans.

Which sentence holds this span? Is this gap of the seed blank? Is there a full stop inside? Asked of every row
at once, each is a `numpy.searchsorted` over positions found once per validation, so the rules that ask them grow
linearly with the package instead of with its square.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context, filled

FULL_STOPS = "。！？"


def positions(pattern: str, text: str) -> np.ndarray:
    """The sorted offsets (code points) where pattern matches in text."""
    return np.fromiter((m.start() for m in re.finditer(pattern, text)), dtype=np.int64)


def count_in(sorted_positions: np.ndarray, lo, hi) -> np.ndarray:
    """How many positions p with lo <= p < hi (element-wise over arrays lo, hi; none where hi <= lo)."""
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    return np.maximum(np.searchsorted(sorted_positions, hi) - np.searchsorted(sorted_positions, lo), 0)


def holds(sorted_positions: np.ndarray, at) -> np.ndarray:
    """Whether each offset in at is one of the positions."""
    return count_in(sorted_positions, at, np.asarray(at, dtype=np.int64) + 1) > 0


@dataclass(frozen=True)
class SeedMarks:
    """Where the seed has whitespace (as `str.isspace` and `str.strip` see it), full stops and line ends."""

    length: int
    spaces: np.ndarray
    stops: np.ndarray
    newlines: np.ndarray

    def blank(self, lo, hi) -> np.ndarray:
        """Whether seed[lo:hi] holds only whitespace (an empty gap is blank), element-wise."""
        lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
        return count_in(self.spaces, lo, hi) == np.maximum(hi - lo, 0)


def seed_marks(ctx: Context) -> SeedMarks:
    # re's \s (str patterns) is Py_UNICODE_ISSPACE, the same test str.isspace and str.strip use
    return ctx.memo("spans:seed_marks", lambda c: SeedMarks(len(c.seed), positions(r"\s", c.seed), positions(f"[{FULL_STOPS}]", c.seed),
                                                            positions("\n", c.seed)))


@dataclass(frozen=True)
class SentenceIndex:
    """The sentences with both offsets, sorted by start (ties in table order), with the running maximum of their ends."""

    starts: np.ndarray
    ends: np.ndarray
    reach: np.ndarray
    rows: pd.DataFrame  # the same sentences, in the same order, index reset (the columns the rules read)

    @cached_property
    def ids(self) -> np.ndarray:
        return self.rows["sentence_id"].to_numpy(object)

    def holder(self, a, b) -> np.ndarray:
        """For spans [a, b): the index of the one sentence that touches and covers it, or -1 where that is not certain.

        Certain means: a < b, the last sentence starting before b covers [a, b), and no earlier sentence reaches past a,
        so that this sentence is the only one the span touches.
        """
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        if not len(self.starts):
            return np.full(len(a), -1)
        k = np.searchsorted(self.starts, b) - 1
        at = np.clip(k, 0, None)
        reach_before = np.concatenate(([np.iinfo(np.int64).min], self.reach))[at]  # how far the sentences before k reach
        found = (k >= 0) & (a < b) & (self.starts[at] <= a) & (self.ends[at] >= b) & (reach_before <= a)
        return np.where(found, k, -1)

    def touching(self, a: int, b: int) -> list[int]:
        """Indices, in start order, of the sentences sharing at least one character with [a, b)."""
        out = []
        i = int(np.searchsorted(self.starts, b)) - 1
        while i >= 0 and self.reach[i] > a:
            if self.ends[i] > a:
                out.append(i)
            i -= 1
        return out[::-1]


def sentence_index(ctx: Context) -> SentenceIndex:
    def build(c: Context) -> SentenceIndex:
        df = c.tables["sentences"][["sentence_id", "section_id", "text_en", "char_start", "char_end"]]  # what rules read: no copy
        anchored = filled(df["char_start"]) & filled(df["char_end"])
        if not anchored.all():
            df = df[anchored]
        if not df["char_start"].is_monotonic_increasing:  # the usual table is in text order: nothing to sort or copy
            df = df.sort_values("char_start", kind="stable")
        df = df.reset_index(drop=True)
        starts, ends = df["char_start"].to_numpy(np.int64), df["char_end"].to_numpy(np.int64)
        return SentenceIndex(starts, ends, np.maximum.accumulate(ends) if len(ends) else ends, df)

    return ctx.memo("spans:sentences", build)
