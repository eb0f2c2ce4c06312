"""The SQLite file and its Datasette metadata: every table typed and keyed with the CSV's rows, every DuckDB view's rows
under its name, Chinese full-text search; then a real Datasette server on them (one per run), asked for JSON and
shown in headless Chromium.

Without datasette (the test extra) or Chromium the server and browser tests skip and say why; under CI (CI=true)
that skip is a failure instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb
import pytest

from browser import chromium
from checks.outputs import sqlite as lite
from checks.package import Package
from checks.package.fields import primary_key
from front_helpers import copy_package, database_of
from helpers import read_rows

NAME = "wuqing-paired-assistance-2020"
DATASETTE = shutil.which("datasette", path=str(Path(sys.executable).parent))
#: How long the server may take to answer its first request.
START_SECONDS = 30
#: Straight to 127.0.0.1, whatever proxy the environment names.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def built(built_package) -> Path:
    return built_package


@pytest.fixture(scope="module")
def con(built):
    con = sqlite3.connect(f"{(built / lite.sqlite_name(Package(built))).as_uri()}?mode=ro", uri=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def duck(built):
    con = duckdb.connect(str(database_of(built)), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def metadata(built) -> dict:
    return json.loads((built / lite.metadata_name(Package(built))).read_text(encoding="utf-8"))


def _plain(value):
    """A DuckDB value as SQLite holds it: booleans as 0/1, dates as ISO text."""
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _duck_rows(duck, sql: str) -> list[tuple]:
    return [tuple(map(_plain, row)) for row in duck.execute(sql).fetchall()]


def test_every_table_has_the_csv_rows_typed_and_keyed(built, con, duck):
    package = Package(built)
    types = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
    for name in package.table_names:
        schema = package.schema(name)
        _, csv_rows = read_rows(package.path_of(name))
        info = con.execute(f'PRAGMA table_info("{name}")').fetchall()  # cid, name, type, notnull, default, pk
        assert [(c[1], c[2]) for c in info] == [(f["name"], types[f.get("type", "string")]) for f in schema["fields"]]
        assert [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] == primary_key(schema), name
        declared = {(fk[2], fk[3], fk[4]) for fk in con.execute(f'PRAGMA foreign_key_list("{name}")')}
        expected = {
            (fk["reference"]["resource"], fk["fields"], fk["reference"]["fields"])
            for fk in schema.get("foreignKeys", [])
            if fk["reference"].get("resource")
        }
        assert declared == expected, name
        rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
        assert len(rows) == len(csv_rows), name
        assert rows == _duck_rows(duck, f'SELECT * FROM "{name}"'), name
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("SELECT count(*) FROM source_text").fetchone() == (1,)


def test_values_keep_their_types_and_a_wrong_one_is_refused(con):
    assert con.execute(
        "SELECT typeof(char_start), typeof(value), typeof(stated) FROM figures WHERE figure_id = 'F006'"
    ).fetchone() == (
        "integer",
        "real",
        "integer",
    )
    assert con.execute("SELECT period_start FROM figures WHERE figure_id = 'F060'").fetchone() == ("2020-01-01",)
    scratch = sqlite3.connect(":memory:", isolation_level=None)  # PRAGMA foreign_keys is ignored in a transaction
    con.backup(scratch)
    for change in (
        "UPDATE figures SET stated = 2",
        "UPDATE figures SET char_start = 'x'",
        "UPDATE figures SET period_start = '2020-13-01' WHERE period_start IS NOT NULL",
        "UPDATE figures SET value = 'many' WHERE value IS NOT NULL",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            scratch.execute(change)
    scratch.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        scratch.execute("UPDATE figures SET section_id = 'no_such_section' WHERE figure_id = 'F006'")
    scratch.close()


def test_every_duckdb_view_is_a_table_of_its_rows(con, duck, metadata):
    views = [row[0] for row in duck.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    assert {"figures_labelled", "money", "relation_results"} <= set(views)
    tables = metadata["databases"][NAME]["tables"]
    for view in views:
        columns = [d[0] for d in duck.execute(f'SELECT * FROM "{view}" LIMIT 0').description]
        assert [c[1] for c in con.execute(f'PRAGMA table_info("{view}")')] == columns, view
        assert con.execute(f'SELECT * FROM "{view}"').fetchall() == _duck_rows(duck, f'SELECT * FROM "{view}"'), view
        assert tables[view]["materialised_view"] is True and "Materialised" in tables[view]["description"]


def test_full_text_search_finds_a_chinese_word_inside_a_longer_run(con):
    found = con.execute(
        "SELECT figure_id, quote FROM figures WHERE rowid IN "
        "(SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?) ORDER BY figure_id",
        ['"困难村"'],
    ).fetchall()
    assert ("F003", "200个困难村") in found
    assert "tokenize='trigram'" in con.execute("SELECT sql FROM sqlite_master WHERE name = 'figures_fts'").fetchone()[0]


def test_without_a_trigram_tokenizer_the_file_is_written_without_search(built, tables, tmp_path, monkeypatch):
    monkeypatch.setattr(lite, "has_trigram", lambda: False)
    package = Package(built)
    duckdb_file = Path(shutil.copy(database_of(built), tmp_path / "copy.duckdb"))  # `duck` holds the original open
    lite.write_sqlite_file(package, tables, duckdb_file, tmp_path / "plain.sqlite")
    plain = sqlite3.connect(tmp_path / "plain.sqlite")
    try:
        assert plain.execute("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%USING fts5%'").fetchone() == (0,)
        assert plain.execute("SELECT count(*) FROM figures").fetchone() == (len(tables["figures"]),)
    finally:
        plain.close()
    meta = lite.datasette_metadata(package, tmp_path / "plain.sqlite", duckdb_file)
    assert not [path for path, _ in _walk(meta) if path[-1] in ("fts_table", "fts_pk")]


def _walk(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), item
            yield from _walk(item, (*path, key))


def test_metadata_describes_every_table_and_column_in_plain_text(built, metadata, con):
    package = Package(built)
    assert not [path for path, _ in _walk(metadata) if str(path[-1]).endswith("_html")]
    urls = [item for path, item in _walk(metadata) if str(path[-1]).endswith("_url")]
    assert urls and all(url.startswith(("https://", "http://")) for url in urls)
    assert metadata["title"] == package.descriptor["title"] and metadata["license_url"].startswith("https://")
    tables = metadata["databases"][NAME]["tables"]
    for name in package.table_names:
        schema = package.schema(name)
        assert tables[name]["description"] == schema["description"]
        assert tables[name]["columns"] == {f["name"]: f["description"] for f in schema["fields"]}
    fts = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")}
    shown = [
        row[0]
        for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not any(row[0].startswith(index) for index in fts)  # an index and its shadow tables, hidden by Datasette
    ]
    assert sorted(tables) == sorted(shown)
    for name in shown:  # every column of every table described, in its order
        columns = [c[1] for c in con.execute(f'PRAGMA table_info("{name}")')]
        assert list(tables[name]["columns"]) == columns and all(tables[name]["columns"].values()), name
        assert tables[name]["description"], name
    assert tables["figures"]["facets"] == ["measure", "unit", "section_id", "qualifier"]
    assert tables["readings"]["facets"] == ["kind", "status"]
    assert tables["figures"]["sort"] == "figure_id" and tables["figures"]["fts_table"] == "figures_fts"


def test_canned_queries_run_in_sqlite_as_in_duckdb(metadata, con, duck):
    queries = metadata["databases"][NAME]["queries"]
    assert len(queries) >= 3 and all(set(q) == {"title", "sql"} for q in queries.values())
    titles = [q["title"] for q in queries.values()]
    assert len(set(titles)) == len(titles), titles  # two queries under one question are told apart
    for name, query in queries.items():
        assert con.execute(query["sql"]).fetchall() == _duck_rows(duck, query["sql"]), name


def test_a_link_that_is_not_http_never_reaches_the_metadata():
    assert lite._url("javascript:alert(1)") is None
    assert lite._url("seeds/PROVENANCE.md") is None
    assert lite._url('https://example.org/" onclick="x') is None
    assert lite._url("https://creativecommons.org/licenses/by/4.0/") == "https://creativecommons.org/licenses/by/4.0/"


def require_datasette() -> None:
    if DATASETTE is None:
        reason = "datasette not installed (make setup-test installs the test extra)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Datasette tests cannot run under CI: {reason}")
        pytest.skip(reason)


def test_a_missing_datasette_skips_locally_and_fails_under_ci(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "DATASETTE", None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="datasette not installed"):
        require_datasette()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI"):
        require_datasette()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_hostile_package_text_reaches_datasette_as_text_only(built, tmp_path):
    """Markup in the package's descriptions is shown as text, and a link that is not http(s) is dropped."""
    require_datasette()
    from datasette.app import Datasette

    root = copy_package(tmp_path)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["licenses"][0]["path"] = "javascript:alert(1)"
    descriptor["sources"][0]["title"] = "<b onmouseover=alert(2)>source</b>"
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    schema = json.loads((root / "schemas/figures.json").read_text(encoding="utf-8"))
    schema["description"] = "<img src=x onerror=alert(3)>"
    schema["fields"][4]["description"] = "<script>alert(4)</script>"
    (root / "schemas/figures.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    package = Package(root)
    sqlite_file = built / lite.sqlite_name(package)
    duckdb_file = Path(shutil.copy(database_of(built), tmp_path / "copy.duckdb"))  # `duck` holds the original open
    meta = lite.datasette_metadata(package, sqlite_file, duckdb_file)
    assert "license_url" not in meta and not [path for path, _ in _walk(meta) if str(path[-1]).endswith("_html")]

    async def page() -> str:
        datasette = Datasette([str(sqlite_file)], metadata=meta, immutables=[])
        await datasette.invoke_startup()
        return (await datasette.client.get(f"/{NAME}/figures")).text

    html = asyncio.run(page())
    assert "&lt;img src=x onerror=alert(3)&gt;" in html and "&lt;script&gt;alert(4)&lt;/script&gt;" in html
    assert not [tag for tag in ("<img src=x", "<script>alert", "<b onmouseover", "javascript:alert") if tag in html]


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """`datasette serve` on the built file and its metadata, as `make serve` runs it, on a free port of 127.0.0.1."""
    require_datasette()
    package, port = Package(built), _free_port()
    command = [
        DATASETTE,
        "serve",
        "--immutable",
        str(built / lite.sqlite_name(package)),
        "--metadata",
        str(built / lite.metadata_name(package)),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # never with the package as its working folder (DESIGN.md, threat model)
    cwd = tmp_path_factory.mktemp("datasette")
    log = cwd / "datasette.log"  # a file, not a pipe that nobody reads and that could fill up
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with LOCAL.open(f"{url}/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    pytest.fail(f"datasette did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _json(url: str) -> dict:
    with LOCAL.open(url, timeout=10) as response:
        return json.load(response)


def test_datasette_serves_figures_faceted_and_searched_in_chinese(server, built):
    _, figures = read_rows(Package(built).path_of("figures"))
    base = f"{server}/{NAME}/figures.json"
    faceted = _json(f"{base}?_facet=measure&_shape=objects&_size=max")
    counts = {item["value"]: item["count"] for item in faceted["facet_results"]["measure"]["results"]}
    assert sum(counts.values()) == faceted["filtered_table_rows_count"] == len(figures) and counts["stock"] > 0
    found = _json(f"{base}?{urllib.parse.urlencode({'_search': '困难村', '_facet': 'measure', '_shape': 'objects'})}")
    assert {"figure_id": "F003", "quote": "200个困难村"}.items() <= next(
        row for row in found["rows"] if row["figure_id"] == "F003"
    ).items()
    assert (
        sum(item["count"] for item in found["facet_results"]["measure"]["results"]) == len(found["rows"]) < len(figures)
    )


def test_datasette_runs_the_canned_queries(server, metadata):
    for name in metadata["databases"][NAME]["queries"]:
        answer = _json(f"{server}/{NAME}/{name}.json?_shape=objects")
        assert answer["ok"] and answer["rows"], name


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium-datasette"), "1400,900")
    yield driver
    driver.quit()


def test_the_figures_page_shows_column_descriptions_and_facets(server, browser, metadata):
    browser.get(f"{server}/{NAME}/figures")
    script = """return Array.from(document.querySelectorAll('dl.column-descriptions dt'),
                                  dt => [dt.innerText, dt.nextElementSibling.innerText]);"""
    described = dict(browser.execute_script(script))  # one round trip for every column, not two per column
    assert described["quote"] == metadata["databases"][NAME]["tables"]["figures"]["columns"]["quote"]
    facet = browser.find_element("css selector", '.facet-results [data-column="measure"]')
    assert facet.is_displayed() and "stock" in facet.text
    assert browser.find_element("css selector", "h1").text
