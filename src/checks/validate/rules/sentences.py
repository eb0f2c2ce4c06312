"""The text as sentences: they tile each section, end where the text (or an adopted reading) ends them, hold every
anchored span whole, and carry each stated figure's number into their English."""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd

from checks.validate.english import WORDS, english_forms, find_in_english
from checks.validate.rules.base import Context, RowRule, filled, member, present, true_in, verdicts
from checks.validate.rules.spans import FULL_STOPS, count_in, holds, seed_marks, sentence_index

#: A number standing alone in English text, taken whole (as checks.english bounds a form): 622, 20.4, 10,837.
NUMBER_TOKEN = re.compile(r"(?<![\w.,])(?P<number>\d+(?:[.,]\d+)*)(?: (?P<scale>million|billion))?(?![\w]|[.,][0-9])", re.IGNORECASE)
#: A number word of checks.english standing alone, taken whole (seven).
WORD_TOKEN = re.compile(r"(?<![\w.,])(?:" + "|".join(WORDS) + r")(?!\w)", re.IGNORECASE)
#: The forms of checks.english that such tokens can be: digits with separators, perhaps with a scale word; a number word.
FORM_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*(?: (?:million|billion))?|" + "|".join(WORDS))
#: Sentences tokenised at a time by figures.number_in_english.
TOKEN_CHUNK = 20_000


def adopted_breaks(ctx: Context) -> dict[int, str]:
    """Offset → reading id, for each full stop a reading adopts where the text lost it.

    The adopted text after its last 。 is the written text's tail, so the lost stop falls before that tail.
    """

    def breaks(c: Context) -> dict[int, str]:
        r = c.tables["readings"]
        written, adopted = r["written"].astype("string"), r["adopted"].astype("string")
        more = filled(r["written"]) & filled(r["adopted"]) & filled(r["char_end"]) & adopted.str.count("。").gt(written.str.count("。")).fillna(False)
        found = {}
        for reading_id, w, ad, end in zip(r["reading_id"][more], written[more], adopted[more], r["char_end"][more]):
            tail = ad.rsplit("。", 1)[1]
            if w.endswith(tail):
                found[int(end) - len(tail)] = reading_id
        return found

    return ctx.memo("sentences:adopted_breaks", breaks)


def _breaks_by_reading(ctx: Context) -> dict[str, set[int]]:
    """Reading id → the offsets of the full stops it adopts."""

    def build(c: Context) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for offset, reading in adopted_breaks(c).items():
            out.setdefault(reading, set()).add(offset)
        return out

    return ctx.memo("sentences:breaks_by_reading", build)


def _break_offsets(ctx: Context) -> np.ndarray:
    return ctx.memo("sentences:break_offsets", lambda c: np.array(sorted(adopted_breaks(c)), dtype=np.int64))


def _offsets(df: pd.DataFrame) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Rows with both offsets, and those offsets as integer arrays."""
    has = filled(df["char_start"]) & filled(df["char_end"])
    return has, df["char_start"][has].to_numpy(np.int64), df["char_end"][has].to_numpy(np.int64)


def _judged(df: pd.DataFrame, applies: pd.Series, where: pd.Series, ok) -> pd.Series:
    """A screen's verdicts: ok for the rows in where (a subset of applies), False (ask the check) for the rest that apply."""
    result = pd.Series(False, index=df.index)
    result[where] = np.asarray(ok, dtype=bool)
    return verdicts(applies, result)


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
        a, b, sentence_id = int(index.starts[i]), int(index.ends[i]), index.rows.at[i, "sentence_id"]
        if a < at:
            problems.append(f"{sentence_id} starts at {a}, inside the text before it (up to {at})")
        elif ctx.seed[at:a].strip():
            problems.append(f"text {ctx.seed[at:a]!r} at {at}-{a} is in no sentence")
        at = max(at, b)
    if at > end:
        problems.append(f"the last sentence ends at {at}, after the section")
    elif ctx.seed[at:end].strip():
        problems.append(f"text {ctx.seed[at:end]!r} at {at}-{end} is in no sentence")
    return not problems, f"sentences covering every non-blank character of [{start}, {end}), without overlap", "; ".join(problems) or "as expected"


