"""Security, third pass (issue 20): each probe that got through, now refused by name (exit 2) or reported (exit 1)."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checks.package import Package
from checks.package.stamp import stamp
from checks.validate import validate
from conftest import ROOT, edit, read_rows, write_rows
from test_robustness import _descriptor, _edit_schema, _save_descriptor, _set_resource


def _declare(root: Path, name: str, rel: str, data: bytes, **extra) -> None:
    """Add a file resource holding data at rel, stamped with its true bytes and sha256."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data)
    descriptor = _descriptor(root)
    descriptor["resources"].append({"name": name, "path": rel, "bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}", **extra})
    _save_descriptor(root, descriptor)


def _outside(tmp_path: Path, name: str, data: bytes = b"secret-line-from-outside\n") -> Path:
    path = tmp_path.parent / f"{tmp_path.name}-{name}"
    path.write_bytes(data)
    return path


def _extrapath_symlink_out(root: Path, tmp: Path) -> None:
    (root / "data" / "more_units.csv").symlink_to(_outside(tmp, "units.csv"))
    _set_resource(root, "units", extrapaths=["data/more_units.csv"])


def _gzip_resource(root: Path, tmp: Path) -> None:
    _declare(root, "extra_rows", "data/extra_rows.csv.gz", gzip.compress(b"a,b\n" + b"1,2\n" * 1000), format="csv", compression="gz")


def _gzip_disguised(root: Path, tmp: Path) -> None:
    _declare(root, "extra_rows", "data/extra_rows.csv", gzip.compress(b"a,b\n" + b"1,2\n" * 1000), format="csv")


