"""Every example in README.md and docs/usage.md runs as written, from the root of a built copy of the package, and
prints what it shows.

The convention, stated in docs/usage.md:
* a ```console block holds `$ command` lines, each followed by the output it prints;
* a ```python block runs with this Python, in a fresh namespace (all of them in one process, in order); if the
  next block is ```text, that is its output;
* a ```sql block runs with `python -P -m checks query`; the ```text block after it is its output.
Other blocks (```sh, ```r, ```text on their own, unlabelled) are not run.

After a deliberate change, `python tests/test_readme_examples.py --update` rewrites the outputs; review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from front_helpers import built_copy
from helpers import ROOT, run_cli

DOCUMENTS = ("README.md", "docs/usage.md")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
RUN = ("console", "python", "sql")


@dataclass
class Example:
    """One runnable block: its document, language and code, the output it shows, and where that output sits."""

    document: str
    lang: str
    code: str
    shown: str | None
    line: int
    span: tuple[int, int] | None  # of the shown output, to rewrite it

    @property
    def name(self) -> str:
        return f"{self.document}:{self.line} {self.lang}"


def examples(text: str, document: str) -> list[Example]:
    """The runnable blocks, each with the ```text block that follows it (blank lines between allowed)."""
    blocks = list(FENCE.finditer(text))
    found = []
    for i, block in enumerate(blocks):
        lang, code = block.group(1), block.group(2)
        if lang not in RUN:
            continue
        line = text.count("\n", 0, block.start()) + 1
        if lang == "console":
            found.append(Example(document, lang, code, None, line, None))
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        follows = nxt is not None and nxt.group(1) == "text" and text[block.end() : nxt.start()].strip() == ""
        shown, span = (nxt.group(2), nxt.span(2)) if follows else (None, None)
        found.append(Example(document, lang, code, shown, line, span))
    return found


def environment() -> dict:
    """PATH starts with this Python's folder, where the `duckdb` CLI and `frictionless` are installed."""
    env = dict(os.environ, COLUMNS="100", PYTHONIOENCODING="utf-8")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


#: Runs each example of a JSON list in a fresh namespace of one interpreter: [what it printed, its traceback or null].
PYTHON_RUNNER = """
import contextlib, io, json, sys, traceback
results = []
for code in json.loads(sys.stdin.read()):
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<example>", "exec"), {"__name__": "__main__"})
        results.append([out.getvalue(), None])
    except BaseException:
        results.append([out.getvalue(), traceback.format_exc()])
json.dump(results, sys.stdout)
"""


def python_examples(python: list[str], blocks: list[str], cwd: Path, env: dict) -> list[tuple[str, str | None]]:
    """Every block in one Python process (`python` is its command line): (what it printed, its traceback or None)."""
    done = subprocess.run(
        [*python, "-c", PYTHON_RUNNER],
        input=json.dumps(blocks),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [tuple(result) for result in json.loads(done.stdout)]


def run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment(), timeout=300)
    assert done.returncode == 0, f"{' '.join(command)[:200]}\nexit {done.returncode}\n{done.stderr}"
    return done.stdout


def console_steps(code: str) -> list[tuple[str, str]]:
    """(command, shown output) pairs of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any `$ ` command: {line!r}"
            steps[-1][1].append(line)
    return [(command, "\n".join(lines) + "\n" if lines else "") for command, lines in steps]


def output_of(example: Example, cwd: Path) -> str:
    """What a console or SQL example prints (the Python examples run together: python_outputs)."""
    if example.lang == "sql":  # `python -P -m checks query SQL`, run in this process (helpers.run_cli)
        done = run_cli("query", example.code, cwd=cwd, columns=100)
        assert done.returncode == 0, f"query\nexit {done.returncode}\n{done.stderr}"
        return done.stdout
    return "".join(f"$ {command}\n" + run(["bash", "-c", command], cwd) for command, _ in console_steps(example.code))


def _read(document: str) -> str:
    return (ROOT / document).read_text(encoding="utf-8")


ALL = [example for document in DOCUMENTS for example in examples(_read(document), document)]


def test_documents_have_examples_of_every_kind():
    assert {e.lang for e in ALL} == set(RUN)
    assert {e.lang for e in ALL if e.document == "README.md"} >= {"console", "python"}, "the README runs its doors"
    assert all(e.shown is not None for e in ALL if e.lang in ("sql", "python")), "SQL and Python examples show output"


def python_outputs(root: Path) -> dict[str, tuple[str, str | None]]:
    """What each Python example of both documents printed (and its traceback), all run in one interpreter, in
    order, from the root of a built copy."""
    python = [e for e in ALL if e.lang == "python"]
    found = python_examples([sys.executable], [e.code for e in python], root, environment())
    return {e.name: result for e, result in zip(python, found)}


@pytest.fixture(scope="module")
def printed_by_python(built_package) -> dict[str, tuple[str, str | None]]:
    return python_outputs(built_package)


@pytest.mark.parametrize("example", ALL, ids=[e.name for e in ALL])
def test_readme_example_runs_as_written(example, built_package, printed_by_python):
    root = built_package
    if example.lang == "console":
        for command, shown in console_steps(example.code):
            assert run(["bash", "-c", command], root) == shown, f"{example.name}: {command}"
        return
    if example.lang == "python":
        found, error = printed_by_python[example.name]
        assert error is None, f"{example.name}\n{error}"
    else:
        found = output_of(example, root)
    assert example.shown is None or found == example.shown, example.name


def update(document: str) -> None:
    """Rewrite every shown output of one document with what the example prints now."""
    text = _read(document)
    root = built_copy()
    printed = python_outputs(root)
    for example in reversed(examples(text, document)):
        if example.lang == "console":
            start = text.index(example.code, sum(len(line) + 1 for line in text.splitlines()[: example.line - 1]))
            text = text[:start] + output_of(example, root) + text[start + len(example.code) :]
        elif example.span is not None and example.lang == "python":
            output, error = printed[example.name]
            assert error is None, f"{example.name}\n{error}"
            text = text[: example.span[0]] + output + text[example.span[1] :]
        elif example.span is not None:
            text = text[: example.span[0]] + output_of(example, root) + text[example.span[1] :]
    (ROOT / document).write_text(text, encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    for document in DOCUMENTS:
        update(document)
