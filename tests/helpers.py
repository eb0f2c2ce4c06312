"""What the tests share: the package root, copies of it to break, row edits, the CLI, and validation by stage."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from checks.package import Package
from checks.package.stamp import stamp
from checks.problems import Report, UnusableInput
from checks.validate import _guarded, load_context, validate
from checks.validate.frictionless_stage import check_frictionless

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_PARTS = ("datapackage.json", "data", "schemas", "seeds", "sql", "README.md")


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    """Write as the package does: RFC 4180, minimal quoting, LF."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def edit(root: Path, table: str, row_id: str, restamp: bool = True, **changes) -> None:
    """Change cells of the row whose first column is row_id, then (by default) restamp the hashes."""
    path = root / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    matches = [r for r in rows if r[header[0]] == row_id]
    assert len(matches) == 1, f"{table} has no single row {row_id}"
    matches[0].update({k: str(v) for k, v in changes.items()})
    write_rows(path, header, rows)
    if restamp:
        stamp(Package(root))


def drop(root: Path, table: str, keep) -> None:
    """Keep only the rows for which keep(row) is true, then restamp."""
    path = root / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    write_rows(path, header, [r for r in rows if keep(r)])
    stamp(Package(root))


def replace_in(root: Path, rel: str, old: str, new: str, restamp: bool = True) -> None:
    """Replace the first `old` in a file of the package (it must be there), then (by default) restamp."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    if restamp:
        stamp(Package(root))


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-P", "-m", "checks", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def validate_stage(root: Path, rule: str) -> Report:
    """Validation as far as the stage that owns `rule`: preflight and loading, then only frictionless, one table's
    pandera schema and rules, or the coverage of the seed (a whole validation per fault would take minutes)."""
    from checks.validate.pandera_stage import check_table
    from checks.validate.rules.coverage import check_coverage

    stage = rule.split(".")[0]
    if stage == "input":
        return validate(root)
    report = Report()
    try:
        ctx = load_context(root)
    except UnusableInput as err:
        report.unusable = err.problem
        return report
    if stage == "frictionless":
        def run():
            return [check_frictionless(ctx.package, ctx.tables)]
    elif stage == "sql":
        def run():
            from checks.validate.rules.generated_sql import check_generated_sql

            return [check_generated_sql(ctx)]
    elif stage == "seed":
        def run():
            return [check_coverage(ctx)]
    else:
        table = rule.split(".")[1] if stage == "pandera" else stage
        def run():
            return check_table(ctx, table)
    report.results += _guarded(stage, str(root), run)
    return report


def read_descriptor(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def save_descriptor(root: Path, descriptor: dict) -> None:
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


def set_resource(root: Path, resource_name: str, **changes) -> None:
    descriptor = read_descriptor(root)
    resource = next(r for r in descriptor["resources"] if r["name"] == resource_name)
    for key, value in changes.items():
        if value is None:
            resource.pop(key, None)
        else:
            resource[key] = value
    save_descriptor(root, descriptor)


def edit_schema(root: Path, table: str, change) -> None:
    path = root / "schemas" / f"{table}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
