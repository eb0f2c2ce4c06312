"""`python -m checks site`: the report as a static bilingual site (dist/site/) and its anchors as W3C annotations.

Everything shown is generated from the tables through Jinja2 templates with autoescaping; the pages need no network
(no CDN, no fetch): CSS and JS are copied beside them, so `dist/site/index.html` works from file://.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd

from checks.outputs import staging
from checks.package.published import published
from checks.site.annotations import annotation_collection, plain
from checks.site.marks import nest, tree
from checks.validate.rules.base import Context, present, rows
from checks.validate.rules.relations import evaluate, terms_of

SITE = "dist/site"
ANNOTATIONS = "dist/annotations.jsonld"
STATIC = ("site.css", "site.js")
#: Reading kinds that say the text is damaged; the others say it is ambiguous (shown by symbol and words, not colour).
DAMAGE = {"lost_characters", "lost_unit", "stripped_quotation_mark", "page_chrome", "truncated"}
#: An absolute web address: http(s), a host, and no character a browser would strip or reinterpret.
WEB_URL = re.compile(r"https?://[^\s/?#\\<>\"'`]+(?:[/?#][^\s\\<>\"'`]*)?", re.ASCII)
#: A relative path inside the package: plain segments, no scheme, no leading slash, no parent step.
PACKAGE_PATH = re.compile(r"(?!/)(?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_.~-]+", re.ASCII)


def _cells(row: dict) -> dict:
    """A row as template values: missing cells None, whole floats as integers (a base value with thousands commas)."""
    out = dict.fromkeys(row) | plain(row)
    if isinstance(out.get("base_value"), int):
        out["base_value"] = f"{out['base_value']:,}"
    return out


def _figures(ctx: Context, readings: dict) -> list[dict]:
    """Each figure with its indicator, its relations and its readings: those it depends on, then any other reading
    inside its words."""
    computed = evaluate(ctx)["holds"]
    relations = {}
    for r in ctx.rows_of("relations"):
        holds, terms = computed.get(r["relation_id"], pd.NA), terms_of(ctx, r["relation_id"])
        recomputed = None if pd.isna(holds) else bool(holds)
        relations[r["relation_id"]] = {**_cells(r), "terms": terms, "recomputed": recomputed}
    links: dict[str, list] = {}
    for link in ctx.rows_of("figure_readings"):
        links.setdefault(link["figure_id"], []).append((link["reading_id"], link["aspect"]))
    indicators = ctx.rows_by_id("indicators")
    figures = []
    for f in ctx.rows_of("figures"):
        mine = links.get(f["figure_id"], [])
        depends = [(aspect, readings[rid]) for rid, aspect in mine if rid in readings]
        if present(f["char_start"]):
            a, b, linked = int(f["char_start"]), int(f["char_end"]), {rid for rid, _ in mine}
            depends += [
                ("words only", r)
                for rid, r in readings.items()
                if rid not in linked
                and r["char_start"] is not None
                and int(r["char_start"]) < b
                and a < int(r["char_end"])
            ]
        indicator = indicators.get(f["indicator_id"])
        related = [rel for rel in relations.values() if any(t == f["figure_id"] for t, _ in rel["terms"])]
        figures.append(
            {
                **_cells(f),
                "indicator": {} if indicator is None else _cells(indicator),
                "readings": depends,
                "relations": related,
                "anchored": f["stated"] is True and present(f["char_start"]),
            }
        )
    return figures


def _sections(ctx: Context) -> list[dict]:
    """Sections in order, each with its sentences as trees of marked text."""
    spans = [
        (kind, row[f"{kind}_id"], int(row["char_start"]), int(row["char_end"]))
        for table, kind in (("figures", "figure"), ("readings", "reading"), ("non_figures", "non_figure"))
        for row in ctx.rows_of(table)
        if present(row["char_start"]) and present(row["char_end"]) and (kind != "figure" or row["stated"] is True)
    ]
    sentences = ctx.tables["sentences"].sort_values("char_start")
    out = []
    for s in rows(ctx.tables["sections"].sort_values("position")):
        mine = []
        for sentence in rows(sentences[sentences["section_id"] == s["section_id"]]):
            a, b = int(sentence["char_start"]), int(sentence["char_end"])
            mine.append({**_cells(sentence), "nodes": tree(sentence["text_zh"], a, nest(spans, a, b))})
        out.append({**_cells(s), "sentences": mine})
    return out


def link_target(ref: object) -> str | None:
    """The href for a reference from the package, or None: only http(s) URLs and relative paths inside the package
    (made relative to dist/site/) become links, so that no `javascript:` or `data:` link is planted."""
    if not isinstance(ref, str) or any(ord(c) < 0x20 or c == "\x7f" for c in ref):
        return None
    if WEB_URL.fullmatch(ref):
        return ref
    if PACKAGE_PATH.fullmatch(ref) and ".." not in ref.split("/"):
        return "../../" + ref
    return None


#: The release assets (a tag v<version> publishes them; see outputs/release.py) and their media types.
ASSETS = (
    (".zip", "application/zip", "the data package: CSV, Table Schemas, Parquet, SQL, workbook, DuckDB file, this view"),
    (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "the Excel workbook"),
    (".duckdb", "application/x-duckdb", "the DuckDB database (DuckDB 1.5 and later)"),
)


def _coverage(ctx: Context) -> str | None:
    """The figures' periods as one ISO 8601 interval: the earliest start to the latest end."""
    starts = [str(r["period_start"]) for r in ctx.rows_of("figures") if present(r.get("period_start"))]
    ends = [str(r["period_end"]) for r in ctx.rows_of("figures") if present(r.get("period_end"))]
    return f"{min(starts)[:10]}/{max(ends)[:10]}" if starts and ends else None


