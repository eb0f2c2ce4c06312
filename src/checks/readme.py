"""The counts in README.md come from the data: this writes them between two markers, and a test keeps them current."""
from __future__ import annotations

from .package import Package
from .tables import load_tables

START, END = "<!-- counts:start (python -m checks readme) -->", "<!-- counts:end -->"


def counts_block(package: Package) -> str:
    t = load_tables(package)
    figures, readings = t["figures"], t["readings"]
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
        f"| declared relations (sum, difference, percent change, …) | {len(t['relations'])} |",
        END,
    ]
    return "\n".join(lines)


def current_readme(package: Package) -> str:
    """README.md with its counts block regenerated."""
    text = (package.root / "README.md").read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return head + counts_block(package) + tail


def update_readme(package: Package) -> bool:
    path = package.root / "README.md"
    new = current_readme(package)
    changed = new != path.read_text(encoding="utf-8")
    if changed:
        path.write_text(new, encoding="utf-8")
    return changed
