"""Charts made from the data (Altair → Vega-Lite), rendered to PNG and SVG with vl-convert, no browser needed.

The specs are stored in datapackage.json as Data Package `views`, and the images under docs/charts/; a test
fails when a committed spec no longer matches the data. Labels are bilingual; Chinese needs a CJK font
(Debian: fonts-noto-cjk), which `charts` registers before rendering.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from checks.package import Package

CHART_FOLDER = "docs/charts"
FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
#: Stated figures whose money was spent or invested (not a change, a floor or a wage), and the villages' story.
MONEY_MEASURES = ("flow", "cumulative")
COHORT_CONCEPT = "villages"


def _labelled(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    figures = tables["figures"].merge(tables["indicators"], on="indicator_id", suffixes=("", "_indicator"))
    figures = figures[figures["stated"].fillna(False).astype(bool)].copy()
    figures["label"] = figures["label_zh"] + "|" + figures["label_en"]
    figures["text"] = figures["figure_id"] + "  " + figures["numeral"].astype(str) + figures["unit"].fillna("").astype(str)
    return figures


def _bars(data: pd.DataFrame, x: str, x_title: str, title: list[str], colour: str | None):
    import altair as alt

    base = alt.Chart(data)
    y = alt.Y("label:N", sort=alt.SortField(x, order="descending"), title=None,
              axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=520, labelFontSize=11))
    room = alt.Scale(domain=[0, float(data[x].max()) * 1.3])  # space for the value label of the longest bar
    bars = base.mark_bar().encode(x=alt.X(f"{x}:Q", title=x_title, scale=room), y=y,
                                  color=alt.Color(f"{colour}:N", title="measure", legend=alt.Legend(orient="bottom")) if colour else alt.value("#4c78a8"),
                                  tooltip=["figure_id:N", "quote:N", f"{x}:Q"])
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(x=f"{x}:Q", y=y, text="text:N")
    return (bars + text).properties(title=alt.TitleParams(title, anchor="start"), width=420, height=alt.Step(34)).configure(font=FONT)


def money_chart(tables: dict[str, pd.DataFrame]):
    figures = _labelled(tables)
    money = figures[(figures["base_unit"] == "CNY") & figures["measure"].isin(MONEY_MEASURES)].copy()
    money["yi"] = (money["base_value"] / 1e8).round(4)
    money = money[["figure_id", "label", "text", "quote", "yi", "measure"]].sort_values("figure_id")
    return _bars(money, "yi", "亿元 (100 million yuan)", ["资金投入（亿元）", "Money invested or spent, by purpose (100 million yuan)"], "measure")


def cohort_chart(tables: dict[str, pd.DataFrame]):
    figures = _labelled(tables)
    villages = figures[figures["concept_id"] == COHORT_CONCEPT].copy()
    villages = villages[["figure_id", "label", "text", "quote", "value"]].sort_values("figure_id")
    return _bars(villages, "value", "villages 村", ["村：622个行政村，选定200+8个，208个村的成效",
                                                      "Villages: 622 in the district, 200 + 8 selected, what the 208 reached"], None)


CHARTS = {"money_by_purpose": money_chart, "village_cohort": cohort_chart}


def specs(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Every chart's Vega-Lite spec, data inline, from the tables."""
    return {name: make(tables).to_dict() for name, make in CHARTS.items()}


def views(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """The specs as Data Package views, in a stable order."""
    return [{"name": name, "title": spec["title"]["text"][1], "specType": "vega-lite", "spec": spec}
            for name, spec in specs(tables).items()]


def store_views(package: Package, tables: dict[str, pd.DataFrame]) -> bool:
    """Write the specs into datapackage.json as `views` (atomically); True when they changed."""
    from checks.package import DESCRIPTOR, files

    descriptor = package.descriptor
    new = views(tables)
    if descriptor.get("views") == new:
        return False
    descriptor["views"] = new
    files.write_atomic(package.root, DESCRIPTOR, (json.dumps(descriptor, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8"))
    return True


def render_charts(package: Package, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Write docs/charts/<name>.png and .svg; returns the paths written."""
    import vl_convert as vlc

    from checks.package import files

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
    written = []
    for name, spec in specs(tables).items():
        text = json.dumps(spec, ensure_ascii=False)
        for ext, data in (("svg", vlc.vegalite_to_svg(text).encode("utf-8")), ("png", vlc.vegalite_to_png(text, scale=2))):
            rel = f"{CHART_FOLDER}/{name}.{ext}"
            files.write_atomic(package.root, rel, data)
            written.append(rel)
    return written
