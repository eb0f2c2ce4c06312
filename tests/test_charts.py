"""The charts are made from the data: the specs in datapackage.json match the tables, and their images exist."""
from __future__ import annotations

import json

from checks.site.charts import CHART_FOLDER, views
from helpers import ROOT


def test_committed_views_match_the_data(tables):
    committed = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8")).get("views")
    assert committed == views(tables), "run: python -m checks charts (or make charts)"


def test_money_chart_holds_only_money_spent_with_ids_and_values(tables):
    spec = next(v["spec"] for v in views(tables) if v["name"] == "money_by_purpose")
    rows = next(iter(spec["datasets"].values()))
    assert {r["measure"] for r in rows} <= {"flow", "cumulative"} and len(rows) >= 8
    f006 = next(r for r in rows if r["figure_id"] == "F006")
    assert f006["yi"] == 22.9 and f006["text"] == "F006  22.9亿元" and "累计投入帮扶资金" in f006["label"]


def test_cohort_chart_tells_622_then_200_plus_8(tables):
    spec = next(v["spec"] for v in views(tables) if v["name"] == "village_cohort")
    values = {r["figure_id"]: r["value"] for r in next(iter(spec["datasets"].values()))}
    assert values["F002"] == 622 and values["F003"] + values["F004"] == values["F005"] == 208


def test_every_view_has_its_images():
    for view in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["views"]:
        for ext in ("png", "svg"):
            path = ROOT / CHART_FOLDER / f"{view['name']}.{ext}"
            assert path.is_file() and path.stat().st_size > 1000, path
