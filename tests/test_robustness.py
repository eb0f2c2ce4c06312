"""Crafted packages, as a stranger's pull request might bring them: each is refused, by name, without leaving the
package."""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

from checks.package import Package
from checks.package.stamp import stamp
from checks.validate import validate
from helpers import (
    drop,
    edit,
    edit_schema,
    read_descriptor,
    read_rows,
    replace_in,
    run_cli,
    save_descriptor,
    set_resource,
    validate_stage,
    write_rows,
)

OUTSIDE_MARK = "written-from-a-view"


def _symlink_out(root: Path, tmp: Path) -> None:
    outside = tmp.parent / f"{tmp.name}-outside.csv"
    outside.write_bytes((root / "data" / "units.csv").read_bytes())
    (root / "data" / "units.csv").unlink()
    (root / "data" / "units.csv").symlink_to(outside)


def _fifo(root: Path) -> None:
    (root / "data" / "units.csv").unlink()
    os.mkfifo(root / "data" / "units.csv")


def _pins(root: Path, text: str) -> None:
    (root / "seeds" / "SHA256SUMS").write_text(text, encoding="utf-8")


def _seed_hash(root: Path) -> str:
    return read_descriptor(root)["resources"][0]["hash"].removeprefix("sha256:")


# name → (how to craft the copy (root, tmp_path), the rule that must refuse it with exit 2)
UNUSABLE = {
    "absolute path": (lambda r, t: set_resource(r, "units", path=str(r / "data" / "units.csv")), "input.unsafe_path"),
    "path escaping with ..": (lambda r, t: set_resource(r, "units", path="../outside/units.csv"), "input.unsafe_path"),
    "symlink out of the tree": (_symlink_out, "input.unsafe_path"),
    "directory as path": (lambda r, t: set_resource(r, "units", path="data"), "input.not_a_file"),
    "FIFO as a table": (lambda r, t: _fifo(r), "input.not_a_file"),
    "URL as a schema": (
        lambda r, t: set_resource(r, "units", schema="http://127.0.0.1:9/units.json"),
        "input.unsafe_path",
    ),
    "custom profile": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "profile": "http://127.0.0.1:9/profile.json"}),
        "input.unsafe_path",
    ),
    "dialect as a URL": (
        lambda r, t: set_resource(r, "units", dialect="http://127.0.0.1:9/dialect.json"),
        "input.unsafe_path",
    ),
    "SQL in a resource name": (
        lambda r, t: set_resource(r, "units", name="units; COPY (SELECT 1) TO '/tmp/x'"),
        "input.unsafe_name",
    ),
    "table no longer typed": (lambda r, t: set_resource(r, "units", type=None), "input.missing_resource"),
    "renamed table": (lambda r, t: set_resource(r, "units", name="unit_list"), "input.missing_resource"),
    "undeclared SQL file": (
        lambda r, t: (r / "sql" / "extra.sql").write_text("SELECT 1;", encoding="utf-8"),
        "input.undeclared_sql",
    ),
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
    "UTF-16 table": (
        lambda r, t: (r / "data/units.csv").write_bytes(
            (r / "data/units.csv").read_text(encoding="utf-8").encode("utf-16")
        ),
        "input.encoding",
    ),
}


@pytest.mark.parametrize("name", UNUSABLE)
def test_crafted_input_is_unusable(copy, tmp_path, name):
    craft, rule = UNUSABLE[name]
    craft(copy, tmp_path)
    report = validate(copy)
    assert report.exit_code == 2, (name, report.failed_rules())
    assert report.unusable.rule == rule and report.unusable.file and report.unusable.message, report.unusable


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


def test_binary_mode_pin_line_is_read(copy):
    _pins(copy, f"{_seed_hash(copy)} *wuqing_2020_paired_assistance_summary.txt\n")
    assert validate(copy).exit_code == 0


