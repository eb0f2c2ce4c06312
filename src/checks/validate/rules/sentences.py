"""The text as sentences: they tile each section, end where the text (or an adopted reading) ends them, hold every
anchored span whole, and carry each stated figure's number into their English."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from checks.validate.english import english_forms, find_in_english
from checks.validate.rules.base import Context, RowRule, filled, present
from checks.validate.rules.spans import FULL_STOPS, MAX_WALK, blank, first_stop, sentence_index


def adopted_breaks(ctx: Context) -> dict[int, str]:
    """Offset → reading id, for each full stop a reading adopts where the text lost it: the adopted text after its
    last 。 is the written text's tail, so the lost stop falls before that tail."""

    def breaks(c: Context) -> dict[int, str]:
        r = c.tables["readings"]
        written, adopted = r["written"].astype("string"), r["adopted"].astype("string")
        more = (
            filled(r["written"])
            & filled(r["adopted"])
            & filled(r["char_end"])
            & adopted.str.count("。").gt(written.str.count("。")).fillna(False)
        )
        found = {}
        for reading_id, w, ad, end in zip(r["reading_id"][more], written[more], adopted[more], r["char_end"][more]):
            tail = ad.rsplit("。", 1)[1]
            if w.endswith(tail):
                found[int(end) - len(tail)] = reading_id
        return found

    return ctx.memo("sentences:adopted_breaks", breaks)


def _breaks_by_reading(ctx: Context) -> dict[str, set[int]]:
    """Reading id → the offsets of the full stops it adopts (made once: a search per row is quadratic)."""

    def build(c: Context) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for offset, reading in adopted_breaks(c).items():
            out.setdefault(reading, set()).add(offset)
        return out

    return ctx.memo("sentences:breaks_by_reading", build)


def _first_adopted(ctx: Context, a: int, b: int) -> int | None:
    """The first offset in [a, b) where a reading adopts a lost full stop (a binary search, not a scan per row)."""
    offsets = ctx.memo("sentences:adopted_offsets", lambda c: np.array(sorted(adopted_breaks(c)), dtype=np.int64))
    i = int(np.searchsorted(offsets, a))
    return int(offsets[i]) if i < len(offsets) and offsets[i] < b else None


def _groups(ctx: Context) -> dict:
    """section_id → the positions, in start order, of its sentences in the sentence index."""
    return ctx.memo("sentences:groups", lambda c: sentence_index(c).rows.groupby("section_id", sort=False).indices)


def _section_sentences_tile(row: pd.Series, ctx: Context):
    """Within a section, only whitespace lies before, between and after its sentences; none overlap."""
    start, end = int(row["char_start"]), int(row["char_end"])
    index = sentence_index(ctx)
    inside = _groups(ctx).get(row["section_id"], [])
    if not len(inside):
        return False, f"sentences tiling [{start}, {end})", "no sentence in this section"
    problems, at = [], start
    for i in inside:
        a, b, sentence_id = int(index.starts[i]), int(index.ends[i]), index.ids[i]
        if a < at:
            problems.append(f"{sentence_id} starts at {a}, inside the text before it (up to {at})")
        elif not blank(ctx, at, a):
            problems.append(f"text {_excerpt(ctx, at, a)} at {at}-{a} is in no sentence")
        at = max(at, b)
    if at > end:
        problems.append(f"the last sentence ends at {at}, after the section")
    elif not blank(ctx, at, end):
        problems.append(f"text {_excerpt(ctx, at, end)} at {at}-{end} is in no sentence")
    return (
        not problems,
        f"sentences covering every non-blank character of [{start}, {end}), without overlap",
        _joined(problems),
    )


def _excerpt(ctx: Context, a: int, b: int, size: int = 80) -> str:
    """The seed's text in [a, b) as a Python literal, its first `size` characters."""
    return repr(ctx.seed[a : min(b, a + size)]) + ("…" if b - a > size else "")


def _joined(problems: list[str], shown: int = 5) -> str:
    """The first few problems of one row, and how many more (a row's message stays short however many it has)."""
    more = f"; … and {len(problems) - shown} more" if len(problems) > shown else ""
    return "; ".join(problems[:shown]) + more or "as expected"


