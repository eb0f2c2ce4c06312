"""The command line: `python -m checks validate|build|query|site|stamp|sql|docs|charts|readme`."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from checks.formats import FORMATS
from checks.package import Package, find_root
from checks.problems import UnusableInput


def _validate(args) -> int:
    from checks.validate.report import as_json, as_text
    from checks.validate import validate

    report = validate(args.root)
    sys.stdout.write(as_json(report) if args.json else as_text(report))
    return report.exit_code


def _checked(root: Path) -> Package:
    """The package, its descriptor checked to be safe to follow (names, paths inside the root, sql/ declared)."""
    from checks.package.preflight import check_descriptor

    package = Package(root)
    check_descriptor(package)
    return package


def _build(args) -> int:
    from checks.build import build
    from checks.validate.report import as_text

    built = build(args.root)
    text = as_text(built.report)
    if built.report.exit_code != 0:
        sys.stdout.write(text)
        return built.report.exit_code
    print(next((line for line in text.splitlines() if " rules: " in line), "VALID"))  # the summary line
    for path in built.written:
        print(f"wrote {path.relative_to(args.root).as_posix()}  ({path.stat().st_size:,} bytes)")
    return 0


def _query(args) -> int:
    from checks.query import LIST_SQL, query

    if args.list == bool(args.sql):
        print("error: give one SQL query, or --list", file=sys.stderr)
        return 2
    code, out, err = query(args.root, LIST_SQL if args.list else args.sql, args.format)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return code


def _stamp(args) -> int:
    from checks.package.stamp import stamp

    changed = stamp(_checked(args.root))
    print("stamped: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


def _sql(args) -> int:
    from checks.package import files
    from checks.database import TABLES_SQL, tables_sql
    from checks.package.preflight import SQL_FOLDER

    package = _checked(args.root)
    files.write_atomic(package.root, f"{SQL_FOLDER}/{TABLES_SQL}", tables_sql(package).encode("utf-8"))
    print(f"wrote {SQL_FOLDER}/{TABLES_SQL}")
    return 0


def _readme(args) -> int:
    from checks.site.readme import update_readme

    changed = update_readme(_checked(args.root))
    print("README.md " + ("updated" if changed else "already current"))
    return 0


def _docs(args) -> int:
    from checks.package import files
    from checks.site.dictionary import DICTIONARY, render_dictionary

    package = _checked(args.root)
    files.write_atomic(package.root, DICTIONARY, render_dictionary(package).encode("utf-8"))
    print(f"wrote {DICTIONARY}")
    return 0


def _charts(args) -> int:
    from checks.site.charts import render_charts, store_views
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


def _catch_ctrl_c():
    """Ctrl-C raises KeyboardInterrupt as usual, and is remembered (the list becomes non-empty) in case a library
    catches it and raises its own error instead (DuckDB: RuntimeError "Query interrupted"). Returns the list and the
    handler to restore (None when none was installed: not the main thread, or SIGINT handled elsewhere)."""
    seen: list[bool] = []

    def handler(signum, frame):
        seen.append(True)
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        return seen, None
    signal.signal(signal.SIGINT, handler)
    return seen, previous


def _interrupted(command: str) -> int:
    """One line, exit 130 (128 + SIGINT), no traceback; every write is whole or not done, so nothing is half-written."""
    print(f"interrupted: python -m checks {command} stopped by Ctrl-C", file=sys.stderr)
    return 130


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks", description="Validate and maintain the Wuqing paired-assistance data package.")
    parser.add_argument("--root", type=Path, default=None, help="package folder (default: the one holding datapackage.json, from here up)")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="run every rule; exit 0 valid, 1 invalid data, 2 unusable input")
    validate.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    validate.set_defaults(run=_validate)
    commands.add_parser("build", help="validate, then write dist/: DuckDB database, Parquet per table, Excel workbook").set_defaults(run=_build)
    query = commands.add_parser("query", help="run SQL against every table and view; exit 2 if DuckDB rejects it")
    query.add_argument("sql", nargs="?", default="", help="the SQL to run")
    query.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    query.add_argument("--list", action="store_true", help="list the tables and views with their descriptions")
    query.set_defaults(run=_query)
    commands.add_parser("stamp", help="write each resource's bytes and sha256 into datapackage.json").set_defaults(run=_stamp)
    commands.add_parser("sql", help="regenerate sql/tables.sql from schemas/*.json").set_defaults(run=_sql)
    commands.add_parser("docs", help="regenerate docs/data-dictionary.md from schemas/*.json").set_defaults(run=_docs)
    commands.add_parser("charts", help="regenerate the charts (docs/charts/) and their Vega-Lite views in datapackage.json").set_defaults(run=_charts)
    commands.add_parser("readme", help="refresh the counts in README.md from the data").set_defaults(run=_readme)
    commands.add_parser("site", help="write the bilingual report view to dist/site/ and W3C annotations to dist/annotations.jsonld").set_defaults(run=_site)
    diff = commands.add_parser("diff", help="rows added, removed and changed since BASE, and the constraints loosened; exit 1 if any is")
    diff.add_argument("base", help="the git ref to compare with (the pull request's target branch, say origin/main)")
    diff.set_defaults(run=_diff)
    args = parser.parse_args(argv)
    args.root = (args.root or find_root()).resolve()
    interrupted, previous = _catch_ctrl_c()
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return _interrupted(args.command)
    except UnusableInput as err:  # a refusal names the file and the rule
        from checks.validate.report import unusable_lines

        print("\n".join(unusable_lines(err.problem)), file=sys.stderr)
        return 2
    except Exception as err:  # never a bare traceback: say what failed and where
        if interrupted:  # a library (DuckDB) turned Ctrl-C into its own error
            return _interrupted(args.command)
        print(f"error: {args.command} failed on {args.root}: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