def test_a_url_resource_is_never_fetched(copy):
    """A local server stands in for the network: validation must refuse the resource without one request."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b"unit,label_en,multiplier\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/leak.csv"
        descriptor = read_descriptor(copy)
        descriptor["resources"].append({"name": "leak", "path": url, "format": "csv"})
        save_descriptor(copy, descriptor)
        done = run_cli("--root", str(copy), "validate", "--json")
    finally:
        server.shutdown()
        server.server_close()
    data = json.loads(done.stdout)
    assert done.returncode == 2 and data["unusable"]["rule"] == "input.unsafe_path" and url in data["unusable"]["file"]
    assert requests == []


# name → (how to break the copy, the rule that must name it; exit code 1)
DATA_FAULTS = {
    "tolerance inf": (lambda r: edit(r, "relations", "L01", tolerance="inf"), "relations.cells.canonical_form"),
    "tolerance 1e308": (lambda r: edit(r, "relations", "L01", tolerance="1e308"), "relations.cells.canonical_form"),
    "tolerance past its bound": (
        lambda r: edit(r, "relations", "L01", tolerance=5),
        "relations.tolerance_within_bound",
    ),
    "tolerance on a count": (lambda r: edit(r, "relations", "L08", tolerance=1), "relations.tolerance_within_bound"),
    "tolerance too wide for a percentage": (
        lambda r: edit(r, "relations", "L04", tolerance=0.5),
        "relations.tolerance_within_bound",
    ),
    "figure deleted, a noted reading over its numeral": (
        lambda r: _figure_swapped_for_reading(r),
        "seed.numeral_coverage",
    ),
    "figure deleted, an unrecoverable reading over its numeral": (
        lambda r: _figure_swapped_for_reading(r, status="unrecoverable"),
        "seed.numeral_coverage",
    ),
    "figure deleted, a page-chrome reading over its numeral": (
        lambda r: _figure_swapped_for_reading(r, kind="page_chrome"),
        "seed.numeral_coverage",
    ),
    "F006 deleted, page chrome over 22.9": (
        lambda r: _figure_swapped_for_reading(r, "F006", kind="page_chrome"),
        "seed.numeral_coverage",
    ),
    "NUL byte in a text cell": (lambda r: edit(r, "figures", "F016", note="a\x00b"), "frictionless.constraint-error"),
    "escape sequence in a text cell": (lambda r: edit(r, "figures", "F016", note="\x1b[31mred"), "pandera.figures"),
    "formula in a text cell": (
        lambda r: edit(r, "indicators", "administrative_villages", label_en='=HYPERLINK("http://x")'),
        "frictionless.constraint-error",
    ),
    "leading plus in a text cell": (lambda r: edit(r, "figures", "F016", note="+1"), "pandera.figures"),
    "number with a trailing space": (
        lambda r: edit(r, "figures", "F005", value="622 "),
        "figures.cells.canonical_form",
    ),
    "number with an exponent": (lambda r: edit(r, "figures", "F005", value="6.22e2"), "figures.cells.canonical_form"),
    "NaN as a number": (lambda r: edit(r, "figures", "F005", value="NaN"), "figures.cells.canonical_form"),
    "negative zero": (
        lambda r: edit(r, "figures", "D001", value="-0", base_value="-0"),
        "figures.cells.canonical_form",
    ),
    "offset beyond any integer": (
        lambda r: edit(r, "figures", "F005", char_start="1e23"),
        "figures.cells.canonical_form",
    ),
    "boolean spelt True": (lambda r: edit(r, "figures", "F005", stated="True"), "figures.cells.canonical_form"),
    "a day in date_value": (
        lambda r: edit(r, "figures", "F001", date_value="2017-08-15"),
        "figures.value_matches_numeral",
    ),
    "period against its words": (
        lambda r: edit(r, "figures", "F068", period_start="2018-01-01"),
        "figures.period_matches_text",
    ),
    "period without words": (lambda r: edit(r, "figures", "F038", period_text=""), "figures.period_matches_text"),
    "period open at its end, against its words": (
        lambda r: edit(r, "figures", "F010", period_start="2016-01-01", period_end=""),
        "figures.period_matches_text",
    ),
    "value under an unrecoverable reading": (
        lambda r: _value_under_lost_text(r),
        "figures.no_value_under_unrecoverable",
    ),
    "earlier value of 0 in a percentage": (
        lambda r: edit(r, "figures", "D001", value=0, base_value=0),
        "relations.evaluate_as_declared",
    ),
}


def _figure_swapped_for_reading(
    root: Path, figure_id: str = "F053", kind: str = "interpretation", status: str = "noted"
) -> None:
    """Delete a figure (with its terms and links) and lay a reading of this kind and status over its words."""
    header, rows = read_rows(root / "data" / "figures.csv")
    figure = next(r for r in rows if r["figure_id"] == figure_id)
    for table in ("relation_terms", "figure_readings", "corroborations", "figures"):
        drop(root, table, lambda row: row["figure_id"] != figure_id)
    header, readings = read_rows(root / "data" / "readings.csv")
    readings.append(
        {
            "reading_id": "R99",
            "char_start": figure["char_start"],
            "char_end": figure["char_end"],
            "written": figure["quote"],
            "adopted": figure["quote"],
            "kind": kind,
            "status": status,
            "reason": "an excuse for a deleted figure",
        }
    )
    write_rows(root / "data" / "readings.csv", header, readings)
    stamp(Package(root))


def _value_under_lost_text(root: Path) -> None:
    drop(root, "figure_readings", lambda row: row["figure_id"] != "F048")
    edit(root, "figures", "F048", value=510, unit="元", base_value=510, base_unit="CNY")


@pytest.mark.parametrize("name", DATA_FAULTS)
def test_data_fault_is_named(copy, name):
    inject, rule = DATA_FAULTS[name]
    inject(copy)
    report = validate_stage(copy, rule)
    assert report.exit_code == 1, (name, report.exit_code, report.failed_rules(), report.unusable)
    assert rule in {p.rule for p in report.problems}, report.failed_rules()
    assert not [r.rule for r in report.results if r.rule.endswith(".crashed")], report.failed_rules()


def test_an_open_period_end_is_shown_as_open_not_as_nan(copy):
    DATA_FAULTS["period open at its end, against its words"][0](copy)
    [problem] = [
        p
        for p in validate_stage(copy, "figures.period_matches_text").problems
        if p.rule == "figures.period_matches_text"
    ]
    assert (problem.row, problem.found) == ("F010", "2016-01-01 .. …")


def test_a_duplicated_figure_fails_only_its_own_relations_naming_it(copy):
    header, rows = read_rows(copy / "data" / "figures.csv")
    write_rows(copy / "data" / "figures.csv", header, rows + [r for r in rows if r["figure_id"] == "F005"])
    stamp(Package(copy))
    report = validate_stage(
        copy, "relations.evaluate_as_declared"
    )  # with relations.sql_agrees: the relations table's rules
    relations = report.rule("relations.evaluate_as_declared").problems
    terms = {t["relation_id"] for t in read_rows(copy / "data" / "relation_terms.csv")[1] if t["figure_id"] == "F005"}
    assert {p.row for p in relations} == terms and all("F005" in p.found for p in relations)
    assert report.rule("relations.sql_agrees").passed


def test_a_cell_of_two_megabytes_is_valid(copy):
    edit(copy, "figures", "F016", note="长" * 2_100_000)
    assert validate(copy).exit_code == 0


def test_control_characters_are_escaped_in_the_report(copy):
    edit(copy, "figures", "F016", note="\x1b[31mred")
    done = run_cli("--root", str(copy), "validate")
    assert done.returncode == 1 and "\x1b" not in done.stdout and "\\x1b[31mred" in done.stdout


def test_sql_of_the_package_cannot_touch_files(copy, tmp_path):
    """A view that writes outside the package and one that reads the machine: DuckDB refuses both."""
    target = tmp_path.parent / f"{tmp_path.name}-{OUTSIDE_MARK}.txt"
    payload = "\n".join(
        [
            "",
            f"COPY (SELECT 'x') TO '{target}';",
            "CREATE OR REPLACE VIEW leak AS SELECT * FROM read_text('/etc/hostname');",
            "SELECT * FROM leak;",
            "",
        ]
    )
    path = copy / "sql" / "views.sql"
    path.write_text(path.read_text(encoding="utf-8") + payload, encoding="utf-8")
    stamp(Package(copy))
    report = validate(copy)
    assert not target.exists()
    assert report.exit_code == 1 and "relations.sql_agrees" in report.failed_rules()
    assert "disabled by configuration" in report.rule("relations.sql_agrees").problems[0].found


def test_an_edited_view_is_a_stale_hash(copy):
    path = copy / "sql" / "views.sql"
    path.write_text(path.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    report = validate_stage(copy, "frictionless.hash-count")
    assert report.exit_code == 1 and any(
        p.rule == "frictionless.hash-count" and "views.sql" in p.file for p in report.problems
    )


@pytest.mark.parametrize("damage", ["no end", "no start", "end first", "two starts"])
def test_readme_refuses_broken_markers_without_writing(copy, damage):
    from checks.documents.readme import END, START

    path = copy / "README.md"
    text = path.read_text(encoding="utf-8")
    broken = {
        "no end": text.replace(END, ""),
        "no start": text.replace(START, ""),
        "end first": text.replace(START, "@@").replace(END, START).replace("@@", END),
        "two starts": text + "\n" + START + "\n",
    }[damage]
    path.write_text(broken, encoding="utf-8")
    done = run_cli("--root", str(copy), "readme")
    assert done.returncode == 2 and "readme.markers" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text(encoding="utf-8") == broken


def test_readme_refuses_invalid_data(copy):
    edit(copy, "figures", "F006", base_value=229000000)
    before = (copy / "README.md").read_bytes()
    done = run_cli("--root", str(copy), "readme")
    assert done.returncode == 2 and "readme.invalid_data" in done.stderr
    assert (copy / "README.md").read_bytes() == before


@pytest.mark.parametrize(
    "command, target", [("readme", "README.md"), ("sql", "sql/tables.sql"), ("stamp", "datapackage.json")]
)
def test_maintenance_never_writes_through_a_symlink(copy, tmp_path, command, target):
    outside = tmp_path.parent / f"{tmp_path.name}-victim"
    outside.write_bytes(
        (copy / target).read_bytes() + b"\nmine\n" if command != "stamp" else (copy / target).read_bytes()
    )
    before = outside.read_bytes()
    (copy / target).unlink()
    (copy / target).symlink_to(outside)
    done = run_cli("--root", str(copy), command)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert outside.read_bytes() == before


def test_stamp_refuses_a_fifo_and_an_escaping_path(copy):
    _fifo(copy)
    done = run_cli("--root", str(copy), "stamp")
    assert done.returncode == 2 and "input.not_a_file" in done.stderr
    (copy / "data" / "units.csv").unlink()
    set_resource(copy, "units", path="../../etc/hostname")
    before = (copy / "datapackage.json").read_bytes()
    done = run_cli("--root", str(copy), "stamp")
    assert done.returncode == 2 and "input.unsafe_path" in done.stderr
    assert (copy / "datapackage.json").read_bytes() == before


def test_stamp_never_writes_a_number_json_cannot_hold(copy):
    replace_in(copy, "datapackage.json", '"version": "', '"x-size": 1e400, "version": "', restamp=False)
    before = (copy / "datapackage.json").read_bytes()
    done = run_cli("--root", str(copy), "stamp")
    assert done.returncode == 2 and "input.malformed_json" in done.stderr
    assert (copy / "datapackage.json").read_bytes() == before


def test_unusable_input_is_json_too(copy):
    edit_schema(copy, "units", lambda s: s["fields"][0].pop("name"))
    done = run_cli("--root", str(copy), "validate", "--json")
    data = json.loads(done.stdout)
    assert (
        done.returncode == 2
        and data["unusable"]["rule"] == "input.malformed_schema"
        and data["unusable"]["file"] == "schemas/units.json"
    )


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
    """frictionless applies it with Python's re; pandera too, or through Arrow's RE2 where pyarrow backs pandas'
    strings."""
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


def test_a_numeral_too_long_to_parse_fails_without_hanging(copy):
    edit(copy, "figures", "F003", numeral="一" * 100_000)
    report = validate(copy)
    assert report.exit_code == 1 and "figures.value_matches_numeral" in report.failed_rules()


def test_package_sql_that_runs_forever_is_stopped(copy, monkeypatch):
    path = copy / "sql" / "views.sql"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\nCREATE TABLE burn AS SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3;\n",
        encoding="utf-8",
    )
    stamp(Package(copy))
    monkeypatch.setenv("CHECKS_SQL_SECONDS", "1")
    report = validate(copy)
    assert report.exit_code == 1 and "CHECKS_SQL_SECONDS" in report.rule("relations.sql_agrees").problems[0].found


def test_sql_folder_outside_the_package_is_never_listed(copy, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-sql"
    outside.mkdir()
    (outside / "secret_name.sql").write_text("SELECT 1;", encoding="utf-8")
    import shutil

    shutil.rmtree(copy / "sql")
    (copy / "sql").symlink_to(outside)
    report = validate(copy)
    assert report.exit_code == 2 and "secret_name" not in report.unusable.message + report.unusable.file
