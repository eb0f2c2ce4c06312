"""`make bench`: whole-process time and peak memory of validation next to bare frictionless, at the real size.

Prints one table (median of --runs runs after a warm-up, commands interleaved), the ratio of full validation to
bare `frictionless validate` from the same run, and the targets of issue 10 as met or missed. Subcommands that
this checkout does not have (`build`, `query` come from another branch) are skipped, and the table says so.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from benchmarks.measure import interleaved, verdict

ROOT = Path(__file__).resolve().parents[1]
RATIO_TARGET = 1.5
QUERY_TARGET = 0.5


def subcommands(python: str, root: Path) -> set[str]:
    """The subcommands `python -m checks` offers, read from its usage line."""
    usage = subprocess.run([python, "-m", "checks", "--help"], cwd=root, capture_output=True, text=True).stdout
    found = re.search(r"\{([a-z_,]+)\}", usage)
    return set(found.group(1).split(",")) if found else set()


def commands(python: str, root: Path) -> tuple[dict[str, list[str]], list[str]]:
    """label → argv for every command to time, and the labels skipped because the subcommand is missing."""
    frictionless = str(Path(python).with_name("frictionless"))
    wanted = {
        "frictionless validate datapackage.json": ("", [frictionless, "validate", "datapackage.json"]),
        "python -m checks validate": ("validate", [python, "-m", "checks", "--root", str(root), "validate"]),
        "python -m checks build": ("build", [python, "-m", "checks", "--root", str(root), "build"]),
        'python -m checks query "SELECT 1"': ("query", [python, "-m", "checks", "--root", str(root), "query", "SELECT 1"]),
    }
    have = subcommands(python, root)
    chosen = {label: argv for label, (sub, argv) in wanted.items() if not sub or sub in have}
    return chosen, [label for label in wanted if label not in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="package to measure (default: this checkout)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command (median reported)")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    chosen, skipped = commands(args.python, args.root)
    results = interleaved(chosen, args.root, args.runs)
    print(f"Whole-process wall time and peak RSS, median of {args.runs} runs after a warm-up, interleaved ({args.root})\n")
    print("| command | median s | min s | max s | CPU s | peak MiB | exit |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, r in results.items():
        print(f"| `{label}` | {r.median_seconds:.2f} | {min(r.seconds):.2f} | {max(r.seconds):.2f} | {r.median_cpu:.2f} | {r.peak_mib:.0f} | {','.join(map(str, sorted(r.exit_codes)))} |")
    for label in skipped:
        print(f"| `{label}` | skipped: subcommand not in this checkout | | | | | |")
    bare = results["frictionless validate datapackage.json"].median_seconds
    full = results["python -m checks validate"].median_seconds
    ratio = full / bare
    print(f"\nratio validate / frictionless (same run): {ratio:.2f}×")
    print("\nTargets (issue 10):")
    print(f"  {verdict(ratio <= RATIO_TARGET)}: real size, full validation ≤ {RATIO_TARGET}× bare frictionless ({ratio:.2f}×)")
    query = next((r for label, r in results.items() if "query" in label), None)
    if query is None:
        print(f"  not measured: a query < {QUERY_TARGET} s (no `query` subcommand in this checkout)")
    else:
        print(f"  {verdict(query.median_seconds < QUERY_TARGET)}: a query < {QUERY_TARGET} s ({query.median_seconds:.2f} s)")
    print("  (sizes up to 10,000×, linear growth and peak memory: `make bench-scale`, or `make bench-full` for every size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
