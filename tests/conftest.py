"""Fixtures: the real package, its tables loaded once, one built copy shared by the run, and throw-away copies of
it to break."""
from __future__ import annotations

import os
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


@pytest.fixture(scope="session")
def built_package(tmp_path_factory) -> Path:
    """A copy of the package with dist/ built, for the tests that only read it; built once for the whole run (the
    xdist workers share the folder above their own). A test that changes it takes a copy (front_helpers.copy_built)."""
    from front_helpers import shared_build

    base = tmp_path_factory.getbasetemp()
    return shared_build(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)
