"""What `python -m checks readme` writes from the data: the counts block of README.md (between its two markers) and
docs/known-problems.md (from data/readings.csv, one entry per kind, status and reason). A test keeps both current.

Nothing is written when a marker is missing, repeated or reversed, a target is a symlink or not a regular file, or
the package does not validate. Every value from the data is escaped: no marker, raw HTML, link or image can come from
a cell.
"""

from __future__ import annotations

import html
import itertools
import os
import re
from collections.abc import Iterable

import pandas as pd

from checks.package import Package, files
from checks.package.tables import load_tables

README = "README.md"
KNOWN_PROBLEMS = "docs/known-problems.md"
START, END = "<!-- counts:start (python -m checks readme) -->", "<!-- counts:end -->"
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


def _statuses(readings: pd.DataFrame) -> str:
    return ", ".join(f"{n} {md_text(s)}" for s, n in readings["status"].value_counts().sort_index().items())


def counts_block(t: dict[str, pd.DataFrame], package: Package) -> list[str]:
    figures, readings, corroborations = t["figures"], t["readings"], t["corroborations"]
    stated = int(figures["stated"].sum())
    unrecoverable = int((figures["stated"] & figures["value"].isna() & figures["date_value"].isna()).sum())
    verdicts = corroborations["verdict"].value_counts()
    verdicts = ", ".join(f"{int(verdicts.get(v, 0))} {v}" for v in ("agrees", "differs", "refines"))
    return [
        "| what | count |",
        "|---|---|",
        f"| tables (CSV, each with a Table Schema) | {len(package.tables)} |",
        f"| figures stated in the report | {stated} |",
        f"| … of which unrecoverable (value left empty, reason given) | {unrecoverable} |",
        f"| derived figures (implied, not stated; with formula) | {len(figures) - stated} |",
        f"| indicators in the codebook (grouped into {len(t['concepts'])} concepts) | {len(t['indicators'])} |",
        f"| readings of damaged or ambiguous text ([known problems]({KNOWN_PROBLEMS})) "
        f"| {len(readings)} ({_statuses(readings)}) |",
        f"| numerals that are not figures, with reasons | {len(t['non_figures'])} |",
        f"| declared relations (sum, product, difference, percent change, …) | {len(t['relations'])} |",
        f"| figures corroborated by another source | {corroborations['figure_id'].nunique()} ({len(corroborations)} "
        f"corroborations from {corroborations['source_id'].nunique()} sources; {verdicts}) |",
    ]


# Known problems ------------------------------------------------------------------------------------------------

_SENTENCE = re.compile(r".*?(?:[.。](?=\s|$)|$)", re.DOTALL)
_ID = re.compile(r"([A-Za-z]*)(\d+)")


def _sentence_ends(reason: str) -> list[int]:
    """The offsets where each sentence of a reason ends (a full stop followed by a space or the end)."""
    return [m.end() for m in _SENTENCE.finditer(reason) if m.group().strip()]