def _section_sentences_tile_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    """The same walk as columns: each sentence starts at or after all text before it in its section, across a blank gap."""
    index, marks = sentence_index(ctx), seed_marks(ctx)
    has, starts, ends = _offsets(df)
    unique = has & ~df["section_id"].duplicated(keep=False) & filled(df["section_id"])
    own_start = pd.Series(starts, index=df.index[has])[unique[has]]
    own_start.index = df["section_id"][unique]
    s = index.rows[["section_id"]].assign(start=index.starts, end=index.ends)
    s = s[member(s["section_id"], own_start.index)]
    section_start = s["section_id"].map(own_start).to_numpy(np.int64)
    before = s.groupby("section_id", sort=False)["end"].cummax().groupby(s["section_id"], sort=False).shift(1)
    at = np.where(before.isna(), section_start, np.maximum(section_start, before.fillna(0).to_numpy(np.int64)))
    s = s.assign(fits=(s["start"].to_numpy() >= at) & marks.blank(at, s["start"].to_numpy()))
    per_section = s.groupby("section_id", sort=False).agg(fits=("fits", "all"), reach=("end", "max"))
    section_ids = df["section_id"][unique]
    fits = section_ids.map(per_section["fits"]).fillna(False).astype(bool).to_numpy()
    reach = np.maximum(own_start.to_numpy(), section_ids.map(per_section["reach"]).fillna(-1).to_numpy(np.int64))
    section_end = pd.Series(ends, index=df.index[has])[unique[has]].to_numpy()
    ok = fits & member(section_ids, per_section.index).to_numpy() & (reach <= section_end) & marks.blank(reach, section_end)
    return _judged(df, pd.Series(True, index=df.index), unique, ok)


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


def _sentence_breaks_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    marks, breaks = seed_marks(ctx), _break_offsets(ctx)
    has, a, b = _offsets(df)
    ends = ctx.lookup("sections", "char_end")
    section_ids = df["section_id"][has]
    known = member(section_ids, ends.index).to_numpy()
    section_end = np.where(known, section_ids.map(ends).fillna(-1).to_numpy(np.int64), marks.length)
    readable = (0 <= a) & (a < b) & (b <= marks.length) & ~(known & section_ids.map(ends).isna().to_numpy())
    last = np.clip(b - 1, 0, None)
    ends_well = holds(marks.stops, last) | (b == section_end) | holds(marks.newlines, b) | holds(breaks, b)
    nothing_inside = (count_in(marks.stops, a, last) + count_in(marks.newlines, a, last) + count_in(breaks, a + 1, b)) == 0
    trimmed = ~holds(marks.spaces, a) & ~holds(marks.spaces, last)
    return _judged(df, has, has, readable & ends_well & nothing_inside & trimmed)


def _inside_one_sentence(row: pd.Series, ctx: Context):
    """The span lies in one sentence; a reading that adopts a lost stop may span exactly the break it adopts."""
    if not (present(row["char_start"]) and present(row["char_end"])):
        return None
    a, b = int(row["char_start"]), int(row["char_end"])
    index = sentence_index(ctx)
    touching = index.touching(a, b)
    ids = ", ".join(index.ids[touching]) or "none"
    if not touching or int(index.starts[touching[0]]) > a or int(index.ends[touching[-1]]) < b:
        return False, f"[{a}, {b}) inside one sentence", f"overlaps {ids}, not covered"
    own = _breaks_by_reading(ctx).get(row.iloc[0], set())
    seams = [int(index.starts[i]) for i in touching[1:]]
    return all(o in own for o in seams), f"[{a}, {b}) inside one sentence" + (" (or split only at the stops it adopts)" if own else ""), ids


