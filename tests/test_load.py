"""Typed pandas in one line: `checks.load()` gives each column its schema's type, from any folder of the package."""

from __future__ import annotations

import pandas as pd

import checks
from checks.package import Package
from helpers import ROOT


def test_load_gives_typed_frames():
    tables = checks.load(ROOT)
    assert list(tables) == Package(ROOT).table_names
    figures = tables["figures"]
    assert str(figures["char_start"].dtype) == "Int64" and figures["char_start"].isna().sum() == 2
    assert str(figures["stated"].dtype) == "boolean" and figures["stated"].sum() == len(figures) - 2
    assert pd.api.types.is_datetime64_any_dtype(figures["period_start"])
    assert figures.set_index("figure_id").at["F006", "period_start"] == pd.Timestamp("2017-08-01")
    assert figures.set_index("figure_id").at["F006", "quote"] == "22.9亿元"
    assert str(tables["relations"]["list_is_open"].dtype) == "boolean"


def test_load_finds_the_package_from_the_working_directory(monkeypatch):
    monkeypatch.chdir(ROOT / "data")
    assert len(checks.load()["figures"]) == sum(1 for _ in open("figures.csv", encoding="utf-8")) - 1


def test_a_loaded_table_is_a_copy_of_the_one_remembered(package):
    """What load_table gives may be changed by its caller: the next load of the same bytes is unchanged."""
    from checks.package.tables import load_table

    first = load_table(package, "units")
    first.iloc[0, 0] = "changed"
    assert load_table(package, "units").iloc[0, 0] != "changed"


def test_a_large_table_is_parsed_each_time_and_never_kept(package, monkeypatch):
    """Only tables up to REMEMBERED_BYTES are remembered (at most 32): no copy of a large one outlives its reading."""
    from checks.package import tables

    monkeypatch.setattr(tables, "REMEMBERED_BYTES", (ROOT / "data" / "units.csv").stat().st_size)
    tables._remembered_table.cache_clear()
    tables.load_table(package, "figures")  # larger than the bound
    assert tables._remembered_table.cache_info().currsize == 0
    tables.load_table(package, "units")
    tables.load_table(package, "units")
    assert tables._remembered_table.cache_info()[:2] == (1, 1)  # (hits, misses)
