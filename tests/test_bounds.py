"""Every input is bounded, and each bound is shown by what happens at it (never by a stopwatch): rows per table,
rows a query prints, the temp disk and folder of the package's SQL, the sentence rules' work per span."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from checks.package import Package
from checks.package.stamp import stamp
from checks.problems import UnusableInput
from helpers import read_rows, run_cli, write_rows


def test_a_table_over_the_row_limit_is_refused_before_it_is_parsed(copy, monkeypatch):
    """CHECKS_MAX_ROWS under the figures table: refused naming the file and the rule, before any frame exists."""
    from checks.package import tables

    header, rows = read_rows(copy / "data/figures.csv")
    write_rows(copy / "data/figures.csv", header, rows * 3)
    stamp(Package(copy))
    monkeypatch.setenv("CHECKS_MAX_ROWS", str(len(rows) * 2))
    parsed, parse = [], tables._rows
    monkeypatch.setattr(tables, "_rows", lambda text, width: parsed.append(text.count("\n")) or parse(text, width))
    done = run_cli("--root", copy, "validate", "--json")
    refused = json.loads(done.stdout)["unusable"]
    assert done.returncode == 2 and refused["rule"] == "input.too_many_rows" and refused["file"] == "data/figures.csv"
    assert max(parsed, default=0) < len(rows) * 3  # the long table was never parsed into records


def test_a_quoted_line_end_is_not_counted_as_a_row(monkeypatch):
    """Rows are counted as CSV records: a table at the limit whose cells hold line ends passes the count."""
    from checks.package.csv_bytes import check_row_count

    monkeypatch.setenv("CHECKS_MAX_ROWS", "3")
    check_row_count(b'a,b\n1,"x\n\n\n\ny"\n2,z\n3,z\n', "data/t.csv")
    with pytest.raises(UnusableInput) as refused:
        check_row_count(b"a,b\n1,x\n2,z\n3,z\n4,z\n", "data/t.csv")
    assert refused.value.problem.rule == "input.too_many_rows" and refused.value.problem.file == "data/t.csv"


def test_blank_lines_count_as_rows(monkeypatch):
    """The loader skips a blank line, but frictionless reads every one: a table of blank lines is over the limit."""
    from checks.package.csv_bytes import check_row_count

    monkeypatch.setenv("CHECKS_MAX_ROWS", "3")
    with pytest.raises(UnusableInput) as refused:
        check_row_count(b"a,b\n1,x\n" + b"\n" * 10, "data/t.csv")
    assert refused.value.problem.rule == "input.too_many_rows"


def test_diff_refuses_a_table_over_the_row_limit_on_either_side(repo, monkeypatch):
    """BASE's table and the working tree's are held to the limit validation applies, before any row is held."""
    from checks.diff import diff
    from helpers import git

    header, rows = read_rows(repo / "data/units.csv")
    monkeypatch.setenv("CHECKS_MAX_ROWS", "300")  # above every table of the package
    write_rows(repo / "data/units.csv", header, rows * (400 // len(rows) + 1))
    git(repo, "commit", "-q", "-am", "a long units table")
    write_rows(repo / "data/units.csv", header, rows)
    stamp(Package(repo))
    with pytest.raises(UnusableInput) as refused:
        diff(repo, "HEAD")
    assert refused.value.problem.rule == "input.too_many_rows" and refused.value.problem.file == "units"


def test_diff_reads_at_most_a_bounded_listing_of_a_base_folder(repo, monkeypatch):
    """A BASE tree with more entries under seeds/ than diff reads (a git bomb lists a billion paths from a small
    .git) is refused by name, without holding the listing."""
    import checks.diff
    from checks.diff import diff
    from helpers import git

    for n in range(40):
        (repo / "seeds" / f"extra-{n:02}.txt").write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "many files under seeds/")
    monkeypatch.setattr(checks.diff, "MAX_LISTING_BYTES", 1000)
    with pytest.raises(UnusableInput) as refused:
        diff(repo, "HEAD")
    assert refused.value.problem.rule == "diff.too_large" and refused.value.problem.file == "seeds"


def test_query_prints_at_most_the_row_limit_and_counts_the_rest(built_package, monkeypatch):
    monkeypatch.setenv("CHECKS_QUERY_ROWS", "100")
    done = run_cli("--root", built_package, "query", "--format", "csv", "SELECT * FROM range(250000)")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 101
    assert "the first 100 rows are shown, 249,900 more (CHECKS_QUERY_ROWS" in done.stderr


def test_query_under_the_row_limit_says_nothing(built_package, monkeypatch):
    monkeypatch.setenv("CHECKS_QUERY_ROWS", "100")
    done = run_cli("--root", built_package, "query", "--format", "csv", "SELECT * FROM range(100)")
    assert len(done.stdout.splitlines()) == 101 and done.stderr == ""


def test_the_packages_sql_spills_only_into_its_own_bounded_temp_folder(monkeypatch, tmp_path):
    """A sort larger than memory: DuckDB writes temp files only under the system temp, in a folder of its own, stops
    at CHECKS_SQL_TEMP_BYTES naming it, and leaves nothing in the working folder."""
    from checks.database import sandbox

    monkeypatch.setenv("CHECKS_SQL_MEMORY", "32MB")
    monkeypatch.setenv("CHECKS_SQL_TEMP_BYTES", str(2 * 2**20))
    monkeypatch.chdir(tmp_path)
    con = sandbox.sandboxed()
    folder = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert folder.startswith(os.path.realpath(__import__("tempfile").gettempdir())) and "checks-sql-" in folder
    with pytest.raises(sandbox.duckdb.Error) as stopped:
        con.execute("SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) FROM range(1000000) r(i) ORDER BY 2)").fetchall()
    assert sandbox.out_of_space(stopped.value) and "max_temp_directory_size" in str(stopped.value)
    con.close()
    assert not os.path.exists(folder) and list(tmp_path.iterdir()) == []


def test_query_names_the_disk_and_memory_limits_when_the_sql_needs_more(built_package, monkeypatch):
    monkeypatch.setenv("CHECKS_SQL_MEMORY", "32MB")
    monkeypatch.setenv("CHECKS_SQL_TEMP_BYTES", str(2 * 2**20))
    sql = "SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) FROM range(1000000) r(i) ORDER BY 2)"
    done = run_cli("--root", built_package, "query", sql)
    assert done.returncode == 2 and "CHECKS_SQL_TEMP_BYTES" in done.stderr and "CHECKS_SQL_MEMORY" in done.stderr


def _index(starts, ends):
    from checks.validate.rules.spans import SentenceIndex

    starts, ends = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
    rows = pd.DataFrame({"sentence_id": [f"S{i}" for i in range(len(starts))]})
    return SentenceIndex(starts, ends, np.maximum.accumulate(ends), rows)


def test_one_long_sentence_does_not_make_every_later_span_walk_back_to_it():
    """Sentence 0 spans all 10,000 others: a span at the end stops its walk after MAX_WALK sentences (None), where
    it used to visit every earlier sentence (quadratic over the table)."""
    from checks.validate.rules.spans import MAX_WALK

    n = 10_000
    index = _index([0, *range(1, n)], [n + 1, *range(2, n + 1)])
    assert index.touching(n - 1, n) is None
    tiled = _index(list(range(n)), list(range(1, n + 1)))  # sentences that tile their text: the walk is one step
    assert tiled.touching(n - 1, n) == [n - 1] and tiled.touching(10, 13) == [10, 11, 12]
    assert MAX_WALK < n


def test_every_limit_the_code_reads_is_stated_in_security_md():
    import re

    from helpers import ROOT

    read = set()
    for path in (ROOT / "src").rglob("*.py"):
        read |= set(re.findall(r"\"(CHECKS_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    stated = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert read and [name for name in sorted(read) if f"`{name}`" not in stated] == []
