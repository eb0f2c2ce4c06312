"""`python -m checks site`: the report as a static bilingual site (dist/site/) and its anchors as W3C annotations.

Everything shown is generated from the tables through Jinja2 templates with autoescaping; the pages need no
network (no CDN, no fetch): CSS and JS are copied beside them, so `dist/site/index.html` works from file://.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import jinja2
import pandas as pd

from checks.package import files, sha256_of
from checks.site.annotations import annotation_collection
from checks.site.marks import nest, tree
from checks.validate.rules.base import Context, present
from checks.validate.rules.relations import evaluate

SITE = "dist/site"
ANNOTATIONS = "dist/annotations.jsonld"
STATIC = ("site.css", "site.js")

#: Reading kinds that say the text is damaged; the others say it is ambiguous.
#: Shown by symbol and words, not colour alone.
DAMAGE = {"lost_characters", "lost_unit", "stripped_quotation_mark", "page_chrome", "truncated"}


def _cells(row: pd.Series) -> dict:
    """A row as template values: missing cells become None, whole floats print without .0."""
    out = {}
    for key, value in row.items():
        if not present(value):
            out[key] = None
        elif isinstance(value, float):
            out[key] = (
                (f"{int(value):,}" if key == "base_value" else str(int(value))) if value.is_integer() else repr(value)
            )
        else:
            out[key] = value.item() if hasattr(value, "item") else value
    return out


def _readings(ctx: Context) -> dict[str, dict]:
    return {
        r["reading_id"]: {**_cells(r), "nature": "damage" if r["kind"] in DAMAGE else "ambiguity"}
        for _, r in ctx.tables["readings"].iterrows()
    }


def _relations(ctx: Context) -> dict[str, dict]:
    computed = evaluate(ctx)
    terms = ctx.tables["relation_terms"]
    out = {}
    for _, r in ctx.tables["relations"].iterrows():
        rid = r["relation_id"]
        mine = terms[terms["relation_id"] == rid]
        holds = computed.at[rid, "holds"] if rid in computed.index else pd.NA
        out[rid] = {
            **_cells(r),
            "terms": list(zip(mine["figure_id"], mine["role"])),
            "recomputed": None if pd.isna(holds) else bool(holds),
        }
    return out


def _readings_of(figure: pd.Series, links: pd.DataFrame, readings: dict) -> list[tuple[str, dict]]:
    """(aspect, reading): the readings the figure depends on, then any other reading inside its words."""
    mine = links[links["figure_id"] == figure["figure_id"]]
    out = [(aspect, readings[rid]) for rid, aspect in zip(mine["reading_id"], mine["aspect"]) if rid in readings]
    if present(figure["char_start"]):
        a, b = int(figure["char_start"]), int(figure["char_end"])
        linked = set(mine["reading_id"])
        out += [
            ("words only", r)
            for rid, r in readings.items()
            if rid not in linked and r["char_start"] is not None and int(r["char_start"]) < b and a < int(r["char_end"])
        ]
    return out


def _figures(ctx: Context, readings: dict, relations: dict) -> list[dict]:
    indicators = ctx.rows_by_id("indicators")
    links = ctx.tables["figure_readings"]
    figures = []
    for _, f in ctx.tables["figures"].iterrows():
        fid = f["figure_id"]
        indicator = indicators.get(f["indicator_id"])
        figures.append(
            {
                **_cells(f),
                "indicator": _cells(indicator) if indicator is not None else {},
                "readings": _readings_of(f, links, readings),
                "relations": [rel for rel in relations.values() if any(t == fid for t, _ in rel["terms"])],
                "anchored": f["stated"] is True and present(f["char_start"]),
            }
        )
    return figures


def _spans(ctx: Context) -> list[tuple[str, str, int, int]]:
    spans = []
    for table, kind, key in (
        ("figures", "figure", "figure_id"),
        ("readings", "reading", "reading_id"),
        ("non_figures", "non_figure", "non_figure_id"),
    ):
        for _, row in ctx.tables[table].iterrows():
            if (
                present(row["char_start"])
                and present(row["char_end"])
                and (table != "figures" or row["stated"] is True)
            ):
                spans.append((kind, row[key], int(row["char_start"]), int(row["char_end"])))
    return spans


def _sections(ctx: Context) -> list[dict]:
    """Sections in order, each with its sentences as trees of marked text."""
    spans = _spans(ctx)
    sentences = ctx.tables["sentences"].sort_values("char_start")
    out = []
    for _, s in ctx.tables["sections"].sort_values("position").iterrows():
        rows = []
        for _, sentence in sentences[sentences["section_id"] == s["section_id"]].iterrows():
            a, b = int(sentence["char_start"]), int(sentence["char_end"])
            rows.append({**_cells(sentence), "nodes": tree(sentence["text_zh"], a, nest(spans, a, b))})
        out.append({**_cells(s), "sentences": rows})
    return out


#: An absolute web address: http(s), a host, and no character a browser would strip or reinterpret.
WEB_URL = re.compile(r"https?://[^\s/?#\\<>\"'`]+(?:[/?#][^\s\\<>\"'`]*)?", re.ASCII)
#: A relative path inside the package: plain segments, no scheme, no leading slash, no parent step.
PACKAGE_PATH = re.compile(r"(?!/)(?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_.~-]+", re.ASCII)


def link_target(ref: object, depth: int = 2) -> str | None:
    """The href for a reference from the package, or None: only http(s) URLs and relative paths inside the
    package become links, so a descriptor cannot plant `javascript:` or `data:` links in the pages people open.
    Package paths are made relative to dist/site/ (depth folders below the package root)."""
    if not isinstance(ref, str) or any(ord(c) < 0x20 or c == "\x7f" for c in ref):
        return None
    if WEB_URL.fullmatch(ref):
        return ref
    if PACKAGE_PATH.fullmatch(ref) and ".." not in ref.split("/"):
        return "../" * depth + ref
    return None


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("checks.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["link_target"] = link_target
    return env


def render_pages(ctx: Context) -> dict[str, str]:
    """Page name → HTML, from the tables alone."""
    readings = _readings(ctx)
    relations = _relations(ctx)
    figures = _figures(ctx, readings, relations)
    env = environment()
    common = {
        "title": ctx.package.descriptor.get("title", ""),
        "source": (ctx.package.descriptor.get("sources") or [{}])[0],
        "figures": {f["figure_id"]: f for f in figures},
        "readings": readings,
        "non_figures": {n["non_figure_id"]: _cells(n) for _, n in ctx.tables["non_figures"].iterrows()},
        "topics": sorted({f["indicator"].get("topic") for f in figures if f["indicator"].get("topic")}),
    }
    return {
        "index.html": env.get_template("report.html").render(**common, sections=_sections(ctx), page="report"),
        "figures.html": env.get_template("figures.html").render(**common, page="figures"),
    }


def build_site(ctx: Context) -> list[str]:
    """Write dist/site/ and dist/annotations.jsonld from the loaded tables; return the paths written."""
    package = ctx.package
    written = []
    for name, html in render_pages(ctx).items():
        files.write_atomic(package.root, f"{SITE}/{name}", html.encode("utf-8"))
        written.append(f"{SITE}/{name}")
    static = resources.files("checks.site") / "static"
    for name in STATIC:
        files.write_atomic(package.root, f"{SITE}/static/{name}", (static / name).read_bytes())
        written.append(f"{SITE}/static/{name}")
    labels = {i: row["label_en"] for i, row in ctx.rows_by_id("indicators").items()}
    collection = annotation_collection(
        package.descriptor["name"],
        ctx.seed,
        sha256_of(package.seed_path),
        ctx.tables["figures"],
        ctx.tables["readings"],
        labels,
        package.descriptor.get("created"),
    )
    files.write_atomic(
        package.root, ANNOTATIONS, (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    )
    written.append(ANNOTATIONS)
    return written
