"""The descriptor, its schemas and the seed's pins: malformed JSON, duplicate keys, unsafe names, unknown hash
algorithms, patterns that could backtrack, schemas frictionless cannot read; refused by name (exit 2) before any
table is read. And the text pattern every free-text column carries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import (
    ROOT,
    edit_schema,
    read_descriptor,
    refused_by_name,
    replace_in,
    run_cli,
    set_resource,
    validate_stage,
)


def _duplicate_key(root: Path, rel: str, key: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    first = text.index(f'"{key}"')
    path.write_text(text[:first] + f'"{key}": "shadowed", ' + text[first:], encoding="utf-8")


def _pins(root: Path, text: str) -> None:
    (root / "seeds" / "SHA256SUMS").write_text(text, encoding="utf-8")


def _seed_hash(root: Path) -> str:
    return read_descriptor(root)["resources"][0]["hash"].removeprefix("sha256:")


# name → (how to craft the copy (root, tmp_path), the rule that must refuse it with exit 2)
UNUSABLE = {
    "SQL in a resource name": (
        lambda r, t: set_resource(r, "units", name="units; COPY (SELECT 1) TO '/tmp/x'"),
        "input.unsafe_name",
    ),
    "table no longer typed": (lambda r, t: set_resource(r, "units", type=None), "input.missing_resource"),
    "renamed table": (lambda r, t: set_resource(r, "units", name="unit_list"), "input.missing_resource"),
    "deeply nested JSON": (
        lambda r, t: (r / "datapackage.json").write_text("[" * 100000 + "]" * 100000, encoding="utf-8"),
        "input.malformed_json",
    ),
    "number JSON cannot hold": (
        lambda r, t: replace_in(r, "datapackage.json", '"version": "', '"x-size": 1e400, "version": "', restamp=False),
        "input.malformed_json",
    ),
    "field without a name": (
        lambda r, t: edit_schema(r, "units", lambda s: s["fields"][0].pop("name")),
        "input.malformed_schema",
    ),
    "unsupported field type": (
        lambda r, t: edit_schema(r, "units", lambda s: s["fields"][2].update(type="any")),
        "input.malformed_schema",
    ),
    "primary key naming no field": (
        lambda r, t: edit_schema(r, "units", lambda s: s.update(primaryKey=["nothing"])),
        "input.malformed_schema",
    ),
    "junk line in SHA256SUMS": (lambda r, t: _pins(r, "not a hash line\n"), "input.malformed_pin"),
    "comment character in a dialect": (
        lambda r, t: set_resource(
            r,
            "units",
            dialect={
                **next(x for x in read_descriptor(r)["resources"] if x["name"] == "units")["dialect"],
                "commentChar": "C",
            },
        ),
        "input.dialect",
    ),
    "resource without a hash": (lambda r, t: set_resource(r, "sql_views", hash=None, bytes=None), "input.unhashed"),
    "catastrophic regex in a schema": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(a+)+b")),
        "input.unsafe_pattern",
    ),
    "duplicate field names": (
        lambda r, t: edit_schema(r, "units", lambda s: s["fields"][1].update(name=s["fields"][0]["name"])),
        "input.malformed_schema",
    ),
    "made-up hash algorithm": (lambda r, t: set_resource(r, "sql_views", hash="sha999:0"), "input.hash_algorithm"),
    "md5 hash": (lambda r, t: set_resource(r, "sql_views", hash="md5:" + "0" * 32), "input.hash_algorithm"),
    "duplicate key in datapackage.json": (
        lambda r, t: _duplicate_key(r, "datapackage.json", "name"),
        "input.duplicate_key",
    ),
    "duplicate key in a schema": (
        lambda r, t: _duplicate_key(r, "schemas/units.json", "fields"),
        "input.duplicate_key",
    ),
    "alternation under a repeat": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(a|a)*c")),
        "input.unsafe_pattern",
    ),
    "two unbounded repeats": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="a*a*a*a*c")),
        "input.unsafe_pattern",
    ),
    "lookahead RE2 cannot run": (
        lambda r, t: edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(?=a).*")),
        "input.unsafe_pattern",
    ),
}


@pytest.mark.parametrize("name", UNUSABLE)
def test_crafted_input_is_refused_by_name(copy, tmp_path, name):
    refused_by_name(copy, tmp_path, *UNUSABLE[name])


def test_binary_mode_pin_line_is_read(copy):
    _pins(copy, f"{_seed_hash(copy)} *wuqing_2020_paired_assistance_summary.txt\n")
    assert validate_stage(copy, "input.seed_changed").exit_code == 0


def test_patterns_of_the_package_are_accepted():
    from checks.package.fields import TEXT_PATTERN
    from checks.package.preflight import pattern_risk

    patterns = {
        f.get("constraints", {}).get("pattern")
        for path in (ROOT / "schemas").glob("*.json")
        for f in json.loads(path.read_text(encoding="utf-8"))["fields"]
    } - {None}
    assert TEXT_PATTERN in patterns and all(pattern_risk(p) is None for p in patterns)


def test_stamp_never_writes_a_number_json_cannot_hold(copy):
    replace_in(copy, "datapackage.json", '"version": "', '"x-size": 1e400, "version": "', restamp=False)
    before = (copy / "datapackage.json").read_bytes()
    done = run_cli("--root", str(copy), "stamp")
    assert done.returncode == 2 and "input.malformed_json" in done.stderr
    assert (copy / "datapackage.json").read_bytes() == before


def test_every_free_text_column_carries_the_text_pattern(package):
    from checks.package.fields import TEXT_PATTERN

    for name in package.table_names:
        for field in package.schema(name)["fields"]:
            if field.get("type", "string") == "string":
                constraints = field.get("constraints", {})
                assert "enum" in constraints or "pattern" in constraints, (name, field["name"])
                if "pattern" in constraints:
                    hostile = [
                        t
                        for t in ("=1+1", "+1", "-1", "@SUM(A1)", "a\x00b", "a\x1b[31m", "a\rb")
                        if re.fullmatch(constraints["pattern"], t)
                    ]
                    assert not hostile, (name, field["name"], hostile)
    assert re.fullmatch(TEXT_PATTERN, "全区622个行政村, 2.5亿元 (5%)\n") and not re.fullmatch(TEXT_PATTERN, "=1")


def test_the_text_pattern_reads_the_same_in_python_and_in_arrow():
    """Guards the assumption that one pattern in the schemas means one thing: frictionless applies TEXT_PATTERN with
    Python's re, pandera through Arrow's RE2 where pyarrow backs pandas' strings; were they to differ on a cell, the
    two stages would disagree about it."""
    import pandas as pd
    import pyarrow
    import pyarrow.compute

    from checks.package.fields import TEXT_PATTERN

    cells = [
        "",
        "a",
        "=1",
        "a=1",
        "-1",
        " -1",
        "+",
        "@A1",
        "tab\there",
        "line\nend",
        "a\x00b",
        "\x1b[31m",
        "a\rb",
        "\x7f",
        "x\x9f",
        "\xa0ok",
        "中文。",
    ]
    in_python = [re.fullmatch(TEXT_PATTERN, c) is not None for c in cells]
    in_arrow = pyarrow.compute.match_substring_regex(pyarrow.array(cells), f"^(?:{TEXT_PATTERN})$").to_pylist()
    in_pandas = pd.Series(cells, dtype="string[pyarrow]").str.fullmatch(TEXT_PATTERN).tolist()
    assert (
        in_python
        == in_arrow
        == in_pandas
        == [
            True,
            True,
            False,
            True,
            False,
            True,
            False,
            False,
            True,
            True,
            False,
            False,
            False,
            False,
            False,
            True,
            True,
        ]
    )
