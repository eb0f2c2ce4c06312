"""The README of the release zip, for someone who downloaded it and holds ordinary tools only (DuckDB, pandas, R,
Excel, frictionless, sha256sum) and none of this project's: what the data is, the counts, what each file of the zip is
for, examples that run in the unzipped folder, which type each column gets in each tool, how to cite it, where it
lives and the licences. It names no command of this project.

Every file of the zip is described in one table, FILES (a test holds that each entry of the zip matches a row and each
row a file): a new file in the release is one row here, and optionally one example section in the template
(templates/release-README.md). The examples and their shown output are written in the template; a test unzips the
release into an empty folder and runs them there with the network refused, and `python tests/test_release_readme.py
--update` rewrites their output after a deliberate change. Deterministic: the same package gives the same text.
"""

from __future__ import annotations

import fnmatch

import jinja2

from checks.documents.door_types import door_types_table
from checks.documents.readme import counts_block, md_code, md_text
from checks.outputs.workbook import cite
from checks.package import Package
from checks.package.citation import read_citation
from checks.package.published import published
from checks.package.tables import load_tables
from checks.site.report_view import WEB_URL

TEMPLATE = "release-README.md"
#: Every file of the zip, by path or glob (`{name}`: the package's name), and what it is for. One row per file kind.
FILES = (
    ("README.md", "this file"),
    (
        "datapackage.json",
        "the Frictionless Data Package descriptor: every table, its schema, licences, sources, sizes "
        "and sha256 hashes; `frictionless validate datapackage.json` checks it all",
    ),
    ("data/*.csv", "the tables, one CSV each (UTF-8, LF, RFC 4180, a header row, empty = missing)"),
    ("schemas/*.json", "one Frictionless Table Schema per table: column names, types, constraints, descriptions"),
    (
        "parquet/*.parquet",
        "the same tables as Parquet, typed as in the DuckDB file (dates as DATE), with the column "
        "descriptions in the file's metadata: for pandas, R `arrow`, DuckDB, Spark",
    ),
    (
        "{name}.duckdb",
        "a DuckDB database (opens in DuckDB 1.5 and later, read-only): every table with its keys, every "
        "view, every column commented",
    ),
    (
        "{name}.sqlite",
        "a SQLite database (Python's `sqlite3`, R's RSQLite, DB Browser for SQLite, Datasette): every table typed "
        "with its keys, every DuckDB view's rows as a table, full-text search that works for Chinese",
    ),
    (
        "{name}.datasette.json",
        "Datasette metadata for the SQLite file: titles, descriptions, licence, source, facets and canned queries",
    ),
    (
        "{name}.xlsx",
        "the Excel workbook: an About sheet (citation, licence, every column described), then one sheet per table",
    ),
    ("sql/load.sql", "plain SQL that defines every table and view over the CSV files, for any DuckDB (1.5 or later)"),
    ("sql/tables.sql", "the table part of `sql/load.sql`: one typed view per CSV"),
    ("sql/views.sql", "views for readers: figures with their labels, readings with their figures, corroborations"),
    ("sql/relations.sql", "the declared arithmetic among figures, evaluated in SQL (`relation_results`)"),
    ("sql/topics.sql", "topic views: `money`, `village_cohort`, `party_building`, `figures_in_context` and more"),
    (
        "site/index.html",
        "the report view: open it in a browser, from disk (no network): each Chinese sentence beside "
        "its English, every figure highlighted with its card",
    ),
    ("site/figures.html", "the report view's list of every figure, filterable and sortable"),
    ("site/static/*", "the report view's stylesheet and script"),
    ("annotations.jsonld", "every figure and reading as a W3C Web Annotation on the source text"),
    ("seeds/*.txt", "the source text, byte for byte as captured (its rights stay with its publisher)"),
    ("seeds/*", "the source text's sha256 pin and provenance"),
    ("docs/data-dictionary.md", "every column of every table described"),
    ("docs/known-problems.md", "the damaged or ambiguous text and how each place is read"),
    (
        "docs/*",
        "the project's documentation as it stood for this release (written for people who build the "
        "package from source) and its charts",
    ),
    ("LICENSE", "the code's licence (MIT); the data's licence is below"),
    ("CITATION.cff", "the citation in Citation File Format"),
    ("CHANGELOG.md", "what changed in each version"),
    ("SHA256SUMS", "the sha256 of every other file: `sha256sum -c SHA256SUMS`"),
)


def patterns(package: Package) -> list[tuple[str, str]]:
    name = package.descriptor["name"]
    return [(pattern.replace("{name}", name), what) for pattern, what in FILES]


def describe(package: Package, path: str) -> str | None:
    """What a file of the zip is for: the first row of FILES that matches it (None: it is described nowhere)."""
    return next((what for pattern, what in patterns(package) if fnmatch.fnmatchcase(path, pattern)), None)


def _licences(package: Package) -> list[str]:
    """The package's licences, then each resource's own (the source text keeps its publisher's rights), escaped."""
    lines = [
        md_text(f"{lic.get('name', '')}: {lic.get('title', '')}") for lic in package.descriptor.get("licenses", [])
    ]
    for resource in package.descriptor.get("resources", []):
        for lic in resource.get("licenses", []):
            what = md_text(f"{lic.get('name', '')}, {lic.get('title', '')}")
            lines.append(f"{md_code(resource.get('path', ''))}: {what}")
    return lines


def _md_keeping_spaces(text: str) -> str:
    """md_text, keeping the spaces at either end (md_text strips them)."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core[0])
    return text[:start] + md_text(core) + text[start + len(core) :]


def md_with_links(text: str) -> str:
    """Text for Markdown with each web address as an autolink (`<https://…>`), which is copied whole, where escaping
    would put a backslash into it (`t20210831\\_5570729.html`); everything else escaped."""
    text = " ".join(text.split())  # one line, as md_text makes it
    out, end = [], 0
    for match in WEB_URL.finditer(text):
        url = match.group(0).rstrip(".")  # a full stop after an address ends the sentence
        out += [_md_keeping_spaces(text[end : match.start()]), f"<{url}>"]
        end = match.start() + len(url)
    return "".join([*out, _md_keeping_spaces(text[end:])])


def release_readme(package: Package, tables: dict | None = None) -> str:
    """The zip's README.md, from the package."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("checks.documents", "templates"),
        autoescape=False,  # Markdown; every value from the package goes through md_text
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    descriptor = package.descriptor
    where = published(descriptor)
    citation = cite(read_citation(package), where)
    return env.get_template(TEMPLATE).render(
        title=md_text(descriptor.get("title", "").split(" | ")[-1]),
        title_zh=md_text(descriptor.get("title", "").split(" | ")[0]),
        description=md_text(descriptor.get("description", "")),
        version=md_text(descriptor.get("version", "")),
        name=descriptor["name"],
        counts="\n".join(counts_block(load_tables(package) if tables is None else tables, package)),
        files=[(f"`{pattern}`", md_text(what) if "`" not in what else what) for pattern, what in patterns(package)],
        citation=md_with_links(citation),
        where=[md_text(line) for line in where.lines()],
        repository=where.repository,
        licences=_licences(package),
        types="\n".join(door_types_table(release=True)),
    )
