"""The descriptor as other readers see it: the official Data Package v1 and v2 profiles, and frictionless's typing.

The profiles are the official JSON Schemas, vendored from dplib-py under tests/profiles/ (see its README):
dplib's own loader fetches them over the network.
"""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import jsonschema
import pytest

from helpers import ROOT

VERSIONS = ("1.0", "2.0")
PROFILES = Path(__file__).parent / "profiles"
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "lineTerminator": "\n"}


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def profile_errors(version: str, data: dict) -> list[str]:
    """Where and why `data` breaks the official Data Package profile of `version`."""
    schema = json.loads((PROFILES / version / "datapackage.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def resource(data: dict, name: str) -> dict:
    return next(r for r in data["resources"] if r["name"] == name)


@pytest.mark.parametrize("version", VERSIONS)
def test_descriptor_passes_the_official_profile(version):
    assert profile_errors(version, descriptor()) == []


def test_only_tables_are_typed_and_frictionless_agrees():
    """v2 allows no `type` but "table": other resources omit it, and frictionless must not infer a table from their
    format."""
    package = frictionless.Package(str(ROOT / "datapackage.json"))
    for declared in descriptor()["resources"]:
        assert declared.get("type") in (None, "table"), declared["name"]
        inferred = package.get_resource(declared["name"]).type
        assert (inferred == "table") == (declared.get("type") == "table"), (declared["name"], inferred)


def test_every_table_declares_its_csv_dialect():
    """Readers that sniff the dialect guess wrong on long quoted text (the JS reader took a space for the delimiter)."""
    tables = [r for r in descriptor()["resources"] if r.get("type") == "table"]
    assert tables and all(r.get("dialect") == CSV_DIALECT for r in tables), [
        r["name"] for r in tables if r.get("dialect") != CSV_DIALECT
    ]


def test_source_text_does_not_inherit_the_data_licence():
    data = descriptor()
    own = resource(data, "source_text").get("licenses", [])
    assert own and {lic.get("name") for lic in own}.isdisjoint({lic.get("name") for lic in data["licenses"]})


def test_frictionless_still_hashes_the_untyped_seed(copy):
    """Without `type`, the seed is a text resource; frictionless must still check its bytes against the declared
    sha256."""
    seed = copy / resource(descriptor(), "source_text")["path"]
    seed.write_bytes(seed.read_bytes().replace(b"622", b"623", 1))
    report = frictionless.validate(str(copy / "datapackage.json"))
    errors = {task.name: {e.type for e in task.errors} for task in report.tasks}
    assert errors["source_text"] == {"hash-count"}, errors
