"""`python -m checks build`: what dist/ holds, that it is reproducible, and that DuckDB 1.5 and 2.0 agree on it."""

from __future__ import annotations

import os
import re
import struct

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from checks.outputs.build import workbook_name
from checks.package import Package
from front_helpers import (
    cli_rows_each,
    copy_package,
    database_of,
    py_rows,
    relations_of,
)
from helpers import ROOT, edit, run_cli, validate_stage

TABLES = Package(ROOT).table_names


@pytest.fixture(scope="module")
def built(built_package):
    return built_package


@pytest.fixture(scope="module")
def db(built):
    con = duckdb.connect(str(database_of(built)), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """A second build: `python -m checks build` in a new copy of the package (its root, the run)."""
    root = copy_package(tmp_path_factory.mktemp("rebuilt"))
    return root, run_cli("build", cwd=root)


def outputs(root):
    return sorted(p.relative_to(root).as_posix() for p in (root / "dist").rglob("*") if p.is_file())


def test_build_writes_database_parquet_and_workbook(built):
    name = "wuqing-paired-assistance-2020"
    data = [p for p in outputs(built) if not p.startswith("dist/site/") and p != "dist/annotations.jsonld"]
    assert data == sorted(
        [
            f"dist/{name}.duckdb",
            f"dist/{name}.duckdb.inputs",
            f"dist/{name}.sqlite",
            f"dist/{name}.datasette.json",
            f"dist/{name}.xlsx",
            *(f"dist/parquet/{t}.parquet" for t in TABLES),
        ]
    )
    assert {"dist/annotations.jsonld", "dist/site/index.html"} <= set(
        outputs(built)
    )  # the report view is part of the build


def test_database_has_every_table_view_key_and_comment(db):
    names = set(relations_of(db))
    assert {*TABLES, "source_text", "figures_labelled", "relation_results", "money", "figures_in_context"} <= names
    assert (
        db.execute("SELECT count(*) FROM figures_in_context").fetchall()
        == db.execute("SELECT count(*) FROM figures").fetchall()
    )
    kinds = dict(
        db.execute(
            "SELECT constraint_type, count(*) FROM duckdb_constraints() WHERE constraint_type LIKE '%KEY' GROUP BY ALL"
        ).fetchall()
    )
    package = Package(ROOT)
    assert kinds == {
        "PRIMARY KEY": len(TABLES),
        "FOREIGN KEY": sum(
            len([fk for fk in package.schema(t).get("foreignKeys", []) if fk["reference"].get("resource")])
            for t in TABLES
        ),
    }
    missing = db.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND table_name IN "
        f"({', '.join(repr(t) for t in TABLES)}) AND coalesce(comment, '') = ''"
    ).fetchall()
    assert missing == []
    comment = db.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'figures' AND column_name = 'char_start'"
    ).fetchall()
    assert comment[0][0].startswith("Start of the span in the seed text")


def test_database_opens_from_any_folder_with_materialised_tables(built, tmp_path):
    moved = tmp_path / "elsewhere.duckdb"
    moved.write_bytes(database_of(built).read_bytes())
    con = duckdb.connect(str(moved), read_only=True)
    try:
        assert (
            con.execute("SELECT count(*) FROM figures_labelled").fetchall()
            == con.execute("SELECT count(*) FROM figures").fetchall()
            != [(0,)]
        )
    finally:
        con.close()


def test_duckdb_15_cli_opens_the_database_and_agrees_with_20(built, db):
    relations = relations_of(db)
    from_cli = cli_rows_each(relations, built, "-readonly", str(database_of(built)))
    for relation in relations:
        assert from_cli[relation] == py_rows(db, relation), relation


def test_two_builds_give_the_same_bytes(built, db, rebuilt):
    """Two builds give the same contents and the same bytes, the DuckDB file too (its random identifier is set from
    its contents), so that the release zip that carries it is byte-identical."""
    other, done = rebuilt
    assert done.returncode == 0, done.stdout + done.stderr
    con = duckdb.connect(str(database_of(other)), read_only=True)
    try:
        assert relations_of(con) == relations_of(db)
        for relation in relations_of(db):
            assert py_rows(con, relation) == py_rows(db, relation), relation
        comments = "SELECT table_name, column_name, comment FROM duckdb_columns() ORDER BY ALL"
        assert con.execute(comments).fetchall() == db.execute(comments).fetchall()
    finally:
        con.close()
    for rel in outputs(built):
        assert (other / rel).read_bytes() == (built / rel).read_bytes(), f"{rel} differs between two builds"


