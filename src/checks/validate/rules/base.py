"""The shape of a rule: a named, described check on each row of one table, with expected and found values.

A rule has two forms of the same judgement. `check` sees one row and returns (ok, expected, found): it is the
reference, and it writes every message. `screen`, where a rule has one, judges the whole table at once with column
operations: True where the row certainly passes, NA where the rule certainly does not apply, False where the row
may fail. Only the rows the screen flags are given to `check`, so Python runs per row only for failing rows and
every message is exactly the one `check` writes. A screen may flag more rows than fail (then `check` clears them),
never fewer. A rule without a screen (the plain RowRule style other rule modules use) is checked row by row.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from checks.package import Package
from checks.package.fields import primary_key

#: What a per-row check returns: None when the rule does not apply to the row, else (ok, expected, found).
Verdict = tuple[bool, object, object] | None
#: What a screen returns: a boolean Series on the table's index (True passes, NA does not apply, False: ask `check`).
Screen = Callable[[pd.DataFrame, "Context"], pd.Series]


class RowsById(Mapping):
    """A table's rows by the first field of its primary key, as pandas rows made only when asked for.

    Building a Series for every row up front (iterrows) costs more than most rules; a row is made on lookup.
    As with a dict built row by row, a repeated id maps to its last row and a missing id to none.
    """

    def __init__(self, df: pd.DataFrame, key: str):
        self._df = df
        self._position = {k: i for i, k in enumerate(df[key].tolist()) if not pd.isna(k)}

    def __getitem__(self, key) -> pd.Series:
        return row_at(self._df, self._position[key])

    def __contains__(self, key) -> bool:
        try:
            return key in self._position
        except TypeError:  # an unhashable cell
            return False

    def __iter__(self) -> Iterator:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


@dataclass
class Context:
    """Everything a rule may look at: the package, its seed text and its typed tables."""

    package: Package
    tables: dict[str, pd.DataFrame]
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, name: str, compute: Callable[["Context"], object]):
        """Compute once what several rules of a table read (the relations' evaluation, say), until `forget`."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return self._memo[name]

    def forget(self) -> None:
        """Drop every memo: validation calls this after each table's rules. Most memos serve the rules of one table;
        kept to the end they held 550 MiB at 10,000x the package. The few that serve several tables (the sentence
        index, say) are computed again, a second or two at that size."""
        self._memo.clear()

    @cached_property
    def seed(self) -> str:
        return self.package.seed_text

    def key_of(self, table: str) -> str:
        return primary_key(self.package.schema(table))[0]

    def rows_by_id(self, table: str) -> RowsById:
        """The table's rows by the first field of its primary key (indexed once)."""
        return self.memo(f"rows_by_id:{table}", lambda ctx: RowsById(ctx.tables[table], ctx.key_of(table)))

    def lookup(self, table: str, column: str) -> pd.Series:
        """One column of a table indexed by the first field of its primary key, for `Series.map` (a repeated id: its last row)."""

        def index(ctx: Context) -> pd.Series:
            key = ctx.key_of(table)
            df = ctx.tables[table][list(dict.fromkeys([key, column]))]  # these columns only: filtering the table would copy all of it
            df = df[df[key].notna()].drop_duplicates(key, keep="last")
            return pd.Series(df[column].array, index=pd.Index(df[key].array), name=column)

        return self.memo(f"lookup:{table}.{column}", index)


@dataclass(frozen=True)
class Outcome:
    """A rule on a table: `ok` for every row (NA where the rule does not apply); `failures`, expected and found as
    `check` wrote them, for the failing rows only (indexed like the table)."""

    ok: pd.Series
    failures: pd.DataFrame

    @property
    def checked(self) -> int:
        """How many rows the rule applied to."""
        return int(self.ok.notna().sum())


@dataclass(frozen=True)
class RowRule:
    """A rule on one table: `check` judges one row; an optional `screen` judges all rows at once (see the module)."""

    name: str
    table: str
    column: str | None
    description: str
    check: Callable[[pd.Series, Context], Verdict]
    screen: Screen | None = None

    def evaluate(self, df: pd.DataFrame, ctx: Context) -> Outcome:
        """The verdict on every row, and expected and found for the rows that fail (only those are kept: a table's
        rules are all held until its report is written, and a line per row per rule cost 12 MiB a rule at 10,000×)."""
        if self.screen is None:
            ok = pd.array([pd.NA] * len(df), dtype="boolean")
            asked = list(range(len(df)))
        else:
            ok = pd.array(self.screen(df, ctx), dtype="boolean")
            if len(ok) != len(df):
                raise ValueError(f"the screen of {self.name} judged {len(ok)} rows of {len(df)}")
            asked = (~ok.fillna(True).to_numpy(dtype=bool)).nonzero()[0].tolist()
        failing: dict[int, tuple[str, str]] = {}
        for position, row in self._rows(df, asked):
            v = self._verdict(row, ctx)
            ok[position] = None if v is None else bool(v[0])
            if v is not None and not v[0]:
                failing[position] = (_text(v[1]), _text(v[2]))
        failures = pd.DataFrame(list(failing.values()), columns=["expected", "found"], index=df.index[list(failing)], dtype=object)
        return Outcome(pd.Series(ok, index=df.index, name=self.name), failures)

    @staticmethod
    def _rows(df: pd.DataFrame, positions: list[int]):
        """(position, row) for the rows asked, as the pandas rows `check` has always seen."""
        chosen = df if len(positions) == len(df) else df.iloc[positions]  # one take for all the rows asked, not one per row
        yield from zip(positions, (row for _, row in chosen.iterrows()))

    def _verdict(self, row: pd.Series, ctx: Context) -> Verdict:
        """The rule's verdict on one row; a row it cannot even read fails, with the reason, instead of crashing."""
        try:
            return self.check(row, ctx)
        except Exception as err:  # noqa: BLE001 - malformed cells must become a reported problem
            return False, "a row this rule can evaluate", f"cannot evaluate: {type(err).__name__}: {err}"


def row_at(df: pd.DataFrame, position: int) -> pd.Series:
    """One row exactly as `DataFrame.iterrows` makes it (Python scalars, not NumPy ones), so messages never change."""
    return next(df.iloc[[position]].iterrows())[1]


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


def filled(column: pd.Series) -> pd.Series:
    """`present` for a whole column: not NA and not empty text (a plain bool Series)."""
    mask = column.notna()
    if not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)):
        mask &= column.astype("string").ne("").fillna(False).astype(bool)
    return mask.astype(bool)