def dataset_metadata(ctx: Context) -> dict:
    """schema.org Dataset metadata (JSON-LD) from the descriptor and the tables, for dataset search engines: name,
    description, licence, creator, temporal and spatial coverage, and a distribution entry for each release asset
    (with its download address only where the repository is set: none is made up)."""
    meta = ctx.package.descriptor
    where = published(meta)
    version = str(meta.get("version", ""))
    stem = f"{meta.get('name', '')}-{version}"
    spatial = meta.get("x-spatial") if isinstance(meta.get("x-spatial"), dict) else {}
    distribution = []
    for suffix, media, what in ASSETS:
        entry = {"@type": "DataDownload", "name": stem + suffix, "encodingFormat": media, "description": what}
        url = where.download(f"v{version}", stem + suffix)
        if url:
            entry["contentUrl"] = url
        distribution.append(entry)
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": meta.get("title", ""),
        "description": meta.get("description", ""),
        "version": version,
        "license": next((lic.get("path") for lic in meta.get("licenses", []) if lic.get("path")), None),
        "creator": [
            {"@type": "Organization", "name": c.get("title", "")}
            for c in meta.get("contributors", [])
            if c.get("role") == "author"
        ],
        "keywords": meta.get("keywords", []),
        "inLanguage": ["zh", "en"],
        "isBasedOn": next((src.get("path") for src in meta.get("sources", []) if src.get("path")), None),
        "temporalCoverage": _coverage(ctx),
        "spatialCoverage": {
            "@type": "Place",
            "name": spatial.get("name", ""),
            "alternateName": spatial.get("name_zh", ""),
            "identifier": spatial.get("division_code", ""),
        },
        "distribution": distribution,
        "url": where.repository,
        "identifier": where.doi_url,
    }
    return {key: value for key, value in dataset.items() if value is not None}


def render_pages(ctx: Context) -> dict[str, str]:
    """Page name → HTML, from the tables alone."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("checks.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["link_target"] = link_target
    readings = {
        r["reading_id"]: {**_cells(r), "nature": "damage" if r["kind"] in DAMAGE else "ambiguity"}
        for r in ctx.rows_of("readings")
    }
    figures = _figures(ctx, readings)
    common = {
        "title": ctx.package.descriptor.get("title", ""),
        "source": (ctx.package.descriptor.get("sources") or [{}])[0],
        "figures": {f["figure_id"]: f for f in figures},
        "readings": readings,
        "non_figures": {n["non_figure_id"]: _cells(n) for n in ctx.rows_of("non_figures")},
        "topics": sorted({f["indicator"].get("topic") for f in figures if f["indicator"].get("topic")}),
        "dataset": dataset_metadata(ctx),
        "where": published(ctx.package.descriptor).lines(),
    }
    return {
        "index.html": env.get_template("report.html").render(**common, sections=_sections(ctx), page="report"),
        "figures.html": env.get_template("figures.html").render(**common, page="figures"),
    }


def build_site(ctx: Context, into: Path | None = None) -> list[str]:
    """Write dist/site/ and dist/annotations.jsonld from the loaded tables into the output folder `into` (a build's
    staging folder; by default dist/ itself); return the paths written, as paths under dist/."""
    into = into or ctx.package.root / staging.DIST
    static = resources.files("checks.site") / "static"
    out = {f"{SITE}/{name}": html.encode("utf-8") for name, html in render_pages(ctx).items()}
    out |= {f"{SITE}/static/{name}": (static / name).read_bytes() for name in STATIC}
    out[ANNOTATIONS] = (json.dumps(annotation_collection(ctx), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    for rel, data in out.items():
        staging.write(into, rel, data)
    return list(out)