def test_database_identifier_is_set_only_in_a_header_it_can_verify(tmp_path, built):
    """The identifier is rewritten only where the header's checksum verifies; the result still verifies and opens."""
    from checks.outputs import reproducible

    path = tmp_path / "copy.duckdb"
    path.write_bytes(database_of(built).read_bytes())
    header = path.read_bytes()[: reproducible.HEADER]
    assert struct.unpack_from("<Q", header)[0] == reproducible.checksum(header[8:])
    assert reproducible.fix_identifier(path) and path.read_bytes() == database_of(built).read_bytes()
    damaged = bytearray(path.read_bytes())
    damaged[200] ^= 1
    path.write_bytes(bytes(damaged))
    assert not reproducible.fix_identifier(path) and path.read_bytes() == bytes(damaged)


def test_parquet_types_and_descriptions(built):
    meta = pq.read_metadata(built / "dist/parquet/figures.parquet")
    schema = meta.schema.to_arrow_schema()
    assert str(schema.field("char_start").type) == "int64"
    assert str(schema.field("period_start").type) == "date32[day]"  # DATE, as in the DuckDB database
    assert str(schema.field("stated").type) == "bool"
    assert str(schema.field("value").type) == "double"
    kv = {k.decode(): v.decode() for k, v in meta.metadata.items()}
    assert kv["title"] == "Figures" and kv["column:char_start"].startswith("Start of the span")
    table = pq.read_table(built / "dist/parquet/figures.parquet")
    assert (
        table.num_rows == len(Package(ROOT).path_of("figures").read_text(encoding="utf-8").splitlines()) - 1
        and "22.9亿元" in table.column("quote").to_pylist()
    )


def test_workbook_reads_back_with_chinese_and_citation(built):
    book = openpyxl.load_workbook(built / workbook_name(Package(built)))
    assert book.sheetnames == ["About", *TABLES]
    about = {row[0]: row[1] for row in book["About"].iter_rows(max_col=2, values_only=True) if row[0]}
    assert about["Title"].startswith("武清区2020年新一轮结对帮扶困难村工作总结")
    assert "CC-BY-4.0" in about["Citation"] and "天津市武清区农业农村委员会" in about["Citation"]
    figures = book["figures"]
    header = [c.value for c in figures[1]]
    f006 = {h: c.value for h, c in zip(header, figures[7])}
    assert f006["figure_id"] == "F006" and f006["quote"] == "22.9亿元" and f006["base_value"] == 2290000000
    assert f006["stated"] is True and f006["period_start"].date().isoformat() == "2017-08-01"
    assert book.properties.created.isoformat().startswith("2026-11-28")


def test_workbook_writes_text_never_formulas(tmp_path, built):
    """A formula-like cell is refused by the schemas (so no build takes it: see the next test); and the workbook holds
    no formula at all."""
    root = copy_package(tmp_path)
    edit(root, "figures", "F001", note='=HYPERLINK("http://example.com","x")')
    refused = validate_stage(root, "frictionless.constraint-error").problems
    assert [(p.rule, p.row, p.column) for p in refused] == [("frictionless.constraint-error", "F001", "note")]
    book = openpyxl.load_workbook(built / workbook_name(Package(built)))
    assert not [c.coordinate for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_build_refuses_invalid_package_with_the_validation_report(tmp_path):
    root = copy_package(tmp_path)
    edit(root, "figures", "F006", base_value="229000000")
    done = run_cli("build", cwd=root)
    assert done.returncode == 1 and "figures.base_value_conversion" in done.stdout and "INVALID" in done.stdout
    assert not (root / "dist").exists()


def test_build_prints_the_validation_summary(rebuilt):
    _, done = rebuilt
    assert done.returncode == 0, done.stderr
    assert re.match(r"(\d+) rules: \1 passed, 0 failed", done.stdout.splitlines()[0]), done.stdout[:200]
    assert "wrote dist/parquet/figures.parquet" in done.stdout


def test_build_refuses_a_symlinked_dist(tmp_path):
    (tmp_path / "package").mkdir()
    root = copy_package(tmp_path / "package")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "dist")
    done = run_cli("build", cwd=root)
    assert done.returncode == 2 and "symlink" in done.stderr and "Traceback" not in done.stderr
    assert list(outside.iterdir()) == []


def test_build_needs_no_network(built_package):
    """The build every test reads (conftest.built_package) ran with every socket connection and lookup refused."""
    from front_helpers import BUILT_OFFLINE

    assert (built_package.parent / "package.built").read_text(encoding="utf-8") == BUILT_OFFLINE
    assert (built_package / "dist/parquet/figures.parquet").is_file()
