"""The counts in README.md come from the data: this writes them between two markers, and a test keeps them current."""
from __future__ import annotations

from . import files
from .package import Package
from .tables import load_tables

README = "README.md"
START, END = "<!-- counts:start (python -m checks readme) -->", "<!-- counts:end -->"


def counts_block(package: Package) -> str:
    t = load_tables(package)
    figures, readings, corroborations = t["figures"], t["readings"], t["corroborations"]
    stated = int(figures["stated"].sum())
    lines = [
        START,
        "| what | count |",
        "|---|---|",
        f"| tables (CSV, each with a Table Schema) | {len(package.tables)} |",
        f"| figures stated in the report | {stated} |",
        f"| … of which unrecoverable (value left empty, reason given) | {int((figures['stated'] & figures['value'].isna() & figures['date_value'].isna()).sum())} |",
        f"| derived figures (implied, not stated; with formula) | {len(figures) - stated} |",
        f"| indicators in the codebook | {len(t['indicators'])} |",
        f"| readings of damaged or ambiguous text | {len(readings)} ({', '.join(f'{n} {s}' for s, n in readings['status'].value_counts().sort_index().items())}) |",
        f"| numerals that are not figures, with reasons | {len(t['non_figures'])} |",
        f"| declared relations (sum, product, difference, percent change, …) | {len(t['relations'])} |",
        f"| figures corroborated by another source | {corroborations['figure_id'].nunique()} ({len(corroborations)} corroborations from {corroborations['source_id'].nunique()} sources; {_verdicts(corroborations)}) |",
        END,
    ]
    return "\n".join(lines)


def _verdicts(corroborations) -> str:
    """How many corroborations have each verdict, in a fixed order."""
    counts = corroborations["verdict"].value_counts()
    return ", ".join(f"{int(counts.get(v, 0))} {v}" for v in ("agrees", "differs", "refines"))


def current_readme(package: Package) -> str:
    """README.md with its counts block regenerated; refuses a README whose markers are missing, repeated or reversed."""
    text = package.read_text(files.regular_file(package.root, README, "the README"))
    starts, ends = text.count(START), text.count(END)
    if starts != 1 or ends != 1 or text.index(START) > text.index(END):
        raise files.refuse("readme.markers", README, f"{README} needs exactly one {START} and then one {END} "
                           f"(found {starts} start and {ends} end marker(s){', end before start' if starts == ends == 1 else ''}); nothing was written")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return head + counts_block(package) + tail


def update_readme(package: Package) -> bool:
    """Rewrite the counts from valid data only: counts of a broken package would be wrong."""
    from .validate import validate

    report = validate(package.root)
    if report.exit_code:
        raise files.refuse("readme.invalid_data", README, f"the package does not validate (exit {report.exit_code}: {', '.join(report.failed_rules())}); "
                           "fix it first, README.md was not written")
    new = current_readme(package)
    changed = new != package.read_text(files.regular_file(package.root, README, "the README"))
    if changed:
        files.write_atomic(package.root, README, new.encode("utf-8"))
    return changed
