"""Every key that can name a profile (`profile`, `profiles`, `$schema`), on the package, a resource or a schema,
names a standard profile or the package is refused before frictionless resolves it (against the working folder, or
the network)."""

from __future__ import annotations

import json

import pytest

from helpers import edit_schema, no_network, read_descriptor, run_cli, save_descriptor, set_resource, validate_stage

#: A profile frictionless would read from beside the working folder, with a pattern that backtracks.
LOCAL_PROFILE = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}


def _package_key(key, value):
    def craft(root):
        save_descriptor(root, {**read_descriptor(root), key: value})

    return craft


def _resource_key(key, value):
    return lambda root: set_resource(root, "units", **{key: value})


def _schema_key(key, value):
    return lambda root: edit_schema(root, "units", lambda s: s.update({key: value}))


CRAFTED = {
    "package profiles, a file beside the working folder": (_package_key("profiles", ["profile.json"]), "profiles"),
    "package profiles, a URL": (_package_key("profiles", ["http://127.0.0.1:9/p.json"]), "profiles"),
    "package profiles, not a string": (_package_key("profiles", [{"type": "object"}]), "profiles"),
    "package $schema, a local file": (_package_key("$schema", "profile.json"), "$schema"),
    "package $schema, another host": (_package_key("$schema", "https://example.org/profiles/2.0/x.json"), "$schema"),
    "resource profiles": (_resource_key("profiles", ["profile.json"]), "profiles"),
    "resource $schema": (_resource_key("$schema", "profile.json"), "$schema"),
    "resource profile": (_resource_key("profile", "profile.json"), "profile"),
    "schema $schema": (_schema_key("$schema", "profile.json"), "$schema"),
    "schema profile": (_schema_key("profile", "../profile.json"), "profile"),
    "schema profiles": (_schema_key("profiles", ["profile.json"]), "profiles"),
}


@pytest.mark.parametrize("name", CRAFTED)
def test_a_custom_profile_under_any_key_is_refused(copy, tmp_path, name):
    craft, key = CRAFTED[name]
    (copy / "profile.json").write_text(json.dumps(LOCAL_PROFILE), encoding="utf-8")
    (tmp_path.parent / "profile.json").write_text(json.dumps(LOCAL_PROFILE), encoding="utf-8")
    craft(copy)
    done = run_cli("--root", copy, "validate", "--json", cwd=copy)
    report = json.loads(done.stdout)
    assert done.returncode == 2, report
    refused = report["unusable"]
    assert refused["rule"] == "input.unsafe_path" and refused["row"] == key, refused
    expected_file = "schemas/units.json" if name.startswith("schema") else "datapackage.json"
    assert refused["file"] == expected_file


@pytest.mark.parametrize(
    "value",
    ["https://datapackage.org/profiles/2.0/datapackage.json", "https://datapackage.org/profiles/1.0/datapackage.json"],
)
def test_a_standard_profile_url_is_accepted(copy, value):
    """The standard profiles pass preflight, and frictionless validates the package under them without fetching."""
    save_descriptor(copy, {**read_descriptor(copy), "$schema": value})
    with no_network():
        report = validate_stage(copy, "frictionless.package")
    assert report.unusable is None and report.results and all(r.passed for r in report.results), report.failed_rules()
