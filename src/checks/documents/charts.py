"""Charts made from the data (Altair → Vega-Lite), rendered to PNG and SVG by vl-convert, no browser needed.

The specs are stored in datapackage.json as Data Package `views` (a test fails when one no longer matches the data),
the images under docs/charts/. Labels are bilingual (Chinese needs a CJK font, Debian's fonts-noto-cjk), wrapped in
Python, never cut, for the README's 880 px (rendered at 2x, 13 px text); each bar is drawn from an explicit start and
end (x0, x1), so a stack is stated in the data and the axis ends at the longest bar.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd

from checks.package import Package, files

CHART_FOLDER = "docs/charts"
FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
#: Width at which the README shows the charts; a rendered chart is at most this wide (at scale 1).
README_WIDTH = 880
FONT_SIZE = 13
LINE, BAR, GAP = 17, 18, 12  # px: a line of text, a bar, between a bar and the next label
PLOT_WIDTH = 680  # the longest bar; its value label goes past it
#: Characters per label line: labels run the chart's width above their bars; a CJK glyph is about 1 em wide.
WRAP_ZH, WRAP_EN = 60, 120
#: Stated figures whose money was spent or invested (not a change, a floor or a wage), and the villages' story.
MONEY_MEASURES = ("flow", "cumulative")
COHORT_CONCEPT = "villages"
#: How an amount of money is counted, in the order the chart shows the groups; a per-year amount is not a total.
CUMULATIVE, ONE_AMOUNT, PER_YEAR = "cumulative 累计", "one amount 一次投入", "every year 每年"
MONEY_COLOURS = {CUMULATIVE: "#3b6ea8", ONE_AMOUNT: "#e08a1e", PER_YEAR: "#2f9e6e"}
WHOLE_BAR = "one stated figure 一个数字"
#: What a chart's data holds, in this order: the bar's row, labels, series, start and end, texts.
COLUMNS = ["figure_id", "row", "label_zh", "label_en", "series", "x0", "x1", "text", "end_text", "quote"]


def _labelled(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    figures = tables["figures"].merge(tables["indicators"], on="indicator_id", suffixes=("", "_indicator"))
    figures = figures[figures["stated"].fillna(False).astype(bool)].copy()
    figures["written"] = figures["numeral"].astype(str) + figures["unit"].fillna("").astype(str)
    figures["text"] = figures["figure_id"] + "  " + figures["written"]
    return figures.sort_values("char_start", kind="stable")


def _layout(data: pd.DataFrame) -> pd.DataFrame:
    """Place each row from the top: its Chinese and English label lines (wrapped at '|'), then its bar. Rows of a
    stack (same row key) share one label and one bar line. y is in pixels: a long label takes room only for itself."""
    data = data[COLUMNS].reset_index(drop=True)
    for lang, width in (("zh", WRAP_ZH), ("en", WRAP_EN)):
        data[lang] = ["|".join(textwrap.wrap(text, width, break_on_hyphens=False)) for text in data[f"label_{lang}"]]
    top, tops = 0, {}
    for key, zh, en in zip(data["row"], data["zh"], data["en"]):
        if key not in tops:
            tops[key] = top
            top += (zh.count("|") + en.count("|") + 2) * LINE + BAR + GAP
    data["y_zh"] = data["row"].map(tops)
    data["y_en"] = data["y_zh"] + (data["zh"].str.count(r"\|") + 1) * LINE
    data["y_bar"] = data["y_en"] + (data["en"].str.count(r"\|") + 1) * LINE + 2
    data["y_bar_end"] = data["y_bar"] + BAR
    data.loc[data["row"].duplicated(), ["zh", "en"]] = ""
    data.attrs["height"] = top - GAP
    return data.drop(columns=["label_zh", "label_en"])


def _bars(data: pd.DataFrame, title: list[str], x_title: str, colours: dict[str, str], legend: str):
    """Bars from x0 to x1 in the data's order, each under its bilingual label, the value past the bar's end."""
    import altair as alt

    data = _layout(data)
    height = data.attrs.pop("height")
    no_axis = {"axis": None, "scale": alt.Scale(domain=[0, height], range=[0, height], nice=False, zero=False)}
    text = {"align": "left", "fontSize": FONT_SIZE}
    x = alt.X(
        "x0:Q",
        title=x_title,
        scale=alt.Scale(domain=[0, float(data["x1"].max())], nice=False, zero=True),
        axis=alt.Axis(tickCount=5, grid=False, labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE),
    )
    legend = alt.Legend(
        title=legend,
        orient="bottom",
        direction="vertical",
        labelFontSize=FONT_SIZE,
        titleFontSize=FONT_SIZE,
        labelLimit=0,
        symbolType="square",
    )
    colour = alt.Color("series:N", scale=alt.Scale(domain=list(colours), range=list(colours.values())), legend=legend)
    base = alt.Chart(data)
    bars = base.mark_bar().encode(
        x=x,
        x2="x1:Q",
        y=alt.Y("y_bar:Q", **no_axis),
        y2="y_bar_end:Q",
        color=colour,
        tooltip=["figure_id:N", "quote:N", "text:N"],
    )
    labels = [  # each language's label lines, above the bar, from the chart's left edge
        base.transform_filter(f"datum.{field} != ''")
        .mark_text(baseline="top", lineBreak="|", lineHeight=LINE, **text, **style)
        .encode(x=alt.datum(0), y=alt.Y(f"y_{field}:Q", **no_axis), text=f"{field}:N")
        for field, style in (("zh", {"fontWeight": 600}), ("en", {"color": "#333"}))
    ]
    value = base.transform_filter("datum.end_text != ''").mark_text(baseline="middle", dx=5, fontWeight=600, **text)
    value = value.encode(x="x1:Q", y=alt.Y("y_bar:Q", **no_axis), yOffset=alt.value(BAR / 2), text="end_text:N")
    title = alt.TitleParams(title, anchor="start", fontSize=15, offset=14)
    chart = alt.layer(*labels, bars, value).properties(title=title, width=PLOT_WIDTH, height=height)
    return chart.configure(font=FONT).configure_view(stroke=None)


def money_chart(tables: dict[str, pd.DataFrame]):
    """Money by purpose: cumulative totals, one-off amounts and per-year amounts as groups of their own colour."""
    figures = _labelled(tables)
    money = figures[(figures["base_unit"] == "CNY") & figures["measure"].isin(MONEY_MEASURES)].copy()
    money["series"] = [
        CUMULATIVE if m == "cumulative" else PER_YEAR if per == "year" else ONE_AMOUNT
        for m, per in zip(money["measure"], money["per"].fillna(""))
    ]
    money["x0"] = 0.0
    money["x1"] = (money["base_value"] / 1e8).round(4)
    money["end_text"] = money["text"] + [" 每年 per year" if s == PER_YEAR else "" for s in money["series"]]
    money["group"] = money["series"].map(list(MONEY_COLOURS).index)
    money = money.sort_values(["group", "x1", "figure_id"], ascending=[True, False, True])
    money["row"] = money["figure_id"]
    title = ["资金投入（亿元）：累计、一次投入、每年", "Money invested or spent, by purpose (100 million yuan)"]
    return _bars(money, title, "亿元 (100 million yuan)", MONEY_COLOURS, "counted as 计法")


def _stacks(tables: dict[str, pd.DataFrame], ids: set[str]) -> list[list[str]]:
    """The parts of each declared sum among these figures (200 + 8 = 208): drawn as one stacked bar."""
    relations, terms = tables["relations"], tables["relation_terms"]
    sums = relations.loc[relations["kind"] == "sum", "relation_id"]
    parts = [list(terms.loc[(terms["relation_id"] == rid) & (terms["role"] == "part"), "figure_id"]) for rid in sums]
    return [p for p in parts if p and set(p) <= ids]


def cohort_chart(tables: dict[str, pd.DataFrame]):
    """The villages in the order the report tells them: 622 in the district, 200 + 8 selected, what the 208 reached."""
    figures = _labelled(tables)
    villages = figures[figures["concept_id"] == COHORT_CONCEPT].set_index("figure_id", drop=False)
    villages["x0"], villages["x1"], villages["series"] = 0.0, villages["value"].astype(float), WHOLE_BAR
    villages["row"] = villages["figure_id"]
    villages["end_text"] = villages["text"]
    colours = {WHOLE_BAR: "#3b6ea8"}
    palettes = (("#e08a1e", "#b8336a"), ("#2f9e6e", "#7b5ea7"))
    for parts, palette in zip(_stacks(tables, set(villages.index)), palettes):
        start = 0.0
        zh = " + ".join(villages.loc[parts, "label_zh"])
        en = " + ".join(villages.loc[parts, "label_en"])
        for fid, colour in zip(parts, palette * len(parts)):
            value = float(villages.at[fid, "value"])
            villages.at[fid, "series"] = f"{fid}  {villages.at[fid, 'written']} {villages.at[fid, 'label_zh']}"
            villages.loc[fid, ["x0", "x1"]] = start, start + value
            villages.at[fid, "row"], villages.at[fid, "label_zh"], villages.at[fid, "label_en"] = parts[0], zh, en
            villages.at[fid, "end_text"] = ""
            colours[villages.at[fid, "series"]] = colour
            start += value
        total = int(start) if start.is_integer() else start
        villages.at[parts[-1], "end_text"] = " + ".join(villages.loc[parts, "text"]) + f" = {total}"
    title = [
        "村：622个行政村，选定200+8个，208个村的成效",
        "Villages: 622 in the district, 200 + 8 selected, what the 208 reached",
    ]
    return _bars(villages, title, "villages 村", colours, "bar 条")


CHARTS = {"money_by_purpose": money_chart, "village_cohort": cohort_chart}


def specs(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Every chart's Vega-Lite spec, data inline, from the tables."""
    return {name: make(tables).to_dict() for name, make in CHARTS.items()}


def views(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """The specs as Data Package views, in a stable order."""
    return [
        {"name": name, "title": spec["title"]["text"][1], "specType": "vega-lite", "spec": spec}
        for name, spec in specs(tables).items()
    ]


def store_views(package: Package, tables: dict[str, pd.DataFrame]) -> bool:
    """Write the specs into datapackage.json as `views` (atomically); True when they changed."""
    new = views(tables)
    if package.descriptor.get("views") == new:
        return False
    package.descriptor["views"] = new
    package.save_descriptor()
    return True


def render_charts(package: Package, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Write docs/charts/<name>.png (2x, for sharp text at README width) and .svg; returns the paths written."""
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
    written = []
    for name, spec in specs(tables).items():
        text = json.dumps(spec, ensure_ascii=False)
        images = {"svg": vlc.vegalite_to_svg(text).encode("utf-8"), "png": vlc.vegalite_to_png(text, scale=2)}
        for ext, data in images.items():
            written.append(f"{CHART_FOLDER}/{name}.{ext}")
            files.write_atomic(package.root, written[-1], data)
    return written
