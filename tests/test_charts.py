"""The charts are made from the data and tell its story: specs in datapackage.json match the tables, the cohort
runs in the report's order with 200 + 8 stacked, per-year money stands apart, axes end at the data, and the
images fit the README's 880 px without a cut label."""

from __future__ import annotations

import copy
import json
import re

import pytest

from checks.documents.charts import CHART_FOLDER, CUMULATIVE, ONE_AMOUNT, PER_YEAR, README_WIDTH, views
from helpers import ROOT


@pytest.fixture(scope="session")
def made_views(tables):
    """The views made from the data, once (session-wide: this module's tests run on either worker)."""
    return views(tables)


@pytest.fixture
def chart_views(made_views):
    """A copy of them for one test."""
    return copy.deepcopy(made_views)


def _spec(chart_views, name):
    return next(v["spec"] for v in chart_views if v["name"] == name)


def _rows(spec):
    return {r["figure_id"]: r for r in next(iter(spec["datasets"].values()))}


def _x_domain(spec):
    """The x scale of the bars (the layer with an x2)."""
    bars = next(layer for layer in spec["layer"] if "x2" in layer["encoding"])
    return bars["encoding"]["x"]["scale"]


def test_committed_views_match_the_data(chart_views):
    committed = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8")).get("views")
    assert committed == chart_views, "run: python -m checks charts (or make charts)"


def test_money_chart_holds_only_money_spent_with_ids_and_values(chart_views):
    rows = _rows(_spec(chart_views, "money_by_purpose"))
    assert len(rows) >= 8
    f006 = rows["F006"]
    assert f006["x1"] == 22.9 and f006["text"] == "F006  22.9亿元" and f006["zh"] == "累计投入帮扶资金"


def test_per_year_money_is_marked_apart_from_one_off_amounts(chart_views):
    spec = _spec(chart_views, "money_by_purpose")
    rows = _rows(spec)
    assert rows["F029"]["series"] == PER_YEAR and "per year" in rows["F029"]["end_text"]
    assert rows["F006"]["series"] == rows["F070"]["series"] == CUMULATIVE
    assert rows["F040"]["series"] == ONE_AMOUNT and "per year" not in rows["F040"]["end_text"]
    order = [r["figure_id"] for r in sorted(rows.values(), key=lambda r: r["y_bar"])]
    groups = [rows[f]["series"] for f in order]
    assert groups == sorted(groups, key=[CUMULATIVE, ONE_AMOUNT, PER_YEAR].index), "the kinds are not grouped"
    colours = next(layer for layer in spec["layer"] if "x2" in layer["encoding"])["encoding"]["color"]["scale"]
    assert len(set(colours["range"])) == len(colours["domain"]) == 3


def test_cohort_runs_in_story_order_with_200_plus_8_stacked(chart_views):
    rows = _rows(_spec(chart_views, "village_cohort"))
    bars = sorted({r["y_bar"] for r in rows.values()})
    at = {y: sorted(f for f, r in rows.items() if r["y_bar"] == y) for y in bars}
    story = [at[y] for y in bars]
    assert story[:3] == [["F002"], ["F003", "F004"], ["F005"]], story  # 622 → 200 + 8 → 208 …
    assert all(len(ids) == 1 for ids in story[2:]) and [ids[0] for ids in story[2:]] == sorted(i[0] for i in story[2:])
    f003, f004, f005 = rows["F003"], rows["F004"], rows["F005"]
    assert (f003["x0"], f003["x1"], f004["x0"], f004["x1"]) == (0, 200, 200, 208)  # stacked, one bar
    assert f003["y_bar"] == f004["y_bar"] and f004["x1"] == f005["x1"] == 208
    assert f004["end_text"] == "F003  200个 + F004  8个 = 208" and f003["end_text"] == ""


@pytest.mark.parametrize(("name", "top"), [("money_by_purpose", 22.9), ("village_cohort", 622)])
def test_axes_end_at_the_data(chart_views, name, top):
    assert _x_domain(_spec(chart_views, name)) == {"domain": [0, top], "nice": False, "zero": True}


def test_every_view_has_its_images():
    for view in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["views"]:
        for ext in ("png", "svg"):
            path = ROOT / CHART_FOLDER / f"{view['name']}.{ext}"
            assert path.is_file() and path.stat().st_size > 1000, path


def _settings(node, names):
    """Every (name, value) of these settings anywhere in a spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in names:
                yield key, value
            yield from _settings(value, names)
    elif isinstance(node, list):
        for item in node:
            yield from _settings(item, names)


def test_charts_are_legible_at_readme_width_and_cut_no_label(chart_views):
    """Drawn at most 880 px wide, the README shows them at 1:1 or larger, so 13 px stays at least 13 px."""
    for view in chart_views:
        svg = (ROOT / CHART_FOLDER / f"{view['name']}.svg").read_text(encoding="utf-8")
        width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
        assert 600 <= width <= README_WIDTH, (view["name"], width)
        assert "…" not in svg, f"{view['name']}: a label is cut"
        sizes = [v for _, v in _settings(view["spec"], ("fontSize", "labelFontSize", "titleFontSize"))]
        assert sizes and min(sizes) >= 13, sizes
        assert all(v == 0 for _, v in _settings(view["spec"], ("labelLimit", "limit"))), "a limit would cut text"
