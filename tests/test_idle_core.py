"""The last stages on a second core (checks.idle_core): the same results, in the same order, forked or not."""
from __future__ import annotations

import json
import os

import pytest

from checks import idle_core
from checks.render import as_json
from checks.problems import Report
from checks.validate import check_rules, load_context
from test_screens import _all_data_faults

forks = pytest.mark.skipif(not idle_core.FORK_SAFE, reason="nothing is forked on this platform")


def test_split_gives_the_child_about_half_from_the_end():
    stages = [(name, None) for name in "abcdef"]
    cost = {"a": 10, "b": 2, "c": 3, "d": 4, "e": 1, "f": 2}.__getitem__
    first, last = idle_core.split(stages, cost)
    assert [n for n, _ in first] == ["a", "b"] and [n for n, _ in last] == ["c", "d", "e", "f"]  # 10 of 22; 12 is as close: the child gets less
    assert idle_core.split(stages, {"a": 2, "b": 2, "c": 2, "d": 2, "e": 20, "f": 2}.__getitem__)[1] == stages[4:]  # 22 of 30: |44-30| < |52-30|
    assert idle_core.split(stages[:1], cost) == (stages[:1], [])  # one stage stays here


def _report(ctx, idle) -> str:
    report = Report()
    report.results = check_rules(ctx, idle=idle)
    return as_json(report)


@pytest.fixture
def children(monkeypatch) -> list:
    """Every Child made during the test (to see that a fork happened and whose answer was used)."""
    made = []

    class Recorded(idle_core.Child):
        def __init__(self, stages):
            super().__init__(stages)
            self.forked = self.pid
            made.append(self)

    monkeypatch.setattr(idle_core, "Child", Recorded)
    return made


@forks
def test_forked_results_equal_one_process_on_broken_data(copy, children):
    _all_data_faults(copy)
    alone = _report(load_context(copy), idle=lambda: False)
    assert not children
    split = _report(load_context(copy), idle=lambda: True)
    assert len(children) == 1 and children[0].answered, "a free core was reported, yet no child answered"
    assert len(children[0].stages) > 1
    assert split == alone
    assert json.loads(alone)["summary"]["failed"] > 5  # the faults are found, by both


@forks
def test_a_child_that_cannot_answer_leaves_its_stages_to_the_parent(children):
    """An answer that cannot be pickled (a lambda) reaches the parent as nothing: it runs the child's stages itself."""
    stages = [("here", lambda: [1]), ("there", lambda: [2]), ("last", lambda: [lambda: 3])]
    results = idle_core.run_stages(stages, idle=lambda: True, cost=lambda name: 1)
    assert len(children) == 1 and [name for name, _ in children[0].stages] == ["last"] and not children[0].answered
    assert results[:2] == [1, 2] and callable(results[2]) and results[2]() == 3


@forks
def test_a_fork_that_fails_leaves_its_stages_to_the_parent(children, monkeypatch):
    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert idle_core.run_stages([("a", lambda: [1]), ("b", lambda: [2])], idle=lambda: True, cost=lambda name: 1) == [1, 2]
    assert len(children) == 1 and not children[0].answered


@forks
def test_an_interrupted_parent_reaps_its_child(children):
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        idle_core.run_stages([("a", interrupted), ("b", lambda: [2])], idle=lambda: True, cost=lambda name: 1)
    assert len(children) == 1 and children[0].forked and children[0].pid is None
    with pytest.raises(ChildProcessError):  # reaped already: no zombie left
        os.waitpid(children[0].forked, os.WNOHANG)


def test_nothing_is_forked_while_frictionless_runs(monkeypatch):
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked although no core was free"))
    assert idle_core.run_stages([("a", lambda: [1]), ("b", lambda: [2])], idle=lambda: False, cost=lambda name: 1) == [1, 2]
