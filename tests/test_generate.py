"""The scale generator (benchmarks/generate.py) writes packages that validate: behaviour only, never timing."""

from __future__ import annotations

import pytest
from benchmarks.generate import generate, renamed_columns

from checks.package import Package
from checks.validate import validate
from helpers import ROOT, read_rows


@pytest.mark.parametrize("times", [1, 10])
def test_a_repeated_package_validates(tmp_path, times):
    out = generate(tmp_path / f"x{times}", times)
    report = validate(out)
    assert report.exit_code == 0, [(p.rule, p.row, p.found) for p in report.problems][:10]
    for table in Package(ROOT).table_names:
        real = read_rows(ROOT / "data" / f"{table}.csv")[1]
        assert len(read_rows(out / "data" / f"{table}.csv")[1]) == times * len(real), table


def test_one_copy_is_the_real_data(tmp_path):
    out = generate(tmp_path / "x1", 1)
    for path in (ROOT / "data").iterdir():
        assert (out / "data" / path.name).read_bytes() == path.read_bytes(), path.name


def test_keys_come_from_the_schemas(package):
    """Every renamed column is a key or points at one; a composite key keeps its enum member."""
    renamed = renamed_columns(package)
    for table, columns in renamed.items():
        schema = package.schema(table)
        keys = (
            set(schema.get("primaryKey", []))
            if isinstance(schema.get("primaryKey"), list)
            else {schema.get("primaryKey")}
        )
        foreign = {
            f
            for fk in schema.get("foreignKeys", [])
            for f in ([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
        }
        unique = {f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")}
        assert columns <= keys | foreign | unique, table
        enums = {f["name"] for f in schema["fields"] if "enum" in f.get("constraints", {})}
        assert not columns & enums, table
