"""Each rule on a few inline rows that break it (and the same rows mended), run against that rule alone, in the style
of frictionless' own checks: a Context over the real seed and schemas and small tables written here
(helpers.judge), in milliseconds. tests/test_faults.py proves on the whole package that every rule fires."""

from __future__ import annotations

import pandas as pd
import pytest

from checks.package import Package
from checks.validate.rules.coverage import uncovered_runs
from checks.validate.rules.generated_sql import dot_commands
from helpers import inline_context, judge

#: A figure as data/figures.csv holds it: 22.9亿元 at offsets 305-311 of the seed.
F006 = {
    "figure_id": "F006",
    "indicator_id": "assistance_funds_cumulative",
    "stated": "true",
    "quote": "22.9亿元",
    "char_start": 305,
    "char_end": 311,
    "numeral": "22.9",
    "value": "22.9",
    "unit": "亿元",
    "base_value": "2290000000",
    "base_unit": "CNY",
    "qualifier": "exact",
    "measure": "cumulative",
    "scope_zh": "208个帮扶村",
    "scope_en": "the 208 paired villages",
}
INDICATOR = {"indicator_id": "assistance_funds_cumulative", "base_unit": "CNY"}
UNIT = {"unit": "亿元", "multiplier": "100000000"}


def verdicts(outcome) -> list:
    """The rule's verdict on each row, in order: True, False, or None where it does not apply."""
    return [None if pd.isna(v) else bool(v) for v in outcome.ok.astype(object)]


def test_a_quote_must_be_the_seed_at_its_offsets():
    shifted = {**F006, "figure_id": "F999", "char_start": 306, "char_end": 312}
    assert verdicts(judge("figures.quote_at_offsets", figures=[F006, shifted])) == [True, False]


def test_the_numeral_must_be_inside_the_quote():
    elsewhere = {**F006, "figure_id": "F999", "numeral": "12"}
    outcome = judge("figures.numeral_in_quote", figures=[F006, elsewhere])
    assert verdicts(outcome) == [True, False] and "12" in outcome.failures.at[1, "expected"]


def test_base_value_is_the_value_times_the_units_multiplier():
    wrong = {**F006, "figure_id": "F999", "base_value": "229000000"}
    outcome = judge("figures.base_value_conversion", figures=[F006, wrong], indicators=[INDICATOR], units=[UNIT])
    assert verdicts(outcome) == [True, False] and outcome.failures.at[1, "found"] == "229000000"


def test_a_unit_without_a_multiplier_fails_the_conversion():
    outcome = judge("figures.base_value_conversion", figures=[F006], indicators=[INDICATOR], units=[])
    assert verdicts(outcome) == [False] and outcome.failures.at[0, "found"] == "no such unit"


def test_cumulative_words_need_a_cumulative_measure():
    """累计 in the quote fixes the measure (rules.measures.WORDS)."""
    words = {**F006, "quote": "累计22.9亿元"}
    stock = {**words, "figure_id": "F999", "measure": "stock"}
    outcome = judge("figures.measure_fits", figures=[words, stock])
    assert verdicts(outcome) == [True, False] and "累计 → measure cumulative" in outcome.failures.at[1, "expected"]


def test_a_scope_outside_the_figures_clause_needs_a_reading():
    """The clause of 22.9亿元 names no town: a scope of one, with no reading (aspect scope) marking it, fails."""
    district = {**F006, "scope_zh": "全区"}
    elsewhere = {**F006, "figure_id": "F999", "scope_zh": "大王古庄镇"}
    assert verdicts(judge("figures.scope_inferred_consistently", figures=[district, elsewhere])) == [True, False]


def test_a_count_of_items_allows_no_tolerance():
    exact = {"relation_id": "L01", "kind": "count_of_items", "tolerance": "0"}
    loose = {**exact, "relation_id": "L02", "tolerance": "1"}
    outcome = judge("relations.tolerance_within_bound", relations=[exact, loose])
    assert verdicts(outcome) == [True, False] and outcome.failures.at[1, "expected"].startswith("0 ≤ tolerance ≤ 0 ")


