"""What the tests share: the package root, copies of it to break, row edits, the CLI, and validation by stage."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import socket
import subprocess
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from checks.package import Package
from checks.package.stamp import stamp
from checks.problems import Report, UnusableInput
from checks.validate import _guarded, load_context, stages, validate
from checks.validate.rules.base import Context, Outcome

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


@dataclass
class Ran:
    """What a run of the command line gave: as subprocess.CompletedProcess names it."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_cli_process(*args, cwd=ROOT, columns: int | None = None) -> subprocess.CompletedProcess:
    """`python -P -m checks ARGS` in a new interpreter: for what only a process shows (imports, signals, exit)."""
    env = {**os.environ, **({"COLUMNS": str(columns)} if columns else {})}
    return subprocess.run(
        [sys.executable, "-P", "-m", "checks", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


#: The warning filters of a fresh interpreter (as `python -P -m checks` starts with), not pytest's.
_FRESH_FILTERS = [
    ("default", None, DeprecationWarning, "__main__", 0),
    ("ignore", None, DeprecationWarning, None, 0),
    ("ignore", None, PendingDeprecationWarning, None, 0),
    ("ignore", None, ImportWarning, None, 0),
    ("ignore", None, ResourceWarning, None, 0),
]


def _stream(errors: str) -> io.TextIOWrapper:
    """A stream like a child's stdout (errors="strict") or stderr ("backslashreplace") on a pipe: UTF-8, not a tty."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, newline="\n")


def _read(stream: io.TextIOWrapper) -> str:
    """The text as `subprocess.run(..., text=True)` reads it from the pipe: decoded, universal newlines."""
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _environment(cwd, columns: int | None, stdout):
    """The working folder, and the terminal a child on a pipe has: none (COLUMNS when given; sys.__stdout__ is the
    pipe, so shutil.get_terminal_size gives its fallback, as in the child)."""
    here, saved, real_stdout = os.getcwd(), os.environ.get("COLUMNS"), sys.__stdout__
    if columns:
        os.environ["COLUMNS"] = str(columns)
    sys.__stdout__ = stdout
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(here)
        sys.__stdout__ = real_stdout
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def run_cli(*args, cwd=ROOT, columns: int | None = None) -> Ran:
    """`python -P -m checks ARGS` run in this process (its imports are paid once per test session): the exit code,
    stdout and stderr as the command gives them, from the folder cwd. CHECKS_TEST_CLI=process runs each in a new
    interpreter instead; tests that need a process of their own use run_cli_process."""
    if os.environ.get("CHECKS_TEST_CLI") == "process":
        done = run_cli_process(*args, cwd=cwd, columns=columns)
        return Ran(done.args, done.returncode, done.stdout, done.stderr)
    from checks.cli import main

    argv = [str(a) for a in args]
    out, err = _stream("strict"), _stream("backslashreplace")
    with (
        _environment(cwd, columns, out),
        warnings.catch_warnings(),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.resetwarnings()
        warnings.filters[:] = _FRESH_FILTERS
        warnings.showwarning = _show_warning
        try:
            code = main(argv)
        except SystemExit as done:  # argparse: --version, --help, a usage error
            code = done.code
            if code is not None and not isinstance(code, int):
                print(code, file=sys.stderr)
                code = 1
        except Exception:  # noqa: BLE001 - what the interpreter would print before exiting 1
            traceback.print_exc()
            code = 1
    return Ran(["python", "-P", "-m", "checks", *argv], code or 0, _read(out), _read(err))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning printed on stderr, as a fresh interpreter prints it (pytest would only record it)."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def validate_stage(root: Path, rule: str, alone: bool = False) -> Report:
    """Validation as far as the stage that owns `rule` (checks.validate.stages): preflight and loading, then only
    frictionless, one table's pandera schema and rules, the coverage of the seed, or the SQL files' form. An `input.`
    rule is preflight's or the loader's: nothing after loading runs. With `alone`, a table's rule runs without the
    table's other rules (its pandera column checks still run)."""
    from checks.validate.pandera_stage import check_table

    owner = rule.split(".")[0]
    wanted = {"frictionless": "frictionless", "sql": "sql.generated", "seed": "coverage"}.get(owner)
    wanted = wanted or "pandera." + (rule.split(".")[1] if owner == "pandera" else owner)
    report = Report()
    try:
        ctx = load_context(root)
    except UnusableInput as err:
        report.unusable = err.problem
        return report
    if owner == "input":
        return report
    for name, file, run in stages(ctx):
        if name == wanted and alone and owner in ctx.tables:
            report.results += _guarded(name, file, lambda: check_table(ctx, owner, only=rule))
        elif name == wanted:
            report.results += _guarded(name, file, run)
    return report


#: What a file outside the package holds, so that a report can be searched for a leak of it.
OUTSIDE_SECRET = "secret-line-from-outside"


def refused_by_name(root: Path, tmp_path: Path, craft, rule: str) -> None:
    """Craft the copy at root (craft(root, tmp_path)), then validate: exit 2, refused by `rule`, naming the file with a
    message, and nothing read from outside the package in the report. A refusal that is not about one table's own
    bytes comes before any table is read: no cell is decompressed or matched against a pattern first."""
    import checks.validate

    craft(root, tmp_path)
    read: list[str] = []
    load_table = checks.validate.load_table

    def recorded(package, name):
        read.append(package.resource(name)["path"])
        return load_table(package, name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks.validate, "load_table", recorded)
        report = validate(root)
    assert report.exit_code == 2, report.failed_rules()
    assert report.unusable.rule == rule and report.unusable.file and report.unusable.message, report.unusable
    assert OUTSIDE_SECRET not in json.dumps(report.unusable.as_dict())
    if report.unusable.file not in read:
        assert read == [], f"{rule} refused {report.unusable.file} only after reading {read}"


@functools.cache
def real_package() -> Package:
    """The package of this repository, read once (for its seed and schemas)."""
    return Package(ROOT)


def inline_table(package: Package, name: str, rows: list[dict]) -> pd.DataFrame:
    """A table of a few rows written inline (cells as the CSV holds them; a column not given is empty), typed by its
    schema as the loader types them."""
    from checks.package.tables import _typed

    fields = package.schema(name)["fields"]
    text = pd.DataFrame(
        [[None if row.get(f["name"]) is None else str(row[f["name"]]) for f in fields] for row in rows],
        columns=[f["name"] for f in fields],
        dtype="string",
    )
    return pd.DataFrame({f["name"]: _typed(text[f["name"]], f.get("type", "string")) for f in fields})


@functools.cache
def _empty(name: str) -> pd.DataFrame:
    return inline_table(real_package(), name, [])


def inline_context(**given: list[dict]) -> Context:
    """A Context over the real package (its seed and schemas) whose tables are the rows given here (inline_table);
    a table not given has no rows."""
    package = real_package()
    return Context(
        package,
        {n: inline_table(package, n, given[n]) if n in given else _empty(n) for n in package.table_names},
    )


def judge(rule: str, **given: list[dict]) -> Outcome:
    """ONE rule, by name, on a few inline rows, in the style of frictionless' own checks: a Context over the real
    package (its seed and schemas) and these tables only (inline_context); the rule's verdict on each row of its table,
    in milliseconds."""
    from checks.validate.rules import ROW_RULES, invisible_rule_for

    table = rule.split(".")[0]
    found = [r for r in [*ROW_RULES, invisible_rule_for(table)] if r.name == rule]
    assert len(found) == 1, f"no rule {rule}"
    ctx = inline_context(**given)
    return found[0].evaluate(ctx.tables[found[0].table], ctx)


@contextlib.contextmanager
def no_network():
    """Inside the block every socket connection and name lookup fails with an AssertionError naming it."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    targets = (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
    )
    saved = [(owner, name, getattr(owner, name)) for owner, name in targets]
    for owner, name, _ in saved:
        setattr(owner, name, refuse)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


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


#: Who commits in the tests' throw-away repositories.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(root: Path, *args: str) -> str:
    """Run git in a test's repository (the test's own, trusted) and give what it printed."""
    done = subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env={**os.environ, **GIT_IDENTITY}
    )
    return done.stdout.strip()
