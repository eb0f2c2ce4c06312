"""`python -m checks release`: build, then dist/release/ — what a GitHub release publishes (and Zenodo archives): the
zip `<name>-<version>.zip`, which stands alone for a reader with ordinary tools (the data package, the Parquet files,
the workbook, the DuckDB database, the SQLite file and its Datasette metadata, the report view, and a README of its
own written for them, not the repository's), beside it the workbook, the DuckDB database, the SQLite file and its
Datasette metadata under the same stem, and SHA256SUMS of those five.

The zip is byte-identical from run to run: entries sorted, every timestamp the descriptor's `created` date, fixed
permissions, one compression level, the DuckDB file reproducible (outputs/reproducible.py), and a SHA256SUMS of its own
files inside. Its folder validates with `frictionless validate datapackage.json`, offline. Every file comes through
the package's own checks (inside the root, regular, bounded), and dist/release/ is replaced in one step: the old
release or the new one, never a mix. What each file of the zip is for is written once, in documents/release_readme.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from checks.documents.release_readme import release_readme
from checks.outputs import fingerprint, parquet, sqlite, staging
from checks.outputs.build import Built, build, workbook_name
from checks.package import DESCRIPTOR, Package, files
from checks.package.preflight import created_utc
from checks.site.report_view import ANNOTATIONS, SITE, STATIC

FOLDER = f"{staging.DIST}/release"
#: Files of the package's root that travel with the data, when present (the README is the zip's own: README below).
DOCUMENTS = ("LICENSE", "CITATION.cff", "CHANGELOG.md")
README = "README.md"
#: Folders copied whole (regular files, sorted): the seed's provenance and pin, the data dictionary and charts.
FOLDERS = ("seeds", "docs")
#: Zip entries have no time zone and start in 1980; the descriptor's `created` date is used, clamped to that range.
_EARLIEST = (1980, 1, 1, 0, 0, 0)
_LATEST = (2107, 12, 31, 0, 0, 0)


def stem(package: Package) -> str:
    """<name>-<version>, from the descriptor (whose name preflight has checked against the Data Package pattern)."""
    version = str(package.descriptor.get("version", "")).strip()
    if not version or not all(c.isalnum() or c in ".-+" for c in version):
        raise files.refuse(
            "release.version",
            DESCRIPTOR,
            f"{DESCRIPTOR}: a release needs a version of letters, digits, '.', '-' and '+' (found {version!r})",
        )
    return f"{package.descriptor['name']}-{version}"


def _timestamp(package: Package) -> tuple[int, int, int, int, int, int]:
    try:
        created = created_utc(package.descriptor.get("created", ""))  # the date in UTC, as validated
    except (ValueError, OverflowError):
        return _EARLIEST
    return min(max(_EARLIEST, (created.year, created.month, created.day, 0, 0, 0)), _LATEST)


def _read(package: Package, rel: str, what: str) -> bytes:
    return files.read_bytes(files.regular_file(package.root, rel, what), rel)


def _folder_files(package: Package, folder: str) -> list[str]:
    """Every regular file under a folder of the package (not through symlinks), as sorted POSIX paths."""
    top = files.resolve_inside(package.root, folder, "release input")
    if not top.is_dir() or (package.root.resolve() / folder).is_symlink():
        return []
    paths = (Path(dirpath) / name for dirpath, _, names in os.walk(top) for name in names)  # walk follows no symlink
    return sorted(path.relative_to(top.parent).as_posix() for path in paths if path.is_file() and not path.is_symlink())


def built_files(package: Package) -> list[str]:
    """The files of dist/ that travel in the zip (at their path under dist/): the workbook, the DuckDB database, the
    SQLite file and its Datasette metadata, the Parquet files, the report view and the annotations."""
    site = [f"{SITE}/index.html", f"{SITE}/figures.html", *(f"{SITE}/static/{name}" for name in STATIC)]
    tables = [f"{parquet.FOLDER}/{name}.parquet" for name in package.table_names]
    databases = [staging.database_name(package), sqlite.sqlite_name(package), sqlite.metadata_name(package)]
    return [workbook_name(package), *databases, *tables, *site, ANNOTATIONS]


def contents(package: Package) -> dict[str, bytes]:
    """Path in the zip (under <stem>/) → bytes: the descriptor and every file it declares, seeds/, docs/, the
    documents, the files just built, the zip's own README, then SHA256SUMS of all of them."""
    names = [*fingerprint.inputs(package), *(rel for folder in FOLDERS for rel in _folder_files(package, folder))]
    names += [doc for doc in DOCUMENTS if (package.root.resolve() / doc).is_file()]
    entries = {rel: _read(package, rel, "release input") for rel in dict.fromkeys(names)}
    for rel in built_files(package):
        entries[rel.removeprefix(f"{staging.DIST}/")] = _read(package, rel, "built file")
    entries[README] = release_readme(package).encode("utf-8")
    entries = dict(sorted(entries.items()))
    entries["SHA256SUMS"] = sha256sums(entries)
    return entries


def sha256sums(entries: dict[str, bytes]) -> bytes:
    """The `sha256sum -c` format: one line per file, two spaces between hash and path."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in entries.items()).encode("utf-8")


def zip_bytes(package: Package, entries: dict[str, bytes]) -> bytes:
    """The zip of entries under one folder <stem>/: same entries, same bytes."""
    top, when = stem(package), _timestamp(package)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the permissions below mean what they say
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


def publish(root: Path, made: dict[str, bytes]) -> list[Path]:
    """Write the files into a fresh folder beside dist/release/, then put it in place in one step (`staging.staged`)."""
    with staging.staged(root, FOLDER) as stage:
        for name, data in made.items():
            files.write_atomic(stage, name, data)
    return [root.resolve() / FOLDER / name for name in made]


def release(root: Path) -> Built:
    """Build (validating first); if valid, write dist/release/: the zip, the workbook, the DuckDB database, the
    SQLite file and its Datasette metadata (naming the database as the file is named), and SHA256SUMS of those."""
    done = build(root)
    if done.report.exit_code != 0:
        return done
    package = Package(root)
    top, workbook, database = stem(package), workbook_name(package), staging.database_name(package)
    made = {
        f"{top}.zip": zip_bytes(package, contents(package)),
        f"{top}.xlsx": _read(package, workbook, "built file"),
        f"{top}.duckdb": _read(package, database, "built file"),
        f"{top}.sqlite": _read(package, sqlite.sqlite_name(package), "built file"),
        f"{top}.datasette.json": sqlite.renamed_metadata(
            _read(package, sqlite.metadata_name(package), "built file"), top
        ),
    }
    made["SHA256SUMS"] = sha256sums(made)
    done.written = publish(root, made)
    return done
