"""No invisible or direction characters in text cells: what a reader cannot see must not change what a cell says.

A right-to-left override (U+202E) shows `cod.exe` for `exe.doc`; a zero-width joiner or a tag character hides
text inside a figure's words; U+2028 breaks a line that no CSV reader sees as a line; private-use characters and
noncharacters (U+FFFE) show as nothing or as boxes; a stack of combining marks draws over its neighbours. Each is
refused in every text cell of every table, except in a cell that copies the seed at the row's span (a quote
copies the text as it is, invisible characters included).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pandas as pd

from checks.validate.rules.base import Context, RowRule, Verdict

DESCRIPTION = (
    "text cells hold no invisible or direction characters (bidi controls, zero-width characters, line and paragraph "
    "separators, tag characters, private use, noncharacters) and no stack of three or more combining marks, unless "
    "the seed has them at the row's span"
)
#: Format characters (bidi controls, zero-width, tags, soft hyphen), private use, line and paragraph separators.
_CATEGORIES = {"Cf", "Co", "Zl", "Zp"}
_MARKS = {"Mn", "Me"}
#: Where characters of those categories are: planes 0-1 and the tags plane (planes 2-3 hold only CJK ideographs, a
#: test checks; the rest is unassigned, or private use listed whole).
_SCANNED = (range(0x20000), range(0xE0000, 0xE1000))
_PRIVATE_PLANES = ((0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_STACK = 3


def _class(codepoints: list[int]) -> str:
    """A regular-expression character class body of these code points, as ranges (RE2 and Python read it alike)."""
    parts, start = [], None
    for i, cp in enumerate(codepoints):
        if start is None:
            start = cp
        if i + 1 == len(codepoints) or codepoints[i + 1] != cp + 1:
            parts.append(chr(start) if start == cp else f"{chr(start)}-{chr(cp)}")
            start = None
    return "".join(parts)


@cache
def _codepoints() -> tuple[list[int], list[int]]:
    """The characters refused one by one, and the combining marks (sorted)."""
    hidden, marks = [], []
    for block in _SCANNED:
        for cp in block:
            category = unicodedata.category(chr(cp))
            if category in _CATEGORIES:
                hidden.append(cp)
            elif category in _MARKS:
                marks.append(cp)
    noncharacters = [
        *range(0xFDD0, 0xFDF0),
        *(plane + last for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF)),
    ]
    return sorted(set(hidden) | set(noncharacters)), marks


@cache
def pattern() -> str:
    """One character to refuse, or a stack of combining marks."""
    hidden, marks = _codepoints()
    private = "".join(f"{chr(a)}-{chr(b)}" for a, b in _PRIVATE_PLANES)
    return f"[{_class(hidden)}{private}]|[{_class(marks)}]{{{_STACK},}}"


@cache
def _screen() -> str:
    """One class that every cell `pattern` finds something in matches: the refused characters and marks of the BMP, and
    any character beyond it (Python's re tries astral ranges one by one: `pattern` itself takes 40 times as long)."""
    hidden, marks = _codepoints()
    return f"[{_class(sorted(cp for cp in hidden + marks if cp < 0x10000))}\U00010000-\U0010ffff]"


def _text_columns(columns, ctx: Context, table: str) -> list[str]:
    types = {f["name"]: f.get("type", "string") for f in ctx.package.schema(table)["fields"]}
    return [c for c in columns if types.get(c) == "string"]


def _named(text: str) -> str:
    return " ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in text[:4]) + (
        " …" if len(text) > 4 else ""
    )


def _rows_with_any(ctx: Context, table: str) -> set | None:
    """Index labels of the rows that may hold a refused character: a text cell matches `_screen`, one column at a time
    (pandas' string methods: Python's re, or RE2 where pyarrow backs the strings); only these rows are read cell by
    cell.
    None when the table is not loaded (a row judged on its own): every row is then read."""
    if table not in ctx.tables:
        return None

    def build(c: Context) -> set:
        df = c.tables[table]
        columns = _text_columns(df.columns, c, table)
        # the whole table's text in one search first (a line feed is not in the class): a clean table, the usual
        # case, costs one pass instead of one per column
        if not re.search(_screen(), "\n".join(df[column].str.cat(sep="\n") for column in columns)):
            return set()
        hit = pd.Series(False, index=df.index)
        for column in columns:
            hit |= df[column].str.contains(_screen(), regex=True).fillna(False).astype(bool)
        return set(df.index[hit].tolist())

    return ctx.memo(f"invisible:{table}", build)


def _check(table: str):
    def check(row, ctx: Context) -> Verdict:
        """Every refused character of every text cell, unless the cell is the seed's own text at the row's span."""
        flagged = _rows_with_any(ctx, table)
        if flagged is not None and row.name not in flagged:
            return True, "text without invisible or direction characters (or the seed's own at this span)", ""
        start, end = row.get("char_start"), row.get("char_end")
        span = ctx.seed[int(start) : int(end)] if not (pd.isna(start) or pd.isna(end)) else ""
        found = [
            f"{column}: {_named(m.group())} at character {m.start()}"
            for column in _text_columns(list(row.keys()), ctx, table)
            if isinstance(row[column], str) and row[column] not in span
            for m in re.finditer(pattern(), row[column])
        ]
        return (
            not found,
            "text without invisible or direction characters (or the seed's own at this span)",
            "; ".join(found[:5]),
        )

    return check


@cache
def rule_for(table: str) -> RowRule:
    """The rule for one table (every table of the package has it)."""
    return RowRule(f"{table}.invisible_characters", table, None, DESCRIPTION, _check(table))
