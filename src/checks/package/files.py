"""Every file the package names is read and written here: inside the package root, regular, bounded, atomic.

A stranger's pull request may name a URL, an absolute path, `../`, a symlink out of the tree, a FIFO or a device:
none is ever opened, but refused as unusable input naming the file. Writes are renamed over the target."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from checks.problems import Problem, UnusableInput

#: Generous bounds (bytes) so that a 100 MB descriptor or a 1 GB table is refused before it is read.
#: Override with the environment variables CHECKS_MAX_JSON_BYTES and CHECKS_MAX_FILE_BYTES.
MAX_JSON_BYTES = 5 * 2**20
MAX_FILE_BYTES = 512 * 2**20

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def limit(kind: str) -> int:
    """The size limit for JSON documents ('json') or any other file ('file'), from the environment if set."""
    value = os.environ.get("CHECKS_MAX_JSON_BYTES" if kind == "json" else "CHECKS_MAX_FILE_BYTES", "")
    return int(value) if value.isdigit() else MAX_JSON_BYTES if kind == "json" else MAX_FILE_BYTES


def refuse(rule: str, file: str, message: str, **where) -> UnusableInput:
    return UnusableInput(Problem(rule=rule, file=file, message=message, **where))


def is_url(text: str) -> bool:
    """Whether text starts with a URL scheme (http:, javascript:, file: …)."""
    return bool(_SCHEME.match(text))


@contextmanager
def _opened(path: Path, rel: str):
    """(descriptor, size) of a regular file, opened without blocking on a FIFO swapped in after the check."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("input.not_a_file", rel, f"{rel} is not a regular file; only regular files are read")
        yield fd, info.st_size
    finally:
        os.close(fd)


def head(path: Path, rel: str, size: int) -> bytes:
    """The first bytes of a checked regular file (to recognise its kind)."""
    with _opened(path, rel) as (fd, _):
        return os.read(fd, size)


def resolve_inside(root: Path, declared: object, what: str) -> Path:
    """The path `declared` (as written in the descriptor) under root, or UnusableInput saying why it is refused:
    anything but a relative POSIX path; URLs; absolute paths; `..` or symlinks that leave the root."""

    def unsafe(why: str) -> UnusableInput:
        return refuse("input.unsafe_path", str(declared), f"{what}: path {declared!r} {why}")

    if not isinstance(declared, str) or not declared or "\x00" in declared or "\\" in declared:
        raise unsafe("is not a relative path inside the package")
    if _SCHEME.match(declared):
        raise unsafe("is a URL; validation is offline and reads only the package's own files")
    if PurePosixPath(declared).is_absolute():
        raise unsafe("is absolute; use a path relative to the package root")
    root = root.resolve()
    target = (root / declared).resolve()
    if target != root and root not in target.parents:
        raise unsafe(f"leads outside the package (to {target}) through '..' or a symlink")
    return target


def regular_file(root: Path, declared: str, what: str) -> Path:
    """resolve_inside, and the path must exist as a regular file (not a directory, FIFO, socket or device)."""
    path = resolve_inside(root, declared, what)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise refuse("input.missing_file", declared, f"{what}: {declared} does not exist") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
        raise refuse("input.not_a_file", declared, f"{what}: {declared} is {kind}; only regular files are read")
    return path


def read_bytes(path: Path, rel: str, kind: str = "file") -> bytes:
    """The whole file, refusing one larger than the limit."""
    maximum = limit(kind)
    with _opened(path, rel) as (fd, size):
        if size > maximum:
            raise refuse(
                "input.too_large",
                rel,
                f"{rel} is {size:,} bytes, over the limit of {maximum:,} "
                f"(set CHECKS_MAX_{'JSON' if kind == 'json' else 'FILE'}_BYTES to raise it)",
            )
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(size + 1)  # sized by the file, not by the limit (a 512 MiB buffer per read)
            if len(data) > size:  # it grew since fstat: read on, up to just past the limit
                data += f.read(maximum + 1 - len(data))
    if len(data) > maximum:
        raise refuse("input.too_large", rel, f"{rel} grew past the limit of {maximum:,} bytes while being read")
    return data


def output_path(root: Path, declared: str) -> Path:
    """Where to write `declared`: inside root, no symlink anywhere on the way (a linked folder would carry the write
    elsewhere), not a folder or device; refused with the name of the offending part."""
    path = resolve_inside(root, declared, "output")
    parts = PurePosixPath(declared).parts
    for shown in ("/".join(parts[:depth]) for depth in range(1, len(parts) + 1)):
        if (root.resolve() / shown).is_symlink():
            raise refuse("output.symlink", shown, f"{shown} is a symlink; refusing to write through it")
    if path.exists() and not path.is_file():
        raise refuse(
            "output.not_a_file", declared, f"{declared} exists and is not a regular file; refusing to replace it"
        )
    return path


def write_atomic(root: Path, declared: str, data: bytes) -> Path:
    """Write data to a path inside root via a temporary file and a rename; refuses a symlink at the target or on the
    way."""
    path = output_path(root, declared)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