def test_the_report_cannot_corroborate_itself():
    sources = [{"source_id": "S01", "kind": "report"}, {"source_id": "S02", "kind": "press_report"}]
    rows = [
        {"corroboration_id": "C01", "figure_id": "F006", "source_id": "S02", "verdict": "agrees"},
        {"corroboration_id": "C02", "figure_id": "F006", "source_id": "S01", "verdict": "agrees"},
    ]
    assert verdicts(judge("corroborations.another_source", corroborations=rows, sources=sources)) == [True, False]


def test_a_figure_lies_inside_one_sentence():
    sentences = [
        {"sentence_id": "S010", "char_start": 290, "char_end": 308},
        {"sentence_id": "S011", "char_start": 308, "char_end": 330},
    ]
    across = judge("figures.inside_one_sentence", figures=[F006], sentences=sentences)
    inside = judge("figures.inside_one_sentence", figures=[F006], sentences=[{**sentences[0], "char_end": 330}])
    assert verdicts(across) == [False] and verdicts(inside) == [True]
    assert across.failures.at[0, "found"] == "S010, S011"


@pytest.mark.parametrize(
    "hidden", ["\u202e", "\u2066", "\u2028", "\u200d", "\U000e0041", "\ufffe", "\ue000", "e\u0301\u0301\u0301"]
)
def test_invisible_characters_in_a_text_cell_fail_their_row(hidden):
    """Bidi controls, separators, ZWJ, tags, noncharacters, private use and stacked marks in a text cell: the row
    fails, naming the column and the code point."""
    hiding = {**F006, "figure_id": "F999", "scope_en": f"the 208 {hidden}paired villages"}
    outcome = judge("figures.invisible_characters", figures=[F006, hiding])
    assert verdicts(outcome) == [True, False]
    found = outcome.failures.at[1, "found"]
    assert f"U+{ord(hidden[-1]):04X}" in found and "scope_en" in found


def test_a_numeral_no_span_covers_is_uncovered():
    """Coverage runs over the seed: without F006, the numerals of 22.9亿元 (305-307, 308-310) are in no span."""

    def runs(**tables):
        return uncovered_runs(inline_context(**tables))

    def inside_f006(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(a, b) for a, b in found if 305 <= a and b <= 311]

    assert inside_f006(runs()) == [(305, 307), (308, 310)] and inside_f006(runs(figures=[F006])) == []


def test_dot_commands_are_found_on_any_line_of_the_generated_sql():
    assert dot_commands("SELECT 1;\n  .shell rm -rf /\n-- .not a command\n") == [(2, ".shell rm -rf /")]


def test_the_unscanned_planes_hold_no_refused_category():
    """invisible._SCANNED skips planes 2 and 3: they must hold nothing of the categories refused (nor marks)."""
    import unicodedata

    from checks.validate.rules.invisible import _CATEGORIES, _MARKS, _SCANNED

    scanned = {cp for block in _SCANNED for cp in block}
    skipped = [
        cp for cp in range(0xE1000) if cp not in scanned and unicodedata.category(chr(cp)) in _CATEGORIES | _MARKS
    ]
    assert skipped == []


def test_invisible_characters_of_the_seed_are_accepted_at_their_span(copy):
    """A quote may copy the seed as it is, invisible characters included."""
    seed = copy / "seeds/wuqing_2020_paired_assistance_summary.txt"
    text = seed.read_text(encoding="utf-8")
    start = text.index("22.9亿元")
    seed.write_text(text[: start + 2] + "\u200d" + text[start + 2 :], encoding="utf-8")
    from checks.validate.rules.base import Context
    from checks.validate.rules.invisible import rule_for

    ctx = Context(Package(copy), {})
    row = {"figure_id": "F006", "char_start": start, "char_end": start + 7, "quote": "22\u200d.9亿元", "scope_en": "x"}
    import pandas as pd

    check = rule_for("figures").check
    assert check(pd.Series(row), ctx)[0]
    assert not check(pd.Series({**row, "scope_en": "x\u200d"}), ctx)[0]
