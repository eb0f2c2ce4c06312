"""Corroborations: what another published source says about a figure. A difference or refinement says how; the
report cannot corroborate itself."""

from __future__ import annotations

from checks.validate.rules.base import Context, RowRule, present

#: Verdicts that a note must explain: the reader needs to know how the source's words differ or what they settle.
EXPLAINED = ("differs", "refines")


def _note_says_how(row, ctx: Context):
    if not present(row["verdict"]) or row["verdict"] not in EXPLAINED:
        return None
    return (
        present(row["note"]),
        f"a note saying how the source {row['verdict']}",
        row["note"] if present(row["note"]) else "(empty)",
    )


def _another_source(row, ctx: Context):
    source = ctx.rows_by_id("sources").get(row["source_id"])
    if source is None:
        return None  # a dangling source is the foreign-key rule's to report
    return (
        source["kind"] != "report",
        "a source other than the report itself",
        f"{row['source_id']} (kind {source['kind']})",
    )


RULES = [
    RowRule(
        "corroborations.note_says_how",
        "corroborations",
        "note",
        "a corroboration that differs from or refines its figure has a note saying how",
        _note_says_how,
    ),
    RowRule(
        "corroborations.another_source",
        "corroborations",
        "source_id",
        "a figure is corroborated by another source, never by the report itself",
        _another_source,
    ),
]
