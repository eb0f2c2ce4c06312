"""The sentences sorted by their offsets, so that "which sentences does this span touch?" is a binary search."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context, filled

FULL_STOPS = "。！？"
#: How many sentences `touching` walks back over at most (see there).
MAX_WALK = 64


@dataclass(frozen=True)
class SentenceIndex:
    """The sentences with both offsets, sorted by start (ties in table order), with the running maximum of their
    ends."""

    starts: np.ndarray
    ends: np.ndarray
    reach: np.ndarray
    rows: pd.DataFrame  # the same sentences, in the same order, index reset (the columns the rules read)

    @cached_property
    def ids(self) -> list:
        return self.rows["sentence_id"].tolist()

    @cached_property
    def texts_en(self) -> list:
        """The English of each sentence, as a list: read once per figure, where pandas' .at costs more than the rule."""
        return self.rows["text_en"].tolist()

    def touching(self, a: int, b: int) -> list[int]:
        """Indices, in start order, of the sentences sharing at least one character with [a, b).

        The walk back from b stops after MAX_WALK sentences: sentences that tile their text end where the next one
        starts, so it stops at once; only overlapping sentences (which `sections.sentences_tile` reports) make it
        long, and without the bound one long sentence would make every later span walk back to it (quadratic). A
        walk cut there returns None."""
        out = []
        i = int(np.searchsorted(self.starts, b)) - 1
        stop = max(-1, i - MAX_WALK)
        while i >= 0 and self.reach[i] > a:
            if i == stop:
                return None
            if self.ends[i] > a:
                out.append(i)
            i -= 1
        return out[::-1]


def sentence_index(ctx: Context) -> SentenceIndex:
    def build(c: Context) -> SentenceIndex:
        df = c.tables["sentences"][
            ["sentence_id", "section_id", "text_en", "char_start", "char_end"]
        ]  # what rules read: no copy
        anchored = filled(df["char_start"]) & filled(df["char_end"])
        if not anchored.all():
            df = df[anchored]
        if not df["char_start"].is_monotonic_increasing:  # the usual table is in text order: nothing to sort or copy
            df = df.sort_values("char_start", kind="stable")
        df = df.reset_index(drop=True)
        starts, ends = df["char_start"].to_numpy(np.int64), df["char_end"].to_numpy(np.int64)
        return SentenceIndex(starts, ends, np.maximum.accumulate(ends) if len(ends) else ends, df)

    return ctx.memo("spans:sentences", build)


def seed_marks(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(the offsets of every full stop and line end of the seed, sorted; how many non-blank characters precede each
    offset): so that a rule asks "a stop inside [a, b)?" or "only blanks in [a, b)?" in constant time, never slicing
    the text once per row (overlapping rows would make that quadratic)."""

    def build(c: Context):
        codes = np.frombuffer(c.seed.encode("utf-32-le"), dtype=np.uint32)
        stops = np.nonzero(np.isin(codes, [ord(ch) for ch in FULL_STOPS + "\n"]))[0]
        blank = np.fromiter((ch.isspace() for ch in c.seed), dtype=bool, count=len(c.seed))
        return stops, np.concatenate([[0], np.cumsum(~blank)])

    return ctx.memo("spans:seed_marks", build)


def blank(ctx: Context, a: int, b: int) -> bool:
    """Whether the seed holds only whitespace in [a, b)."""
    prefix = seed_marks(ctx)[1]
    a, b = max(0, min(a, len(prefix) - 1)), max(0, min(b, len(prefix) - 1))
    return b <= a or prefix[b] == prefix[a]


def first_stop(ctx: Context, a: int, b: int) -> int | None:
    """The offset of the first full stop or line end in [a, b), if any."""
    stops = seed_marks(ctx)[0]
    i = int(np.searchsorted(stops, a))
    return int(stops[i]) if i < len(stops) and stops[i] < b else None
