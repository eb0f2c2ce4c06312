"""The release zip stands alone: unzipped into an empty folder, every ```console and ```python example of its own
README runs there and prints what it shows, with the reader's tools only and the network refused.

The tools are those of `.venv-reader` (made by `make test` from tools/reader.lock: DuckDB, the DuckDB 1.5 CLI, pandas,
pyarrow, openpyxl, frictionless), which holds nothing of this project; PATH gives that environment's bin/ and the
system's, so `sha256sum` is coreutils'. The network is refused with a new network namespace (`unshare -rn`, where
the kernel allows it; then no connection can leave), else with a `sitecustomize` that refuses every Python socket
connection and name lookup and proxies that lead nowhere. The R examples are shown but not run: R is not installed
here. All console examples run in one bash process and all Python examples in one Python process, each example in a
subshell or a fresh namespace of its own.

After a deliberate change, `python tests/test_release_readme.py --update` rewrites the outputs shown in the template
(src/checks/documents/templates/release-README.md); review the diff.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import zipfile
from functools import cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from checks.documents import release_readme as zip_readme
from checks.outputs.release import contents, release, zip_bytes
from checks.package import Package
from front_helpers import copy_package
from helpers import ROOT
from test_readme_examples import Example, console_steps, examples, python_examples

READER = ROOT / ".venv-reader"
TEMPLATE = Path(zip_readme.__file__).parent / "templates" / zip_readme.TEMPLATE
MARK = "\x1e"  # a record separator between the outputs of two examples

SITECUSTOMIZE = textwrap.dedent(
    """
    import socket
    def _refuse(*args, **kwargs):
        raise OSError("network access refused in the reader's test")
    socket.socket.connect = socket.socket.connect_ex = _refuse
    socket.create_connection = socket.getaddrinfo = _refuse
    """
)


@cache
def _unshare() -> list[str]:
    """`unshare -rn` when this kernel lets us make a network namespace (no interface but loopback), else nothing."""
    tool = shutil.which("unshare")
    if tool and subprocess.run([tool, "-rn", "true"], capture_output=True, timeout=30).returncode == 0:
        return [tool, "-rn"]
    return []


def reader_environment(scratch: Path) -> dict:
    """Only the reader's tools on PATH, a scratch HOME, no Python path of ours; where no namespace can be made, a
    sitecustomize that refuses sockets and proxies that go nowhere."""
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": f"{READER / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "COLUMNS": "100",
        "TZ": "UTC",
    }
    if not _unshare():
        (scratch / "offline").mkdir(exist_ok=True)
        (scratch / "offline" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        dead = "http://127.0.0.1:9"
        env |= {"PYTHONPATH": str(scratch / "offline"), "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "NO_PROXY": ""}
    return env


def run_console(steps: list[str], folder: Path, scratch: Path) -> list[tuple[str, int]]:
    """Every console command in one bash process, each in a subshell from the folder: (its output, its exit code)."""
    script = "".join(f"( cd {shlex.quote(str(folder))} && {step}\n)\nprintf '{MARK}%s{MARK}' $?\n" for step in steps)
    done = subprocess.run(
        [*_unshare(), "bash", "--noprofile", "--norc", "-c", script],
        cwd=folder,
        env=reader_environment(scratch),
        capture_output=True,
        text=True,
        timeout=300,
    )
    parts = done.stdout.split(MARK)  # output, exit code, output, exit code, ..., ""
    assert len(parts) == 2 * len(steps) + 1, f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    found = [(parts[2 * k], int(parts[2 * k + 1])) for k in range(len(steps))]
    assert all(code == 0 for _, code in found), f"{[c for _, c in found]}\n{done.stderr[-3000:]}"
    return found


def run_python(blocks: list[str], folder: Path, scratch: Path) -> list[tuple[str, str | None]]:
    """Every Python example in one Python process of the reader's environment: (what it printed, its traceback)."""
    return python_examples([*_unshare(), str(READER / "bin" / "python")], blocks, folder, reader_environment(scratch))


def unzip(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)
    (folder,) = dest.iterdir()
    return folder


def outputs(found: list[Example], folder: Path, scratch: Path) -> dict[int, str]:
    """Index of each example in found → what it printed (console: with its `$ ` lines, as the README shows them)."""
    steps = [(i, command) for i, e in enumerate(found) if e.lang == "console" for command, _ in console_steps(e.code)]
    console = run_console([command for _, command in steps], folder, scratch)
    python = [i for i, e in enumerate(found) if e.lang == "python"]
    printed = run_python([found[i].code for i in python], folder, scratch)
    result: dict[int, str] = {}
    for (i, command), (output, code) in zip(steps, console):
        assert code == 0, f"{found[i].name}: `{command}` exit {code}\n{output}"
        result[i] = result.get(i, "") + f"$ {command}\n{output}"
    for i, (output, error) in zip(python, printed):
        assert error is None, f"{found[i].name}\n{error}"
        result[i] = output
    return result