def _sentence_breaks(row: pd.Series, ctx: Context):
    """A sentence ends at a full stop, a line end or its section's end, or where a reading adopts a lost stop; none
    inside."""
    if not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    last = ctx.seed[b - 1 : b] if b > a else ""
    section = ctx.rows_by_id("sections").get(row["section_id"])
    section_end = int(section["char_end"]) if section is not None else len(ctx.seed)
    ends_well = (
        (last in tuple(FULL_STOPS)) or b == section_end or ctx.seed[b : b + 1] == "\n" or b in adopted_breaks(ctx)
    )
    stop_inside = first_stop(ctx, a, b - 1)
    lost_inside = _first_adopted(ctx, a + 1, b)
    problems = []
    if not ends_well:
        problems.append(
            f"ends at {b} before {ctx.seed[b : b + 3]!r}, not at a full stop, line end, section end or adopted stop"
        )
    if stop_inside is not None:
        problems.append(f"a full stop or line end inside, at {stop_inside}")
    if lost_inside is not None:
        problems.append(f"an adopted stop inside, at {lost_inside} ({adopted_breaks(ctx)[lost_inside]})")
    if b > a and (ctx.seed[a : a + 1].isspace() or last.isspace()):
        problems.append("leading or trailing whitespace")
    return (
        not problems,
        "one sentence: ends at 。！？, a line end, the section end or a stop a reading adopts; none inside",
        "; ".join(problems) or "as expected",
    )


def _inside_one_sentence(row: pd.Series, ctx: Context):
    """The span lies in one sentence; a reading that adopts a lost stop may span exactly the break it adopts."""
    if not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    index = sentence_index(ctx)
    touching = index.touching(a, b)
    if touching is None:
        why = f"overlaps more than {MAX_WALK} sentences (sentences overlap: see sections.sentences_tile)"
        return False, f"[{a}, {b}) inside one sentence", why
    ids = ", ".join(index.ids[i] for i in touching[:5]) + (", …" if len(touching) > 5 else "") or "none"
    if not touching or int(index.starts[touching[0]]) > a or int(index.ends[touching[-1]]) < b:
        return False, f"[{a}, {b}) inside one sentence", f"overlaps {ids}, not covered"
    own = _breaks_by_reading(ctx).get(next(iter(row.values())), set())  # the row's id
    seams = [int(index.starts[i]) for i in touching[1:]]
    return (
        all(o in own for o in seams),
        f"[{a}, {b}) inside one sentence" + (" (or split only at the stops it adopts)" if own else ""),
        ids,
    )


@lru_cache(maxsize=2**16)
def _forms(numeral: str | None, base_value: float | None, date_value: str | None) -> tuple[str, ...]:
    """english_forms, computed once for each distinct figure value."""
    return tuple(english_forms(numeral, base_value, date_value))


def _number_in_english(row: pd.Series, ctx: Context):
    """A stated figure's number can be found, by the convention of checks.english, in its sentence's English."""
    if row["stated"] is not True or not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    index = sentence_index(ctx)
    candidates = index.touching(a, b) if a < b else np.nonzero((index.starts <= a) & (b <= index.ends))[0]
    if candidates is None:
        return None  # figures.inside_one_sentence reports it
    holder = next((int(i) for i in candidates if index.starts[i] <= a and b <= index.ends[i]), None)
    if holder is None:
        return None  # figures.inside_one_sentence reports it
    sentence_id, text_en = index.ids[holder], index.texts_en[holder]
    forms = list(
        _forms(
            row["numeral"] if present(row["numeral"]) else None,
            float(row["base_value"]) if present(row["base_value"]) else None,
            row["date_value"] if present(row["date_value"]) else None,
        )
    )
    found = find_in_english(text_en, forms) if present(text_en) else None
    return (
        found is not None,
        f"one of {' | '.join(forms)} in the English of {sentence_id}",
        (text_en[found[0] : found[1]] if found else f"none in {str(text_en)[:80]!r}…"),
    )


RULES = [
    RowRule(
        "sections.sentences_tile",
        "sections",
        "char_start",
        "the section's sentences cover all its non-blank text, in order, without overlap",
        _section_sentences_tile,
    ),
    RowRule(
        "sentences.break_at_sentence_end",
        "sentences",
        "char_end",
        "a sentence ends at 。！？, a line end, its section's end or a full stop a reading adopts, and holds none "
        "inside",
        _sentence_breaks,
    ),
    *(
        RowRule(
            f"{table}.inside_one_sentence",
            table,
            "char_start",
            "the span lies inside one sentence (a reading adopting a lost full stop may span the break it adopts)",
            _inside_one_sentence,
        )
        for table in ("figures", "readings", "non_figures")
    ),
    RowRule(
        "figures.number_in_english",
        "figures",
        "quote",
        "a stated figure's number is in its sentence's English (as written, grouped, as base value, in "
        "millions/billions, as a word, or month and year)",
        _number_in_english,
    ),
]
