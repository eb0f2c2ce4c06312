"""Command line: `python -m checks validate|stamp|sql|readme|site`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .package import Package, find_root
from .problems import UnusableInput


def _validate(args) -> int:
    from .render import as_json, as_text
    from .validate import validate

    report = validate(args.root)
    sys.stdout.write(as_json(report) if args.json else as_text(report))
    return report.exit_code


def _checked(root: Path) -> Package:
    """The package, its descriptor checked to be safe to follow (names, paths inside the root, sql/ declared)."""
    from .preflight import check_descriptor

    package = Package(root)
    check_descriptor(package)
    return package


def _stamp(args) -> int:
    from .stamp import stamp

    changed = stamp(_checked(args.root))
    print("stamped: " + (", ".join(changed) if changed else "nothing changed"))
    return 0


def _sql(args) -> int:
    from . import files
    from .duck import TABLES_SQL, tables_sql
    from .preflight import SQL_FOLDER

    package = _checked(args.root)
    files.write_atomic(package.root, f"{SQL_FOLDER}/{TABLES_SQL}", tables_sql(package).encode("utf-8"))
    print(f"wrote {SQL_FOLDER}/{TABLES_SQL}")
    return 0


def _readme(args) -> int:
    from .readme import update_readme

    changed = update_readme(_checked(args.root))
    print("README.md " + ("updated" if changed else "already current"))
    return 0


def _site(args) -> int:
    from .site import build_site

    for path in build_site(_checked(args.root)):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks", description="Validate and maintain the Wuqing paired-assistance data package.")
    parser.add_argument("--root", type=Path, default=None, help="package folder (default: the one holding datapackage.json, from here up)")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="run every rule; exit 0 valid, 1 invalid data, 2 unusable input")
    validate.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    validate.set_defaults(run=_validate)
    commands.add_parser("stamp", help="write each resource's bytes and sha256 into datapackage.json").set_defaults(run=_stamp)
    commands.add_parser("sql", help="regenerate sql/tables.sql from schemas/*.json").set_defaults(run=_sql)
    commands.add_parser("readme", help="refresh the counts in README.md from the data").set_defaults(run=_readme)
    commands.add_parser("site", help="write the bilingual report view to dist/site/ and W3C annotations to dist/annotations.jsonld").set_defaults(run=_site)
    args = parser.parse_args(argv)
    args.root = (args.root or find_root()).resolve()
    try:
        return args.run(args)
    except UnusableInput as err:  # a refusal names the file and the rule
        from .render import unusable_lines

        print("\n".join(unusable_lines(err.problem)), file=sys.stderr)
        return 2
    except Exception as err:  # never a bare traceback: say what failed and where
        print(f"error: {args.command} failed on {args.root}: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
