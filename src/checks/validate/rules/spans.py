"""The sentences sorted by their offsets, so that "which sentences does this span touch?" is a binary search."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context, filled

FULL_STOPS = "。！？"


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
