"""`make bench`: `validate` next to bare `frictionless validate` at 1×, 10× and 100× the package, and a query.

Whole-process wall time, CPU time and peak memory, median of --runs interleaved runs after a warm-up (imports
included: a user pays for them). Printed, never asserted: the machine's load moves these numbers.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import generate
from benchmarks.measure import interleaved, verdict

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1, 10, 100)
#: validate / frictionless at most this, by size (issue 19); growth from 10× to 100× should be about linear.
RATIO_TARGETS = {1: 3.5, 100: 2.0}
QUERY_TARGET = 0.5


def commands(python: str, root: Path) -> dict[str, list[str]]:
    frictionless = str(Path(python).with_name("frictionless"))
    return {
        "frictionless": [frictionless, "validate", "datapackage.json"],
        "validate": [python, "-P", "-m", "checks", "--root", str(root), "validate"],
    }


def query_seconds(python: str, root: Path, runs: int) -> float:
    """A query answered from the built database (built first: `query` uses it while it is current)."""
    shutil.copy2(ROOT / "CITATION.cff", root / "CITATION.cff")  # the workbook cites it
    subprocess.run([python, "-P", "-m", "checks", "--root", str(root), "build"], check=True, capture_output=True)
    argv = [python, "-P", "-m", "checks", "--root", str(root), "query", "SELECT count(*) FROM figures"]
    return interleaved({"query": argv}, root, runs)["query"].median_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command (median reported)")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    print(f"Median of {args.runs} interleaved runs after a warm-up; wall and CPU seconds, peak RSS\n")
    heads = ["size", "figure rows", "frictionless s", "validate s", "ratio", "CPU s frictionless", "CPU s validate"]
    heads += ["peak MiB frictionless", "peak MiB validate"]
    print("| " + " | ".join(heads) + " |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    seconds, ratios = {}, {}
    with tempfile.TemporaryDirectory(prefix="checks-bench-") as tmp:
        for size in SIZES:
            root = generate(Path(tmp) / f"x{size}", size)
            runs = interleaved(commands(args.python, root), root, args.runs)
            f, v = runs["frictionless"], runs["validate"]
            seconds[size], ratios[size] = v.median_seconds, v.median_seconds / f.median_seconds
            rows = sum(1 for _ in open(root / "data" / "figures.csv", encoding="utf-8")) - 1
            cells = [
                f"{size}×",
                f"{rows:,}",
                f"{f.median_seconds:.2f}",
                f"{v.median_seconds:.2f}",
                f"{ratios[size]:.2f}×",
            ]
            cells += [f"{f.median_cpu:.2f}", f"{v.median_cpu:.2f}", f"{f.peak_mib:.0f}", f"{v.peak_mib:.0f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
            if size == 1:
                query = query_seconds(args.python, root, args.runs)
    print(f"\nquery from the built database: {query:.2f} s")
    print("\nTargets (issue 19):")
    for size, target in RATIO_TARGETS.items():
        ratio = f"({ratios[size]:.2f}×)"
        print(f"  {verdict(ratios[size] <= target)}: {size}×, validate ≤ {target}× bare frictionless {ratio}")
    growth = seconds[100] / seconds[10]
    print(f"  growth of validate from 10× to 100×: {growth:.1f}× for 10× the rows (linear: at most 10×)")
    print(f"  {verdict(query < QUERY_TARGET)}: a query from the built database < {QUERY_TARGET} s ({query:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
