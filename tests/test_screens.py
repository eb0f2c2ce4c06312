"""The column forms of the rules (screens) agree with the row checks: same verdict on every row, same messages.

The row check of each rule is its reference. On a copy broken by every data fault of the fault tests at once, and
on a package repeated 10×, each screened rule must give exactly what checking every row one by one gives.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from benchmarks.generate import generate
from checks.validate.rules import ROW_RULES
from checks.validate.rules.relations import evaluate, evaluate_one_by_one
from checks.package.tables import pandera_schema
from checks.validate import load_context
from test_faults import FAULTS
from test_robustness import DATA_FAULTS

SCREENED = [rule for rule in ROW_RULES if rule.screen is not None]


def _all_data_faults(root) -> None:
    faults = [inject for inject, code, _ in FAULTS.values() if code == 1] + [inject for inject, _ in DATA_FAULTS.values()]
    for inject in faults:
        try:
            inject(root)
        except (AssertionError, StopIteration):  # an earlier fault removed the row this one edits
            pass


def _assert_screens_agree(root) -> None:
    ctx = load_context(root)
    for rule in SCREENED:
        frame = pandera_schema(ctx.package.schema(rule.table)).coerce_dtype(ctx.tables[rule.table])
        screened, rowwise = rule.evaluate(frame, ctx), replace(rule, screen=None).evaluate(frame, ctx)
        verdict = lambda outcome: outcome.ok.astype(object).where(outcome.ok.notna(), "n/a").tolist()  # noqa: E731
        assert verdict(screened) == verdict(rowwise), rule.name
        assert rowwise.failures.index.equals(rowwise.ok.index[rowwise.ok.eq(False).fillna(False).to_numpy(bool)]), rule.name
        pd.testing.assert_frame_equal(screened.failures, rowwise.failures, obj=rule.name)


def _assert_relations_agree(root) -> None:
    """The relations evaluated as columns give exactly (bit for bit, same words) what evaluating each one gives."""
    ctx = load_context(root)
    pd.testing.assert_frame_equal(evaluate(ctx), evaluate_one_by_one(ctx), check_exact=True)


@pytest.fixture
def small_chunks(monkeypatch):
    """The English tokenised and the quotes compared a few rows at a time, as they are at scale."""
    from checks.validate.rules import anchoring, sentences

    monkeypatch.setattr(sentences, "TOKEN_CHUNK", 7)
    monkeypatch.setattr(anchoring, "SLICE_CHUNK", 7)


def test_screens_agree_with_row_checks_on_broken_data(copy, small_chunks):
    _all_data_faults(copy)
    _assert_screens_agree(copy)
    _assert_relations_agree(copy)


def test_screens_agree_with_row_checks_at_ten_times(tmp_path, small_chunks):
    root = generate(tmp_path / "x10", 10)
    _assert_screens_agree(root)
    _assert_relations_agree(root)


def test_coverage_runs_match_a_character_by_character_reading():
    """Uncovered numeral runs from sorted spans and binary search equal marking every covered character one by one."""
    import random

    from checks.validate.numerals import NUMERAL_CHARACTERS
    from checks.validate.rules import coverage

    rng = random.Random(7)
    numerals = sorted(NUMERAL_CHARACTERS)
    for _ in range(200):
        seed = "".join(rng.choice(numerals) if rng.random() < 0.4 else rng.choice("村a,。 ") for _ in range(rng.randint(0, 60)))
        spans = [(rng.randint(-3, 65), rng.randint(-3, 65)) for _ in range(rng.randint(0, 6))]
        ctx = type("Ctx", (), {"seed": seed, "memo": lambda self, name, compute: compute(self)})()
        as_arrays = (np.array([s for s, _ in spans], dtype=np.int64), np.array([e for _, e in spans], dtype=np.int64))
        original, coverage.covered_spans = coverage.covered_spans, lambda _ctx: as_arrays
        try:
            runs = coverage.uncovered_runs(ctx)
        finally:
            coverage.covered_spans = original
        covered = {i for s, e in spans for i in range(max(s, 0), min(e, len(seed)))}
        loose = [i for i, c in enumerate(seed) if c in NUMERAL_CHARACTERS and i not in covered]
        expected = []
        for i in loose:
            if expected and expected[-1][1] == i:
                expected[-1] = (expected[-1][0], i + 1)
            else:
                expected.append((i, i + 1))
        assert runs == expected, (seed, spans)
        assert list(coverage.numeral_positions(seed, chunk=7)) == [i for i, c in enumerate(seed) if c in NUMERAL_CHARACTERS]


def test_distinct_values_number_rows_as_a_dictionary_of_tuples_would():
    """figures.number_in_english computes forms once per distinct (numeral, base value, date); missing is a value."""
    from checks.validate.rules.sentences import _distinct_values

    frame = pd.DataFrame({"numeral": pd.array(["七", "7", None, "七", "7", None, "七"], dtype="string"),
                          "base_value": [7.0, 7.0, np.nan, 7.0, 70.0, np.nan, np.nan],
                          "date_value": pd.array([None, None, "2019-07", None, None, "2019-07", None], dtype="string")})
    codes, distinct = _distinct_values(frame, list(frame.columns))
    as_tuples = [tuple(None if pd.isna(x) else x for x in row) for row in frame.itertuples(index=False)]
    numbering: dict = {}
    assert codes.tolist() == [numbering.setdefault(t, len(numbering)) for t in as_tuples]
    assert [tuple(None if pd.isna(x) else x for x in row) for row in distinct.itertuples(index=False)] == list(numbering)
