"""The command line: `python -m checks validate|build|release|query|site|stamp|sql|docs|charts|readme|diff`.
Global options (`--root`) may come before or after the command; `--version` prints the project's version."""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import suppress
from pathlib import Path

from checks.formats import FORMATS, format_result, width
from checks.package import DESCRIPTOR, Package, files, find_root
from checks.package.preflight import check_descriptor
from checks.problems import UnusableInput, counted, shown

DISTRIBUTION = "wuqing-paired-assistance-2020"
ROOT_HELP = "package folder (default: the one holding datapackage.json, from here up)"
#: The hint after a refusal for a missing descriptor when no --root was given.
ROOT_HINT = "hint: run this inside the package folder (the one holding datapackage.json), or name it: --root PATH"


def _validate(args) -> int:
    from checks.validate import validate
    from checks.validate.report import as_json, as_text

    report = validate(args.root)
    sys.stdout.write(as_json(report) if args.json else as_text(report))
    _hint(args, report.unusable)
    return report.exit_code


def _hint(args, problem) -> None:
    """After a refusal for a missing datapackage.json, when no --root was given: say how to name the package."""
    if problem and not args.root_given and (problem.rule, problem.file) == ("input.missing_file", DESCRIPTOR):
        print(ROOT_HINT, file=sys.stderr)


def _build(args) -> int:
    """build or release: the validation report if it failed, else its summary line and each file written."""
    from checks.outputs.build import build
    from checks.outputs.release import release
    from checks.validate.report import as_text, summary_line

    done = (release if args.command == "release" else build)(args.root)
    if done.report.exit_code != 0:
        sys.stdout.write(as_text(done.report))
        _hint(args, done.report.unusable)
        return done.report.exit_code
    print(summary_line(done.report))
    for path in done.written:
        print(f"wrote {path.relative_to(args.root).as_posix()}  ({path.stat().st_size:,} bytes)")
    return 0


def _wrapped(text: str, size: int) -> list[str]:
    """Text in lines of at most `size` terminal columns (wide characters count two), broken at spaces where it can."""
    lines, line = [], ""
    for word in text.split():
        while width(word) > size:  # a word longer than a line: cut it where the line is full
            cut = next(i for i in range(len(word), 0, -1) if width(word[:i]) <= size)
            lines += [line, word[:cut]] if line else [word[:cut]]
            line, word = "", word[cut:]
        candidate = f"{line} {word}" if line else word
        if width(candidate) <= size:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines or [""]


def listing(columns: list[str], rows: list[tuple], columns_wide: int) -> str:
    """`query --list` as a table that fits the terminal: name, kind, and the description wrapped beside them."""
    names, kinds = [shown(r[0]) for r in rows], [shown(r[1]) for r in rows]
    left = [max([width(columns[0]), *map(width, names)]), max([width(columns[1]), *map(width, kinds)])]
    size = max(20, columns_wide - left[0] - left[1] - 4)
    pad = lambda text, n: text + " " * (n - width(text))  # noqa: E731
    out = [
        f"{pad(columns[0], left[0])}  {pad(columns[1], left[1])}  {columns[2]}",
        f"{'-' * left[0]}  {'-' * left[1]}  {'-' * size}",
    ]
    for name, kind, row in zip(names, kinds, rows):
        first, *rest = _wrapped(shown(row[2] or ""), size)
        out.append(f"{pad(name, left[0])}  {pad(kind, left[1])}  {first}".rstrip())
        out += [f"{' ' * (left[0] + left[1] + 4)}{more}" for more in rest]
    out.append(f"({counted(len(rows), 'row')})")
    return "\n".join(out) + "\n"


