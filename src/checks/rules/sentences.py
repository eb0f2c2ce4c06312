"""The text as sentences: they tile each section, end where the text (or an adopted reading) ends them, hold every
anchored span whole, and carry each stated figure's number into their English."""
from __future__ import annotations

import pandas as pd

from ..english import english_forms, find_in_english
from .base import Context, RowRule, present

FULL_STOPS = "。！？"


def _sentences(ctx: Context) -> list[pd.Series]:
    """Sentences with offsets, in text order (computed once)."""

    def ordered(c: Context) -> list[pd.Series]:
        df = c.tables["sentences"]
        df = df[df["char_start"].notna() & df["char_end"].notna()].sort_values("char_start")
        return [row for _, row in df.iterrows()]

    return ctx.memo("sentences:ordered", ordered)


def adopted_breaks(ctx: Context) -> dict[int, str]:
    """Offset → reading id, for each full stop a reading adopts where the text lost it.

    The adopted text after its last 。 is the written text's tail, so the lost stop falls before that tail.
    """

    def breaks(c: Context) -> dict[int, str]:
        found = {}
        for _, r in c.tables["readings"].iterrows():
            written, adopted = r["written"], r["adopted"]
            if not (present(written) and present(adopted) and present(r["char_end"])):
                continue
            if adopted.count("。") <= written.count("。"):
                continue
            tail = adopted.rsplit("。", 1)[1]
            if written.endswith(tail):
                found[int(r["char_end"]) - len(tail)] = r["reading_id"]
        return found

    return ctx.memo("sentences:adopted_breaks", breaks)


def _section_sentences_tile(row: pd.Series, ctx: Context):
    """Within a section, only whitespace lies before, between and after its sentences; none overlap."""
    start, end = int(row["char_start"]), int(row["char_end"])
    inside = [s for s in _sentences(ctx) if s["section_id"] == row["section_id"]]
    if not inside:
        return False, f"sentences tiling [{start}, {end})", "no sentence in this section"
    problems, at = [], start
    for s in inside:
        a, b = int(s["char_start"]), int(s["char_end"])
        if a < at:
            problems.append(f"{s['sentence_id']} starts at {a}, inside the text before it (up to {at})")
        elif ctx.seed[at:a].strip():
            problems.append(f"text {ctx.seed[at:a]!r} at {at}-{a} is in no sentence")
        at = max(at, b)
    if at > end:
        problems.append(f"the last sentence ends at {at}, after the section")
    elif ctx.seed[at:end].strip():
        problems.append(f"text {ctx.seed[at:end]!r} at {at}-{end} is in no sentence")
    return not problems, f"sentences covering every non-blank character of [{start}, {end}), without overlap", "; ".join(problems) or "as expected"


def _sentence_breaks(row: pd.Series, ctx: Context):
    """A sentence ends at a full stop, a line end or its section's end, or where a reading adopts a lost stop; none inside."""
    if not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    text = ctx.seed[a:b]
    section = ctx.rows_by_id("sections").get(row["section_id"])
    section_end = int(section["char_end"]) if section is not None else len(ctx.seed)
    ends_well = (text[-1:] in tuple(FULL_STOPS)) or b == section_end or ctx.seed[b:b + 1] == "\n" or b in adopted_breaks(ctx)
    stops_inside = [i for i, ch in enumerate(text[:-1]) if ch in FULL_STOPS or ch == "\n"]
    lost_inside = [o for o in adopted_breaks(ctx) if a < o < b]
    problems = []
    if not ends_well:
        problems.append(f"ends at {b} before {ctx.seed[b:b + 3]!r}, not at a full stop, line end, section end or adopted stop")
    if stops_inside:
        problems.append(f"a full stop or line end inside, at {a + stops_inside[0]}")
    if lost_inside:
        problems.append(f"an adopted stop inside, at {lost_inside[0]} ({adopted_breaks(ctx)[lost_inside[0]]})")
    if text != text.strip():
        problems.append("leading or trailing whitespace")
    return not problems, "one sentence: ends at 。！？, a line end, the section end or a stop a reading adopts; none inside", "; ".join(problems) or "as expected"


def _inside_one_sentence(row: pd.Series, ctx: Context):
    """The span lies in one sentence; a reading that adopts a lost stop may span exactly the break it adopts."""
    if not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    touching = [s for s in _sentences(ctx) if int(s["char_start"]) < b and a < int(s["char_end"])]
    ids = ", ".join(s["sentence_id"] for s in touching) or "none"
    if not touching or int(touching[0]["char_start"]) > a or int(touching[-1]["char_end"]) < b:
        return False, f"[{a}, {b}) inside one sentence", f"overlaps {ids}, not covered"
    own = {o for o, reading in adopted_breaks(ctx).items() if reading == row.iloc[0]}
    seams = [int(s["char_start"]) for s in touching[1:]]
    return all(o in own for o in seams), f"[{a}, {b}) inside one sentence" + (" (or split only at the stops it adopts)" if own else ""), ids


def _number_in_english(row: pd.Series, ctx: Context):
    """A stated figure's number can be found, by the convention of checks.english, in its sentence's English."""
    if row["stated"] is not True or not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    sentence = next((s for s in _sentences(ctx) if int(s["char_start"]) <= a and b <= int(s["char_end"])), None)
    if sentence is None:
        return None  # figures.inside_one_sentence reports it
    forms = english_forms(row["numeral"] if present(row["numeral"]) else None,
                          float(row["base_value"]) if present(row["base_value"]) else None,
                          row["date_value"] if present(row["date_value"]) else None)
    found = find_in_english(sentence["text_en"], forms) if present(sentence["text_en"]) else None
    return found is not None, f"one of {' | '.join(forms)} in the English of {sentence['sentence_id']}", (
        sentence["text_en"][found[0]:found[1]] if found else f"none in {str(sentence['text_en'])[:80]!r}…")


RULES = [
    RowRule("sections.sentences_tile", "sections", "char_start", "the section's sentences cover all its non-blank text, in order, without overlap", _section_sentences_tile),
    RowRule("sentences.break_at_sentence_end", "sentences", "char_end", "a sentence ends at 。！？, a line end, its section's end or a full stop a reading adopts, and holds none inside", _sentence_breaks),
    *(RowRule(f"{table}.inside_one_sentence", table, "char_start", "the span lies inside one sentence (a reading adopting a lost full stop may span the break it adopts)", _inside_one_sentence)
      for table in ("figures", "readings", "non_figures")),
    RowRule("figures.number_in_english", "figures", "quote", "a stated figure's number is in its sentence's English (as written, grouped, as base value, in millions/billions, as a word, or month and year)", _number_in_english),
]
