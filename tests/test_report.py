"""The validation report as people read it: problems per rule capped (text and JSON), control characters escaped,
unusable input in JSON too."""

from __future__ import annotations

import json

from checks.package import Package
from checks.package.stamp import stamp
from helpers import (
    edit,
    edit_schema,
    read_rows,
    run_cli,
    validate_stage,
    write_rows,
)


def test_problems_per_rule_are_capped_in_text_and_json(copy, monkeypatch):
    """3,000 rows breaking a column rule give the first N problems and a count of the rest, in text and JSON."""
    from checks.validate.report import as_json, as_text

    monkeypatch.setenv("CHECKS_MAX_PROBLEMS", "50")
    header, rows = read_rows(copy / "data/figure_readings.csv")
    write_rows(
        copy / "data/figure_readings.csv", header, rows + [{**rows[0], "aspect": f"aspect_{i}"} for i in range(3000)]
    )
    stamp(Package(copy))
    report = validate_stage(copy, "pandera.figure_readings")
    result = report.rule("pandera.figure_readings")
    assert report.exit_code == 1 and len(result.problems) == 50 and result.count >= 3000
    data = json.loads(as_json(report))
    rule = next(r for r in data["rules"] if r["rule"] == "pandera.figure_readings")
    assert (
        len(rule["problems"]) == 50 and rule["problem_count"] == result.count and rule["omitted"] == result.count - 50
    )
    assert data["summary"]["problems"] == report.problem_count >= 3000
    text = as_text(report)
    assert f"… and {result.count - 20} more (--json lists the first 50" in text and len(text) < 100_000


def test_control_characters_are_escaped_in_the_report(copy):
    edit(copy, "figures", "F016", note="\x1b[31mred")
    done = run_cli("--root", str(copy), "validate")
    assert done.returncode == 1 and "\x1b" not in done.stdout and "\\x1b[31mred" in done.stdout


def test_unusable_input_is_json_too(copy):
    edit_schema(copy, "units", lambda s: s["fields"][0].pop("name"))
    done = run_cli("--root", str(copy), "validate", "--json")
    data = json.loads(done.stdout)
    assert (
        done.returncode == 2
        and data["unusable"]["rule"] == "input.malformed_schema"
        and data["unusable"]["file"] == "schemas/units.json"
    )
