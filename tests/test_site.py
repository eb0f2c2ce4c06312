"""The report view and the annotations, without a browser: structure, anchors, escaping, no network references."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from checks.package.tables import load_tables
from checks.site.annotations import CONTEXT
from checks.site.marks import nest, tree
from checks.site.report_view import (
    ANNOTATIONS,
    SITE,
    link_target,
    render_pages,
)
from checks.validate import load_context
from helpers import edit, read_descriptor, save_descriptor


@pytest.fixture
def built(built_package):
    """A built copy of the package: the build writes the report view and the annotations (build_site)."""
    return built_package


@pytest.fixture(scope="session")
def tables(package):
    """The tables as the report view reads them (session-wide: this module's tests run on either worker)."""
    return load_tables(package)


def _stated_with_quote(tables):
    f = tables["figures"]
    return f[f["stated"].fillna(False).astype(bool) & f["quote"].notna()]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_every_stated_figure_is_highlighted_once_with_a_card(built, tables):
    tags = _tags((built / SITE / "index.html").read_text(encoding="utf-8"))
    marks = [
        a["id"]
        for t, a in tags
        if t == "mark" and "fig" in a.get("class", "").split() and "sample" not in a.get("class", "")
    ]
    assert sorted(marks) == sorted(_stated_with_quote(tables)["figure_id"])
    cards = {a["id"] for t, a in tags if t == "section" and "card" in a.get("class", "").split()}
    assert {f"card-{m}" for m in marks} <= cards


def test_every_sentence_is_shown_in_both_languages(built, tables):
    tags = _tags((built / SITE / "index.html").read_text(encoding="utf-8"))
    rows = [a["id"] for t, a in tags if t == "div" and "sentence" in a.get("class", "").split()]
    assert rows == list(tables["sentences"].sort_values("char_start")["sentence_id"])


def test_pages_reference_nothing_outside_their_folder(built):
    for page in ("index.html", "figures.html"):
        for tag, attrs in _tags((built / SITE / page).read_text(encoding="utf-8")):
            for key in ("src", "href"):
                ref = attrs.get(key)
                if ref is None or (tag == "a" and attrs.get("rel") == "external"):
                    continue  # the original page's address is shown as a link the reader may follow, never loaded
                assert not re.match(r"^[a-z]+:|^//|^/|\.\./", ref), (page, tag, ref)
                path = ref.split("#")[0]
                assert not path or (built / SITE / path).is_file(), (page, ref)


def test_the_figures_table_links_each_stated_figure_to_its_place(built, tables):
    tags = _tags((built / SITE / "figures.html").read_text(encoding="utf-8"))
    links = {a["href"] for t, a in tags if t == "a" and a.get("href", "").startswith("index.html#")}
    assert links == {f"index.html#{i}" for i in _stated_with_quote(tables)["figure_id"]}
    rows = [a for t, a in tags if t == "tr" and a.get("id", "").startswith("row-")]
    assert len(rows) == len(tables["figures"])


def test_text_from_the_tables_is_escaped(copy):
    edit(copy, "figures", "F016", note='<script>alert("x")</script>')
    html = render_pages(load_context(copy))["index.html"]
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


@pytest.mark.parametrize(
    "ref",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "file:///etc/passwd",
        "//evil.example/x",
        "/etc/passwd",
        "../../outside.txt",
        "seeds/../../x",
        "http:/x",
        'https://a.example/"onmouseover=alert(1)',
        "",
        None,
        42,
    ],
)
def test_only_web_urls_and_package_paths_become_links(ref):
    assert link_target(ref) is None, ref


def test_web_urls_stay_and_package_paths_point_from_the_site_folder():
    assert link_target("https://example.org/a?b=1#c") == "https://example.org/a?b=1#c"
    assert link_target("http://www.tjwq.gov.cn/x/t.html") == "http://www.tjwq.gov.cn/x/t.html"
    assert link_target("seeds/000_ff68467af6e74258.txt") == "../../seeds/000_ff68467af6e74258.txt"


def test_a_javascript_source_is_shown_but_never_linked(ctx, monkeypatch):
    monkeypatch.setitem(ctx.package.descriptor, "sources", [{"title": "x", "path": "javascript:alert(1)"}])
    for page, html in render_pages(ctx).items():
        hrefs = [a.get("href", "") for t, a in _tags(html) if t == "a"]
        assert not [h for h in hrefs if ":" in h and not re.match(r"https?://", h)], (page, hrefs)
        assert "<code>javascript:alert(1)</code>" in html, page


def test_every_link_of_the_pages_is_web_or_inside(built):
    for page in ("index.html", "figures.html"):
        for tag, attrs in _tags((built / SITE / page).read_text(encoding="utf-8")):
            if tag == "a":
                href = attrs["href"]
                assert re.match(r"https?://", href) or link_target(href.split("#")[0] or "x") or href.startswith("#"), (
                    page,
                    href,
                )


