"""The shape of a rule: a named, described check of one table, with expected and found values for each failing row.

A RowRule is one function that judges one row, zipped from the table's columns (no pandas row objects), and returns
None (the rule does not apply) or (ok, expected, found); a ColumnRule does the same with column operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from checks.package import Package
from checks.package.fields import primary_key

#: What a rule returns for a row: None when the rule does not apply to it, else (ok, expected, found).
Verdict = tuple[bool, object, object] | None


@dataclass
class Context:
    """Everything a rule may look at: the package, its seed text and its typed tables."""

    package: Package
    tables: dict[str, pd.DataFrame]
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, name: str, compute: Callable[[Context], object]):
        """Compute once what several rules read (the relations' evaluation, say)."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return self._memo[name]

    @cached_property
    def seed(self) -> str:
        return self.package.seed_text

    def rows_of(self, table: str) -> list[Row]:
        """A loaded table's rows (see `rows`), made once."""
        return self.memo(f"rows:{table}", lambda ctx: rows(ctx.tables[table]))

    def table_by_id(self, table: str) -> pd.DataFrame:
        """The table indexed by the first field of its primary key (a repeated id: its last row), made once."""
        key = primary_key(self.package.schema(table))[0]
        return self.memo(
            f"table_by_id:{table}",
            lambda ctx: ctx.tables[table].dropna(subset=[key]).drop_duplicates(key, keep="last").set_index(key),
        )

    def rows_by_id(self, table: str) -> dict[object, dict]:
        """The table's rows by the first field of its primary key (a repeated id: its last row), made once."""
        key = primary_key(self.package.schema(table))[0]
        return self.memo(
            f"rows_by_id:{table}", lambda ctx: {row[key]: row for row in ctx.rows_of(table) if not pd.isna(row[key])}
        )


@dataclass(frozen=True)
class Outcome:
    """A rule on a table: `ok` for every row (NA where the rule does not apply); `failures`, expected and found,
    for the failing rows only (indexed like the table)."""

    ok: pd.Series
    failures: pd.DataFrame

    @property
    def checked(self) -> int:
        """How many rows the rule applied to."""
        return int(self.ok.notna().sum())


class Row(dict):
    """One row of a table as column → value (pandas' missing values kept); `name` is its index label."""

    name: object = None


def rows(df: pd.DataFrame) -> list[Row]:
    """The table's rows, its columns zipped: one list of Python values per column (missing as pd.NA), a dict per row.
    Arrow strings are read through Arrow (`__arrow_array__`, pandas' public door to it): pandas' own iteration costs
    more than the rules."""
    names, columns = list(df.columns), []
    for c in names:
        column = df[c]
        if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
            columns.append([pd.NA if v is None else v for v in column.array.__arrow_array__().to_pylist()])
        elif isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
            columns.append(column.to_numpy(dtype=object, na_value=pd.NA).tolist())
        else:
            columns.append(column.tolist())
    out = []
    for label, values in zip(df.index.tolist(), zip(*columns)):
        row = Row(zip(names, values))
        row.name = label
        out.append(row)
    return out


@dataclass(frozen=True)
class RowRule:
    """A rule on one table: `check` judges one row (see the module)."""

    name: str
    table: str
    column: str | None
    description: str
    check: Callable[[Row, Context], Verdict]

    def evaluate(self, df: pd.DataFrame, ctx: Context) -> Outcome:
        """The verdict on every row, and expected and found for the rows that fail; a row the rule cannot even read
        fails, with the reason, instead of crashing."""

        def verdict(row: Row) -> Verdict:
            try:
                return self.check(row, ctx)
            except Exception as err:  # noqa: BLE001 - malformed cells must become a reported problem
                return False, "a row this rule can evaluate", f"cannot evaluate: {type(err).__name__}: {err}"

        loaded = ctx.tables.get(self.table)
        same_table = loaded is not None and df.index.equals(loaded.index)  # pandera hands each check its own copy
        verdicts = [verdict(row) for row in (ctx.rows_of(self.table) if same_table else rows(df))]
        ok = pd.array([None if v is None else bool(v[0]) for v in verdicts], dtype="boolean")
        failing = [i for i, v in enumerate(verdicts) if v is not None and not v[0]]
        failures = pd.DataFrame(
            [(_text(verdicts[i][1]), _text(verdicts[i][2])) for i in failing],
            columns=["expected", "found"],
            index=df.index[failing],
            dtype=object,
        )
        return Outcome(pd.Series(ok, index=df.index, name=self.name), failures)


@dataclass(frozen=True)
class ColumnRule:
    """A rule on one table as column operations: `check(df, ctx)` gives a frame indexed like the table with `ok` (NA
    where the rule does not apply), `expected` and `found` (read for the failing rows only)."""

    name: str
    table: str
    column: str | None
    description: str
    check: Callable[[pd.DataFrame, Context], pd.DataFrame]

    def evaluate(self, df: pd.DataFrame, ctx: Context) -> Outcome:
        judged = self.check(df, ctx)
        ok = judged["ok"].astype("boolean").rename(self.name)
        failing = ok.eq(False).fillna(False).to_numpy(dtype=bool)
        return Outcome(ok, judged.loc[failing, ["expected", "found"]].map(_text).astype(object))


def _text(value: object) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def present(value: object) -> bool:
    """True for a filled cell (not NA, not empty text)."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, float):
        return value == value  # NaN is not equal to itself
    return not pd.isna(value)


def is_true(value: object) -> bool:
    """True for a boolean cell that is true (not NA, not false)."""
    return present(value) and bool(value)


def filled(column: pd.Series) -> pd.Series:
    """`present` for a whole column: not NA and not empty text (a plain bool Series)."""
    mask = column.notna()
    if not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)):
        mask &= column.astype("string").ne("").fillna(False).astype(bool)
    return mask.astype(bool)