def _query(args) -> int:
    import shutil

    import duckdb

    from checks.query import LIST_SQL, query_rows, run

    if args.sql == "-":  # the SQL from standard input
        args.sql = sys.stdin.read()
    if args.list == bool(args.sql.strip()):
        print("error: give one SQL query (or - to read it from standard input), or --list", file=sys.stderr)
        return 2
    try:  # the statements as DuckDB splits them (one it cannot parse: running it reports the error)
        found = [] if args.list else [statement.query for statement in duckdb.extract_statements(args.sql)]
    except duckdb.Error:
        found = []
    if len(found) > 1:
        listed = "; ".join("`" + " ".join(s.split()).rstrip(";")[:40] + "`" for s in found[:3])
        listed += "; …" if len(found) > 3 else ""
        print(
            shown(
                f"error: query runs one SQL statement and prints its result; this text holds {len(found)} "
                f"({listed}). Run them one at a time."
            ),
            file=sys.stderr,
        )
        return 2
    answer = run(args.root, LIST_SQL if args.list else args.sql)
    for note in answer.notes:
        print(shown(note), file=sys.stderr)
    if answer.error is not None:
        sys.stderr.write(shown(answer.error.rstrip("\n")) + "\n")
        return 2
    if args.list and args.format == "table":
        text = listing(answer.columns, answer.rows, shutil.get_terminal_size((100, 24)).columns)
    else:
        text = format_result(answer.columns, answer.rows, args.format)
    sys.stdout.write(shown(text) if args.format in ("csv", "json") and sys.stdout.isatty() else text)
    if answer.more != 0:
        more = "more rows, not counted: the time limit ran out" if answer.more is None else f"{answer.more:,} more"
        cut = f"note: the first {query_rows():,} rows are shown, {more} (CHECKS_QUERY_ROWS; or add LIMIT/OFFSET)"
        print(cut, file=sys.stderr)
    return 0


