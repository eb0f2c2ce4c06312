"""Write each resource's size and sha256 into datapackage.json, so that frictionless checks them; run after editing
a table (`python -m checks stamp`). The output is byte-stable for the same files."""

from __future__ import annotations

import hashlib

from checks.package import Package, files


def stamp(package: Package) -> list[str]:
    """Update `bytes` and `hash` of every resource in place; return the names that changed."""
    descriptor = package.descriptor
    changed = []
    for resource in descriptor["resources"]:
        rel = resource["path"]
        data = files.read_bytes(files.regular_file(package.root, rel, f"resource {resource['name']}"), rel)
        stamped = {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
        if any(resource.get(k) != v for k, v in stamped.items()):
            changed.append(resource["name"])
        resource.update(stamped)
    package.save_descriptor()
    return changed
