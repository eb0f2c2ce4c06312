"""Fixtures: the real package, and throw-away copies of it to break."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from checks.package import Package
from checks.package.stamp import stamp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_PARTS = ("datapackage.json", "data", "schemas", "seeds", "sql", "README.md")


@pytest.fixture(scope="session")
def package() -> Package:
    return Package(ROOT)


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the package's data, schemas, seed and SQL, free to damage."""
    for part in PACKAGE_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / part)
    return tmp_path


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


@pytest.fixture(scope="session")
def ctx():
    """The real package loaded once: its typed tables for every test that only reads them."""
    from checks.validate import load_context

    return load_context(ROOT)


@pytest.fixture(scope="session")
def tables(ctx) -> dict:
    return ctx.tables
