"""The command line's doors: --version, global options after the command, one statement per query, a hint
outside a package, a --list that fits a terminal."""

from __future__ import annotations

import tomllib

from checks.cli import listing
from checks.formats import width
from helpers import ROOT, run_cli


def test_version_prints_the_pyproject_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.split() == ["python", "-m", "checks", version]


def test_root_before_or_after_the_command(tmp_path, built_package):
    root = str(built_package)
    before = run_cli("--root", root, "query", "SELECT count(*) AS n FROM units", cwd=tmp_path)
    after = run_cli("query", "SELECT count(*) AS n FROM units", "--root", root, cwd=tmp_path)
    assert before.returncode == after.returncode == 0 and before.stdout == after.stdout


def test_several_statements_are_refused_clearly(built_package):
    done = run_cli("--root", str(built_package), "query", "SELECT 1; SELECT 2")
    assert done.returncode == 2 and done.stdout == ""
    assert "holds 2" in done.stderr and "`SELECT 1`" in done.stderr and "`SELECT 2`" in done.stderr
    one = run_cli("--root", str(built_package), "query", "SELECT 1 AS one;")
    assert one.returncode == 0  # one statement with its semicolon is one


def test_outside_a_package_a_hint_names_root(tmp_path):
    done = run_cli("validate", cwd=tmp_path)
    assert done.returncode == 2 and "input.missing_file" in done.stdout and "--root" in done.stderr
    given = run_cli("--root", str(tmp_path), "validate", cwd=tmp_path)
    assert given.returncode == 2 and "--root" not in given.stderr  # named explicitly: no hint


def test_list_fits_the_terminal(built_package):
    done = run_cli("--root", str(built_package), "query", "--list", columns=80)
    assert done.returncode == 0 and "figures_labelled" in done.stdout
    assert max(width(line) for line in done.stdout.splitlines()) <= 80


def test_listing_wraps_wide_text_by_terminal_columns():
    text = listing(["name", "kind", "description"], [("money", "view", "金额 " * 40 + "a" * 120)], 60)
    assert max(width(line) for line in text.splitlines()) <= 60 and text.count("金额") == 40


def test_the_in_process_runner_gives_what_a_process_gives(tmp_path):
    """The tests run the command line in their own process (helpers.run_cli); its exit codes, stdout and stderr are
    the interpreter's: argparse's exits (--version on stdout, a usage error wrapped to the pipe's width), a refusal."""
    from helpers import run_cli_process

    for args in (["--version"], ["query", "--format", "nope", "SELECT 1"], ["query", "SELECT 1; SELECT 2"]):
        mine, real = run_cli(*args, cwd=tmp_path), run_cli_process(*args, cwd=tmp_path)
        assert (mine.returncode, mine.stdout, mine.stderr) == (real.returncode, real.stdout, real.stderr), args
