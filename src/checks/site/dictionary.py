"""The data dictionary (docs/data-dictionary.md), generated from schemas/ so that it cannot drift from them.

frictionless' own Package.to_markdown() fails on external schema paths and misaligns Chinese; this is a small
renderer over the same schemas, in descriptor order.
"""
from __future__ import annotations

from checks.package import Package
from checks.package.fields import TEXT_PATTERN, TEXT_RULE, primary_key

DICTIONARY = "docs/data-dictionary.md"


def _cell(text: object) -> str:
    """Markdown-table-safe text: pipes escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    for key, sign in (("minimum", "≥"), ("maximum", "≤")):
        if key in c:
            parts.append(f"{sign} {c[key]}")
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "pattern" in c:
        parts.append(TEXT_RULE if c["pattern"] == TEXT_PATTERN else f"pattern `{c['pattern']}`")
    return "; ".join(parts)


def _foreign_keys(schema: dict) -> list[str]:
    lines = []
    for fk in schema.get("foreignKeys", []):
        own = fk["fields"] if isinstance(fk["fields"], str) else ", ".join(fk["fields"])
        ref = fk["reference"]
        theirs = ref["fields"] if isinstance(ref["fields"], str) else ", ".join(ref["fields"])
        lines.append(f"`{own}` → `{ref.get('resource') or '(this table)'}.{theirs}`")
    return lines


def render_dictionary(package: Package) -> str:
    out = ["# Data dictionary", "",
           "Generated from `schemas/*.json` by `python -m checks docs`; do not edit by hand. Every table is UTF-8 CSV "
           "(no BOM, LF line endings, RFC 4180), described by the Table Schema named beside it.", ""]
    out += [f"* [{r['name']}](#{r['name']})" for r in package.tables] + [""]
    for resource in package.tables:
        name = resource["name"]
        schema = package.schema(name)
        out += [f"## {name}", "", f"**{_cell(schema.get('title', resource.get('title', name)))}.** {schema.get('description', '')}".rstrip(), "",
                f"File `{resource['path']}`, schema `{resource['schema']}`. Primary key: `{', '.join(primary_key(schema)) or '(none)'}`."]
        keys = _foreign_keys(schema)
        if keys:
            out.append("Foreign keys: " + "; ".join(keys) + ".")
        out += ["", "| column | type | constraints | description |", "|---|---|---|---|"]
        for field in schema["fields"]:
            out.append(f"| `{field['name']}` | {field.get('type', 'string')} | {_cell(_constraints(field))} | {_cell(field.get('description', ''))} |")
        out.append("")
    return "\n".join(out)
