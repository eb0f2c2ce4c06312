"""The bytes of a table before they are parsed: another encoding, compression (declared or disguised), a file over
the size limit; refused by name (exit 2)."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from checks.validate import validate
from helpers import (
    read_descriptor,
    refused_by_name,
    save_descriptor,
)


def _declare(root: Path, name: str, rel: str, data: bytes, **extra) -> None:
    """Add a file resource holding data at rel, stamped with its true bytes and sha256."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data)
    descriptor = read_descriptor(root)
    descriptor["resources"].append(
        {"name": name, "path": rel, "bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}", **extra}
    )
    save_descriptor(root, descriptor)


def _gzip_resource(root: Path, tmp: Path) -> None:
    _declare(
        root,
        "extra_rows",
        "data/extra_rows.csv.gz",
        gzip.compress(b"a,b\n" + b"1,2\n" * 1000),
        format="csv",
        compression="gz",
    )


def _gzip_disguised(root: Path, tmp: Path) -> None:
    _declare(root, "extra_rows", "data/extra_rows.csv", gzip.compress(b"a,b\n" + b"1,2\n" * 1000), format="csv")


# name → (how to craft the copy (root, tmp_path), the rule that must refuse it with exit 2)
UNUSABLE = {
    "UTF-16 table": (
        lambda r, t: (r / "data/units.csv").write_bytes(
            (r / "data/units.csv").read_text(encoding="utf-8").encode("utf-16")
        ),
        "input.encoding",
    ),
    "gzip resource": (_gzip_resource, "input.compressed"),
    "gzip bytes under a .csv name": (_gzip_disguised, "input.compressed"),
}


@pytest.mark.parametrize("name", UNUSABLE)
def test_crafted_input_is_refused_by_name(copy, tmp_path, name):
    refused_by_name(copy, tmp_path, *UNUSABLE[name])


def test_oversized_files_are_refused_before_reading(copy, monkeypatch):
    monkeypatch.setenv("CHECKS_MAX_JSON_BYTES", "1000")
    report = validate(copy)
    assert (
        report.exit_code == 2
        and report.unusable.rule == "input.too_large"
        and report.unusable.file == "datapackage.json"
    )
    monkeypatch.setenv("CHECKS_MAX_JSON_BYTES", str(10**7))
    monkeypatch.setenv("CHECKS_MAX_FILE_BYTES", "5000")
    report = validate(copy)
    assert (
        report.exit_code == 2
        and report.unusable.rule == "input.too_large"
        and "CHECKS_MAX_FILE_BYTES" in report.unusable.message
    )
