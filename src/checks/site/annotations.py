"""Every figure and reading as a W3C Web Annotation on the source text, so any annotation tool can re-anchor them.

Offsets are the model's own TextPositionSelector convention (code points, end exclusive), which is the package's.
The source is named by its content (RFC 6920 `ni:` IRI of its sha256), since the offsets index this capture only.
"""

from __future__ import annotations

import base64
import json
import uuid

import pandas as pd

from checks.validate.rules.base import present

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32
NAMESPACE = uuid.UUID("6f1d3c52-2b0e-4a57-9a63-0c1e7d6b9a10")  # fixed, so ids are stable across builds


def source_iri(sha256_hex: str) -> str:
    return "ni:///sha-256;" + base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode().rstrip("=")


def selectors(seed: str, start: int, end: int) -> list[dict]:
    """A position selector and a quote selector with up to 32 characters of context each side."""
    return [
        {"type": "TextPositionSelector", "start": start, "end": end},
        {
            "type": "TextQuoteSelector",
            "exact": seed[start:end],
            "prefix": seed[max(0, start - CONTEXT_CHARS) : start],
            "suffix": seed[end : end + CONTEXT_CHARS],
        },
    ]


def _plain(row: pd.Series) -> dict:
    """The row as JSON-ready values: missing cells dropped, whole floats as integers."""
    out = {}
    for key, value in row.items():
        if not present(value):
            continue
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[key] = value
    return out


def _annotation(
    package_name: str, ident: str, source: dict, seed: str, row: pd.Series, motivation: str, summary: str
) -> dict:
    return {
        "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{package_name}/{ident}')}",
        "type": "Annotation",
        "motivation": motivation,
        "body": [
            {"type": "TextualBody", "purpose": motivation, "format": "text/plain", "language": "en", "value": summary},
            {
                "type": "TextualBody",
                "purpose": "describing",
                "format": "application/json",
                "value": json.dumps(_plain(row), ensure_ascii=False, sort_keys=True),
            },
        ],
        "target": {"source": source, "selector": selectors(seed, int(row["char_start"]), int(row["char_end"]))},
    }


def annotation_collection(
    package_name: str,
    seed: str,
    seed_sha256: str,
    figures: pd.DataFrame,
    readings: pd.DataFrame,
    labels: dict[str, str],
    created: str | None,
) -> dict:
    """The AnnotationCollection: one annotation per stated figure with a quote, then one per reading."""
    source = {"id": source_iri(seed_sha256), "type": "Text", "format": "text/plain", "language": "zh-Hans"}
    items = []
    for _, f in figures.iterrows():
        if f["stated"] is True and present(f["char_start"]):
            value = (
                f"{f['value']:g} {f['unit'] if present(f['unit']) else ''}".strip()
                if present(f["value"])
                else (f["date_value"] if present(f["date_value"]) else "value lost")
            )
            base = f" = {f['base_value']:g} {f['base_unit']}" if present(f["base_value"]) else ""
            items.append(
                _annotation(
                    package_name,
                    f["figure_id"],
                    source,
                    seed,
                    f,
                    "describing",
                    f"{f['figure_id']}: {labels.get(f['indicator_id'], f['indicator_id'])}: "
                    f"{value}{base} ({f['qualifier']})",
                )
            )
    for _, r in readings.iterrows():
        adopted = f"; read as {r['adopted']!r}" if present(r["adopted"]) else ""
        items.append(
            _annotation(
                package_name,
                r["reading_id"],
                source,
                seed,
                r,
                "commenting",
                f"{r['reading_id']} ({r['kind']}, {r['status']}): written {r['written']!r}{adopted}. {r['reason']}",
            )
        )
    collection = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{package_name}/annotations')}",
        "type": "AnnotationCollection",
        "label": "Every stated figure and every reading of the Wuqing 2020 paired-assistance summary, "
        "anchored to the source text",
        "total": len(items),
        "first": {
            "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{package_name}/annotations/page1')}",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }
    if created:
        collection["created"] = created
    return collection
