"""Shared by the front-door tests: package copies, one build per session, the DuckDB 1.5 CLI, rows as text."""

from __future__ import annotations

import atexit
import csv
import io
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

from checks.outputs.build import build, database_name
from checks.package import Package
from helpers import PACKAGE_PARTS, ROOT, no_network

#: What travels with the data in the release zip (docs/usage.md's questions also become the canned queries of the
#: Datasette metadata), so that a built copy can be released or zipped as the repository is.
EXTRA_PARTS = ("CITATION.cff", "LICENSE", "CHANGELOG.md", "docs")
#: The DuckDB 1.5 CLI of the `duckdb-cli` test extra, installed beside this Python; else one on PATH.
CLI = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")


def copy_package(dest: Path) -> Path:
    """The committed parts of the package (and the citation) copied into dest."""
    for part in (*PACKAGE_PARTS, *EXTRA_PARTS):
        src = ROOT / part
        (dest / part).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / part)
    return dest


def fresh_build() -> Path:
    """A new copy of the package, built; removed at exit."""
    dest = Path(tempfile.mkdtemp(prefix="wuqing-build-"))
    atexit.register(shutil.rmtree, dest, True)
    copy_package(dest)
    built = build(dest)
    assert built.report.exit_code == 0 and built.written
    return dest


@cache
def built_copy() -> Path:
    """One built copy for this process (read-only use); the tests take the `built_package` fixture instead."""
    return fresh_build()


#: What shared_build writes beside the package once it is built: the build ran with the network refused.
BUILT_OFFLINE = "built with every socket connection and name lookup refused\n"


def shared_build(folder: Path) -> Path:
    """The package copied into folder/package and built with the network refused (helpers.no_network), once for
    every process that asks (the xdist workers of one run share folder): the first builds it under a lock, the others
    wait for it and use it as it is. folder/package.built says so once the build succeeded."""
    import fcntl

    dest, done = folder / "package", folder / "package.built"
    with open(folder / "package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(dest, ignore_errors=True)  # a build that failed halfway in another worker
            dest.mkdir()
            copy_package(dest)
            with no_network():
                built = build(dest)
            assert built.report.exit_code == 0 and built.written, built.report.failed_rules()
            done.write_text(BUILT_OFFLINE, encoding="utf-8")
    return dest


def copy_built(built: Path, dest: Path) -> Path:
    """A copy of a built package (dist/ and its fingerprint too) that a test may change; the database stays current."""
    return Path(shutil.copytree(built, dest, symlinks=True))


def database_of(root: Path) -> Path:
    return root / database_name(Package(root))


def cli(*args, cwd: Path) -> str:
    """Run the DuckDB CLI (skipping the test if it is absent); fail on any error."""
    if CLI is None:
        pytest.skip("the duckdb CLI is not installed (pip install '.[test]' brings duckdb-cli 1.5)")
    done = subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and "Error" not in done.stderr, done.stderr
    return done.stdout


def row_sql(relation: str) -> str:
    """Each row as one string, the same in every DuckDB version: a struct cast to text."""
    return f'SELECT CAST(t AS VARCHAR) FROM "{relation}" AS t'


def cli_rows_each(relations: list[str], cwd: Path, *setup: str) -> dict[str, list[str]]:
    """Each relation's rows from the CLI, after the setup arguments (a database file, `-c .read …`): one run of the
    CLI for all of them, each relation's rows after a marker row."""
    marker = "@@relation "
    queries = [arg for relation in relations for arg in ("-c", f"SELECT '{marker}{relation}'", "-c", row_sql(relation))]
    found: dict[str, list[str]] = {}
    rows = before = []  # what the setup printed: nothing
    for row in csv.reader(io.StringIO(cli("-csv", "-noheader", *setup, *queries, cwd=cwd))):
        if row[0].startswith(marker):
            rows = found.setdefault(row[0].removeprefix(marker), [])
        else:
            rows.append(row[0])
    assert before == [] and list(found) == relations, (before[:5], list(found))
    return found


def py_rows(con, relation: str) -> list[str]:
    return [row[0] for row in con.execute(row_sql(relation)).fetchall()]


def relations_of(con) -> list[str]:
    """Every table and view of the main schema."""
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
    ]
