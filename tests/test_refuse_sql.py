"""The package's own SQL: declared, UTF-8, sandboxed (it cannot read or write files), bounded in time in every
command, stopped by Ctrl-C, and a failure names its file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checks.package import Package
from checks.package.stamp import stamp
from checks.validate import validate
from helpers import (
    ROOT,
    refused_by_name,
    run_cli,
    validate_stage,
)

OUTSIDE_MARK = "written-from-a-view"


# name → (how to craft the copy (root, tmp_path), the rule that must refuse it with exit 2)
UNUSABLE = {
    "undeclared SQL file": (
        lambda r, t: (r / "sql" / "extra.sql").write_text("SELECT 1;", encoding="utf-8"),
        "input.undeclared_sql",
    ),
    "SQL file not UTF-8": (
        lambda r, t: (
            (r / "sql/views.sql").write_bytes("-- café\n".encode("latin-1") + (r / "sql/views.sql").read_bytes())
            or stamp(Package(r))
        ),
        "input.encoding",
    ),
}


def _appended(sql: str):
    """A craft that appends SQL to sql/views.sql and restamps."""

    def craft(root: Path, tmp: Path) -> None:
        path = root / "sql/views.sql"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + sql + "\n", encoding="utf-8")
        stamp(Package(root))

    return craft


#: SQL that could answer one way during validation and another in the built file (or fill its disk): refused before
#: any of it runs, naming the file and the statement.
INCONSISTENT = {
    "a view that asks which database it is on": "CREATE VIEW demo AS SELECT CASE WHEN (SELECT coalesce(path, '') "
    "FROM duckdb_databases() WHERE database_name = current_database()) = '' THEN 'a' ELSE 'b' END AS v;",
    "a view that asks a setting": "CREATE VIEW demo AS SELECT current_setting('threads') AS v;",
    "a view of random numbers": "CREATE VIEW demo AS SELECT random() AS v;",
    "a view of the time": "CREATE VIEW demo AS SELECT now() AS v;",
    "a view of the catalog": "CREATE VIEW demo AS SELECT * FROM information_schema.tables;",
    "a view over a generated range": "CREATE VIEW demo AS SELECT * FROM range(10);",
    "a table, not a view": "CREATE TABLE pad AS SELECT 1 AS a;",
    "a setting": "SET threads = 1;",
    "a macro": "CREATE MACRO m() AS 1;",
}
UNUSABLE |= {name: (_appended(sql), "input.unsafe_sql") for name, sql in INCONSISTENT.items()}


def test_the_packages_own_sql_passes_the_consistency_check(copy):
    """Every view the package has reads only its tables and views and calls only consistent functions."""
    report = validate_stage(copy, "input.unsafe_sql")
    assert report.unusable is None


@pytest.mark.parametrize("name", UNUSABLE)
def test_crafted_input_is_refused_by_name(copy, tmp_path, name):
    refused_by_name(copy, tmp_path, *UNUSABLE[name])


def test_non_utf8_sql_names_the_file(copy):
    (copy / "sql/views.sql").write_bytes(b"\xff" + (copy / "sql/views.sql").read_bytes())
    stamp(Package(copy))
    report = validate(copy)
    assert (
        report.unusable.file == "sql/views.sql"
        and "not UTF-8" in report.unusable.message
        and report.unusable.row == "line 1"
    )


def test_sql_of_the_package_cannot_touch_files(copy, tmp_path):
    """A statement that writes outside the package and a view that reads the machine are refused before any SQL
    runs; and were one to run, the sandbox would refuse both."""
    import duckdb

    from checks.database.sandbox import sandboxed

    target = tmp_path.parent / f"{tmp_path.name}-{OUTSIDE_MARK}.txt"
    statements = [
        f"COPY (SELECT 'x') TO '{target}'",
        "CREATE OR REPLACE VIEW leak AS SELECT * FROM read_text('/etc/hostname')",
    ]
    path = copy / "sql" / "views.sql"
    path.write_text(path.read_text(encoding="utf-8") + "".join(f"\n{s};" for s in statements), encoding="utf-8")
    stamp(Package(copy))
    report = validate(copy)
    assert not target.exists()
    assert report.exit_code == 2 and report.unusable.rule == "input.unsafe_sql"
    con = sandboxed()
    try:
        for sql in (statements[0], "SELECT * FROM read_text('/etc/hostname')"):
            with pytest.raises(duckdb.Error, match="disabled by configuration"):
                con.execute(sql)
    finally:
        con.close()
    assert not target.exists()


def test_an_edited_view_is_a_stale_hash(copy):
    path = copy / "sql" / "views.sql"
    path.write_text(path.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    report = validate_stage(copy, "frictionless.hash-count")
    assert report.exit_code == 1 and any(
        p.rule == "frictionless.hash-count" and "views.sql" in p.file for p in report.problems
    )


def test_sql_failure_names_the_sql_file():
    """A file of the package's SQL that DuckDB rejects is named in the error, with DuckDB's first line."""
    from checks.database.sandbox import SQLFileError, run_sql_file, sandboxed

    con = sandboxed()
    with pytest.raises(SQLFileError) as failed:
        run_sql_file(con, "sql/views.sql", "CREATE VIEW v AS SELECT * FROM no_such_table;")
    assert failed.value.file == "sql/views.sql" and str(failed.value).startswith("sql/views.sql: Catalog Error")


#: A count over the cross product of seven copies of the 78 figures: 10^13 rows, consistent, and hours of work.
FOREVER = "(SELECT count(*) FROM figures f1, figures f2, figures f3, figures f4, figures f5, figures f6, figures f7)"


def test_package_sql_that_runs_forever_is_stopped(copy, monkeypatch):
    """relation_results made to count for hours: validation stops it at CHECKS_SQL_SECONDS and names the limit."""
    path = copy / "sql" / "relations.sql"
    text = path.read_text(encoding="utf-8").replace("relation_results", "relation_results_base")
    text += f"\nCREATE VIEW relation_results AS SELECT * FROM relation_results_base WHERE {FOREVER} > 0;\n"
    path.write_text(text, encoding="utf-8")
    stamp(Package(copy))
    monkeypatch.setenv("CHECKS_SQL_SECONDS", "0.5")
    report = validate_stage(copy, "relations.sql_agrees")
    assert report.exit_code == 1 and "CHECKS_SQL_SECONDS" in report.rule("relations.sql_agrees").problems[0].found


def _slow_view(root: Path) -> None:
    with open(root / "sql/views.sql", "a", encoding="utf-8") as f:
        f.write(f"\nCREATE VIEW slow AS SELECT {FOREVER} AS n;\n")
    stamp(Package(root))


def test_query_of_a_slow_view_stops_at_the_time_limit(copy, monkeypatch):
    """No dist/, a view that runs for hours: `query` stops at CHECKS_SQL_SECONDS, exit 2, naming the limit."""
    _slow_view(copy)
    monkeypatch.setenv("CHECKS_SQL_SECONDS", "0.5")
    done = run_cli("--root", str(copy), "query", "SELECT * FROM slow")
    assert done.returncode == 2 and done.stdout == ""
    assert "ran past 0.5 s (CHECKS_SQL_SECONDS) and was stopped" in done.stderr  # the deadline stopped it, not Ctrl-C


def _cli(root: Path, *args: str) -> subprocess.Popen:
    """The command in a new interpreter that takes Ctrl-C as a terminal gives it, also where the tests run with SIGINT
    ignored (a shell's background job passes that on, and Python then installs no handler of its own)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "checks", "--root", str(root), *args],
        cwd=root.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _in_sql(pid: int) -> bool:
    """Whether the process is inside a bounded run of SQL: the socket pair of its deadline watcher is open
    (checks.database.sandbox.deadline; the command opens no other socket)."""
    return any(os.readlink(fd).startswith("socket:") for fd in Path(f"/proc/{pid}/fd").iterdir())


def _wait_inside_sql(process: subprocess.Popen, at_most: float, settled: float = 0.5) -> None:
    """Until the process has been inside one run of SQL for `settled` seconds (the package's views are created in a
    moment; the slow query never ends), or at_most seconds (no /proc: the old fixed wait)."""
    deadline, since = time.monotonic() + at_most, None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            inside = _in_sql(process.pid)
        except OSError:  # a descriptor closed while read, or no /proc
            inside = False
        now = time.monotonic()
        since = (since or now) if inside else None
        if since is not None and now - since >= settled:
            return
        time.sleep(0.05)


@pytest.mark.parametrize("command, after", [(("query", "SELECT * FROM slow"), 6)])
def test_ctrl_c_ends_with_one_line_and_exit_130(copy, command, after):
    """Ctrl-C (SIGINT) in the middle of a command (for query: inside DuckDB's run of a slow view, which does
    not always look for signals itself): one line on stderr, exit 130, no traceback."""
    _slow_view(copy)
    process = _cli(copy, *command)
    _wait_inside_sql(process, after)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out[-500:], err[-2000:])
    assert (
        err.strip().splitlines() == [f"interrupted: python -m checks {command[0]} stopped by Ctrl-C"]
        and "Traceback" not in err
    )
