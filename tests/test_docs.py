"""What users read and cite: the data dictionary, citation metadata, versions, licences, the correction process."""
from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib

import pytest
import yaml

from checks.site.dictionary import DICTIONARY, render_dictionary
from conftest import ROOT

CFFCONVERT = ROOT / ".venv-cff" / "bin" / "cffconvert"


def _read(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def test_data_dictionary_is_current(package):
    assert _read(DICTIONARY) == render_dictionary(package), "run: python -m checks docs"


def test_data_dictionary_names_every_column_with_chinese_intact(package):
    text = _read(DICTIONARY)
    for name in package.table_names:
        assert f"## {name}\n" in text
        for field in package.schema(name)["fields"]:
            assert f"| `{field['name']}` | {field.get('type', 'string')} |" in text, (name, field["name"])
    assert "全区" in text and "亿元" in text  # Chinese in the descriptions, as written


def test_citation_is_valid_cff():
    if not CFFCONVERT.exists():
        if os.environ.get("CI"):
            pytest.fail("cffconvert is missing under CI: make test installs it into .venv-cff")
        pytest.skip("cffconvert not installed (make test installs it into .venv-cff)")
    done = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _versions() -> dict[str, str]:
    return {
        "datapackage.json": json.loads(_read("datapackage.json"))["version"],
        "pyproject.toml": tomllib.loads(_read("pyproject.toml"))["project"]["version"],
        "CITATION.cff": str(yaml.safe_load(_read("CITATION.cff"))["version"]),
        ".zenodo.json": json.loads(_read(".zenodo.json"))["version"],
    }


def test_one_version_everywhere_and_in_the_changelog():
    versions = _versions()
    assert len(set(versions.values())) == 1, versions
    version = versions["datapackage.json"]
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", _read("CHANGELOG.md"), re.M)
    assert f"(version {version})" in _read("README.md")
    assert str(yaml.safe_load(_read("CITATION.cff"))["date-released"]) == json.loads(_read(".zenodo.json"))["publication_date"]


def test_licence_and_attribution_say_the_same_everywhere():
    descriptor = json.loads(_read("datapackage.json"))
    citation = yaml.safe_load(_read("CITATION.cff"))
    zenodo = json.loads(_read(".zenodo.json"))
    assert [l["name"] for l in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert citation["license"] == "CC-BY-4.0" and zenodo["license"] == "cc-by-4.0"
    assert "CC-BY-4.0" in _read("README.md")
    publisher = "天津市武清区农业农村委员会"
    source = next(r for r in descriptor["resources"] if r["name"] == "source_text")
    assert source["licenses"][0]["name"] != "CC-BY-4.0", "the source text keeps its publisher's rights"
    for where in (_read("README.md"), json.dumps(descriptor, ensure_ascii=False), json.dumps(citation["references"], ensure_ascii=False), zenodo["notes"]):
        assert publisher in where
    assert citation["references"][0]["url"] == descriptor["sources"][0]["path"]


def test_wrong_figure_form_asks_for_id_quote_what_and_evidence():
    form = yaml.safe_load(_read(".github/ISSUE_TEMPLATE/wrong-figure.yml"))
    required = {item["id"] for item in form["body"] if item.get("validations", {}).get("required")}
    assert required >= {"figure_id", "quote", "what", "evidence"}
    assert "CONTRIBUTING.md" in json.dumps(form) and "checks stamp" in _read("CONTRIBUTING.md")
