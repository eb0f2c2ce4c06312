"""The SQL of sql/ is plain SQL, and its generated files are what the schemas generate.

The README has people run `.read sql/load.sql` in the DuckDB CLI, where a line starting with a dot is a command of the
CLI (`.shell`, `.read` of any file): no file of sql/ may hold one. sql/tables.sql and sql/load.sql must be exactly
what `python -m checks sql` writes, so that a user runs what validation ran."""

from __future__ import annotations

import difflib

import duckdb

from checks import database as duck
from checks.database.sandbox import timed_out_message
from checks.package import DESCRIPTOR
from checks.problems import Problem, RuleResult
from checks.validate.rules.base import Context

NAME = "sql.generated"
DESCRIPTION = (
    "no file of sql/ holds a DuckDB CLI dot command, and sql/tables.sql and sql/load.sql are exactly what "
    "`python -m checks sql` generates from schemas/*.json and the other files of sql/"
)


def dot_commands(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line that the DuckDB CLI could take as a dot command (leading spaces allowed)."""
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(".")]


def _first_difference(found: str, expected: str) -> tuple[int, str, str]:
    """(line number, expected line, found line) of the first line where two texts differ."""
    ours, theirs = expected.splitlines(), found.splitlines()
    for tag, i1, _, j1, _ in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if tag != "equal":
            return (
                j1 + 1,
                (ours[i1] if i1 < len(ours) else "(end of file)"),
                (theirs[j1] if j1 < len(theirs) else "(end of file)"),
            )
    return 0, "", ""


def check_generated_sql(ctx: Context) -> RuleResult:
    package = ctx.package
    result = RuleResult(NAME, DESCRIPTION)
    texts = {}
    for name in [*duck.sql_order(package), duck.LOAD_SQL]:
        rel = f"sql/{name}"
        texts[name] = package.read_text(package.sql_path(name))
        result.checked += 1
        for number, line in dot_commands(texts[name]):
            result.problems.append(
                Problem(
                    f"{NAME}.dot_command",
                    rel,
                    row=f"line {number}",
                    expected="plain SQL",
                    found=line[:80],
                    message=f"{rel} line {number} is a DuckDB CLI dot command, "
                    f"which `.read sql/{duck.LOAD_SQL}` would run: {line[:80]!r}",
                )
            )
    try:
        expected = {duck.TABLES_SQL: duck.tables_sql(package), duck.LOAD_SQL: duck.load_sql(package)}
    except (duckdb.Error, OSError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        if isinstance(err, duckdb.InterruptException) or getattr(err, "timed_out", False):
            first = timed_out_message("the package's SQL")
        rel = f"sql/{duck.LOAD_SQL}"
        result.problems.append(
            Problem(
                NAME,
                rel,
                expected="the files of sql/ run on the tables of the schemas",
                found=first,
                message=f"{rel} cannot be generated: the SQL of sql/ does not run: {first}",
            )
        )
        return result
    for name, text in expected.items():
        if texts[name] != text:
            rel = f"sql/{name}"
            number, want, found = _first_difference(texts[name], text)
            result.problems.append(
                Problem(
                    NAME,
                    rel,
                    row=f"line {number}",
                    expected=want[:120],
                    found=found[:120],
                    message=f"{rel} is not what `python -m checks sql` generates from schemas/*.json "
                    f"and sql/ (first difference at line {number}); run it, then `python -m checks stamp` "
                    f"to update {DESCRIPTOR}",
                )
            )
    return result
