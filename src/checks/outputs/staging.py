"""Where the build writes: dist/ inside the package, never through a symlink, all of it new or all of it old.

A build writes into a fresh folder beside dist/ (`.dist-staging-…`, locked while the build runs), then moves the old
dist/ aside whole and renames the new folder into its place, so that a build stopped at any point, even by `kill -9`,
leaves dist/ all old or all new (or, stopped between the two renames, none), never a mix; what a stopped build left is
removed by the next one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from checks.package import files
from checks.package.preflight import check_package_name

DIST = "dist"
STAGING = ".dist-staging-"


def database_name(package) -> str:
    """The built DuckDB database, named after the package. The name becomes a file name: preflight's check is asked
    again here because `query` opens a built database before any preflight. A package without a name (which preflight
    allows) has no database: its name is refused as the name None."""
    name = package.descriptor.get("name")
    check_package_name({"name": "None"} if name is None else package.descriptor)
    return f"{DIST}/{name}.duckdb"


def _dist(root: Path) -> Path:
    """root/dist/, refused if it is a symlink or not a folder."""
    dist = root.resolve() / DIST
    if dist.is_symlink():
        raise files.refuse("output.symlink", DIST, f"{DIST}/ is a symlink; refusing to build through it")
    if dist.exists() and not dist.is_dir():
        raise files.refuse("output.not_a_folder", DIST, f"{DIST} exists and is not a folder")
    return dist


def _base(out: Path, rel: str) -> tuple[Path, str]:
    """(folder, path under it) of rel, a path under dist/ as the writers name their files, in `out`: the folder that
    stands for dist/ (a build's staging folder, or dist/ itself, addressed from the root so that a refusal names the
    whole path)."""
    if out.name == DIST:
        return out.parent, rel
    return out, rel.removeprefix(DIST + "/")


def write(out: Path, rel: str, data: bytes) -> Path:
    """Write data to rel (a path under dist/) in the output folder `out` (see `_base`), atomically."""
    return files.write_atomic(*_base(out, rel), data)


def check_old_dist(root: Path) -> None:
    """Refuse, before anything is written, a dist/ that is or holds a symlink, a FIFO or a device anywhere inside."""
    for folder, subfolders, names in os.walk(_dist(root)):  # never follows a symlink
        for name in subfolders + names:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            rel = path.relative_to(root).as_posix()
            if stat.S_ISLNK(mode):
                raise files.refuse("output.symlink", rel, f"{rel} is a symlink; refusing to build through it")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise files.refuse(
                    "output.not_a_file", rel, f"{rel} is neither a file nor a folder; refusing to replace it"
                )


def _locked(folder: Path) -> int | None:
    """A descriptor holding an exclusive lock on folder, or None if another build holds it."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _remove_leftovers(parent: Path) -> None:
    """Staging folders in parent of builds that were stopped (no process holds their lock any more)."""
    for path in parent.glob(STAGING + "*"):
        if path.is_dir() and not path.is_symlink() and (fd := _locked(path)) is not None:
            try:
                shutil.rmtree(path)
            finally:
                os.close(fd)


def swap_in(stage: Path, dist: Path) -> None:
    """Put folder stage in place of dist; afterwards stage holds the old dist (if any), to be removed. Two renames: the
    old dist/ moves aside whole, the new one takes its place (a moment without dist/, never a mix of the two)."""
    if not os.path.lexists(dist):
        os.rename(stage, dist)
    else:
        old = Path(tempfile.mkdtemp(prefix=STAGING, dir=dist.parent))
        os.rename(dist, old / DIST)
        os.rename(stage, dist)
        os.rename(old, stage)


@contextmanager
def staged(root: Path, folder: str = DIST) -> Iterator[Path]:
    """A fresh staging folder beside `folder` (dist/, or a folder inside it), the output folder for the block's writes
    (`write`, `produce`); it replaces the folder when the block ends without an error; on an error (or a signal) the
    folder is left as it was and the staging folder is removed."""
    root = root.resolve()
    check_old_dist(root)
    target = root / folder
    _remove_leftovers(target.parent)
    stage = Path(tempfile.mkdtemp(prefix=STAGING, dir=target.parent))
    lock = _locked(stage)
    try:
        yield stage
        os.chmod(stage, 0o755)
        swap_in(stage, target)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
        if lock is not None:
            os.close(lock)


def produce(out: Path, rel: str, write: Callable[[Path], None]) -> Path:
    """Let `write` (DuckDB, say) create a file at a temporary name beside rel (a path under dist/, in the output folder
    `out`: see `_base`), then rename it into place."""
    target = files.output_path(*_base(out, rel))
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
