"""Every stated figure and every reading as a W3C Web Annotation on the source text, so any annotation tool can
re-anchor them. Offsets are the model's TextPositionSelector convention (code points, end exclusive), the package's
own; the source is named by its content (RFC 6920 `ni:` IRI of its sha256), since the offsets index this capture only.
"""

from __future__ import annotations

import base64
import json
import uuid

from checks.package import sha256_of
from checks.validate.rules.base import Context, present

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32
NAMESPACE = uuid.UUID("6f1d3c52-2b0e-4a57-9a63-0c1e7d6b9a10")  # fixed, so ids are stable across builds


def plain(row: dict) -> dict:
    """The row as JSON-ready values: missing cells dropped, whole floats as integers."""
    out = {}
    for key, value in row.items():
        if present(value):
            value = value.item() if hasattr(value, "item") else value
            out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    return out


def annotation_collection(ctx: Context) -> dict:
    """The AnnotationCollection: one annotation per stated figure with a quote, then one per reading."""
    name, seed, created = ctx.package.descriptor["name"], ctx.seed, ctx.package.descriptor.get("created")
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256_of(ctx.package.seed_path))).decode().rstrip("=")
    source = {"id": f"ni:///sha-256;{digest}", "type": "Text", "format": "text/plain", "language": "zh-Hans"}
    labels = {i: row["label_en"] for i, row in ctx.rows_by_id("indicators").items()}

    def urn(ident: str) -> str:
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{name}/{ident}')}"

    def annotation(ident: str, row: dict, motivation: str, summary: str) -> dict:
        start, end = int(row["char_start"]), int(row["char_end"])
        quote = {
            "type": "TextQuoteSelector",
            "exact": seed[start:end],
            "prefix": seed[max(0, start - CONTEXT_CHARS) : start],
            "suffix": seed[end : end + CONTEXT_CHARS],
        }
        position = {"type": "TextPositionSelector", "start": start, "end": end}
        said = {
            "type": "TextualBody",
            "purpose": motivation,
            "format": "text/plain",
            "language": "en",
            "value": summary,
        }
        described = {
            "type": "TextualBody",
            "purpose": "describing",
            "format": "application/json",
            "value": json.dumps(plain(row), ensure_ascii=False, sort_keys=True),
        }
        return {
            "id": urn(ident),
            "type": "Annotation",
            "motivation": motivation,
            "body": [said, described],
            "target": {"source": source, "selector": [position, quote]},
        }

    items = []
    for f in ctx.rows_of("figures"):
        if f["stated"] is True and present(f["char_start"]):
            if present(f["value"]):
                value = f"{f['value']:g} {f['unit'] if present(f['unit']) else ''}".strip()
            else:
                value = f["date_value"] if present(f["date_value"]) else "value lost"
            base = f" = {f['base_value']:g} {f['base_unit']}" if present(f["base_value"]) else ""
            label = labels.get(f["indicator_id"], f["indicator_id"])
            summary = f"{f['figure_id']}: {label}: {value}{base} ({f['qualifier']})"
            items.append(annotation(f["figure_id"], f, "describing", summary))
    for r in ctx.rows_of("readings"):
        adopted = f"; read as {r['adopted']!r}" if present(r["adopted"]) else ""
        summary = f"{r['reading_id']} ({r['kind']}, {r['status']}): written {r['written']!r}{adopted}. {r['reason']}"
        items.append(annotation(r["reading_id"], r, "commenting", summary))
    collection = {
        "@context": CONTEXT,
        "id": urn("annotations"),
        "type": "AnnotationCollection",
        "label": "Every stated figure and every reading of the Wuqing 2020 paired-assistance summary, "
        "anchored to the source text",
        "total": len(items),
        "first": {"id": urn("annotations/page1"), "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    if created:
        collection["created"] = created
    return collection