@pytest.fixture(scope="module")
def unzipped(built_package, tmp_path_factory):
    """The release zip of the session's built package (the same entries `make release` zips), unzipped into an
    empty folder."""
    if not (READER / "bin" / "python").exists():
        if os.environ.get("CI"):
            pytest.fail("the reader's environment is missing under CI: make test creates .venv-reader")
        pytest.skip("the reader's environment is not installed (make test creates .venv-reader)")
    package = Package(built_package)
    zip_path = tmp_path_factory.mktemp("release") / "release.zip"
    zip_path.write_bytes(zip_bytes(package, contents(package)))
    return unzip(zip_path, tmp_path_factory.mktemp("unzipped")), tmp_path_factory.mktemp("scratch")


def test_the_readers_environment_holds_none_of_this_project(unzipped):
    done = subprocess.run(
        [str(READER / "bin" / "python"), "-I", "-c", "import importlib.util as u; print(u.find_spec('checks'))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "None", done.stdout + done.stderr


def test_every_example_of_the_zip_readme_runs_offline_in_the_unzipped_folder(unzipped):
    folder, scratch = unzipped
    found = examples((folder / "README.md").read_text(encoding="utf-8"), "README.md")
    langs = [e.lang for e in found]
    assert langs.count("console") >= 4 and langs.count("python") >= 4, langs
    printed = outputs(found, folder, scratch)
    for i, example in enumerate(found):
        shown = example.code if example.lang == "console" else example.shown
        assert printed[i] == shown, f"{example.name}\nprinted:\n{printed[i]}\nshown:\n{shown}"


def test_the_zip_readme_shows_every_door(unzipped):
    """DuckDB CLI and Python on the database file and on sql/load.sql, Python's sqlite3 on the SQLite file (its
    command line, R and Datasette shown, not run), pandas on CSV, Parquet and the workbook, frictionless, sha256sum, R
    (shown, not run), the report view."""
    folder, _ = unzipped
    text = (folder / "README.md").read_text(encoding="utf-8")
    found = examples(text, "README.md")
    console = "\n".join(e.code for e in found if e.lang == "console")
    python = "\n".join(e.code for e in found if e.lang == "python")
    assert "sha256sum -c" in console and "frictionless validate datapackage.json" in console
    assert ".duckdb -c" in console and ".read sql/load.sql" in console and "file_search_path" in console
    assert 'duckdb.connect("wuqing-paired-assistance-2020.duckdb"' in python and 'open("sql/load.sql"' in python
    assert all(f"pd.{call}(" in python for call in ("read_csv", "read_parquet", "read_excel"))
    assert 'sqlite3.connect("file:wuqing-paired-assistance-2020.sqlite' in python and "MATCH" in python
    assert "datasette serve" in text and "--metadata wuqing-paired-assistance-2020.datasette.json" in text
    assert "RSQLite::SQLite()" in text and "sqlite3 -readonly" in text
    assert "readr::read_csv(" in text and "arrow::read_parquet(" in text and "site/index.html" in text
    assert (folder / "site/index.html").is_file() and (folder / "site/static/site.css").is_file()


def released_folder(tmp: Path) -> Path:
    """A copy of the package with the files a release carries, released, its zip unzipped into tmp/unzipped."""
    root = tmp / "package"
    root.mkdir()
    copy_package(root)  # the package and what travels with it: citation, licence, changelog, docs
    done = release(root)
    assert done.report.exit_code == 0, done.report.failed_rules()
    (tmp / "unzipped").mkdir()
    return unzip(next(p for p in done.written if p.suffix == ".zip"), tmp / "unzipped")


def update() -> None:
    """Rewrite the outputs the template shows with what the examples print in a fresh release."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = released_folder(Path(tmp))
        (Path(tmp) / "scratch").mkdir()
        found = examples((folder / "README.md").read_text(encoding="utf-8"), "README.md")
        printed = outputs(found, folder, Path(tmp) / "scratch")
    text = TEMPLATE.read_text(encoding="utf-8")
    in_template = examples(text, TEMPLATE.name)
    assert [e.code for e in in_template if e.lang == "python"] == [e.code for e in found if e.lang == "python"]
    for i, example in reversed(list(enumerate(in_template))):
        if example.lang == "console":
            start = text.index(example.code, sum(len(line) + 1 for line in text.splitlines()[: example.line - 1]))
            text = text[:start] + printed[i] + text[start + len(example.code) :]
        elif example.span is not None:
            text = text[: example.span[0]] + printed[i] + text[example.span[1] :]
    TEMPLATE.write_text(text, encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    update()


def test_the_report_view_opens_from_the_unzipped_folder(unzipped):
    """Every page of site/ loads only files of the zip, by relative paths that exist there (and links out only to
    web addresses): opened from disk, it needs nothing else."""
    import re

    folder, _ = unzipped
    pages = sorted((folder / "site").glob("*.html"))
    assert [p.name for p in pages] == ["figures.html", "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
            if ref.startswith(("http://", "https://", "#")):
                continue
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.is_relative_to(folder.resolve()) and target.is_file(), (page.name, ref)