def _duplicate_key(root: Path, rel: str, key: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    first = text.index(f'"{key}"')
    path.write_text(text[:first] + f'"{key}": "shadowed", ' + text[first:], encoding="utf-8")


# point → (how to craft the copy, the rule that must refuse it with exit 2)
REFUSED = {
    "3 extrapaths through a symlink out": (_extrapath_symlink_out, "input.unsafe_path"),
    "3 licence path out of the package": (lambda r, t: _set_resource(r, "source_text", licenses=[{"name": "x", "path": "../../etc/passwd"}]),
                                          "input.unsafe_path"),
    "3 source path out of the package": (lambda r, t: _save_descriptor(r, {**_descriptor(r), "sources": [{"title": "x", "path": "/etc/passwd"}]}),
                                         "input.unsafe_path"),
    "5 package name with ../": (lambda r, t: _save_descriptor(r, {**_descriptor(r), "name": "../data/figures"}), "input.unsafe_name"),
    "5 package name into .git": (lambda r, t: _save_descriptor(r, {**_descriptor(r), "name": "../.git/hooks/pre-commit"}), "input.unsafe_name"),
    "9 made-up hash algorithm": (lambda r, t: _set_resource(r, "sql_views", hash="sha999:0"), "input.hash_algorithm"),
    "9 md5 hash": (lambda r, t: _set_resource(r, "sql_views", hash="md5:" + "0" * 32), "input.hash_algorithm"),
    "10 duplicate key in datapackage.json": (lambda r, t: _duplicate_key(r, "datapackage.json", "name"), "input.duplicate_key"),
    "10 duplicate key in a schema": (lambda r, t: _duplicate_key(r, "schemas/units.json", "fields"), "input.duplicate_key"),
    "13 alternation under a repeat": (lambda r, t: _edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(a|a)*c")),
                                      "input.unsafe_pattern"),
    "13 two unbounded repeats": (lambda r, t: _edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="a*a*a*a*c")),
                                 "input.unsafe_pattern"),
    "13 lookahead RE2 cannot run": (lambda r, t: _edit_schema(r, "concepts", lambda s: s["fields"][2]["constraints"].update(pattern="(?=a).*")),
                                    "input.unsafe_pattern"),
    "14 gzip resource": (_gzip_resource, "input.compressed"),
    "14 gzip bytes under a .csv name": (_gzip_disguised, "input.compressed"),
    "messages: SQL file not UTF-8": (lambda r, t: (r / "sql/views.sql").write_bytes("-- café\n".encode("latin-1") + (r / "sql/views.sql").read_bytes())
                                     or stamp(Package(r)), "input.encoding"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_crafted_package_is_refused_by_name(copy, tmp_path, name):
    craft, rule = REFUSED[name]
    craft(copy, tmp_path)
    started = time.monotonic()
    report = validate(copy)
    assert report.exit_code == 2, (name, report.failed_rules())
    assert report.unusable.rule == rule and report.unusable.file and report.unusable.message, report.unusable
    assert "secret-line-from-outside" not in json.dumps(report.unusable.as_dict())
    assert time.monotonic() - started < 10


def test_non_utf8_sql_names_the_file(copy):
    (copy / "sql/views.sql").write_bytes(b"\xff" + (copy / "sql/views.sql").read_bytes())
    stamp(Package(copy))
    report = validate(copy)
    assert report.unusable.file == "sql/views.sql" and "not UTF-8" in report.unusable.message and report.unusable.row == "line 1"


def test_patterns_of_the_package_are_accepted():
    from checks.package.fields import TEXT_PATTERN
    from checks.package.preflight import pattern_risk

    patterns = {f.get("constraints", {}).get("pattern") for path in (ROOT / "schemas").glob("*.json")
                for f in json.loads(path.read_text(encoding="utf-8"))["fields"]} - {None}
    assert TEXT_PATTERN in patterns and all(pattern_risk(p) is None for p in patterns)


def test_problems_per_rule_are_capped_in_text_and_json(copy, monkeypatch):
    """16: 3,000 rows breaking a column rule give the first N problems and a count of the rest, in text and JSON."""
    from checks.validate.report import as_json, as_text

    monkeypatch.setenv("CHECKS_MAX_PROBLEMS", "50")
    header, rows = read_rows(copy / "data/figure_readings.csv")
    write_rows(copy / "data/figure_readings.csv", header, rows + [{**rows[0], "aspect": f"aspect_{i}"} for i in range(3000)])
    stamp(Package(copy))
    report = validate(copy)
    result = report.rule("pandera.figure_readings")
    assert report.exit_code == 1 and len(result.problems) == 50 and result.count >= 3000
    data = json.loads(as_json(report))
    rule = next(r for r in data["rules"] if r["rule"] == "pandera.figure_readings")
    assert len(rule["problems"]) == 50 and rule["problem_count"] == result.count and rule["omitted"] == result.count - 50
    assert data["summary"]["problems"] == report.problem_count >= 3000
    text = as_text(report)
    assert f"… and {result.count - 20} more (--json lists the first 50" in text and len(text) < 100_000


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u2028", "\u200d", "\U000e0041", "\ufffe", "\ue000", "e\u0301\u0301\u0301"])
def test_invisible_characters_in_cells_are_refused(copy, hidden):
    """11: bidi controls, separators, ZWJ, tags, noncharacters, private use and stacked marks in a text cell: exit 1, by row."""
    edit(copy, "figures", "F006", scope_en=f"the 208 {hidden}paired villages")
    report = validate(copy)
    result = report.rule("figures.invisible_characters")
    assert report.exit_code == 1 and [p.row for p in result.problems] == ["F006"], report.failed_rules()
    assert result.problems[0].file == "data/figures.csv" and f"U+{ord(hidden[-1]):04X}" in result.problems[0].found
    assert "scope_en" in result.problems[0].found


def test_invisible_characters_of_the_seed_are_accepted_at_their_span(copy):
    """11: a quote may copy the seed as it is, invisible characters included."""
    seed = copy / "seeds/wuqing_2020_paired_assistance_summary.txt"
    text = seed.read_text(encoding="utf-8")
    start = text.index("22.9亿元")
    seed.write_text(text[:start + 2] + "\u200d" + text[start + 2:], encoding="utf-8")
    from checks.validate.rules.invisible import rule_for
    from checks.validate.rules.base import Context

    ctx = Context(Package(copy), {})
    row = {"figure_id": "F006", "char_start": start, "char_end": start + 7, "quote": "22\u200d.9亿元", "scope_en": "x"}
    import pandas as pd

    check = rule_for("figures").check
    assert check(pd.Series(row), ctx)[0]
    assert not check(pd.Series({**row, "scope_en": "x\u200d"}), ctx)[0]
