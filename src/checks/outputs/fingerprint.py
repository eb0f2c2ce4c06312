"""What dist/ was built from, and that this validator wrote the database: kept beside the database.

The record holds one sha256 over the descriptor and every file it declares (the inputs), the sha256 of the database
file as written, and an HMAC of both under a key of this user's (`CHECKS_STATE_DIR`, by default
`$XDG_STATE_HOME/wuqing-checks`, made on the first build, mode 0600). `query` answers from the database only when the
inputs are the same, the database's bytes are the ones written (an `UPDATE` on the built file changes them) and the
HMAC holds (a downloaded package may ship a dist/ and a record of its own, but not one made with this user's key);
any doubt means the query loads the package itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from checks.outputs import staging
from checks.package import DESCRIPTOR, Package, files

KEY_BYTES = 32


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar(database: str) -> str:
    """Where the record of a database is kept: beside it."""
    return database + ".inputs"


def state_folder() -> Path:
    """This user's folder for the key (CHECKS_STATE_DIR, else $XDG_STATE_HOME or ~/.local/state, /wuqing-checks)."""
    if os.environ.get("CHECKS_STATE_DIR"):
        return Path(os.environ["CHECKS_STATE_DIR"])
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "wuqing-checks"


def _key(create: bool) -> bytes | None:
    """The user's key (made when create is true and there is none); None when there is none or it cannot be read."""
    path = state_folder() / "build-key"
    try:
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(KEY_BYTES))
        key = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


def _seal(key: bytes, inputs_sha256: str, database_sha256: str) -> str:
    return hmac.new(key, f"{inputs_sha256} {database_sha256}".encode("ascii"), hashlib.sha256).hexdigest()


def record(package: Package, database: str, out: Path, written: Path) -> Path:
    """Keep, beside the database just written (at `written`, in the build's output folder `out`), what it was built
    from and its own sha256, sealed."""
    kept = {"sha256": fingerprint(package), "database_sha256": file_sha256(written)}
    key = _key(create=True)
    if key is not None:
        kept["hmac"] = _seal(key, kept["sha256"], kept["database_sha256"])
    data = json.dumps(kept) + "\n"
    return staging.write(out, sidecar(database), data.encode("utf-8"))


def current(package: Package, database: str) -> bool:
    """Whether the database was built by this user's validator from exactly the files the package holds now, and
    holds the bytes it wrote."""
    try:
        kept = files.regular_file(package.root, sidecar(database), "build record")
        kept = json.loads(files.read_bytes(kept, sidecar(database), "json"))
        built = files.regular_file(package.root, database, "database")
        key = _key(create=False)
        if key is None or not isinstance(kept, dict) or not all(isinstance(kept.get(k), str) for k in ("hmac",)):
            return False
        seal = _seal(key, str(kept.get("sha256")), str(kept.get("database_sha256")))
        return (
            hmac.compare_digest(seal, kept["hmac"])
            and kept.get("database_sha256") == file_sha256(built)
            and kept.get("sha256") == fingerprint(package)
        )
    except Exception:  # noqa: BLE001 - any doubt means: do not use the database
        return False
