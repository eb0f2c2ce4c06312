"""The data dictionary (docs/data-dictionary.md), generated from schemas/ so that it cannot drift from them.

frictionless' own Package.to_markdown() fails on external schema paths and misaligns Chinese; this is a small
renderer over the same schemas, in descriptor order.
"""

from __future__ import annotations

import html
import re

from checks.documents.door_types import door_types_table
from checks.documents.readme import md_code
from checks.package import Package
from checks.package.fields import TEXT_PATTERN, TEXT_RULE, primary_key

DICTIONARY = "docs/data-dictionary.md"
TYPES_INTRO = (
    "A column has one type in the files (the DuckDB database, `sql/load.sql` and Parquet); the tools that read them "
    "differ for dates, integers with gaps and booleans. What each call gives, checked by the tests (R's from the "
    "readr and arrow documentation):"
)


#: What could turn a schema's text into markup: backslash, code, link brackets and table pipes (escaped with a
#: backslash); `&`, `<` and `>` become HTML entities, so no raw HTML, comment or autolink (`<javascript:…>`).
_MARKUP = re.compile(r"([\\`\[\]|])")


def _cell(text: object) -> str:
    """Text from a schema as Markdown that shows it literally, on one line, safe in a table cell: no HTML, comment,
    link or image can come from it (the dictionary ships in the release); snake_case and emphasis marks are kept."""
    flat = " ".join(str(text).split())
    return html.escape(_MARKUP.sub(r"\\\1", flat), quote=False)


def _code(text: object) -> str:
    """A name or value as inline code where that is safe, else as escaped text (md_code, as in the README)."""
    return md_code(text).replace("|", "\\|")


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = [key for key in ("required", "unique") if c.get(key)]
    parts += [f"{sign} {_cell(c[key])}" for key, sign in (("minimum", "≥"), ("maximum", "≤")) if key in c]
    if "enum" in c:
        parts.append("one of " + ", ".join(_code(v) for v in c["enum"]))
    if "pattern" in c:
        parts.append(TEXT_RULE if c["pattern"] == TEXT_PATTERN else f"pattern {_code(c['pattern'])}")
    return "; ".join(parts)  # each part escaped already


def _names(fields: str | list[str]) -> str:
    return fields if isinstance(fields, str) else ", ".join(fields)


def render_dictionary(package: Package) -> str:
    out = [
        "# Data dictionary",
        "",
        "Generated from `schemas/*.json` by `python -m checks docs`; do not edit by hand. Every table is UTF-8 CSV "
        "(no BOM, LF line endings, RFC 4180), described by the Table Schema named beside it.",
        "",
    ]
    out += [f"* [{r['name']}](#{r['name']})" for r in package.tables]
    out += ["* [Types in each door](#types-in-each-door)", ""]
    for resource in package.tables:
        name = resource["name"]
        schema = package.schema(name)
        title = _cell(schema.get("title", resource.get("title", name)))
        out += [
            f"## {name}",
            "",
            f"**{title}.** {_cell(schema.get('description', ''))}".rstrip(),
            "",
            f"File {_code(resource['path'])}, schema {_code(resource['schema'])}. "
            f"Primary key: {_code(', '.join(primary_key(schema)) or '(none)')}.",
        ]
        keys = [
            f"`{_names(fk['fields'])}` → `{fk['reference'].get('resource') or '(this table)'}."
            f"{_names(fk['reference']['fields'])}`"
            for fk in schema.get("foreignKeys", [])
        ]
        if keys:
            out.append("Foreign keys: " + "; ".join(keys) + ".")
        out += ["", "| column | type | constraints | description |", "|---|---|---|---|"]
        out += [
            f"| `{f['name']}` | {_cell(f.get('type', 'string'))} | {_constraints(f)} | "
            f"{_cell(f.get('description', ''))} |"
            for f in schema["fields"]
        ] + [""]
    out += ["## Types in each door", "", TYPES_INTRO, "", *door_types_table(), ""]
    return "\n".join(out)
