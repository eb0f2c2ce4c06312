"""Whole-process wall time and peak memory of a command, as a maintainer meets it.

Each run is one child process; `os.wait4` returns that child's own resource usage, so the peak RSS is the
command's, not the maximum over every child so far (which `getrusage(RUSAGE_CHILDREN)` would give).
Commands are interleaved round by round so that drift of the machine (other load, CPU frequency) cancels.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Runs:
    """Every measured run of one command: wall seconds and peak RSS bytes, and the exit codes seen."""

    label: str
    seconds: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    exit_codes: set[int] = field(default_factory=set)

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_cpu(self) -> float:
        """User plus system CPU seconds: what the machine paid, not what you waited."""
        return statistics.median(self.cpu_seconds)

    @property
    def peak_mib(self) -> float:
        return max(self.peak_bytes) / 2**20


def run_once(argv: list[str], cwd: Path) -> tuple[float, int, int, float]:
    """(wall seconds, peak RSS in bytes, exit code, CPU seconds) of one run; output is discarded."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return (
        elapsed,
        usage.ru_maxrss * 1024,
        child.returncode,
        usage.ru_utime + usage.ru_stime,
    )  # ru_maxrss is KiB on Linux


def interleaved(commands: dict[str, list[str]], cwd: Path, runs: int, warmup: int = 1) -> dict[str, Runs]:
    """Warm up every command, then run them round-robin `runs` times."""
    results = {label: Runs(label) for label in commands}
    for round_ in range(warmup + runs):
        for label, argv in commands.items():
            seconds, peak, code, cpu = run_once(argv, cwd)
            if round_ >= warmup:
                results[label].seconds.append(seconds)
                results[label].peak_bytes.append(peak)
                results[label].cpu_seconds.append(cpu)
                results[label].exit_codes.add(code)
    return results


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"