def _inside_one_sentence_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    """Inside one sentence; or across exactly two, whose seam is a full stop this very reading adopts."""
    index = sentence_index(ctx)
    has, a, b = _offsets(df)
    ok = index.holder(a, b) >= 0
    if len(index.starts) > 1:
        k = np.clip(np.searchsorted(index.starts, b) - 1, 1, None)  # the last sentence starting before b, and the one before it
        i = k - 1
        reach_before = np.concatenate(([np.iinfo(np.int64).min], index.reach))[i]
        two = ((a < b) & (index.starts[i] <= a) & (index.ends[i] > a) & (reach_before <= a) & (index.starts[k] > a) & (index.ends[k] >= b)
               & (index.starts[k] < b) & (index.ends[i] <= index.starts[k]))
        breaks = _breaks_by_reading(ctx)
        if breaks and two.any():  # only the few spans across two sentences are looked up, not every row's id
            pairs = pd.MultiIndex.from_tuples([(r, o) for r, offsets in breaks.items() for o in offsets])
            ok[two] |= pd.MultiIndex.from_arrays([df.iloc[:, 0][has][two].astype(object).to_numpy(), index.starts[k][two]]).isin(pairs)
    return _judged(df, has, has, ok)


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
    holder = next((int(i) for i in candidates if index.starts[i] <= a and b <= index.ends[i]), None)
    if holder is None:
        return None  # figures.inside_one_sentence reports it
    sentence_id, text_en = index.rows.at[holder, "sentence_id"], index.rows.at[holder, "text_en"]
    forms = list(_forms(row["numeral"] if present(row["numeral"]) else None,
                        float(row["base_value"]) if present(row["base_value"]) else None,
                        row["date_value"] if present(row["date_value"]) else None))
    found = find_in_english(text_en, forms) if present(text_en) else None
    return found is not None, f"one of {' | '.join(forms)} in the English of {sentence_id}", (
        text_en[found[0]:found[1]] if found else f"none in {str(text_en)[:80]!r}…")


def _number_tokens(text: pd.Series, wanted: np.ndarray) -> pd.DataFrame:
    """(k, token): every number and number word standing alone in the texts at positions wanted (lower case), a number
    also with the scale word that follows it (2.29 billion). One regex call per text, in C; no Python per token."""
    texts = text.iloc[wanted].astype("string").fillna("").tolist()
    found = [NUMBER_TOKEN.findall(t) for t in texts]
    words = [WORD_TOKEN.findall(t) for t in texts]
    k = np.repeat(wanted, [len(f) for f in found])
    k_words = np.repeat(wanted, [len(w) for w in words])
    pairs = pd.DataFrame(list(chain.from_iterable(found)), columns=["number", "scale"], dtype=object)
    scaled = pairs["scale"].ne("").to_numpy(bool)
    return pd.DataFrame({"k": np.concatenate([k, k[scaled], k_words]),
                         "token": np.concatenate([pairs["number"].to_numpy(object),
                                                  (pairs["number"] + " " + pairs["scale"].str.lower())[scaled].to_numpy(object),
                                                  np.array([w.lower() for w in chain.from_iterable(words)], dtype=object)])})


