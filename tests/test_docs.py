"""What users read and cite: the data dictionary, citation metadata, versions, licences, the correction process."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import tomllib

import pytest
import yaml

from checks.documents.dictionary import DICTIONARY, render_dictionary
from checks.documents.readme import END, KNOWN_PROBLEMS, START, md_code, md_text
from helpers import ROOT, edit, run_cli

CFFCONVERT = ROOT / ".venv-cff" / "bin" / "cffconvert"


def _read(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def test_data_dictionary_is_current(package):
    assert _read(DICTIONARY) == render_dictionary(package), "run: python -m checks docs"


def test_data_dictionary_names_every_column_with_chinese_intact(package):
    text = _read(DICTIONARY)
    for name in package.table_names:
        assert f"## {name}\n" in text
        for field in package.schema(name)["fields"]:
            assert f"| `{field['name']}` | {field.get('type', 'string')} |" in text, (name, field["name"])
    assert "全区" in text and "亿元" in text  # Chinese in the descriptions, as written


def test_citation_is_valid_cff():
    if not CFFCONVERT.exists():
        if os.environ.get("CI"):
            pytest.fail("cffconvert is missing under CI: make test installs it into .venv-cff")
        pytest.skip("cffconvert not installed (make test installs it into .venv-cff)")
    done = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _versions() -> dict[str, str]:
    return {
        "datapackage.json": json.loads(_read("datapackage.json"))["version"],
        "pyproject.toml": tomllib.loads(_read("pyproject.toml"))["project"]["version"],
        "CITATION.cff": str(yaml.safe_load(_read("CITATION.cff"))["version"]),
        ".zenodo.json": json.loads(_read(".zenodo.json"))["version"],
    }


def test_one_version_everywhere_and_in_the_changelog():
    versions = _versions()
    assert len(set(versions.values())) == 1, versions
    version = versions["datapackage.json"]
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", _read("CHANGELOG.md"), re.MULTILINE)
    assert f"(version {version})" in _read("README.md")
    released = yaml.safe_load(_read("CITATION.cff"))["date-released"]
    assert str(released) == json.loads(_read(".zenodo.json"))["publication_date"]


def test_licence_and_attribution_say_the_same_everywhere():
    descriptor = json.loads(_read("datapackage.json"))
    citation = yaml.safe_load(_read("CITATION.cff"))
    zenodo = json.loads(_read(".zenodo.json"))
    assert [licence["name"] for licence in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert citation["license"] == "CC-BY-4.0" and zenodo["license"] == "cc-by-4.0"
    assert "CC-BY-4.0" in _read("README.md")
    publisher = "天津市武清区农业农村委员会"
    source = next(r for r in descriptor["resources"] if r["name"] == "source_text")
    assert source["licenses"][0]["name"] != "CC-BY-4.0", "the source text keeps its publisher's rights"
    for where in (
        _read("README.md"),
        json.dumps(descriptor, ensure_ascii=False),
        json.dumps(citation["references"], ensure_ascii=False),
        zenodo["notes"],
    ):
        assert publisher in where
    assert citation["references"][0]["url"] == descriptor["sources"][0]["path"]


def test_wrong_figure_form_asks_for_id_quote_what_and_evidence():
    form = yaml.safe_load(_read(".github/ISSUE_TEMPLATE/wrong-figure.yml"))
    required = {item["id"] for item in form["body"] if item.get("validations", {}).get("required")}
    assert required >= {"figure_id", "quote", "what", "evidence"}
    assert "CONTRIBUTING.md" in json.dumps(form) and "checks stamp" in _read("CONTRIBUTING.md")


def test_readme_is_a_front_page_that_links_every_document():
    text = _read("README.md")
    assert len(text) <= 12_000, f"README.md has {len(text):,} characters; move detail to docs/"
    assert "## Get the data" in text and "简介" in text and "readr::read_csv(" in text
    security = _read("SECURITY.md")
    assert "python -P -m checks" in security and "wuqing-checks" in security, "how to check a stranger's package"
    assert "SECURITY.md#validating-a-package-from-someone-else" in text
    assert text.index("## Get the data") < text.index("## Build from source") < text.index("## Use it in a clone")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        assert (ROOT / target).exists(), f"README.md links {target}, which does not exist"


def test_known_problems_groups_readings_that_give_one_reason(tables):
    text = _read(KNOWN_PROBLEMS)
    readings = tables["readings"]
    entries = [line for line in text.splitlines() if line.startswith("* **")]
    assert len(entries) < len(readings)
    shared = readings[readings["reason"].str.contains("written without the quotation marks", regex=False)]
    assert len(shared) >= 20
    grouped = [e for e in entries if "(26 readings;" in e or f"({len(shared)} readings;" in e]
    assert len(grouped) == 1 and grouped[0].count("A name or slogan written without") == 1
    for rid in readings["reading_id"]:
        assert f"**{rid}**" in text or rid in grouped[0], f"{rid} is missing from {KNOWN_PROBLEMS}"


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            "<!-- problems:end --><img src=x onerror=alert(1)>",
            "&lt;!-- problems:end --&gt;&lt;img src=x onerror=alert(1)&gt;",
        ),
        ("[link](javascript:x) ![i](http://x/y.png)", "\\[link\\](javascript:x) !\\[i\\](http://x/y.png)"),
        ("**bold** `code` _under_ a|b ~x~ \\", "\\*\\*bold\\*\\* \\`code\\` \\_under\\_ a\\|b \\~x\\~ \\\\"),
        ("line\n# heading\u2028<script>&amp;", "line # heading &lt;script&gt;&amp;amp;"),
    ],
)
def test_pasted_text_is_shown_literally(value, expected):
    assert md_text(value) == expected


def test_inline_code_only_where_nothing_can_escape_it():
    assert md_code("村 两委") == "`村 两委`" and md_code("[link](javascript:x)") == "`[link](javascript:x)`"
    for value in ("a`b", "<!-- problems:end -->", "a\nb", " padded"):
        assert md_code(value) == md_text(value), value


def test_readme_escapes_html_markdown_and_markers_from_the_data(copy):
    """A reason holding a marker, raw HTML and a link is pasted into the README as text, or refused; never raw."""
    payload = "<!-- problems:end --><img src=x onerror=alert(1)> and [link](javascript:x) "
    with (copy / "data" / "readings.csv").open(encoding="utf-8") as f:
        reason = next(r for r in csv.DictReader(f) if r["reading_id"] == "R01")["reason"]
    edit(copy, "readings", "R01", reason=payload + reason)
    readme_before = (copy / "README.md").read_text(encoding="utf-8")
    done = run_cli("--root", str(copy), "readme")
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr, done.stderr
    for rel in ("README.md", KNOWN_PROBLEMS):
        path = copy / rel
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        assert "<img" not in text and "[link](javascript:" not in text and "<!-- problems:end -->" not in text, rel
        assert text.count(START) <= 1 and text.count(END) <= 1, rel
    if done.returncode == 0:
        shown = (copy / KNOWN_PROBLEMS).read_text(encoding="utf-8")
        assert "&lt;!-- problems:end --&gt;&lt;img src=x onerror=alert(1)&gt;" in shown
        assert "\\[link\\](javascript:x)" in shown
        assert (copy / "README.md").read_text(encoding="utf-8").count(START) == readme_before.count(START) == 1
    else:
        assert "readings.csv" in done.stderr and "R01" in done.stderr


#: Where the code is named for readers: every document, the SQL files (their comments), the workflows and the Makefile.
_NAMING_CODE = ("*.md", "docs/**/*.md", "sql/*.sql", ".github/**/*.yml", "Makefile", "src/**/*.py", "tests/*.py")


def test_every_path_of_the_code_named_in_docs_and_sql_exists():
    """A file of src/checks/ that moves leaves no document, SQL comment or docstring pointing at its old place."""
    named = {
        (path.relative_to(ROOT).as_posix(), found.rstrip("."))
        for pattern in _NAMING_CODE
        for path in ROOT.glob(pattern)
        for found in re.findall(r"src/checks/[\w/.-]*\w", path.read_text(encoding="utf-8"))
    }
    missing = [(where, path) for where, path in sorted(named) if not (ROOT / path).exists()]
    assert named and missing == []


def test_where_it_lives_is_said_once_and_repeated_faithfully():
    """datapackage.json's x-published holds the repository address and the DOI; README.md, CITATION.cff and
    .zenodo.json give the same, and where one is not set they say so instead of giving any address."""
    from checks.package.published import NO_DOI, NO_REPOSITORY, published

    where = published(json.loads(_read("datapackage.json")))
    readme, citation, zenodo = (
        _read("README.md"),
        yaml.safe_load(_read("CITATION.cff")),
        json.loads(_read(".zenodo.json")),
    )
    related = {r["identifier"] for r in zenodo.get("related_identifiers", [])}
    if where.repository:
        assert where.repository in readme and citation.get("repository-code") == where.repository
        assert where.repository in related
    else:
        assert NO_REPOSITORY in readme and NO_REPOSITORY in citation["message"] and NO_REPOSITORY in zenodo["notes"]
        assert "repository-code" not in citation and "url" not in citation
        assert not any("github.com" in r or "gitlab" in r for r in related)
    if where.doi:
        assert where.doi in readme and citation.get("doi") == where.doi and zenodo.get("doi") == where.doi
    else:
        assert NO_DOI in readme and NO_DOI in citation["message"]
        assert "doi" not in citation and "identifiers" not in citation and "doi" not in zenodo


def test_the_release_readme_escapes_text_from_the_descriptor(copy):
    """Text from the descriptor reaches the release README as text: no raw HTML, link or image from a title,
    description or licence."""
    from checks.documents.release_readme import release_readme
    from checks.package import Package
    from helpers import read_descriptor, save_descriptor

    (copy / "CITATION.cff").write_bytes((ROOT / "CITATION.cff").read_bytes())
    descriptor = read_descriptor(copy)
    descriptor["description"] = "<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://e.example/x.png)"
    descriptor["licenses"][0]["title"] = "<img src=x onerror=alert(1)>"
    save_descriptor(copy, descriptor)
    text = release_readme(Package(copy))
    assert "<script>" not in text and "<img" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "\\[click\\](javascript:" in text and "!\\[x\\](" in text  # brackets escaped: neither link nor image


def test_web_addresses_in_the_release_readme_are_autolinks_copied_whole():
    """A URL in the citation is an autolink without the backslashes escaping would put into it; only http(s)
    addresses become links, and the text around them is escaped."""
    from checks.documents.release_readme import md_with_links

    text = md_with_links("Source: 武清_区. http://e.example/t2021_57.html. javascript:alert(1) <b>")
    assert text == "Source: 武清\\_区. <http://e.example/t2021_57.html>. javascript:alert(1) &lt;b&gt;"
