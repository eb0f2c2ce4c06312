"""The data dictionary (docs/data-dictionary.md, shipped in the release) shows a schema's text literally: no raw HTML,
comment, link or image can come from a title, a description, an enum value, a pattern or a path."""

from __future__ import annotations

import re

from checks.documents.dictionary import render_dictionary
from checks.package import Package
from helpers import edit_schema

HOSTILE = (
    "<script>alert(1)</script> <!-- hidden --> [click](javascript:alert(1)) ![x](http://e.org/t.png) "
    "<javascript:alert(1)> `code` | cell"
)


def _live(markdown: str) -> list[str]:
    """What a Markdown renderer would make live: a raw tag or comment, a link or image, an autolink."""
    found = re.findall(r"(?<!\\)<[A-Za-z!/][^>]*>", markdown)
    found += re.findall(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\([^)]*\)", markdown)
    return found


def test_hostile_schema_text_is_shown_literally(copy):
    def poison(schema):
        schema["title"] = HOSTILE
        schema["description"] = HOSTILE
        schema["fields"][1]["description"] = HOSTILE
        schema["fields"][1].setdefault("constraints", {})["enum"] = ["ok", "a`<b>`[x](javascript:y)"]

    edit_schema(copy, "units", poison)
    text = render_dictionary(Package(copy))
    section = text[text.index("## units") :].split("\n## ")[0]
    assert _live(section) == [], _live(section)
    assert "&lt;script&gt;" in section and "javascript:" in section  # shown, as text


def test_the_real_dictionary_has_nothing_live_but_http_links():
    from helpers import ROOT

    text = (ROOT / "docs/data-dictionary.md").read_text(encoding="utf-8")
    links = re.findall(r"(?<!\\)\]\(([^)]*)\)", text)
    assert all(link.startswith(("http://", "https://", "#")) for link in links), links
