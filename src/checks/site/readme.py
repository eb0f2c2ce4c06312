"""What `python -m checks readme` writes from the data: the counts block of README.md and docs/known-problems.md.

The counts are rewritten between their two markers in README.md; docs/known-problems.md is generated whole from
data/readings.csv, readings of one kind and status that give one reason grouped into one entry. A test keeps both
current. It refuses, writing nothing, when a block's markers are missing, repeated or reversed, when a target is a
symlink or not a regular file, or when the package does not validate.

Every value taken from the data is escaped before it is pasted: no marker, raw HTML, link or image can come from a
cell (issue 20, point 18).
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

import pandas as pd

from checks.package import Package, files
from checks.package.tables import load_tables

README = "README.md"
KNOWN_PROBLEMS = "docs/known-problems.md"


def markers(tag: str) -> tuple[str, str]:
    return f"<!-- {tag}:start (python -m checks readme) -->", f"<!-- {tag}:end -->"


START, END = markers("counts")

_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
_BREAKS = re.compile(r"[\s\u2028\u2029]+")
_UNSAFE_IN_CODE = re.compile(r"[`<>\r\n\t\v\f\x85\u2028\u2029]")


def md_text(value: object) -> str:
    """Text from the data as Markdown that shows it literally: one line; `&`, `<`, `>` as HTML entities (so no raw
    HTML, no comment, no marker); Markdown's emphasis, code, link and table characters escaped with a backslash (so no
    link and no image)."""
    text = _BREAKS.sub(" ", str(value)).strip()
    return html.escape(_MARKDOWN.sub(r"\\\1", text), quote=False)


def md_code(value: object) -> str:
    """A short verbatim value as inline code where that is safe (no backtick, angle bracket or line break and no
    space at either end), else as escaped text."""
    text = str(value)
    if text and not _UNSAFE_IN_CODE.search(text) and text == text.strip():
        return f"`{text}`"
    return md_text(text)


def counts_block(t: dict[str, pd.DataFrame], package: Package) -> list[str]:
    figures, readings, corroborations = t["figures"], t["readings"], t["corroborations"]
    stated = int(figures["stated"].sum())
    unrecoverable = int((figures["stated"] & figures["value"].isna() & figures["date_value"].isna()).sum())
    statuses = ", ".join(f"{n} {md_text(s)}" for s, n in readings["status"].value_counts().sort_index().items())
    return [
        "| what | count |",
        "|---|---|",
        f"| tables (CSV, each with a Table Schema) | {len(package.tables)} |",
        f"| figures stated in the report | {stated} |",
        f"| … of which unrecoverable (value left empty, reason given) | {unrecoverable} |",
        f"| derived figures (implied, not stated; with formula) | {len(figures) - stated} |",
        f"| indicators in the codebook (grouped into {len(t['concepts'])} concepts) | {len(t['indicators'])} |",
        f"| readings of damaged or ambiguous text ([known problems]({KNOWN_PROBLEMS})) "
        f"| {len(readings)} ({statuses}) |",
        f"| numerals that are not figures, with reasons | {len(t['non_figures'])} |",
        f"| declared relations (sum, product, difference, percent change, …) | {len(t['relations'])} |",
        f"| figures corroborated by another source | {corroborations['figure_id'].nunique()} ({len(corroborations)} "
        f"corroborations from {corroborations['source_id'].nunique()} sources; {_verdicts(corroborations)}) |",
    ]


BLOCKS: dict[str, Callable[[dict, Package], list[str]]] = {"counts": counts_block}


def _verdicts(corroborations) -> str:
    """How many corroborations have each verdict, in a fixed order."""
    counts = corroborations["verdict"].value_counts()
    return ", ".join(f"{int(counts.get(v, 0))} {v}" for v in ("agrees", "differs", "refines"))


# Known problems ------------------------------------------------------------------------------------------------

_SENTENCE = re.compile(r".*?(?:[.。](?=\s|$)|$)", re.DOTALL)


def _sentence_ends(reason: str) -> list[int]:
    """The offsets where each sentence of a reason ends (a full stop followed by a space or the end)."""
    return [m.end() for m in _SENTENCE.finditer(reason) if m.group().strip()]


def _id_ranges(ids: list[str]) -> str:
    """R29, R30, …, R54 as `R29–R54`; ids that do not follow each other are listed apart."""
    runs: list[list[str]] = []
    for rid in ids:
        number = re.fullmatch(r"([A-Za-z]*)(\d+)", rid)
        last = re.fullmatch(r"([A-Za-z]*)(\d+)", runs[-1][-1]) if runs else None
        if number and last and number[1] == last[1] and int(number[2]) == int(last[2]) + 1:
            runs[-1].append(rid)
        else:
            runs.append([rid])
    return ", ".join(md_text(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}") for run in runs)


def _groups(readings: pd.DataFrame) -> list[list[dict]]:
    """Readings in id order, grouped where kind, status and the first sentence of the reason are the same."""
    groups: dict[tuple, list[dict]] = {}
    for r in readings.to_dict("records"):
        reason = str(r["reason"]).strip()
        first = reason[: (_sentence_ends(reason) or [len(reason)])[0]]
        groups.setdefault((r["kind"], r["status"], first), []).append(r)
    return list(groups.values())


def _shared_reason(group: list[dict]) -> int:
    """How many characters of the reason every reading of the group shares, in whole sentences."""
    first = str(group[0]["reason"]).strip()
    shared = 0
    for end in _sentence_ends(first):
        if all(str(r["reason"]).strip()[:end] == first[:end] for r in group):
            shared = end
        else:
            break
    return shared


def _where(r: dict, figures: pd.Series) -> str:
    """The span of a reading and the figures that depend on it."""
    span = f"characters {int(r['char_start'])}–{int(r['char_end'])}" if pd.notna(r["char_start"]) else "no span"
    linked = figures.get(r["reading_id"])
    return span + (f"; figures {md_text(linked)}" if linked else "")


def _what(r: dict) -> str:
    adopted = r["adopted"] if isinstance(r["adopted"], str) and r["adopted"] else ""
    return md_code(r["written"]) + (f" → {md_code(adopted)}" if adopted else "")


def _entry(group: list[dict], figures: pd.Series) -> list[str]:
    first = group[0]
    label = f"{md_text(str(first['kind']).replace('_', ' '))}, {md_text(first['status'])}"
    if len(group) == 1:
        where = f"{label}; {_where(first, figures)}"
        return [f"* **{md_text(first['reading_id'])}** {_what(first)} ({where}): {md_text(first['reason'])}"]
    shared = _shared_reason(group)
    ids = [r["reading_id"] for r in group]
    reason = md_text(str(first["reason"]).strip()[:shared])
    spans = "; ".join(f"**{md_text(r['reading_id'])}** {_what(r)} ({_where(r, figures)})" for r in group)
    lines = [f"* **{_id_ranges(ids)}** ({len(group)} readings; {label}): {reason}", "", f"  {spans}."]
    notes = [(r["reading_id"], str(r["reason"]).strip()[shared:].strip()) for r in group]
    notes = [f"**{md_text(rid)}**: {md_text(note)}" for rid, note in notes if note]
    if notes:
        lines += ["", "  Besides: " + " ".join(notes)]
    return lines


def known_problems(tables: dict[str, pd.DataFrame]) -> str:
    """docs/known-problems.md, from data/readings.csv and data/figure_readings.csv."""
    readings = tables["readings"]
    links = tables["figure_readings"].groupby("reading_id")["figure_id"].agg(lambda ids: ", ".join(sorted(set(ids))))
    statuses = ", ".join(f"{n} {md_text(s)}" for s, n in readings["status"].value_counts().sort_index().items())
    groups = _groups(readings)
    lines = [
        "# Known problems of the source text",
        "",
        "<!-- Generated from data/readings.csv by `python -m checks readme`; edit the data, not this file. -->",
        "",
        "The capture of the web page has lost characters, quotation marks and dates, and some of its words can be read",
        "in more than one way. Each problem is a row of `data/readings.csv`: what is written, the reading adopted (if",
        "any), its kind, its status and why. The source text itself is never edited. Spans are 0-based code-point",
        "offsets into the source text, end excluded.",
        "",
        "Status: `adopted` means the package reads the text as shown after the arrow; `noted` means the problem is",
        "recorded and the text is used as written; `unrecoverable` means the figure it touches has no value.",
        "Readings of one kind and status that give one reason are one entry.",
        "",
        f"{len(readings)} readings ({statuses}) in {len(groups)} entries:",
        "",
    ]
    for group in groups:
        lines += _entry(group, links)
    return "\n".join(lines) + "\n"


# Writing -------------------------------------------------------------------------------------------------------

def _readme_with_markers(package: Package) -> str:
    """README.md's text; refused when a block's markers are missing, repeated or reversed."""
    text = package.read_text(files.regular_file(package.root, README, "the README"))
    for tag in BLOCKS:
        start, end = markers(tag)
        starts, ends = text.count(start), text.count(end)
        if starts != 1 or ends != 1 or text.index(start) > text.index(end):
            reversed_ = ", end before start" if starts == ends == 1 else ""
            raise files.refuse("readme.markers", README, f"{README} needs exactly one {start} and then one {end} "
                               f"(found {starts} start and {ends} end marker(s){reversed_}); nothing was written")
    return text


def current_readme(package: Package, tables: dict | None = None, text: str | None = None) -> str:
    """README.md with every generated block regenerated from the tables (loaded here if not given); refuses a README
    whose markers are broken."""
    text = _readme_with_markers(package) if text is None else text
    tables = load_tables(package) if tables is None else tables
    for tag, make_block in BLOCKS.items():
        start, end = markers(tag)
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + "\n".join([start, *make_block(tables, package), end]) + tail
    return text


def _current_text(package: Package, rel: str) -> str | None:
    """A target's text, None if it does not exist yet; refused if it is a symlink or not a regular file."""
    path = files.resolve_inside(package.root, rel, "output")
    if (package.root.resolve() / rel).is_symlink():
        raise files.refuse("output.symlink", rel, f"{rel} is a symlink; refusing to write through it; "
                           "nothing was written")
    if not path.exists():
        return None
    return package.read_text(files.regular_file(package.root, rel, rel))


def update_readme(package: Package) -> list[str]:
    """Rewrite README.md's blocks and docs/known-problems.md from valid data only (counts of a broken package would
    be wrong); every target is checked before anything is written. Returns the files that changed."""
    from checks.validate import validated

    text = _readme_with_markers(package)  # broken markers are refused before the package is validated
    checked = validated(package.root)
    report = checked.report
    if report.exit_code:
        failed = ", ".join(report.failed_rules())
        raise files.refuse("readme.invalid_data", README,
                           f"the package does not validate (exit {report.exit_code}: {failed}); "
                           f"fix it first; {README} and {KNOWN_PROBLEMS} were not written")
    new = {README: current_readme(package, checked.ctx.tables, text), KNOWN_PROBLEMS: known_problems(checked.ctx.tables)}
    changed = [rel for rel, text in new.items() if _current_text(package, rel) != text]
    for rel in changed:
        files.write_atomic(package.root, rel, new[rel].encode("utf-8"))
    return changed


def names(written: Iterable[str]) -> str:
    """What the command prints."""
    written = list(written)
    return f"wrote {', '.join(written)}" if written else f"{README} and {KNOWN_PROBLEMS} already current"
