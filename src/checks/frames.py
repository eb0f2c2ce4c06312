"""Typed pandas in one line: `checks.load()` gives every table as a DataFrame typed by its Table Schema.

Plain `pd.read_csv` guesses: offsets become floats (derived figures have none), dates stay text. Here the types
come from schemas/*.json through the validator's own loader: nullable Int64, boolean, datetime64, string.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .package import find_root
from .rules.base import Context
from .tables import with_dates
from .validate import load_context


def for_readers(ctx: Context) -> dict[str, pd.DataFrame]:
    """The validator's typed tables, with dates as dates."""
    return {name: with_dates(frame, ctx.package.schema(name)) for name, frame in ctx.tables.items()}


def load(root: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table by name, typed; root defaults to the package holding the working directory."""
    return for_readers(load_context(Path(root).resolve() if root is not None else find_root()))
