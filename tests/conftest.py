"""Fixtures: the real package, its tables loaded once, and throw-away copies of it to break."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checks.package import Package
from helpers import PACKAGE_PARTS, ROOT, drop, edit, read_rows, write_rows  # noqa: F401 - shared with the test modules


@pytest.fixture(scope="session")
def package() -> Package:
    return Package(ROOT)


@pytest.fixture(scope="session")
def ctx():
    """The real package loaded once: its typed tables for every test that only reads them."""
    from checks.validate import load_context

    return load_context(ROOT)


@pytest.fixture(scope="session")
def tables(ctx) -> dict:
    return ctx.tables


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the package's data, schemas, seed and SQL, free to damage."""
    for part in PACKAGE_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / part)
    return tmp_path
