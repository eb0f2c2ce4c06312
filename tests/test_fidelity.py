"""The fidelity layer: the product relation, corroborations and readings fail on the row that is wrong, and only
there."""

from __future__ import annotations

import pytest

from checks.validate import load_context
from checks.validate.rules.relations import evaluate
from helpers import drop, edit, read_rows, validate_stage


def _failing(report, rule: str) -> set[str]:
    return {p.row for p in report.problems if p.rule == rule}


def test_the_product_relation_is_evaluated_in_pandas(package):
    result = evaluate(load_context(package.root)).loc["L27"]
    assert (result["lhs"], result["rhs"], bool(result["holds"])) == (832.0, 832.0, True)


@pytest.mark.parametrize("figure, value", [("F053", 833), ("F075", 5), ("F050", 207)])
def test_a_broken_product_fails_its_own_relation(copy, figure, value):
    edit(copy, "figures", figure, value=value, base_value=value)
    report = validate_stage(copy, "relations.evaluate_as_declared")  # both rules are of the relations table
    assert "L27" in _failing(report, "relations.evaluate_as_declared")
    assert "L27" not in _failing(report, "relations.sql_agrees")  # SQL sees the same broken product


def test_a_product_within_its_tolerance_holds(copy):
    edit(copy, "figures", "F053", value=834, base_value=834)
    edit(copy, "relations", "L27", tolerance=2)
    report = validate_stage(copy, "relations.evaluate_as_declared")
    assert "L27" not in _failing(report, "relations.evaluate_as_declared") | _failing(
        report, "relations.tolerance_within_bound"
    )


def test_a_difference_without_a_note_names_its_row(copy):
    _, rows = read_rows(copy / "data" / "corroborations.csv")
    differs = [r["corroboration_id"] for r in rows if r["verdict"] == "differs"]
    assert differs, "the package records at least one source that words a figure differently"
    edit(copy, "corroborations", differs[0], note="")
    assert _failing(validate_stage(copy, "corroborations.note_says_how"), "corroborations.note_says_how") == {
        differs[0]
    }


def test_an_agreement_needs_no_note(copy):
    edit(copy, "corroborations", "C01", note="")
    for stage in ("frictionless", "corroborations.note_says_how"):  # the schema's constraints, the table's rules
        assert validate_stage(copy, stage).exit_code == 0, stage


def test_every_corroborating_source_is_a_declared_source(package):
    _, sources = read_rows(package.root / "data" / "sources.csv")
    _, rows = read_rows(package.root / "data" / "corroborations.csv")
    kinds = {s["source_id"]: s["kind"] for s in sources}
    assert [s["source_id"] for s in sources if s["kind"] == "report"] == ["S01"]
    assert {r["source_id"] for r in rows} <= set(kinds) - {"S01"}


def test_a_reading_that_is_only_noted_does_not_excuse_a_numeral(copy):
    # R45 (战区制…1号工程) is a noted reading over 1号工程: the numeral still needs its non-figure
    drop(copy, "non_figures", lambda row: row["quote"] != "1号工程")
    assert "seed.numeral_coverage" in {p.rule for p in validate_stage(copy, "seed.numeral_coverage").problems}
