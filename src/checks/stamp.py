"""Write each resource's size and sha256 into datapackage.json, so that frictionless checks them.

Run after editing a table (`python -m checks stamp`); the output is byte-stable for the same files.
"""
from __future__ import annotations

import json

from .package import Package, sha256_of


def stamp(package: Package) -> list[str]:
    """Update `bytes` and `hash` of every resource in place; return the names that changed."""
    descriptor = package.descriptor
    changed = []
    for resource in descriptor["resources"]:
        path = package.root / resource["path"]
        stamped = {"bytes": path.stat().st_size, "hash": f"sha256:{sha256_of(path)}"}
        if any(resource.get(k) != v for k, v in stamped.items()):
            changed.append(resource["name"])
        resource.update(stamped)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    package.descriptor_path.write_text(text, encoding="utf-8")
    return changed
