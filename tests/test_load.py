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
