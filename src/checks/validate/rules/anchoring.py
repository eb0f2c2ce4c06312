"""Every span is where it says it is: quotes re-found at their offsets, inside their section, sections tiling the text.

Each rule has a row check (the messages) and a screen over whole columns (see base.RowRule).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.validate.rules.base import Context, RowRule, filled, member, present, verdicts

#: Table → the column holding its verbatim text (W3C TextQuoteSelector exact).
ANCHORED = {"figures": "quote", "readings": "written", "non_figures": "quote", "relations": "implied_by", "sentences": "text_zh"}
#: Rows whose quotes are compared with the seed at a time (their seed slices are Python strings).
SLICE_CHUNK = 50_000


def _span(row: pd.Series) -> tuple[int, int] | None:
    s, e = row["char_start"], row["char_end"]
    return (int(s), int(e)) if present(s) and present(e) else None


def _quote_at_offsets(column: str):
    def check(row: pd.Series, ctx: Context):
        quote = row[column]
        if not present(quote):
            return None
        span = _span(row)
        if span is None:
            return False, f"offsets of {quote!r}", "(no offsets)"
        found = ctx.seed[span[0]:span[1]]
        if found == quote:
            return True, quote, found
        where = ctx.seed.find(quote)
        hint = f" (the quote occurs at {where}-{where + len(quote)})" if where >= 0 else " (the quote occurs nowhere in the seed)"
        return False, f"{quote!r} at {span[0]}-{span[1]}", f"{found!r}{hint}"

    return check


def _spans(df: pd.DataFrame) -> tuple[pd.Series, list[int], list[int]]:
    """Rows with both offsets, and those offsets as Python ints (for slicing the seed)."""
    has = filled(df["char_start"]) & filled(df["char_end"])
    return has, [int(v) for v in df["char_start"][has]], [int(v) for v in df["char_end"][has]]


def seed_at(seed: str, starts: list[int], ends: list[int]) -> list[str]:
    """The seed text at each span: one slice per row, the column operation anchoring is made of."""
    return [seed[s:e] for s, e in zip(starts, ends)]


def _quote_at_offsets_screen(column: str):
    def screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
        applies = filled(df[column])
        has, starts, ends = _spans(df)
        quotes = df[column][has]
        same = np.zeros(len(quotes), dtype=bool)
        for lo in range(0, len(quotes), SLICE_CHUNK):  # a chunk at a time: the seed's slices for every row at once are a copy of it
            found = pd.Series(seed_at(ctx.seed, starts[lo:lo + SLICE_CHUNK], ends[lo:lo + SLICE_CHUNK]), dtype=object)
            same[lo:lo + SLICE_CHUNK] = found.eq(quotes.iloc[lo:lo + SLICE_CHUNK].astype(object).reset_index(drop=True)).to_numpy(bool, na_value=False)
        ok = pd.Series(False, index=df.index)
        ok[has] = same
        return verdicts(applies, ok)

    return screen


def _section_contains_span_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    has = filled(df["char_start"]) & filled(df["char_end"])
    starts = df["section_id"].map(ctx.lookup("sections", "char_start"))
    ends = df["section_id"].map(ctx.lookup("sections", "char_end"))
    ok = member(df["section_id"], ctx.lookup("sections", "char_start").index) & (starts <= df["char_start"]) & (df["char_end"] <= ends)
    return verdicts(has, ok)


def _section_contains_span(row: pd.Series, ctx: Context):
    span = _span(row)
    if span is None:
        return None
    section = ctx.rows_by_id("sections").get(row["section_id"])
    if section is None:
        return False, f"a section containing {span[0]}-{span[1]}", f"no section {row['section_id']!r}"
    inside = int(section["char_start"]) <= span[0] and span[1] <= int(section["char_end"])
    return inside, f"span inside {row['section_id']} [{section['char_start']}, {section['char_end']})", f"[{span[0]}, {span[1]})"


def _sections_tile(row: pd.Series, ctx: Context):
    ordered = ctx.tables["sections"].sort_values("position")
    ends = ordered["char_end"].tolist()
    at = ordered.index.get_loc(row.name)
    expected_start = 0 if at == 0 else ends[at - 1]
    problems = []
    if row["char_start"] != expected_start:
        problems.append(f"starts at {row['char_start']}, not {expected_start}")
    if at == len(ordered) - 1 and row["char_end"] != len(ctx.seed):
        problems.append(f"last section ends at {row['char_end']}, not {len(ctx.seed)}")
    return not problems, f"starts at {expected_start}" + (f", ends at {len(ctx.seed)}" if at == len(ordered) - 1 else ""), "; ".join(problems) or "as expected"


def _sections_tile_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    ordered = df.sort_values("position")
    expected_start = ordered["char_end"].shift(1, fill_value=0)
    ok = ordered["char_start"].eq(expected_start).astype("boolean")
    if len(ordered):  # the last section also ends where the seed ends
        ends_seed = ordered["char_end"].eq(len(ctx.seed)).astype("boolean")
        ok = ok & (ends_seed | pd.Series(ordered.index != ordered.index[-1], index=ordered.index))
    return verdicts(pd.Series(True, index=df.index), ok.reindex(df.index))


def _heading_at_offsets_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    applies = filled(df["number"])
    usable = applies & filled(df["char_start"]) & filled(df["heading_zh"])
    headings = df["heading_zh"][usable].tolist()
    starts = [int(v) for v in df["char_start"][usable]]
    found = seed_at(ctx.seed, starts, [s + len(h) for s, h in zip(starts, headings)])
    ok = pd.Series(False, index=df.index)
    ok[usable] = [f == h for f, h in zip(found, headings)]
    return verdicts(applies, ok)


def _heading_at_offsets(row: pd.Series, ctx: Context):
    if not present(row["number"]):
        return None
    found = ctx.seed[int(row["char_start"]): int(row["char_start"]) + len(row["heading_zh"])]
    return found == row["heading_zh"], row["heading_zh"], found


RULES = [
    *(RowRule(f"{table}.quote_at_offsets", table, column, f"{table}.{column} is the seed text at char_start..char_end", _quote_at_offsets(column),
              _quote_at_offsets_screen(column))
      for table, column in ANCHORED.items()),
    *(RowRule(f"{table}.section_contains_span", table, "section_id", "the span lies inside its section", _section_contains_span,
              _section_contains_span_screen)
      for table in ("figures", "non_figures", "sentences")),
    RowRule("sections.tile_seed", "sections", "char_start", "sections follow each other without gap or overlap and cover the whole seed", _sections_tile,
            _sections_tile_screen),
    RowRule("sections.heading_at_offsets", "sections", "heading_zh", "a numbered section starts with its heading", _heading_at_offsets,
            _heading_at_offsets_screen),
]