def _stamp(args) -> int:
    from checks.package.stamp import stamp

    changed = stamp(check_descriptor(Package(args.root)))
    print("stamped: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


def _write(package: Package, generated: dict[str, str]) -> int:
    """Write each generated file (all made before any is written) and say so."""
    for rel, text in generated.items():
        files.write_atomic(package.root, rel, text.encode("utf-8"))
        print(f"wrote {rel}")
    return 0


def _sql(args) -> int:
    from checks.database import LOAD_SQL, TABLES_SQL, load_sql, tables_sql
    from checks.package.preflight import SQL_FOLDER

    package = check_descriptor(Package(args.root))
    return _write(
        package, {f"{SQL_FOLDER}/{TABLES_SQL}": tables_sql(package), f"{SQL_FOLDER}/{LOAD_SQL}": load_sql(package)}
    )


def _docs(args) -> int:
    from checks.documents.dictionary import DICTIONARY, render_dictionary

    package = check_descriptor(Package(args.root))
    return _write(package, {DICTIONARY: render_dictionary(package)})


def _readme(args) -> int:
    from checks.documents.readme import names, update_readme

    print(names(update_readme(check_descriptor(Package(args.root)))))
    return 0


def _charts(args) -> int:
    from checks.documents.charts import render_charts, store_views
    from checks.validate import load_context

    ctx = load_context(args.root)
    stored = store_views(ctx.package, ctx.tables)
    written = render_charts(Package(ctx.package.root), ctx.tables)
    print("views in datapackage.json " + ("updated" if stored else "already current") + "; wrote " + ", ".join(written))
    return 0


def _diff(args) -> int:
    from checks.diff import diff

    found = diff(args.root, args.base)
    print("\n".join(found.lines))
    return 1 if found.loosened else 0


def _site(args) -> int:
    from checks.site.report_view import build_site
    from checks.validate import load_context

    for path in build_site(load_context(args.root)):
        print(f"wrote {path}")
    return 0


def version() -> str:
    """The project's version: pyproject.toml beside the sources (a checkout), else the installed distribution's."""
    import tomllib

    with suppress(OSError, KeyError, ValueError):
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        if project.get("name") == DISTRIBUTION:
            return str(project["version"])
    from importlib import metadata

    with suppress(metadata.PackageNotFoundError):
        return metadata.version(DISTRIBUTION)
    return "unknown"


def _interrupted(command: str) -> int:
    """One line, exit 130 (128 + SIGINT), no traceback; every write is whole or not done, so nothing is half-written."""
    print(f"interrupted: python -m checks {command} stopped by Ctrl-C", file=sys.stderr)
    return 130


DIFF_HELP = (
    "rows added, removed and changed since BASE, and what the change loosens (constraints, the seed, the SQL); "
    "exit 1 when it loosens anything"
)
#: Each command: what it runs, and its help; validate, query and diff take arguments of their own (see main).
COMMANDS = {
    "validate": (_validate, "run every rule; exit 0 valid, 1 invalid data, 2 unusable input"),
    "build": (_build, "validate, then write dist/: DuckDB database, Parquet per table, Excel workbook"),
    "release": (
        _build,
        "build, then write dist/release/: the versioned zip (deterministic), workbook, DuckDB file, SHA256SUMS",
    ),
    "query": (_query, "run SQL against every table and view; exit 2 if DuckDB rejects it"),
    "stamp": (_stamp, "write each resource's bytes and sha256 into datapackage.json"),
    "sql": (
        _sql,
        "regenerate sql/tables.sql and sql/load.sql (every table and view, plain SQL) from schemas/*.json and sql/",
    ),
    "docs": (_docs, "regenerate docs/data-dictionary.md from schemas/*.json"),
    "charts": (_charts, "regenerate the charts (docs/charts/) and their Vega-Lite views in datapackage.json"),
    "readme": (_readme, "refresh the counts in README.md and docs/known-problems.md from the data"),
    "site": (_site, "write the bilingual report view to dist/site/ and W3C annotations to dist/annotations.jsonld"),
    "diff": (_diff, DIFF_HELP),
}


def program_name(argv: list[str] | None) -> str:
    """The name the program was started as: the console script's own (wuqing-checks), else `python -m checks`."""
    started = Path(sys.argv[0]).name if argv is None and sys.argv and sys.argv[0] else ""
    return started if started and started not in ("__main__.py", "-m", "-c") else "python -m checks"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=program_name(argv), description="Validate and maintain the Wuqing paired-assistance data package."
    )
    parser.add_argument("--root", type=Path, default=None, help=ROOT_HELP)
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {version()}")
    # The same global options after the command: SUPPRESS keeps a value given before it when none is given after.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=ROOT_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (run, help) in COMMANDS.items():
        commands.add_parser(name, help=help, description=help, parents=[common]).set_defaults(run=run)
    commands.choices["validate"].add_argument("--json", action="store_true", help="machine-readable report on stdout")
    query = commands.choices["query"]
    query.add_argument("sql", nargs="?", default="", help="the SQL to run (-: read it from standard input)")
    query.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    query.add_argument("--list", action="store_true", help="list the tables and views with their descriptions")
    commands.choices["diff"].add_argument(
        "base", help="the git ref to compare with (the pull request's target branch, say origin/main)"
    )
    args = parser.parse_args(argv)
    args.root_given = args.root is not None
    args.root = (args.root or find_root()).resolve()
    interrupted: list[bool] = []  # Ctrl-C seen, in case a library turns it into its own error (DuckDB: RuntimeError)

    def on_ctrl_c(signum, frame):
        interrupted.append(True)
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.default_int_handler:  # not where SIGINT is handled elsewhere
        signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        if args.root_given and not args.root.is_dir():
            what = "is not a folder" if args.root.exists() else "does not exist"
            raise files.refuse("input.missing_root", str(args.root), f"--root: {args.root} {what}")
        return args.run(args)
    except KeyboardInterrupt:
        return _interrupted(args.command)
    except UnusableInput as err:  # a refusal names the file and the rule
        from checks.validate.report import unusable_lines

        print("\n".join(unusable_lines(err.problem)), file=sys.stderr)
        _hint(args, err.problem)
        return 2
    except Exception as err:  # never a bare traceback: say what failed and where
        if interrupted:  # a library (DuckDB) turned Ctrl-C into its own error
            return _interrupted(args.command)
        print(shown(f"error: {args.command} failed on {args.root}: {type(err).__name__}: {err}"), file=sys.stderr)
        return 2
    finally:
        if previous is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous)