def test_annotations_follow_the_model(built, tables):
    doc = json.loads((built / ANNOTATIONS).read_text(encoding="utf-8"))
    assert doc["@context"] == CONTEXT and doc["type"] == "AnnotationCollection" and doc["id"].startswith("urn:uuid:")
    items = doc["first"]["items"]
    assert doc["total"] == len(items) == len(_stated_with_quote(tables)) + len(tables["readings"])
    assert len({a["id"] for a in items}) == len(items)
    for a in items:
        assert {"id", "type", "target", "body"} <= set(a) and a["type"] == "Annotation"
        assert re.match(r"^[a-z][a-z0-9+.-]*:", a["id"]), a["id"]
        assert a["target"]["source"]["id"].startswith("ni:///sha-256;")
        assert all(b["type"] == "TextualBody" and isinstance(b["value"], str) for b in a["body"])
        values = json.loads(a["body"][1]["value"])
        assert values.get("figure_id") or values.get("reading_id")


def test_every_selector_reanchors(built, package):
    seed = package.seed_text
    items = json.loads((built / ANNOTATIONS).read_text(encoding="utf-8"))["first"]["items"]
    for a in items:
        position, quote = a["target"]["selector"]
        assert position["type"] == "TextPositionSelector" and quote["type"] == "TextQuoteSelector"
        assert seed[position["start"] : position["end"]] == quote["exact"], a["id"]
        assert len(quote["prefix"]) <= 32 and len(quote["suffix"]) <= 32
        whole = quote["prefix"] + quote["exact"] + quote["suffix"]
        at = [m.start() for m in re.finditer(re.escape(whole), seed)]
        assert at == [position["start"] - len(quote["prefix"])], (a["id"], at)


def test_a_figure_is_never_cut_but_a_crossing_reading_is():
    marks = nest([("reading", "R1", 0, 4), ("non_figure", "N1", 2, 6)], 0, 8)
    assert [(m.ident, m.start, m.end, m.first) for m in marks] == [("R1", 0, 4, True), ("N1", 4, 6, False)]
    assert [(m.ident, m.start, m.end) for m in marks[0].children] == [("N1", 2, 4)]
    with pytest.raises(ValueError, match="figure F1 crosses R1"):
        nest([("reading", "R1", 0, 4), ("figure", "F1", 2, 6)], 0, 8)


def test_the_tree_keeps_every_character_in_order():
    text = "abcdefgh"
    nodes = tree(text, 10, nest([("reading", "R1", 11, 15), ("figure", "F1", 12, 14)], 10, 18))

    def flat(ns):
        return "".join(n.text if n.mark is None else flat(n.children) for n in ns)

    assert flat(nodes) == text


class _JsonLd(HTMLParser):
    """The text of every <script type="application/ld+json"> of a page."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def _json_ld(html: str) -> list[dict]:
    parser = _JsonLd()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks]


@pytest.mark.parametrize("page", ["index.html", "figures.html"])
def test_pages_carry_schema_org_dataset_metadata(built, page):
    """Each page of the built view carries one schema.org Dataset, as dataset search engines read it: name,
    description, licence, creator, temporal and spatial coverage, and a download entry for each release asset."""
    (dataset,) = _json_ld((built / SITE / page).read_text(encoding="utf-8"))
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert dataset["@context"] == "https://schema.org/" and dataset["@type"] == "Dataset"
    assert dataset["name"] == descriptor["title"] and dataset["description"] == descriptor["description"]
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert [c["name"] for c in dataset["creator"]] == ["Wuqing paired-assistance open-data project"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}", dataset["temporalCoverage"])
    assert dataset["temporalCoverage"].startswith("2017-") and dataset["temporalCoverage"].endswith("2020-12-31")
    assert dataset["spatialCoverage"]["identifier"] == "120114" and "Wuqing" in dataset["spatialCoverage"]["name"]
    stem = f"{descriptor['name']}-{descriptor['version']}"
    assert [d["name"] for d in dataset["distribution"]] == [f"{stem}.zip", f"{stem}.xlsx", f"{stem}.duckdb"]
    assert all(d["@type"] == "DataDownload" and d["encodingFormat"] for d in dataset["distribution"])
    # no address is set: none is made up, and the footer says so
    assert "url" not in dataset and not any("contentUrl" in d for d in dataset["distribution"])
    assert "No public repository address is set yet." in (built / SITE / page).read_text(encoding="utf-8")


def test_dataset_metadata_takes_the_addresses_from_the_descriptor_and_escapes_them(copy):
    """With a repository and a DOI set, the downloads and identifier follow from them; text that would close the
    script element stays inside the JSON."""
    descriptor = read_descriptor(copy)
    descriptor["x-published"] = {"repository": "https://github.com/example/wuqing", "doi": "10.5281/zenodo.123"}
    descriptor["title"] = "</script><script>alert(1)</script>"
    save_descriptor(copy, descriptor)
    html = render_pages(load_context(copy))["index.html"]
    assert "<script>alert" not in html
    (dataset,) = _json_ld(html)
    assert dataset["name"] == "</script><script>alert(1)</script>"
    assert dataset["url"] == "https://github.com/example/wuqing" and dataset["identifier"].endswith("zenodo.123")
    assert dataset["distribution"][0]["contentUrl"].startswith("https://github.com/example/wuqing/releases/download/v")
