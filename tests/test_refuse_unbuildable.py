"""What used to validate and then fail to build with an unnamed error (an overflow, a worksheet name, a lone
surrogate, a list where the citation needs text) is refused by name: the file, the key and the rule."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from checks.outputs.workbook import MAX_CELL, fitted
from checks.package import Package
from checks.package.citation import read_citation
from checks.validate import validate
from helpers import ROOT, read_descriptor, run_cli, save_descriptor


def _descriptor(change):
    def craft(root):
        descriptor = read_descriptor(root)
        change(descriptor)
        save_descriptor(root, descriptor)

    return craft


def _extra_table(name: str):
    def add(descriptor):
        units = next(r for r in descriptor["resources"] if r["name"] == "units")
        descriptor["resources"].append({**units, "name": name})

    return _descriptor(add)


def _raw_title(root):
    text = (root / "datapackage.json").read_text(encoding="utf-8")
    (root / "datapackage.json").write_text(text.replace('"title": "', '"title": "\\udc80', 1), encoding="utf-8")


def _huge_number_in_schema(root):
    text = (root / "schemas/units.json").read_text(encoding="utf-8")
    (root / "schemas/units.json").write_text(text.replace("{", '{"x": ' + "9" * 10_000 + ", ", 1), encoding="utf-8")


CRAFTED = {
    "created that overflows in UTC": (
        _descriptor(lambda d: d.update(created="9999-12-31T23:59:59-23:59")),
        ("datapackage.json", "created"),
    ),
    "created before zip dates": (_descriptor(lambda d: d.update(created="1970-01-01T00:00:00Z")), (None, "created")),
    "created not a date": (_descriptor(lambda d: d.update(created=20200101)), (None, "created")),
    "a table name over 31 characters": (_extra_table("a" * 32), ("datapackage.json", "a" * 32)),
    "a table named about": (_extra_table("about"), ("datapackage.json", "about")),
    "a table named history": (_extra_table("history"), (None, "history")),
    "a lone surrogate in the title": (_raw_title, ("datapackage.json", "title")),
    "full-width digits in the version": (_descriptor(lambda d: d.update(version="１.０")), (None, "version")),
    "a Roman numeral version": (_descriptor(lambda d: d.update(version="Ⅻ")), (None, "version")),
    "a 10,000-digit number in a schema": (_huge_number_in_schema, ("schemas/units.json", None)),
}


@pytest.mark.parametrize("name", CRAFTED)
def test_validate_refuses_what_a_build_could_not_write(copy, name):
    craft, (file, key) = CRAFTED[name]
    craft(copy)
    done = run_cli("--root", copy, "validate", "--json")
    refused = json.loads(done.stdout)["unusable"]
    assert done.returncode == 2 and refused is not None and "Traceback" not in done.stderr
    assert refused["file"] == (file or "datapackage.json") and refused["rule"].startswith("input.")
    if key is not None:
        assert refused["row"] == key, refused


def _citation(root, change) -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    change(cff)
    (root / "CITATION.cff").write_text(yaml.safe_dump(cff, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda c: c["authors"][0].update({"name": ["a", "list"]}), "authors[0].name"),
        (lambda c: c.update(version={"a": 1}), "version"),
        (lambda c: c["authors"][0].update({"given-names": "\udc80"}), "authors[0].given-names"),
    ],
)
def test_a_citation_value_the_workbook_cannot_cite_is_refused_naming_it(copy, change, where):
    """Refused by validate itself (exit 2), not first by a build after a valid report."""
    _citation(copy, change)
    report = validate(copy)
    problem = report.unusable
    assert report.exit_code == 2 and problem is not None, report.failed_rules()
    assert problem.file == "CITATION.cff" and problem.rule == "input.malformed_citation" and problem.row == where


def test_the_real_citation_is_read(copy):
    shutil.copy2(ROOT / "CITATION.cff", copy / "CITATION.cff")
    assert read_citation(Package(copy))["title"]


def test_a_cell_too_long_for_excel_is_cut_with_a_note():
    text = "字" * (MAX_CELL + 10)
    cell = fitted(text)
    assert len(cell) == MAX_CELL and cell.endswith("the CSV and Parquet files hold the whole text]")
    assert f"{MAX_CELL + 10:,} characters" in cell and fitted("short") == "short"


@pytest.mark.parametrize("value", ["x-date: 2020-02-30\n", "date-released: 2020-01-01T25:00:00\n"])
def test_a_citation_value_yaml_cannot_read_is_blamed_on_the_citation(copy, value):
    """A date that cannot exist is refused as a malformed citation naming CITATION.cff, not as datapackage.json."""
    (copy / "CITATION.cff").write_text((ROOT / "CITATION.cff").read_text(encoding="utf-8") + value, encoding="utf-8")
    report = validate(copy)
    assert report.unusable.rule == "input.malformed_citation" and report.unusable.file == "CITATION.cff"


def test_the_zip_dates_its_entries_by_the_utc_day_of_created(copy):
    """A `created` late on 2107-12-31 in UTC but in 2108 locally dates the zip's entries 2107-12-31."""
    from checks.outputs.release import _timestamp

    save_descriptor(copy, {**read_descriptor(copy), "created": "2108-01-01T00:30:00+01:00"})
    assert _timestamp(Package(copy)) == (2107, 12, 31, 0, 0, 0)
