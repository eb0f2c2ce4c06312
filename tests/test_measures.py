"""Measures on a few inline rows: figures counted in one classifier keep one measure, unless a note says why."""

from __future__ import annotations

import pandas as pd

from checks.validate.rules.measures import one_measure_per_classifier


def _verdicts(*rows: tuple[str, str, str, str]) -> list[bool | None]:
    """The rule's verdict on each row of (unit, base_unit, measure, note); None where it does not apply."""
    figures = pd.DataFrame(rows, columns=["unit", "base_unit", "measure", "note"], dtype="string")
    ok = one_measure_per_classifier(figures, ctx=None)["ok"]
    return [None if pd.isna(v) else bool(v) for v in ok]


def test_a_figure_off_its_classifiers_measure_fails():
    rows = [("项", "count", "stock", ""), ("项", "count", "stock", ""), ("项", "count", "count_of_kinds", "")]
    assert _verdicts(*rows) == [True, True, False]


def test_a_note_that_names_the_figures_own_measure_says_why():
    renovated = ("个", "count", "flow", "centres renovated within the round: a flow")
    assert _verdicts(("个", "count", "stock", ""), ("个", "count", "stock", ""), renovated) == [True, True, True]


def test_a_note_that_names_another_measure_does_not():
    mislabelled = ("个", "count", "flow", "not a stock")
    assert _verdicts(("个", "count", "stock", ""), ("个", "count", "stock", ""), mislabelled) == [True, True, False]


def test_two_equally_common_measures_each_need_a_note():
    rows = [("户", "household", "stock", ""), ("户", "household", "flow", "houses renovated: a flow")]
    assert _verdicts(*rows) == [False, True]


def test_units_that_count_no_things_are_not_judged():
    rows = [("亿元", "CNY", "flow", ""), ("亿元", "CNY", "cumulative", ""), ("", "person", "stock", "")]
    assert _verdicts(*rows) == [None, None, None]
