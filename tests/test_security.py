"""Security, third pass (issue 20): each probe that got through, now refused by name (exit 2) or reported (exit 1)."""

from __future__ import annotations

import gzip
import hashlib
import json
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
    edit,
    edit_schema,
    read_descriptor,
    read_rows,
    run_cli,
    save_descriptor,
    set_resource,
    validate_stage,
    write_rows,
)


def _declare(root: Path, name: str, rel: str, data: bytes, **extra) -> None:
    """Add a file resource holding data at rel, stamped with its true bytes and sha256."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data)
    descriptor = read_descriptor(root)
    descriptor["resources"].append(
        {"name": name, "path": rel, "bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}", **extra}
    )
    save_descriptor(root, descriptor)


def _outside(tmp_path: Path, name: str, data: bytes = b"secret-line-from-outside\n") -> Path:
    path = tmp_path.parent / f"{tmp_path.name}-{name}"
    path.write_bytes(data)
    return path


def _extrapath_symlink_out(root: Path, tmp: Path) -> None:
    (root / "data" / "more_units.csv").symlink_to(_outside(tmp, "units.csv"))
    set_resource(root, "units", extrapaths=["data/more_units.csv"])


def _gzip_resource(root: Path, tmp: Path) -> None:
    _declare(
        root,
        "extra_rows",
        "data/extra_rows.csv.gz",
        gzip.compress(b"a,b\n" + b"1,2\n" * 1000),
        format="csv",
        compression="gz",
    )


def _gzip_disguised(root: Path, tmp: Path) -> None:
    _declare(root, "extra_rows", "data/extra_rows.csv", gzip.compress(b"a,b\n" + b"1,2\n" * 1000), format="csv")


def _duplicate_key(root: Path, rel: str, key: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    first = text.index(f'"{key}"')
    path.write_text(text[:first] + f'"{key}": "shadowed", ' + text[first:], encoding="utf-8")


# point → (how to craft the copy, the rule that must refuse it with exit 2)
REFUSED = {
    "3 extrapaths through a symlink out": (_extrapath_symlink_out, "input.unsafe_path"),
    "3 licence path out of the package": (
        lambda r, t: set_resource(r, "source_text", licenses=[{"name": "x", "path": "../../etc/passwd"}]),
        "input.unsafe_path",
    ),
    "3 source path out of the package": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "sources": [{"title": "x", "path": "/etc/passwd"}]}),
        "input.unsafe_path",
    ),
    "5 package name with ../": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "name": "../data/figures"}),
        "input.unsafe_name",
    ),
    "5 package name into .git": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "name": "../.git/hooks/pre-commit"}),
        "input.unsafe_name",
    ),
    "9 made-up hash algorithm": (lambda r, t: set_resource(r, "sql_views", hash="sha999:0"), "input.hash_algorithm"),
    "9 md5 hash": (lambda r, t: set_resource(r, "sql_views", hash="md5:" + "0" * 32), "input.hash_algorithm"),
    "10 duplicate key in datapackage.json": (
        lambda r, t: _duplicate_key(r, "datapackage.json", "name"),
        "input.duplicate_key",
    ),
    "10 duplicate key in a schema": (
        lambda r, t: _duplicate_key(r, "schemas/units.json", "fields"),
        "input.duplicate_key",
    ),
    "13 alternation under a repeat": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(a|a)*c")),
        "input.unsafe_pattern",
    ),
    "13 two unbounded repeats": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="a*a*a*a*c")),
        "input.unsafe_pattern",
    ),
    "13 lookahead RE2 cannot run": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(?=a).*")),
        "input.unsafe_pattern",
    ),
    "14 gzip resource": (_gzip_resource, "input.compressed"),
    "14 gzip bytes under a .csv name": (_gzip_disguised, "input.compressed"),
    "messages: SQL file not UTF-8": (
        lambda r, t: (
            (r / "sql/views.sql").write_bytes("-- café\n".encode("latin-1") + (r / "sql/views.sql").read_bytes())
            or stamp(Package(r))
        ),
        "input.encoding",
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_crafted_package_is_refused_by_name(copy, tmp_path, monkeypatch, name):
    """Refused before any table is read: nothing is decompressed, and no pattern runs over a cell."""
    import checks.validate

    craft, rule = REFUSED[name]
    craft(copy, tmp_path)

    def never(*args, **kwargs):
        raise AssertionError("a table was read although the package is refused before that")

    monkeypatch.setattr(checks.validate, "load_table", never)
    report = validate(copy)
    assert report.exit_code == 2, (name, report.failed_rules())
    assert report.unusable.rule == rule and report.unusable.file and report.unusable.message, report.unusable
    assert "secret-line-from-outside" not in json.dumps(report.unusable.as_dict())


def test_non_utf8_sql_names_the_file(copy):
    (copy / "sql/views.sql").write_bytes(b"\xff" + (copy / "sql/views.sql").read_bytes())
    stamp(Package(copy))
    report = validate(copy)
    assert (
        report.unusable.file == "sql/views.sql"
        and "not UTF-8" in report.unusable.message
        and report.unusable.row == "line 1"
    )


def test_patterns_of_the_package_are_accepted():
    from checks.package.fields import TEXT_PATTERN
    from checks.package.preflight import pattern_risk

    patterns = {
        f.get("constraints", {}).get("pattern")
        for path in (ROOT / "schemas").glob("*.json")
        for f in json.loads(path.read_text(encoding="utf-8"))["fields"]
    } - {None}
    assert TEXT_PATTERN in patterns and all(pattern_risk(p) is None for p in patterns)


def test_problems_per_rule_are_capped_in_text_and_json(copy, monkeypatch):
    """16: 3,000 rows breaking a column rule give the first N problems and a count of the rest, in text and JSON."""
    from checks.validate.report import as_json, as_text

    monkeypatch.setenv("CHECKS_MAX_PROBLEMS", "50")
    header, rows = read_rows(copy / "data/figure_readings.csv")
    write_rows(
        copy / "data/figure_readings.csv", header, rows + [{**rows[0], "aspect": f"aspect_{i}"} for i in range(3000)]
    )
    stamp(Package(copy))
    report = validate(copy)
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


@pytest.mark.parametrize(
    "hidden", ["\u202e", "\u2066", "\u2028", "\u200d", "\U000e0041", "\ufffe", "\ue000", "e\u0301\u0301\u0301"]
)
def test_invisible_characters_in_cells_are_refused(copy, hidden):
    """Bidi controls, separators, ZWJ, tags, noncharacters, private use and stacked marks in a text cell: exit 1, by
    row."""
    edit(copy, "figures", "F006", scope_en=f"the 208 {hidden}paired villages")
    report = validate_stage(copy, "figures.invisible_characters")
    result = report.rule("figures.invisible_characters")
    assert report.exit_code == 1 and [p.row for p in result.problems] == ["F006"], report.failed_rules()
    assert result.problems[0].file == "data/figures.csv" and f"U+{ord(hidden[-1]):04X}" in result.problems[0].found
    assert "scope_en" in result.problems[0].found


def test_the_unscanned_planes_hold_no_refused_category():
    """invisible._SCANNED skips planes 2 and 3: they must hold nothing of the categories refused (nor marks)."""
    import unicodedata

    from checks.validate.rules.invisible import _CATEGORIES, _MARKS, _SCANNED

    scanned = {cp for block in _SCANNED for cp in block}
    skipped = [
        cp for cp in range(0xE1000) if cp not in scanned and unicodedata.category(chr(cp)) in _CATEGORIES | _MARKS
    ]
    assert skipped == []


def test_invisible_characters_of_the_seed_are_accepted_at_their_span(copy):
    """11: a quote may copy the seed as it is, invisible characters included."""
    seed = copy / "seeds/wuqing_2020_paired_assistance_summary.txt"
    text = seed.read_text(encoding="utf-8")
    start = text.index("22.9亿元")
    seed.write_text(text[: start + 2] + "\u200d" + text[start + 2 :], encoding="utf-8")
    from checks.validate.rules.base import Context
    from checks.validate.rules.invisible import rule_for

    ctx = Context(Package(copy), {})
    row = {"figure_id": "F006", "char_start": start, "char_end": start + 7, "quote": "22\u200d.9亿元", "scope_en": "x"}
    import pandas as pd

    check = rule_for("figures").check
    assert check(pd.Series(row), ctx)[0]
    assert not check(pd.Series({**row, "scope_en": "x\u200d"}), ctx)[0]


# --- what the build writes: all or nothing, never through a symlink (points 6, 7, 15) ---

ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)
    )
    + "title: boom\n"
)


@pytest.fixture
def built(tmp_path, built_package):
    from front_helpers import copy_built

    return copy_built(built_package, tmp_path / "package")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "dist").rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _leftovers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".dist")]


def test_alias_bomb_in_citation_is_refused_before_anything_is_written(built):
    """15 and 7: aliases are refused (no expansion); the build stops before writing, naming CITATION.cff."""
    import yaml

    from checks.outputs.build import build
    from checks.problems import UnusableInput

    before = _snapshot(built)
    (built / "CITATION.cff").write_text(ALIAS_BOMB, encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("the YAML document was built although it holds aliases")

    with pytest.MonkeyPatch.context() as patch:  # refused while composing, at the first anchor: nothing expanded
        patch.setattr(yaml.SafeLoader, "construct_document", never)
        with pytest.raises(UnusableInput) as refused:
            build(built)
    assert refused.value.problem.file == "CITATION.cff" and refused.value.problem.rule == "input.malformed_citation"
    assert "aliases" in refused.value.problem.message and "line 1," in refused.value.problem.message
    assert _snapshot(built) == before and _leftovers(built) == []


@pytest.mark.parametrize("text", ["title: [unclosed\n", "- just\n- a list\n", "title: x\nauthors: nobody\n"])
def test_malformed_citation_names_the_file_and_rule(built, text):
    from checks.package.citation import read_citation
    from checks.problems import UnusableInput

    (built / "CITATION.cff").write_text(text, encoding="utf-8")
    with pytest.raises(UnusableInput) as refused:
        read_citation(Package(built))
    assert refused.value.problem.file == "CITATION.cff" and refused.value.problem.rule == "input.malformed_citation"


def test_a_build_that_fails_midway_leaves_the_old_dist_whole(built, monkeypatch):
    """7: the database and Parquet were written when the site failed: dist/ is still entirely the old one."""
    import checks.outputs.build

    before = _snapshot(built)
    edit(built, "figures", "F006", scope_en="the 208 villages paired")

    def fail(ctx):
        raise RuntimeError("killed while writing the site")

    monkeypatch.setattr(checks.outputs.build, "build_site", fail)
    with pytest.raises(RuntimeError):
        checks.outputs.build.build(built)
    assert _snapshot(built) == before and _leftovers(built) == []


def test_a_killed_build_leaves_nothing_that_the_next_build_keeps(built):
    """7: a staging folder left by `kill -9` is removed by the next build, and dist/ is replaced whole."""
    from checks.outputs.build import build

    (built / ".dist-staging-killed").mkdir()
    (built / ".dist-staging-killed" / "half.duckdb").write_bytes(b"half")
    (built / "dist" / "stale.txt").write_text("from an older build", encoding="utf-8")
    built_again = build(built)
    assert built_again.report.exit_code == 0 and all(p.is_file() for p in built_again.written)
    assert _leftovers(built) == [] and not (built / "dist" / "stale.txt").exists()
    assert all(str(p).startswith(str(built.resolve() / "dist")) for p in built_again.written)


@pytest.mark.parametrize("inside", ["dist/site", "dist/parquet", "dist/site/static", "dist/x.xlsx"])
def test_symlinks_inside_dist_are_refused_before_writing(built, inside):
    """6: a symlink anywhere in dist/ (into data/, the root or sql/) stops the build before it writes a file."""
    import shutil

    from checks.outputs.build import build
    from checks.problems import UnusableInput

    target = built / inside
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    target.symlink_to(built / "data")
    before = {p.name: p.read_bytes() for p in (built / "data").iterdir()}
    with pytest.raises(UnusableInput) as refused:
        build(built)
    assert refused.value.problem.rule == "output.symlink" and refused.value.problem.file == inside
    assert {p.name: p.read_bytes() for p in (built / "data").iterdir()} == before and _leftovers(built) == []


def test_writes_never_pass_through_a_linked_folder(copy):
    """6: a symlinked folder on the way to an output is refused, not only a symlink at the file itself."""
    from checks.package import files
    from checks.problems import UnusableInput

    (copy / "dist").mkdir()
    (copy / "dist" / "site").symlink_to(copy / "data")
    with pytest.raises(UnusableInput) as refused:
        files.write_atomic(copy, "dist/site/figures.csv", b"overwritten")
    assert refused.value.problem.rule == "output.symlink" and refused.value.problem.file == "dist/site"
    assert b"overwritten" not in (copy / "data" / "figures.csv").read_bytes()


# --- SQL: bounded in every command, failures named by file (point 17, messages) ---


def _slow_view(root: Path) -> None:
    with open(root / "sql/views.sql", "a", encoding="utf-8") as f:
        f.write("\nCREATE VIEW slow AS SELECT count(*) AS n FROM range(100000000000) a, range(1000) b;\n")
    stamp(Package(root))


def test_query_of_a_slow_view_stops_at_the_time_limit(copy, monkeypatch):
    """17: no dist/, a view that runs for hours: `query` stops at CHECKS_SQL_SECONDS, exit 2, naming the limit."""
    _slow_view(copy)
    monkeypatch.setenv("CHECKS_SQL_SECONDS", "1")
    done = run_cli("--root", str(copy), "query", "SELECT * FROM slow")
    assert done.returncode == 2 and done.stdout == ""
    assert "ran past 1 s (CHECKS_SQL_SECONDS) and was stopped" in done.stderr  # the deadline stopped it, not Ctrl-C


def test_sql_failure_names_the_sql_file():
    """Messages: a file of the package's SQL that DuckDB rejects is named in the error, with DuckDB's first line."""
    from checks.database.sandbox import SQLFileError, run_sql_file, sandboxed

    con = sandboxed()
    with pytest.raises(SQLFileError) as failed:
        run_sql_file(con, "sql/views.sql", "CREATE VIEW v AS SELECT * FROM no_such_table;")
    assert failed.value.file == "sql/views.sql" and str(failed.value).startswith("sql/views.sql: Catalog Error")


def _cli(root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "checks", "--root", str(root), *args],
        cwd=root.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _in_sql(pid: int) -> bool:
    """Whether the process is inside a bounded run of SQL: the socket pair of its deadline watcher is open
    (checks.database.sandbox.deadline; the command opens no other socket)."""
    return any(os.readlink(fd).startswith("socket:") for fd in Path(f"/proc/{pid}/fd").iterdir())


def _wait_inside_sql(process: subprocess.Popen, at_most: float, settled: float = 1.0) -> None:
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
    """Messages: Ctrl-C (SIGINT) in the middle of a command (for query: inside DuckDB's run of a slow view, which does
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


# --- diff BASE (point 12) ---


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(copy):
    _git(copy, "init", "-q", "-b", "main")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "base")
    return copy