def same(a: pd.Series, b: pd.Series) -> pd.Series:
    """a == b cell by cell as Python compares them (categories and string dtypes alike); NA where either is missing."""
    both = (a.notna() & b.notna()).to_numpy(bool)
    left, right = a.astype(object).to_numpy(), b.astype(object).to_numpy()
    equal = np.zeros(len(a), dtype=bool)
    equal[both] = [x == y for x, y in zip(left[both], right[both])]
    return pd.Series(pd.array(equal, dtype="boolean"), index=a.index).where(both, pd.NA)


def member(column: pd.Series, values) -> pd.Series:
    """`column.isin(values)` through a hash table, as pandas does for objects; for Arrow strings pandas makes a scalar
    of each value in Python, which costs more than the rule. A missing cell is a member when values hold a missing one."""
    values = pd.Series(values.to_numpy(object) if isinstance(values, (pd.Series, pd.Index)) else list(values), dtype=object)
    missing = values.isna()
    found = column.astype(object).isin(values[~missing]).to_numpy(bool) | (column.isna().to_numpy(bool) & bool(missing.any()))
    return pd.Series(found, index=column.index)


def true_in(column: pd.Series) -> pd.Series:
    """`is_true` for a whole boolean column (a plain bool Series)."""
    return column.astype("boolean").fillna(False).astype(bool)


def verdicts(applies: pd.Series, ok: pd.Series) -> pd.Series:
    """A screen's result: NA where the rule does not apply, else ok, with an unknown (NA) ok asked of `check`."""
    result = pd.array(ok.astype("boolean").fillna(False).astype(bool), dtype="boolean")
    result[~applies.astype(bool).to_numpy()] = pd.NA
    return pd.Series(result, index=applies.index)
