"""Where the build writes: dist/ inside the package, never through a symlink, each file complete or not at all."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from checks.package import files

DIST = "dist"


def database_name(package) -> str:
    """The built DuckDB database, named after the package."""
    return f"{DIST}/{package.descriptor['name']}.duckdb"


def dist_dir(root: Path) -> Path:
    """dist/ under root, created if missing; refused if it (or a parent inside root) is a symlink or not a folder."""
    link = root.resolve() / DIST
    if link.is_symlink():
        raise files.refuse("output.symlink", DIST, f"{DIST}/ is a symlink; refusing to build through it")
    path = files.resolve_inside(root, DIST, "output")
    if path.exists() and not path.is_dir():
        raise files.refuse("output.not_a_folder", DIST, f"{DIST} exists and is not a folder")
    path.mkdir(exist_ok=True)
    return path


def produce(root: Path, rel: str, write: Callable[[Path], None]) -> Path:
    """Let `write` (DuckDB, say) create a file at a temporary name beside `rel`, then rename it into place."""
    target = files.resolve_inside(root, rel, "output")
    if (root.resolve() / rel).is_symlink():
        raise files.refuse("output.symlink", rel, f"{rel} is a symlink; refusing to write through it")
    if target.exists() and not target.is_file():
        raise files.refuse("output.not_a_file", rel, f"{rel} exists and is not a regular file; refusing to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    leftovers = (tmp, tmp.with_name(tmp.name + ".wal"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        for path in leftovers:
            path.unlink(missing_ok=True)
    return target
