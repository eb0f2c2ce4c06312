"""The generated blocks of README.md (counts, known problems of the source) come from the data.

`python -m checks readme` rewrites each block between its two markers; a test keeps them current. It refuses,
writing nothing, when a block's markers are missing, repeated or reversed, or when the package does not validate.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from checks.package import files
from checks.package import Package
from checks.package.tables import load_tables

README = "README.md"


def markers(tag: str) -> tuple[str, str]:
    return f"<!-- {tag}:start (python -m checks readme) -->", f"<!-- {tag}:end -->"


START, END = markers("counts")


def counts_block(t: dict[str, pd.DataFrame], package: Package) -> list[str]:
    figures, readings, corroborations = t["figures"], t["readings"], t["corroborations"]
    stated = int(figures["stated"].sum())
    return [
        "| what | count |",
        "|---|---|",
        f"| tables (CSV, each with a Table Schema) | {len(package.tables)} |",
        f"| figures stated in the report | {stated} |",
        f"| … of which unrecoverable (value left empty, reason given) | {int((figures['stated'] & figures['value'].isna() & figures['date_value'].isna()).sum())} |",
        f"| derived figures (implied, not stated; with formula) | {len(figures) - stated} |",
        f"| indicators in the codebook (grouped into {len(t['concepts'])} concepts) | {len(t['indicators'])} |",
        f"| readings of damaged or ambiguous text | {len(readings)} ({', '.join(f'{n} {s}' for s, n in readings['status'].value_counts().sort_index().items())}) |",
        f"| numerals that are not figures, with reasons | {len(t['non_figures'])} |",
        f"| declared relations (sum, product, difference, percent change, …) | {len(t['relations'])} |",
        f"| figures corroborated by another source | {corroborations['figure_id'].nunique()} ({len(corroborations)} corroborations from {corroborations['source_id'].nunique()} sources; {_verdicts(corroborations)}) |",
    ]


def _first_sentence(text: str) -> str:
    for stop in (". ", "。"):
        head, found, _ = text.partition(stop)
        if found:
            return head + stop.strip()
    return text


def problems_block(t: dict[str, pd.DataFrame], package: Package) -> list[str]:
    """One line per reading: what is written, what is read, its kind and status, the figures it touches, why."""
    links = t["figure_readings"].groupby("reading_id")["figure_id"].agg(lambda ids: ", ".join(sorted(set(ids))))
    lines = []
    for _, r in t["readings"].iterrows():
        adopted = f" → `{r['adopted']}`" if isinstance(r["adopted"], str) and r["adopted"] else ""
        figures = f"; figures {links[r['reading_id']]}" if r["reading_id"] in links.index else ""
        lines.append(f"* **{r['reading_id']}** `{r['written']}`{adopted} ({r['kind'].replace('_', ' ')}, {r['status']}{figures}): {_first_sentence(r['reason'])}")
    return lines


BLOCKS: dict[str, Callable[[dict, Package], list[str]]] = {"counts": counts_block, "problems": problems_block}


def _verdicts(corroborations) -> str:
    """How many corroborations have each verdict, in a fixed order."""
    counts = corroborations["verdict"].value_counts()
    return ", ".join(f"{int(counts.get(v, 0))} {v}" for v in ("agrees", "differs", "refines"))


def current_readme(package: Package, tables: dict | None = None) -> str:
    """README.md with every generated block regenerated from the tables (loaded here if not given); refuses a README
    whose markers are broken."""
    text = package.read_text(files.regular_file(package.root, README, "the README"))
    tables = load_tables(package) if tables is None else tables
    for tag, make_block in BLOCKS.items():
        start, end = markers(tag)
        starts, ends = text.count(start), text.count(end)
        if starts != 1 or ends != 1 or text.index(start) > text.index(end):
            raise files.refuse("readme.markers", README, f"{README} needs exactly one {start} and then one {end} "
                               f"(found {starts} start and {ends} end marker(s){', end before start' if starts == ends == 1 else ''}); nothing was written")
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + "\n".join([start, *make_block(tables, package), end]) + tail
    return text


def update_readme(package: Package) -> bool:
    """Rewrite the blocks from valid data only: counts of a broken package would be wrong."""
    from checks.validate import validated

    checked = validated(package.root)
    report = checked.report
    if report.exit_code:
        raise files.refuse("readme.invalid_data", README, f"the package does not validate (exit {report.exit_code}: {', '.join(report.failed_rules())}); "
                           "fix it first, README.md was not written")
    new = current_readme(package, checked.ctx.tables)
    changed = new != package.read_text(files.regular_file(package.root, README, "the README"))
    if changed:
        files.write_atomic(package.root, README, new.encode("utf-8"))
    return changed