def _id_ranges(ids: list[str]) -> str:
    """R29, R30, …, R54 as `R29–R54`; ids that do not follow each other are listed apart."""

    def key(pair: tuple[int, str]) -> tuple:
        """Equal for ids that follow each other: (prefix, number - position)."""
        number = _ID.fullmatch(pair[1])
        return (number[1], int(number[2]) - pair[0]) if number else (None, pair[0])

    runs = [[rid for _, rid in group] for _, group in itertools.groupby(enumerate(ids), key)]
    return ", ".join(md_text(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}") for run in runs)


def _where(r: dict, figures: pd.Series) -> str:
    """The span of a reading and the figures that depend on it."""
    span = f"characters {int(r['char_start'])}–{int(r['char_end'])}" if pd.notna(r["char_start"]) else "no span"
    linked = figures.get(r["reading_id"])
    return span + (f"; figures {md_text(linked)}" if linked else "")


def _what(r: dict) -> str:
    adopted = r["adopted"] if isinstance(r["adopted"], str) and r["adopted"] else ""
    return md_code(r["written"]) + (f" → {md_code(adopted)}" if adopted else "")


def _entry(group: list[dict], figures: pd.Series) -> list[str]:
    """One entry: a reading alone, or a group under the sentences of the reason they all share."""
    first = group[0]
    label = f"{md_text(str(first['kind']).replace('_', ' '))}, {md_text(first['status'])}"
    if len(group) == 1:
        where = f"{label}; {_where(first, figures)}"
        return [f"* **{md_text(first['reading_id'])}** {_what(first)} ({where}): {md_text(first['reason'])}"]
    reasons = [str(r["reason"]).strip() for r in group]
    common = len(os.path.commonprefix(reasons))
    shared = max((end for end in _sentence_ends(reasons[0]) if end <= common), default=0)
    spans = "; ".join(f"**{md_text(r['reading_id'])}** {_what(r)} ({_where(r, figures)})" for r in group)
    ids = _id_ranges([r["reading_id"] for r in group])
    lines = [f"* **{ids}** ({len(group)} readings; {label}): {md_text(reasons[0][:shared])}", "", f"  {spans}."]
    notes = [
        f"**{md_text(r['reading_id'])}**: {md_text(reason[shared:].strip())}"
        for r, reason in zip(group, reasons)
        if reason[shared:].strip()
    ]
    return lines + (["", "  Besides: " + " ".join(notes)] if notes else [])


def known_problems(tables: dict[str, pd.DataFrame]) -> str:
    """docs/known-problems.md, from data/readings.csv and data/figure_readings.csv; readings in id order, grouped where
    kind, status and the first sentence of the reason are the same."""
    readings = tables["readings"]
    links = tables["figure_readings"].groupby("reading_id")["figure_id"].agg(lambda ids: ", ".join(sorted(set(ids))))
    groups: dict[tuple, list[dict]] = {}
    for r in readings.to_dict("records"):
        reason = str(r["reason"]).strip()
        first = reason[: (_sentence_ends(reason) or [len(reason)])[0]]
        groups.setdefault((r["kind"], r["status"], first), []).append(r)
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
        f"{len(readings)} readings ({_statuses(readings)}) in {len(groups)} entries:",
        "",
    ]
    for group in groups.values():
        lines += _entry(group, links)
    return "\n".join(lines) + "\n"


# Writing -------------------------------------------------------------------------------------------------------


def _readme_with_markers(package: Package) -> str:
    """README.md's text; refused when its markers are missing, repeated or reversed."""
    text = package.read_text(files.regular_file(package.root, README, "the README"))
    starts, ends = text.count(START), text.count(END)
    if starts != 1 or ends != 1 or text.index(START) > text.index(END):
        reversed_ = ", end before start" if starts == ends == 1 else ""
        raise files.refuse(
            "readme.markers",
            README,
            f"{README} needs exactly one {START} and then one {END} "
            f"(found {starts} start and {ends} end marker(s){reversed_}); nothing was written",
        )
    return text


def current_readme(package: Package, tables: dict | None = None, text: str | None = None) -> str:
    """README.md with its counts regenerated from the tables (loaded here if not given); refuses broken markers."""
    text = _readme_with_markers(package) if text is None else text
    head, _, rest = text.partition(START)
    block = counts_block(load_tables(package) if tables is None else tables, package)
    return head + "\n".join([START, *block, END]) + rest.partition(END)[2]


def _current_text(package: Package, rel: str) -> str | None:
    """A target's text, None if it does not exist yet; refused if it is a symlink or not a regular file."""
    path = files.resolve_inside(package.root, rel, "output")
    if (package.root.resolve() / rel).is_symlink():
        raise files.refuse(
            "output.symlink", rel, f"{rel} is a symlink; refusing to write through it; nothing was written"
        )
    if not path.exists():
        return None
    return package.read_text(files.regular_file(package.root, rel, rel))


def update_readme(package: Package) -> list[str]:
    """Rewrite README.md's counts and docs/known-problems.md from valid data only (counts of a broken package would
    be wrong); every target is checked before anything is written. Returns the files that changed."""
    from checks.validate import validated

    text = _readme_with_markers(package)  # broken markers are refused before the package is validated
    checked = validated(package.root)
    report = checked.report
    if report.exit_code:
        failed = ", ".join(report.failed_rules())
        raise files.refuse(
            "readme.invalid_data",
            README,
            f"the package does not validate (exit {report.exit_code}: {failed}); "
            f"fix it first; {README} and {KNOWN_PROBLEMS} were not written",
        )
    tables = checked.ctx.tables
    new = {README: current_readme(package, tables, text), KNOWN_PROBLEMS: known_problems(tables)}
    changed = [rel for rel, text in new.items() if _current_text(package, rel) != text]
    for rel in changed:
        files.write_atomic(package.root, rel, new[rel].encode("utf-8"))
    return changed


def names(written: Iterable[str]) -> str:
    """What the command prints."""
    written = list(written)
    return f"wrote {', '.join(written)}" if written else f"{README} and {KNOWN_PROBLEMS} already current"
