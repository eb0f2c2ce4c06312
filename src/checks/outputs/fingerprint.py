"""What dist/ was built from: one sha256 over the descriptor and every file it declares, kept beside the database.

`query` recomputes it and, when it matches, answers from that database without loading the tables again (the build
validated them); any difference, or anything unexpected, means the query loads the package itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from checks.outputs import staging
from checks.package import DESCRIPTOR, Package, files


def inputs(package: Package) -> list[str]:
    """The descriptor and, in descriptor order, each resource's file and schema (paths as declared)."""
    declared = [DESCRIPTOR, *(r.get(key) for r in package.resources for key in ("path", "schema"))]
    return list(dict.fromkeys(p for p in declared if isinstance(p, str)))


def fingerprint(package: Package) -> str:
    """sha256 over each input's path and bytes; read through the package's own checks (inside the root, bounded)."""
    digest = hashlib.sha256()
    for rel in inputs(package):
        data = files.read_bytes(files.regular_file(package.root, rel, "build input"), rel)
        digest.update(json.dumps([rel, len(data)]).encode("utf-8"))
        digest.update(data)
    return digest.hexdigest()


def sidecar(database: str) -> str:
    """Where the fingerprint of a database is kept: beside it."""
    return database + ".inputs"


def record(package: Package, database: str, out: Path) -> Path:
    """Write the fingerprint beside the database, in the build's output folder `out`."""
    data = json.dumps({"sha256": fingerprint(package)}) + "\n"
    return staging.write(out, sidecar(database), data.encode("utf-8"))


def current(package: Package, database: str) -> bool:
    """Whether the database was built from exactly the files the package holds now."""
    try:
        kept = files.regular_file(package.root, sidecar(database), "build record")
        kept = json.loads(files.read_bytes(kept, sidecar(database), "json"))
        built = files.regular_file(package.root, database, "database")
        return built.is_file() and isinstance(kept, dict) and kept.get("sha256") == fingerprint(package)
    except Exception:  # noqa: BLE001 - any doubt means: do not use the database
        return False
