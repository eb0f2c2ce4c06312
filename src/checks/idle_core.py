"""The last stages of validation on the core frictionless leaves idle: a forked child runs them beside this process.

At the real size frictionless finishes well before the rules do (its worker is done about 1.3 s in; the rules run
to about 2.2 s), and its core then idles. Once it has, the remaining stages are split: a child forked from this
process (the tables loaded, pandas imported: nothing to redo) runs the last ones and sends back their results,
pickled, while this process runs the first ones. Results are the same objects in the same order either way.

Nothing is forked off Linux (see FORK_SAFE), nor while frictionless still runs: at scale frictionless is the
longer stage, so a child would only compete for a core and hold a second copy of every memo. If the child fails
for any reason, this process runs its stages itself.
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable

#: Forking a process that has loaded pandas, pyarrow and DuckDB is safe on Linux; macOS's system libraries are not
#: fork-safe (Python's multiprocessing spawns there), and Windows has no fork.
FORK_SAFE = sys.platform.startswith("linux") and hasattr(os, "fork")
#: A stage: its name, and what runs it (returning picklable results).
Stage = tuple[str, Callable[[], list]]


def split(stages: list[Stage], cost: Callable[[str], int]) -> tuple[list[Stage], list[Stage]]:
    """(first, last): the cut that brings the last stages' cost closest to half of the total (the first keep one)."""
    costs = [cost(name) for name, _ in stages]
    total = sum(costs)
    cut = min(range(1, len(stages) + 1), key=lambda c: (abs(2 * sum(costs[c:]) - total), -c))
    return stages[:cut], stages[cut:]


class Child:
    """Stages running in a forked child; `results` waits for them, or runs them here if the child could not answer
    (no fork, a crash, an answer that does not unpickle); `answered` says whether the child's answer was used."""

    def __init__(self, stages: list[Stage]):
        self.stages, self.pid, self.answered = stages, None, False
        try:
            read, write = os.pipe()
        except OSError:  # no descriptors left: the stages run here
            return
        signals = {signal.SIGINT, signal.SIGTERM}
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # held until the child is inside its try
        gc.freeze()  # what exists now is shared with the child: its collections must not write to it (copy on write)
        try:
            with warnings.catch_warnings():  # Python 3.12 warns of fork in a process with threads; Arrow's pool re-forms itself after fork
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:  # at the process limit, say: the stages run here
            pid = None
        if pid == 0:  # the child: run, send, and leave at once, whatever happens (never back into the caller's code)
            code = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
                os.close(read)
                try:
                    payload = pickle.dumps([run() for _, run in stages], protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:  # noqa: BLE001 - an empty answer: the parent runs the stages itself
                    payload = b""
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
                code = 0
            finally:
                os._exit(code)  # no exit handlers, no flushing of buffers the parent still holds
        gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        os.close(write)
        if pid is None:
            os.close(read)
            return
        self.pid, self._read = pid, read

    def results(self) -> list[list]:
        if self.pid is not None:
            with os.fdopen(self._read, "rb") as source:
                payload = source.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            try:
                if os.waitstatus_to_exitcode(status) == 0 and payload:
                    results = pickle.loads(payload)
                    if len(results) == len(self.stages):
                        self.answered = True
                        return results
            except Exception:  # noqa: BLE001 - a truncated or unreadable answer: run the stages here
                pass
        return [run() for _, run in self.stages]

    def abandon(self) -> None:
        """Stop and reap a child whose answer is no longer wanted (the parent was interrupted)."""
        if self.pid is not None:
            os.close(self._read)
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def run_stages(stages: list[Stage], idle: Callable[[], bool], cost: Callable[[str], int]) -> list:
    """Every stage's results, in order; the last ones in a child once `idle()` says a core is free (see the module).

    Only from a process with no other Python thread: a thread holding a lock at the fork would leave it held forever
    in the child."""
    results: list = []
    child = None
    pending = list(stages)
    try:
        while pending:
            if child is None and len(pending) > 1 and FORK_SAFE and threading.active_count() == 1 and idle():
                pending, theirs = split(pending, cost)
                child = Child(theirs) if theirs else None
            results += pending.pop(0)[1]()
        if child is not None:
            for part in child.results():
                results += part
    finally:
        if child is not None:
            child.abandon()
    return results
