"""Every span is where it says it is: quotes re-found at their offsets, inside their section, sections tiling the
text."""

from __future__ import annotations

import pandas as pd

from checks.validate.rules.base import Context, RowRule, present

#: Table → the column holding its verbatim text (W3C TextQuoteSelector exact).
ANCHORED = {
    "figures": "quote",
    "readings": "written",
    "non_figures": "quote",
    "relations": "implied_by",
    "sentences": "text_zh",
}


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
        found = ctx.seed[span[0] : span[1]]
        if found == quote:
            return True, quote, found
        where = ctx.seed.find(quote)
        hint = (
            f" (the quote occurs at {where}-{where + len(quote)})"
            if where >= 0
            else " (the quote occurs nowhere in the seed)"
        )
        return False, f"{quote!r} at {span[0]}-{span[1]}", f"{found!r}{hint}"

    return check


def _section_contains_span(row: pd.Series, ctx: Context):
    span = _span(row)
    if span is None:
        return None
    section = ctx.rows_by_id("sections").get(row["section_id"])
    if section is None:
        return False, f"a section containing {span[0]}-{span[1]}", f"no section {row['section_id']!r}"
    inside = int(section["char_start"]) <= span[0] and span[1] <= int(section["char_end"])
    return (
        inside,
        f"span inside {row['section_id']} [{section['char_start']}, {section['char_end']})",
        f"[{span[0]}, {span[1]})",
    )


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
    return (
        not problems,
        f"starts at {expected_start}" + (f", ends at {len(ctx.seed)}" if at == len(ordered) - 1 else ""),
        "; ".join(problems) or "as expected",
    )


def _heading_at_offsets(row: pd.Series, ctx: Context):
    if not present(row["number"]):
        return None
    found = ctx.seed[int(row["char_start"]) : int(row["char_start"]) + len(row["heading_zh"])]
    return found == row["heading_zh"], row["heading_zh"], found


RULES = [
    *(
        RowRule(
            f"{table}.quote_at_offsets",
            table,
            column,
            f"{table}.{column} is the seed text at char_start..char_end",
            _quote_at_offsets(column),
        )
        for table, column in ANCHORED.items()
    ),
    *(
        RowRule(
            f"{table}.section_contains_span",
            table,
            "section_id",
            "the span lies inside its section",
            _section_contains_span,
        )
        for table in ("figures", "non_figures", "sentences")
    ),
    RowRule(
        "sections.tile_seed",
        "sections",
        "char_start",
        "sections follow each other without gap or overlap and cover the whole seed",
        _sections_tile,
    ),
    RowRule(
        "sections.heading_at_offsets",
        "sections",
        "heading_zh",
        "a numbered section starts with its heading",
        _heading_at_offsets,
    ),
]