def test_diff_shows_rows_and_loosened_constraints(repo):
    """12: a schema weakened in the same change as rows it used to refuse: exit 1, each loosening and each row named."""
    from checks.cli import main
    from checks.diff import diff

    def weaken(schema):
        schema["fields"][0]["constraints"].pop("pattern", None)
        schema["foreignKeys"] = []
        schema.pop("primaryKey")

    edit_schema(repo, "figure_readings", weaken)
    header, rows = read_rows(repo / "data/figure_readings.csv")
    write_rows(repo / "data/figure_readings.csv", header, rows + [{**rows[0], "figure_id": "NOT-A-FIGURE"}])
    edit(repo, "figures", "F006", scope_en="the 208 villages")
    found = diff(repo, "main")
    text = "\n".join(found.lines)
    assert (
        "figure_readings: 1 added" in text
        and "~ F006  scope_en: 'the 208 paired villages' → 'the 208 villages'" in text
    )
    assert any("primaryKey" in line for line in found.loosened) and any(
        "foreignKeys entry removed" in line for line in found.loosened
    )
    assert any("pattern" in line and "removed" in line for line in found.loosened)
    assert main(["--root", str(repo), "diff", "main"]) == 1


def test_diff_of_data_only_passes_and_a_bad_ref_is_unusable(repo, capsys):
    from checks.cli import main

    edit(repo, "figures", "F006", scope_en="the 208 villages")
    assert main(["--root", str(repo), "diff", "main"]) == 0
    assert "no constraint removed or loosened" in capsys.readouterr().out
    assert main(["--root", str(repo), "diff", "no-such-branch"]) == 2
    assert main(["--root", str(repo), "diff", "--", "--output=/tmp/x"]) == 2 and not Path("/tmp/x").exists()


def test_non_utf8_readme_names_the_file_and_rule(copy, capsys):
    """A README in another encoding is unusable input naming README.md and the line, not a UnicodeDecodeError."""
    from checks.cli import main

    (copy / "README.md").write_bytes((copy / "README.md").read_bytes() + "\n© 2021\n".encode("latin-1"))
    assert main(["--root", str(copy), "readme"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("UNUSABLE INPUT [input.encoding] README.md (line ") and "Traceback" not in err
