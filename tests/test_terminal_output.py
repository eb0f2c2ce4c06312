"""Nothing `query` prints carries a raw control character from the data, the package's SQL or DuckDB's messages:
ESC, BEL, OSC 8 hidden links and C1 controls are shown as \\xNN, as in the validation reports."""

from __future__ import annotations

import pytest

from checks.package import Package
from helpers import run_cli

#: An OSC 8 hidden link, a screen clear, a bell and a C1 CSI.
HOSTILE = "\x1b]8;;https://example.org/x\x07click\x1b]8;;\x07\x1b[2J\x07\x9b31m"
SQL_TEXT = "chr(27) || ']8;;https://example.org/x' || chr(7) || 'click' || chr(27) || '[2J' || chr(155) || '31m'"
RAW = ("\x1b", "\x07", "\x9b")


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_cells_and_column_names_are_escaped(built_package, fmt):
    done = run_cli("--root", built_package, "query", "--format", fmt, f'SELECT {SQL_TEXT} AS "a\x1b[2Jb"')
    assert done.returncode == 0 and _clean(done.stdout) and "\\x1b]8;;https://example.org/x\\x07click" in done.stdout
    assert "a\\x1b[2Jb" in done.stdout


def test_duckdbs_error_text_is_escaped(built_package):
    done = run_cli("--root", built_package, "query", 'SELECT * FROM "no\x1b]8;;https://example.org\x07table"')
    assert done.returncode == 2 and _clean(done.stderr) and "no\\x1b]8;;https://example.org\\x07table" in done.stderr


def test_view_names_and_comments_are_escaped_in_the_listing(built_package, tmp_path):
    """A view whose name and comment carry escapes, in a build this validator sealed: `query --list` shows them."""
    import duckdb

    from checks.outputs import fingerprint
    from front_helpers import copy_built, database_of

    built = copy_built(built_package, tmp_path / "package")
    name, comment = "v\x1b[2J", HOSTILE.replace("'", "''")
    con = duckdb.connect(str(database_of(built)))
    con.execute(f'CREATE VIEW "{name}" AS SELECT 1 AS x; COMMENT ON VIEW "{name}" IS \'{comment}\'; CHECKPOINT')
    con.close()
    rel = str(database_of(built).relative_to(built))
    fingerprint.record(Package(built), rel, built / "dist", database_of(built))
    done = run_cli("--root", built, "query", "--list")
    assert done.returncode == 0 and "v\\x1b[2J" in done.stdout and _clean(done.stdout), done.stderr
    assert "\\x1b]8;;https://example.org/x\\x07" in done.stdout.replace("\n", "").replace(" ", "")


def test_bidi_controls_and_line_separators_are_shown_escaped(built_package):
    """U+202E would turn the rest of a line around and U+2028 break it: both are shown as \\uNNNN."""
    done = run_cli("--root", str(built_package), "query", "SELECT chr(8238) || 'abc' AS x, chr(8232) AS y")
    assert "\u202e" not in done.stdout and "\u2028" not in done.stdout
    assert "\\u202eabc" in done.stdout and "\\u2028" in done.stdout