def _distinct_values(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's combination of the columns as a code (missing is a value), and one row per code, in code order.

    Column by column, as integers: no tuple or Python object per row (they took 300 MiB at 10,000x the package)."""
    code = np.zeros(len(df), dtype=np.int64)
    for column in columns:
        mine, uniques = pd.factorize(df[column], use_na_sentinel=False)
        code, _ = pd.factorize(code * len(uniques) + mine)  # renumbered at once: the product of sizes never overflows
    first = pd.Series(np.arange(len(df))).groupby(code, sort=True).first().to_numpy(np.int64)
    return code.astype(np.int64), df[columns].iloc[first].reset_index(drop=True)


def _tokens_sought(text: pd.Series, holders: np.ndarray, sought: pd.Index) -> pd.DataFrame:
    """(k, token) of `_number_tokens` for the sentences at holders, only the tokens in sought: TOKEN_CHUNK sentences
    at a time, so that the tokens of every sentence are never held at once (1 GiB at 10,000x the package)."""
    parts = [pd.DataFrame({"k": np.zeros(0, np.int64), "token": np.zeros(0, object)})]
    for part in np.array_split(holders, len(holders) // TOKEN_CHUNK + 1):
        tokens = _number_tokens(text, part)
        parts.append(tokens[member(tokens["token"], sought).to_numpy(bool)])
    return pd.concat(parts, ignore_index=True)


def _number_in_english_screen(df: pd.DataFrame, ctx: Context) -> pd.Series:
    """Passes a figure one of whose forms (as written, grouped, base value, millions, billions, a number word) stands
    alone in its sentence's English. The forms are computed once per distinct value; dates are left to the check."""
    index = sentence_index(ctx)
    has, a, b = _offsets(df)
    applies = true_in(df["stated"]) & has
    rows = pd.DataFrame({"holder": index.holder(a, b)}, index=df.index[has].rename("row"))[applies[has]]
    values = ["numeral", "base_value", "date_value"]
    value_of, distinct = _distinct_values(df.loc[applies, values], values)  # rows: the same labels, in order; only these columns copied
    forms = pd.DataFrame({"value": np.arange(len(distinct)),
                          "form": [_forms(*(None if pd.isna(x) else x for x in (n, v, d))) for n, v, d in distinct.itertuples(index=False)]})
    forms = forms.explode("form").dropna(subset=["form"])
    forms = forms[forms["form"].astype(str).str.fullmatch(FORM_TOKEN.pattern)]
    form_of, sought = pd.factorize(forms["form"].astype(str))
    rank = forms.groupby("value").cumcount().to_numpy(np.int64)
    by_value = np.full((len(distinct), rank.max() + 1 if len(rank) else 1), -1, dtype=np.int64)  # each value's form codes, in a row
    by_value[forms["value"].to_numpy(np.int64), rank] = form_of
    holder = rows["holder"].to_numpy(np.int64)
    tokens = _tokens_sought(index.rows["text_en"], np.unique(holder[holder >= 0]), sought)
    width = max(len(sought), 1)  # (sentence, form) as one integer: every name is an int64, none a Python object
    found = np.unique(tokens["k"].to_numpy(np.int64) * width + sought.get_indexer(tokens["token"]))
    hit = np.zeros(len(rows), dtype=bool)
    for j in range(by_value.shape[1]):  # one pass per form position, never a row per (figure, form) pair
        form = by_value[value_of, j]
        hit |= (form >= 0) & (holder >= 0) & np.isin(holder * width + form, found)
    ok = pd.Series(False, index=df.index)
    ok[rows.index] = hit
    return verdicts(applies, ok)


RULES = [
    RowRule("sections.sentences_tile", "sections", "char_start", "the section's sentences cover all its non-blank text, in order, without overlap",
            _section_sentences_tile, _section_sentences_tile_screen),
    RowRule("sentences.break_at_sentence_end", "sentences", "char_end", "a sentence ends at 。！？, a line end, its section's end or a full stop a reading adopts, and holds none inside",
            _sentence_breaks, _sentence_breaks_screen),
    *(RowRule(f"{table}.inside_one_sentence", table, "char_start", "the span lies inside one sentence (a reading adopting a lost full stop may span the break it adopts)",
              _inside_one_sentence, _inside_one_sentence_screen)
      for table in ("figures", "readings", "non_figures")),
    RowRule("figures.number_in_english", "figures", "quote", "a stated figure's number is in its sentence's English (as written, grouped, as base value, in millions/billions, as a word, or month and year)",
            _number_in_english, _number_in_english_screen),
]
