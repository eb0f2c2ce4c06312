"""The shape of a rule: a named, described check on each row of one table, with expected and found values."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ..package import Package
from ..tables import primary_key

#: What a per-row check returns: None when the rule does not apply to the row, else (ok, expected, found).
Verdict = tuple[bool, object, object] | None


@dataclass
class Context:
    """Everything a rule may look at: the package, its seed text and its typed tables."""

    package: Package
    tables: dict[str, pd.DataFrame]
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, name: str, compute: Callable[["Context"], object]):
        """Compute once per context what several rules read (the relations' evaluation, say)."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return self._memo[name]

    @cached_property
    def seed(self) -> str:
        return self.package.seed_text

    def rows_by_id(self, table: str) -> dict[str, pd.Series]:
        """The table's rows by the first field of its primary key (computed once)."""

        def index(ctx: Context) -> dict[str, pd.Series]:
            key = primary_key(ctx.package.schema(table))[0]
            return {row[key]: row for _, row in ctx.tables[table].iterrows() if not pd.isna(row[key])}

        return self.memo(f"rows_by_id:{table}", index)


@dataclass(frozen=True)
class RowRule:
    """A rule checked row by row on one table; `check` sees a row and the context."""

    name: str
    table: str
    column: str | None
    description: str
    check: Callable[[pd.Series, Context], Verdict]

    def evaluate(self, df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        """One line per row: ok (NA where the rule does not apply), expected, found."""
        verdicts = {i: self._verdict(row, ctx) for i, row in df.iterrows()}
        return pd.DataFrame(
            {
                "ok": pd.array([None if v is None else bool(v[0]) for v in verdicts.values()], dtype="boolean"),
                "expected": ["" if v is None else _text(v[1]) for v in verdicts.values()],
                "found": ["" if v is None else _text(v[2]) for v in verdicts.values()],
            },
            index=df.index,
        )


    def _verdict(self, row: pd.Series, ctx: Context) -> Verdict:
        """The rule's verdict on one row; a row it cannot even read fails, with the reason, instead of crashing."""
        try:
            return self.check(row, ctx)
        except Exception as err:  # noqa: BLE001 - malformed cells must become a reported problem
            return False, "a row this rule can evaluate", f"cannot evaluate: {type(err).__name__}: {err}"


def _text(value: object) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def present(value: object) -> bool:
    """True for a filled cell (not NA, not empty text)."""
    return not (value is None or (not isinstance(value, str) and pd.isna(value)) or value == "")


def is_true(value: object) -> bool:
    """True for a boolean cell that is true (not NA, not false)."""
    return present(value) and bool(value)
