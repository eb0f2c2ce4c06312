"""Validation at 1×, 10×, 100× (and with --full 1,000× and 10,000×) the real package: time, stages, memory, growth.

Each size is generated into a temporary folder (`benchmarks.generate`), checked to validate, then measured:
whole-process wall time and peak RSS of bare `frictionless validate` and of `python -m checks validate`
(interleaved, median), and one in-process run split by stage (`benchmarks.stages`). Prints the targets of
issue 10 that concern scale as met or missed; a target whose sizes were not run is said to be not measured.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench import RATIO_TARGET
from benchmarks.generate import generate
from benchmarks.measure import interleaved, verdict

DEFAULT_SIZES = (1, 10, 100)
FULL_SIZES = (1, 10, 100, 1000, 10000)
GROWTH_TARGET = 120  # time at 10,000× at most this many times the time at 100×
MEMORY_TARGET = 2 * 2**30


def _rows(root: Path, table: str = "figures") -> int:
    with open(root / "data" / f"{table}.csv", "rb") as f:
        return sum(1 for _ in f) - 1  # header; the package's tables hold no newline inside a cell at these sizes


def stage_times(python: str, root: Path) -> dict:
    done = subprocess.run([python, "-m", "benchmarks.stages", str(root)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def measure(python: str, size: int, runs: int, workdir: Path) -> dict:
    root = generate(workdir / f"x{size}", size)
    frictionless = str(Path(python).with_name("frictionless"))
    commands = {"frictionless": [frictionless, "validate", "datapackage.json"],
                "validate": [python, "-m", "checks", "--root", str(root), "validate"]}
    whole = interleaved(commands, root, runs, warmup=1 if size <= 100 else 0)
    stages = stage_times(python, root)
    return {"size": size, "rows": _rows(root), "whole": whole, "stages": stages}


def print_tables(results: list[dict]) -> None:
    print("| size | figure rows | frictionless s | validate s | ratio | CPU s frictionless | CPU s validate | peak MiB frictionless | peak MiB validate | validate growth | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    previous = None
    for r in results:
        f, v = r["whole"]["frictionless"], r["whole"]["validate"]
        growth = f"{v.median_seconds / previous:.1f}×" if previous else ""
        previous = v.median_seconds
        print(f"| {r['size']:,}× | {r['rows']:,} | {f.median_seconds:.2f} | {v.median_seconds:.2f} | {v.median_seconds / f.median_seconds:.2f}× "
              f"| {f.median_cpu:.2f} | {v.median_cpu:.2f} | {f.peak_mib:.0f} | {v.peak_mib:.0f} | {growth} | {','.join(map(str, sorted(v.exit_codes)))} |")
    names = list(dict.fromkeys(n for r in results for n in r["stages"]["stages"]))
    print("\nIn-process seconds per stage (one run; pandera.<table> includes its row rules, `sql` is inside pandera.relations):\n")
    print("| stage | " + " | ".join(f"{r['size']:,}×" for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{r['stages']['stages'].get(name, 0):.2f}" for r in results) + " |")
    print("| total in-process | " + " | ".join(f"{r['stages']['total']:.2f}" for r in results) + " |")
    largest = results[-1]["stages"]["rules"]
    slow = sorted(largest.items(), key=lambda kv: -kv[1])[:8]
    print(f"\nSlowest row rules at {results[-1]['size']:,}×: " + ", ".join(f"{n} {s:.2f} s" for n, s in slow))


def print_targets(results: list[dict]) -> None:
    by_size = {r["size"]: r for r in results}
    print("\nTargets (issue 10):")
    for r in results:
        ratio = r["whole"]["validate"].median_seconds / r["whole"]["frictionless"].median_seconds
        print(f"  {verdict(ratio <= RATIO_TARGET)}: {r['size']:,}×, full validation ≤ {RATIO_TARGET}× bare frictionless ({ratio:.2f}×)")
    if 100 in by_size and 10000 in by_size:
        growth = by_size[10000]["whole"]["validate"].median_seconds / by_size[100]["whole"]["validate"].median_seconds
        print(f"  {verdict(growth <= GROWTH_TARGET)}: time at 10,000× ≤ {GROWTH_TARGET}× time at 100× ({growth:.0f}×)")
    else:
        print(f"  not measured: time at 10,000× ≤ {GROWTH_TARGET}× time at 100× (run with --full)")
    if 10000 in by_size:
        peak = by_size[10000]["whole"]["validate"].peak_mib
        print(f"  {verdict(peak * 2**20 < MEMORY_TARGET)}: peak memory at 10,000× < 2 GiB ({peak:.0f} MiB)")
    else:
        print("  not measured: peak memory at 10,000× < 2 GiB (run with --full)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated repeat factors")
    parser.add_argument("--full", action="store_true", help="every size up to 10,000× (760,000 figure rows; slow)")
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs per command up to 100× (median); 1 above")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    sizes = FULL_SIZES if args.full else tuple(int(s) for s in args.sizes.split(","))
    results = []
    with tempfile.TemporaryDirectory(prefix="checks-scale-") as tmp:
        for size in sizes:
            results.append(measure(args.python, size, args.runs if size <= 100 else 1, Path(tmp)))
            print(f"measured {size:,}×", file=sys.stderr, flush=True)
            (Path(tmp) / f"x{size}").exists() and subprocess.run(["rm", "-rf", str(Path(tmp) / f"x{size}")], check=True)
    print_tables(results)
    print_targets(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
