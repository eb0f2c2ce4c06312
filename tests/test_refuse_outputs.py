"""What the commands write: all of dist/ or none of it, never through a symlink, and nothing from an input they
refuse (a malformed CITATION.cff, a README with broken markers, data that does not validate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.package import Package
from helpers import (
    edit,
    run_cli,
)

ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)
    )
    + "title: boom\n"
)


@pytest.fixture
def built(tmp_path, built_package):
    from front_helpers import copy_built

    return copy_built(built_package, tmp_path / "package")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "dist").rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _leftovers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".dist")]


def test_alias_bomb_in_citation_is_refused_before_anything_is_written(built):
    """Aliases are refused while the YAML is composed, at the first anchor (nothing is expanded): validation refuses
    CITATION.cff by name, and the build writes nothing."""
    import yaml

    from checks.outputs.build import build

    before = _snapshot(built)
    (built / "CITATION.cff").write_text(ALIAS_BOMB, encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("the YAML document was built although it holds aliases")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml.SafeLoader, "construct_document", never)
        refused = build(built).report.unusable
    assert refused.file == "CITATION.cff" and refused.rule == "input.malformed_citation"
    assert "aliases" in refused.message and "line 1," in refused.message
    assert _snapshot(built) == before and _leftovers(built) == []


@pytest.mark.parametrize("text", ["title: [unclosed\n", "- just\n- a list\n", "title: x\nauthors: nobody\n"])
def test_malformed_citation_names_the_file_and_rule(built, text):
    from checks.package.citation import read_citation
    from checks.problems import UnusableInput

    (built / "CITATION.cff").write_text(text, encoding="utf-8")
    with pytest.raises(UnusableInput) as refused:
        read_citation(Package(built))
    assert refused.value.problem.file == "CITATION.cff" and refused.value.problem.rule == "input.malformed_citation"


def test_a_build_that_fails_midway_leaves_the_old_dist_whole(built, monkeypatch):
    """The database and Parquet were written when the site failed: dist/ is still entirely the old one."""
    import checks.outputs.build

    before = _snapshot(built)
    edit(built, "figures", "F006", scope_en="the 208 villages paired")

    def fail(ctx, into):
        raise RuntimeError("killed while writing the site")

    monkeypatch.setattr(checks.outputs.build, "build_site", fail)
    with pytest.raises(RuntimeError):
        checks.outputs.build.build(built)
    assert _snapshot(built) == before and _leftovers(built) == []


def test_a_killed_build_leaves_nothing_that_the_next_build_keeps(built):
    """A staging folder left by `kill -9` is removed by the next build, and dist/ is replaced whole."""
    from checks.outputs.build import build

    (built / ".dist-staging-killed").mkdir()
    (built / ".dist-staging-killed" / "half.duckdb").write_bytes(b"half")
    (built / "dist" / "stale.txt").write_text("from an older build", encoding="utf-8")
    built_again = build(built)
    assert built_again.report.exit_code == 0 and all(p.is_file() for p in built_again.written)
    assert _leftovers(built) == [] and not (built / "dist" / "stale.txt").exists()
    assert all(str(p).startswith(str(built.resolve() / "dist")) for p in built_again.written)


@pytest.mark.parametrize("inside", ["dist/site", "dist/parquet", "dist/site/static", "dist/x.xlsx"])
def test_symlinks_inside_dist_are_refused_before_writing(built, inside):
    """A symlink anywhere in dist/ (into data/, the root or sql/) stops the build before it writes a file."""
    import shutil

    from checks.outputs.build import build
    from checks.problems import UnusableInput

    target = built / inside
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    target.symlink_to(built / "data")
    before = {p.name: p.read_bytes() for p in (built / "data").iterdir()}
    with pytest.raises(UnusableInput) as refused:
        build(built)
    assert refused.value.problem.rule == "output.symlink" and refused.value.problem.file == inside
    assert {p.name: p.read_bytes() for p in (built / "data").iterdir()} == before and _leftovers(built) == []


def test_writes_never_pass_through_a_linked_folder(copy):
    """A symlinked folder on the way to an output is refused, not only a symlink at the file itself."""
    from checks.package import files
    from checks.problems import UnusableInput

    (copy / "dist").mkdir()
    (copy / "dist" / "site").symlink_to(copy / "data")
    with pytest.raises(UnusableInput) as refused:
        files.write_atomic(copy, "dist/site/figures.csv", b"overwritten")
    assert refused.value.problem.rule == "output.symlink" and refused.value.problem.file == "dist/site"
    assert b"overwritten" not in (copy / "data" / "figures.csv").read_bytes()


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


def test_non_utf8_readme_names_the_file_and_rule(copy, capsys):
    """A README in another encoding is unusable input naming README.md and the line, not a UnicodeDecodeError."""
    from checks.cli import main

    (copy / "README.md").write_bytes((copy / "README.md").read_bytes() + "\n© 2021\n".encode("latin-1"))
    assert main(["--root", str(copy), "readme"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("UNUSABLE INPUT [input.encoding] README.md (line ") and "Traceback" not in err


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
