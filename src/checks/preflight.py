"""Can the package be validated at all? Each failure here is unusable input (exit code 2).

Errors: a missing descriptor, schema, table or seed; malformed JSON; a table that is not UTF-8, starts with a
byte-order mark or uses CRLF line ends; a header that differs from its schema (extra, missing or reordered
columns); a seed whose sha256 differs from its pin in seeds/SHA256SUMS or from the descriptor.
Tolerated: a table without a final newline, needlessly quoted fields, and extra metadata properties in the
descriptor or schemas (frictionless still checks the declared hashes).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .package import DESCRIPTOR, Package, sha256_of
from .problems import Problem, UnusableInput

SEED_PIN = "SHA256SUMS"


def _unusable(rule: str, file: str, message: str, **where) -> UnusableInput:
    return UnusableInput(Problem(rule=rule, file=file, message=message, **where))


def _read_json(path: Path, root: Path) -> dict:
    rel = str(path.relative_to(root))
    if not path.is_file():
        raise _unusable("input.missing_file", rel, f"{rel} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise _unusable("input.encoding", rel, f"{rel} is not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise _unusable("input.malformed_json", rel, f"{rel} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    if not isinstance(data, dict):
        raise _unusable("input.malformed_json", rel, f"{rel} must hold a JSON object")
    return data


def _check_descriptor(package: Package) -> None:
    descriptor = _read_json(package.descriptor_path, package.root)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise _unusable("input.malformed_descriptor", DESCRIPTOR, "datapackage.json has no resources list")
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not all(isinstance(res.get(k), str) for k in ("name", "path")):
            raise _unusable("input.malformed_descriptor", DESCRIPTOR, f"resource #{i} needs a name and a path")
        if res.get("type") == "table" and not isinstance(res.get("schema"), str):
            raise _unusable("input.malformed_descriptor", DESCRIPTOR, f"table {res['name']} needs a schema path")
    if "source_text" not in {r["name"] for r in resources}:
        raise _unusable("input.malformed_descriptor", DESCRIPTOR, "resource source_text (the seed) is not declared")


def _check_table_bytes(path: Path, rel: str) -> str:
    if not path.is_file():
        raise _unusable("input.missing_file", rel, f"{rel} does not exist")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise _unusable("input.bom", rel, f"{rel} starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _unusable("input.encoding", rel, f"{rel} is not UTF-8: invalid byte 0x{raw[err.start]:02x} on line {line} (GBK? re-save as UTF-8)", row=f"line {line}") from None
    if b"\r" in raw:
        line = raw[: raw.index(b"\r")].count(b"\n") + 1
        raise _unusable("input.line_endings", rel, f"{rel} has CR (CRLF) line endings from line {line}; use LF", row=f"line {line}")
    return text


def _check_header(text: str, schema: dict, rel: str) -> None:
    header = next(csv.reader(io.StringIO(text)), [])
    names = [f["name"] for f in schema.get("fields", [])]
    if header == names:
        return
    extra = [h for h in header if h not in names]
    missing = [n for n in names if n not in header]
    what = []
    if extra:
        what.append(f"extra column(s) {', '.join(extra)}")
    if missing:
        what.append(f"missing column(s) {', '.join(missing)}")
    if not what:
        what.append("columns out of order")
    raise _unusable("input.columns", rel, f"{rel}: {'; '.join(what)}", expected=",".join(names), found=",".join(header))


def _check_seed(package: Package) -> None:
    seed = package.resource("source_text")
    path = package.root / seed["path"]
    rel = seed["path"]
    if not path.is_file():
        raise _unusable("input.missing_file", rel, f"{rel} (the source text) does not exist")
    actual = sha256_of(path)
    pin_file = path.parent / SEED_PIN
    pins = dict(reversed(line.split(maxsplit=1)) for line in pin_file.read_text(encoding="utf-8").splitlines() if line.strip()) if pin_file.is_file() else {}
    pinned = pins.get(path.name)
    declared = str(seed.get("hash", "")).removeprefix("sha256:")
    for name, want in (("seeds/" + SEED_PIN, pinned), (DESCRIPTOR, declared)):
        if want != actual:
            raise _unusable("input.seed_changed", rel, f"{rel} differs from the sha256 recorded in {name}; the seed must stay byte-identical (every offset depends on it)",
                            expected=str(want), found=actual)


def preflight(package: Package) -> None:
    """Raise UnusableInput for the first input that makes validation meaningless."""
    _check_descriptor(package)
    _check_seed(package)
    for res in package.tables:
        schema = _read_json(package.root / res["schema"], package.root)
        text = _check_table_bytes(package.root / res["path"], res["path"])
        _check_header(text, schema, res["path"])
