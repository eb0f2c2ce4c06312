"""Small things the command line does for its user: `-V`, SQL from standard input, the program's own name in its
usage line, the resolved path of a missing --root, counts in the right number, diff's help in whole words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from checks.cli import program_name
from checks.problems import counted
from helpers import ROOT, run_cli, run_cli_process


def test_dash_v_prints_the_version():
    done = run_cli("-V")
    assert done.returncode == 0 and done.stdout.startswith("python -m checks ") and done.stdout.split()[-1][0].isdigit()


def test_query_reads_the_sql_from_standard_input(built_package, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 41 + 1 AS answer\n"))
    done = run_cli("--root", built_package, "query", "-", "--format", "csv")
    assert done.returncode == 0 and done.stdout == "answer\n42\n"


def test_query_from_standard_input_in_a_process(built_package):
    done = subprocess.run(
        [sys.executable, "-P", "-m", "checks", "--root", str(built_package), "query", "--format", "csv", "-"],
        input="SELECT 'from stdin' AS x",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout == "x\nfrom stdin\n"


def test_the_usage_line_names_the_program_as_started(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/wuqing-checks", "--help"])
    assert program_name(None) == "wuqing-checks"
    monkeypatch.setattr(sys, "argv", [str(Path("src/checks/__main__.py").resolve())])
    assert program_name(None) == "python -m checks"
    assert program_name(["--help"]) == "python -m checks"
    assert run_cli_process("--help").stdout.startswith("usage: python -m checks")


def test_the_console_script_names_itself():
    script = Path(sys.executable).with_name("wuqing-checks")
    if script.exists():
        done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert done.stdout.startswith("usage: wuqing-checks")


def test_a_missing_root_is_named_by_its_resolved_path(tmp_path):
    done = run_cli("--root", "no-such-folder", "validate", cwd=tmp_path)
    resolved = str((tmp_path / "no-such-folder").resolve())
    assert done.returncode == 2 and "[input.missing_root]" in done.stderr and resolved in done.stderr


def test_counts_have_their_nouns_in_the_right_number(copy):
    assert [counted(n, "problem") for n in (0, 1, 2)] == ["0 problems", "1 problem", "2 problems"]
    from helpers import edit

    edit(copy, "figures", "F006", value="22.8")
    done = run_cli("--root", copy, "validate")
    assert done.returncode == 1 and " 1 problems" not in done.stdout and "1 problem" in done.stdout


def test_diff_help_says_when_it_exits_1():
    for args in (["--help"], ["diff", "--help"]):
        text = " ".join(run_cli(*args).stdout.split())
        assert "exit 1 if any is" not in text and "exit 1 when it loosens anything" in text, args
