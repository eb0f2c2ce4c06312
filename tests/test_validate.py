"""The validator as users meet it: the command, its exit codes and JSON, offline, and SQL agreeing with pandas."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from checks.database import evaluate_relations_sql, tables_sql
from checks.documents.readme import KNOWN_PROBLEMS, current_readme, known_problems
from checks.package.stamp import stamp
from checks.validate import load_context
from checks.validate.rules.relations import evaluate
from helpers import ROOT, no_network, run_cli


@pytest.fixture(scope="module")
def offline_json() -> dict:
    """`validate --json` on the real package, run once, with every socket connection and name lookup failing
    (helpers.no_network): its exit code and report."""
    with no_network():
        done = run_cli("validate", "--json")
    return {"exit": done.returncode, "report": json.loads(done.stdout)}


def test_real_package_passes_every_rule(offline_json):
    data = offline_json["report"]
    assert offline_json["exit"] == 0 and data["valid"], [r["rule"] for r in data["rules"] if not r["passed"]]
    assert len(data["rules"]) >= 30 and all(r["checked"] > 0 for r in data["rules"])


def test_cli_prints_summary_and_exits_zero():
    done = run_cli("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout and "seed.numeral_coverage" in done.stdout


def test_cli_json_matches_text_verdict(offline_json):
    data = offline_json["report"]
    assert offline_json["exit"] == 0 and data["valid"] and data["summary"]["failed"] == 0
    assert {r["rule"] for r in data["rules"]} >= {
        "frictionless",
        "relations.sql_agrees",
        "figures.base_value_conversion",
    }


def test_cli_on_unusable_input_says_why_without_traceback(copy):
    (copy / "datapackage.json").write_text("{ not json", encoding="utf-8")
    done = run_cli("--root", str(copy), "validate")
    assert done.returncode == 2
    assert "input.malformed_json" in done.stdout and "Traceback" not in done.stdout + done.stderr
    data = json.loads(run_cli("--root", str(copy), "validate", "--json").stdout)
    assert data["exit_code"] == 2 and data["unusable"]["file"] == "datapackage.json"


def test_cli_on_invalid_data_exits_one_and_names_row_and_column(copy):
    path = copy / "data" / "figures.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("亿元,2290000000,CNY", "亿元,229000000,CNY"), encoding="utf-8"
    )
    run_cli("--root", str(copy), "stamp")
    done = run_cli("--root", str(copy), "validate")
    assert done.returncode == 1
    assert "row F006  column base_value  [figures.base_value_conversion]" in done.stdout
    assert "expected: 22.9 × 1e+08 = 2290000000" in done.stdout and "found:    229000000" in done.stdout


def test_pandera_and_sql_agree_on_every_relation(package):
    ctx = load_context(package.root)
    python, sql = evaluate(ctx), evaluate_relations_sql(ctx)
    assert not isinstance(sql, str), sql
    assert sorted(python.index) == sorted(sql.index) and len(python) >= 20
    for rid in python.index:
        assert bool(python.at[rid, "holds"]) == bool(sql.at[rid, "holds"]), rid
        assert python.at[rid, "lhs"] == pytest.approx(sql.at[rid, "lhs"]) and python.at[rid, "rhs"] == pytest.approx(
            sql.at[rid, "rhs"]
        ), rid


def test_validation_needs_no_network(offline_json):
    """An attempt would fail its stage: a `.crashed` result naming the AssertionError, and exit 1."""
    rules = [r["rule"] for r in offline_json["report"]["rules"]]
    assert offline_json["exit"] == 0 and not [rule for rule in rules if rule.endswith(".crashed")], rules


def test_generated_files_are_current(package, tables):
    assert (ROOT / "sql" / "tables.sql").read_text(encoding="utf-8") == tables_sql(package)
    assert (ROOT / "README.md").read_text(encoding="utf-8") == current_readme(package, tables), (
        "run: python -m checks readme"
    )
    assert (ROOT / KNOWN_PROBLEMS).read_text(encoding="utf-8") == known_problems(tables), "run: python -m checks readme"


def test_stamp_is_current_and_deterministic(copy):
    before = (copy / "datapackage.json").read_bytes()
    assert before == (ROOT / "datapackage.json").read_bytes()
    from checks.package import Package

    assert stamp(Package(copy)) == []
    assert (copy / "datapackage.json").read_bytes() == before


def test_frictionless_cli_validates_offline_package():
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_frictionless_runs_offline_and_the_network_comes_back_after():
    from checks.validate.frictionless_stage import offline

    with offline(), pytest.raises(OSError, match="validation is offline"):
        socket.create_connection(("127.0.0.1", 9))
    assert socket.create_connection.__name__ == "create_connection"
