"""`python -m checks release` (make release): a zip that is the same bytes every time, that validates offline once
unzipped, with the workbook and a DuckDB file that DuckDB 1.5 opens beside it; the lock files agree."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import subprocess
import zipfile

import pytest

from checks.documents.release_readme import describe, patterns
from checks.outputs.release import contents, release, zip_bytes
from checks.package import Package
from front_helpers import CLI, copy_package
from helpers import ROOT, run_cli

NAME = "wuqing-paired-assistance-2020"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = copy_package(tmp_path_factory.mktemp("release"))
    done = release(root)
    assert done.report.exit_code == 0, done.report.failed_rules()
    return root, done


def test_release_writes_zip_workbook_database_and_sums(released):
    root, done = released
    version = Package(root).descriptor["version"]
    stem = f"{NAME}-{version}"
    assert sorted(p.name for p in done.written) == sorted(
        [f"{stem}.zip", f"{stem}.xlsx", f"{stem}.duckdb", f"{stem}.sqlite", f"{stem}.datasette.json", "SHA256SUMS"]
    )
    # Datasette names a database after its file: the metadata beside the renamed file names it so
    metadata = json.loads((root / "dist/release" / f"{stem}.datasette.json").read_text(encoding="utf-8"))
    assert list(metadata["databases"]) == [stem] and metadata["databases"][stem]["tables"]["figures"]["columns"]
    sums = (root / "dist/release/SHA256SUMS").read_text(encoding="utf-8").splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((root / "dist/release" / name).read_bytes()).hexdigest() == digest


def test_the_zip_is_the_same_bytes_every_time(released, built_package):
    """The zip of another build, in another folder with other file times (the session's shared build), is the same
    bytes: every file in it, the DuckDB and SQLite files too, is built deterministically."""
    _, done = released
    first = next(p for p in done.written if p.suffix == ".zip").read_bytes()
    other = Package(built_package)
    assert zip_bytes(other, contents(other)) == first


def test_the_zip_holds_the_package_the_built_files_and_its_own_sums(released):
    root, done = released
    with zipfile.ZipFile(next(p for p in done.written if p.suffix == ".zip")) as archive:
        names = archive.namelist()
        top = names[0].split("/")[0]
        inside = {n.removeprefix(f"{top}/") for n in names}
        assert names == sorted(names) and all(n.startswith(f"{top}/") for n in names)
        assert len({i.date_time for i in archive.infolist()}) == 1 and {
            i.external_attr for i in archive.infolist()
        } == {0o100644 << 16}
        package = Package(root)
        expected = {
            "datapackage.json",
            "README.md",
            "LICENSE",
            "CITATION.cff",
            "CHANGELOG.md",
            "SHA256SUMS",
            f"{NAME}.xlsx",
            f"{NAME}.sqlite",
            f"{NAME}.datasette.json",
            f"{NAME}.duckdb",
            "site/index.html",
            "site/figures.html",
            "annotations.jsonld",
            "seeds/PROVENANCE.md",
            "seeds/SHA256SUMS",
            "docs/data-dictionary.md",
            *(f"parquet/{t}.parquet" for t in package.table_names),
            *(r["path"] for r in package.resources),
            *(r["schema"] for r in package.resources if "schema" in r),
        }
        assert expected <= inside
        sums = archive.read(f"{top}/SHA256SUMS").decode("utf-8").splitlines()
        listed = {}
        for line in sums:
            digest, name = line.split("  ")
            listed[name] = digest
        assert set(listed) == inside - {"SHA256SUMS"}
        for name, digest in listed.items():
            assert hashlib.sha256(archive.read(f"{top}/{name}")).hexdigest() == digest, name


def _zip_entries(done) -> dict[str, bytes]:
    with zipfile.ZipFile(next(p for p in done.written if p.suffix == ".zip")) as archive:
        return {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()}


def test_each_file_of_the_zip_is_described_in_its_readme(released):
    """One table says what each file of the zip is for: every file matches a row, every row a file, and the zip's
    README shows the table."""
    root, done = released
    entries, package = _zip_entries(done), Package(root)
    assert {name: describe(package, name) for name in entries if describe(package, name) is None} == {}
    unused = [p for p, _ in patterns(package) if not any(fnmatch.fnmatchcase(name, p) for name in entries)]
    assert unused == []
    readme = entries["README.md"].decode("utf-8")
    assert all(f"| `{pattern}` |" in readme for pattern, _ in patterns(package))


def test_the_zip_readme_is_for_readers_and_names_no_command_of_this_project(released):
    root, done = released
    readme = _zip_entries(done)["README.md"].decode("utf-8")
    assert readme != (ROOT / "README.md").read_text(encoding="utf-8")
    for ours in ("-m checks", "checks.", "wuqing-checks", ".venv", "dist/", "make ", "`make`", "CONTRIBUTING.md"):
        assert ours not in readme, ours
    assert "## Cite it" in readme and "CC-BY-4.0" in readme and "site/index.html" in readme
    entries = _zip_entries(done)
    local = [t for t in re.findall(r"\]\(([^)#]+)", readme) if not t.startswith(("http://", "https://"))]
    assert local and all(target in entries for target in local), local


def test_the_unzipped_package_validates_offline(released, tmp_path):
    """This validator passes the unzipped package, from another folder (the zip README's own test runs its
    `frictionless validate datapackage.json` there, offline, with the reader's tools)."""
    root, done = released
    with zipfile.ZipFile(next(p for p in done.written if p.suffix == ".zip")) as archive:
        archive.extractall(tmp_path)
    folder = next(tmp_path.iterdir())
    checked = run_cli("--root", str(folder), "validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout[-2000:]


def test_the_released_database_opens_in_duckdb_15(released):
    if CLI is None:
        pytest.skip("the duckdb CLI is not installed (pip install '.[test]' brings duckdb-cli 1.5)")
    root, done = released
    database = next(p for p in done.written if p.suffix == ".duckdb")
    out = subprocess.run(
        [CLI, "-readonly", "-csv", "-noheader", str(database), "-c", "SELECT count(*) FROM figures_labelled"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and int(out.stdout.strip()) > 0, out.stderr


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE))


def test_the_lock_files_agree_and_hash_every_pin():
    core, charts, test = (_pins(n) for n in ("requirements.lock", "requirements-charts.lock", "requirements-test.lock"))
    assert core.items() <= test.items() and charts.items() <= test.items() and core.items() <= charts.items()
    assert {"pytest", "pytest-xdist", "ruff", "selenium", "duckdb-cli", "altair", "datasette"} <= set(test)
    assert not {"pytest", "selenium", "duckdb-cli", "altair", "vl-convert-python", "datasette"} & set(core)
    assert "datasette" not in charts  # the test extra's only
    assert "pyyaml" in {k.lower() for k in core}
    reader = _pins("tools/reader.lock")
    assert reader.items() <= test.items(), "the reader's tools have the test lock's versions"
    assert {"duckdb", "duckdb-cli", "pandas", "pyarrow", "openpyxl", "frictionless"} <= set(reader)
    assert not {"pandera", "cn2an", "xlsxwriter", "pytest"} & set(reader), "nothing of this project's own"
    for name in ("requirements.lock", "requirements-charts.lock", "requirements-test.lock", "tools/reader.lock"):
        blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", (ROOT / name).read_text(encoding="utf-8"))
        assert all("--hash=sha256:" in b for b in blocks if "==" in b.split("\n")[0]), name
