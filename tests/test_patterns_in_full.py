"""A schema pattern must match the whole cell, as the Table Schema means it: pandera and frictionless match
`^pattern$`, where `$` also matches before a final newline and `^a|b$` anchors one branch each."""

from __future__ import annotations

import pandas as pd

from checks.package.tables import pandera_schema
from helpers import edit, validate_stage


def _failing(pattern: str, cells: list[str]) -> list[str]:
    schema = {"fields": [{"name": "key", "type": "string", "constraints": {"pattern": pattern}}]}
    frame = pd.DataFrame({"key": pd.array(cells, dtype="string")})
    try:
        pandera_schema(schema).validate(frame, lazy=True)
    except Exception as err:  # noqa: BLE001 - pandera's SchemaErrors
        return sorted(err.failure_cases["failure_case"].tolist())
    return []


def test_a_final_newline_does_not_pass_a_pattern():
    assert _failing("S[0-9]{2}", ["S01", "S01\n", "S02"]) == ["S01\n"]


def test_each_branch_of_an_alternation_is_anchored():
    """`^a|b$` passes "ax" (its first branch anchors only the start)."""
    assert _failing("a|b", ["a", "b", "ax", "xb"]) == ["ax", "xb"]


def test_a_key_with_a_final_newline_beside_its_twin_is_reported_naming_row_and_rule(copy):
    edit(copy, "figures", "F006", figure_id="F006\n")
    report = validate_stage(copy, "pandera.figures")
    problems = [p for r in report.results for p in r.problems if r.rule == "pandera.figures"]
    assert any(
        p.column == "figure_id" and p.file == "data/figures.csv" and "str_fullmatch" in p.expected for p in problems
    ), problems
