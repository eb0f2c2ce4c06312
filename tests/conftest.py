"""Fixtures: the real package, its tables loaded once, one built copy shared by the run, and throw-away copies of
it to break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from checks.package import Package

# helpers (pandas, the validator) is imported inside the fixtures: the xdist controller, which loads this file and
# runs no test, then starts its workers sooner.


@pytest.fixture(scope="session", autouse=True)
def state_folder(tmp_path_factory) -> Path:
    """The key that seals builds (CHECKS_STATE_DIR) lives in the run's own folder, shared by its xdist workers, never
    in the home folder of whoever runs the tests."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "state"
    os.environ["CHECKS_STATE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def package() -> Package:
    from helpers import ROOT

    return Package(ROOT)


@pytest.fixture(scope="session")
def ctx():
    """The real package loaded once: its typed tables for every test that only reads them."""
    from checks.validate import load_context
    from helpers import ROOT

    return load_context(ROOT)


@pytest.fixture(scope="session")
def tables(ctx) -> dict:
    return ctx.tables


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the package's data, schemas, seed and SQL, free to damage."""
    from helpers import PACKAGE_PARTS, ROOT

    for part in PACKAGE_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / part)
    return tmp_path


@pytest.fixture
def repo(copy) -> Path:
    """The copy as a git repository with one commit, `main`: the base that `diff` compares with."""
    from helpers import git

    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "base")
    return copy


@pytest.fixture(scope="session")
def built_package(tmp_path_factory) -> Path:
    """A copy of the package with dist/ built, for the tests that only read it; built once for the whole run (the
    xdist workers share the folder above their own). A test that changes it takes a copy (front_helpers.copy_built)."""
    from front_helpers import shared_build

    base = tmp_path_factory.getbasetemp()
    return shared_build(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


#: Modules that one worker runs whole under `pytest -n`: their module fixtures (a browser, a release, a second build,
#: a validation of the real package, loaded connections) are made once, not once per worker.
WHOLE_MODULES = {
    "test_build.py",
    "test_release.py",
    "test_release_readme.py",
    "test_site_browser.py",
    "test_sql_anywhere.py",
    "test_sqlite.py",
    "test_topics.py",
    "test_validate.py",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `pytest -n` with the default --dist load: each module of WHOLE_MODULES is one unit of work, the largest
    first; every other test goes alone to whichever worker is free. (--dist loadgroup would do this with marks, but
    under pytest 9.2 it no longer groups anything, a known pytest-xdist bug.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WholeModules(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1] in WHOLE_MODULES else nodeid

    return WholeModules(config, log)
