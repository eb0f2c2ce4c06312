"""`python -m checks query`: every format, --list, and DuckDB's own message (exit 2) for bad SQL."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from checks.formats import as_table, width
from helpers import run_cli

SQL = (
    "SELECT figure_id, m.stated, char_start, yi_yuan, m.period_start, m.quote FROM money AS m "
    "JOIN figures USING (figure_id) WHERE figure_id IN ('D002', 'F006') ORDER BY 1"
)


def test_table_is_aligned_with_wide_characters(built_package):
    done = run_cli("--root", str(built_package), "query", SQL)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "figure_id  stated  char_start  yi_yuan  period_start  quote\n"
        "---------  ------  ----------  -------  ------------  --------\n"
        "D002       false                   1.5\n"
        "F006       true           305     22.9  2017-08-01    22.9亿元\n"
        "(2 rows)\n"
    )


def test_csv_json_and_markdown(built_package):
    def query(fmt: str) -> str:
        return run_cli("--root", str(built_package), "query", "--format", fmt, SQL).stdout

    rows = list(csv.DictReader(io.StringIO(query("csv"))))
    assert rows[1] == {
        "figure_id": "F006",
        "stated": "true",
        "char_start": "305",
        "yi_yuan": "22.9",
        "period_start": "2017-08-01",
        "quote": "22.9亿元",
    }
    records = json.loads(query("json"))
    assert records[0] == {
        "figure_id": "D002",
        "stated": False,
        "char_start": None,
        "yi_yuan": 1.5,
        "period_start": None,
        "quote": None,
    }
    markdown = query("markdown").splitlines()
    assert markdown[0].startswith("| figure_id | stated |") and markdown[1].startswith(
        "|-----------|--------|-----------:|"
    )
    assert markdown[3] == "| F006      | true   |        305 |    22.9 | 2017-08-01   | 22.9亿元 |"


def test_list_describes_every_table_and_view(built_package):
    done = run_cli("--root", str(built_package), "query", "--list")
    assert done.returncode == 0
    lines = {
        line.split()[0]: line for line in done.stdout.splitlines()[2:-1] if not line[0].isspace()
    }  # not wrapped text
    assert "village cohort" in lines["village_cohort"] and lines["figures"].split()[1] == "table"
    from checks.package import Package
    from helpers import ROOT

    assert set(Package(ROOT).table_names) < set(lines) and {
        "money",
        "relations_explained",
        "figures_corroborated",
    } < set(lines)


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELEC 1", 'Parser Error: syntax error at or near "SELEC"'),
        ("SELECT nope FROM figures", "Binder Error"),
        ("SELECT * FROM read_csv('/etc/passwd')", "Permission Error"),
    ],
)
def test_bad_sql_prints_duckdbs_message_and_exits_2(built_package, sql, message):
    done = run_cli("--root", str(built_package), "query", sql)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(message.split(":")[0]) and message in done.stderr and "Traceback" not in done.stderr


def test_query_needs_sql_or_list():
    done = run_cli("query")
    assert done.returncode == 2 and "--list" in done.stderr


def test_query_on_unusable_package_exits_2(copy):
    (copy / "data" / "units.csv").unlink()
    done = run_cli("query", "SELECT 1", cwd=copy)
    assert done.returncode == 2 and "units.csv" in done.stderr and "Traceback" not in done.stderr


def test_widths_count_wide_characters_twice():
    assert width("22.9亿元") == 8
    assert as_table(["a"], [("亿",), ("ab",)]).splitlines()[:2] == ["a", "--"]


def _answer(root, sql):
    from checks.query import run

    answer = run(root, sql)
    assert answer.error is None, answer.error
    return answer.columns, answer.rows


def test_a_current_build_answers_without_loading_the_package(monkeypatch, tmp_path, built_package):
    from checks import validate
    from front_helpers import copy_package

    loaded = _answer(copy_package(tmp_path), SQL)  # the same package without a database: it is loaded

    def refuse(*args, **kwargs):
        raise AssertionError("the package was loaded although the built database is current")

    monkeypatch.setattr(validate, "load_context", refuse)
    assert _answer(built_package, SQL) == loaded
    listed = _answer(built_package, "SELECT count(*) FROM duckdb_views() WHERE NOT internal")
    monkeypatch.undo()
    assert _answer(built_package, "SELECT count(*) FROM duckdb_views() WHERE NOT internal") == listed
    # and the command itself loads neither pandas nor the validator (what keeps a query under half a second)
    code = (
        "import sys; from checks.cli import main; main(['--root', sys.argv[1], 'query', 'SELECT 1']); "
        "print(sorted(m for m in ('pandas', 'pandera', 'frictionless', 'checks.validate') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", code, str(built_package)], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_a_stale_build_is_not_used(tmp_path, built_package):
    from front_helpers import copy_built

    root = copy_built(built_package, tmp_path / "package")
    figures = root / "data" / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace("F006,", "F906,", 1), encoding="utf-8")
    (_, rows) = _answer(root, "SELECT count(*) FROM figures WHERE figure_id = 'F906'")
    assert rows == [(1,)]
