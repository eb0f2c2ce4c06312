"""`diff` on a stranger's repository: git runs nothing the repository's config names, fetches nothing, and reads
only the `.git` directory inside the package; what can change the data without a row changing is reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import edit_schema, git, run_cli


def _marker(tmp_path: Path) -> Path:
    return tmp_path.parent / f"{tmp_path.name}-ran"


def test_a_partial_clone_with_a_missing_object_fetches_nothing_and_runs_no_command(repo, tmp_path):
    """A promisor remote whose upload-pack is a command, and a base blob missing: refused, the command never runs."""
    ran = _marker(tmp_path)
    blob = git(repo, "rev-parse", "HEAD:data/units.csv")
    git(repo, "config", "extensions.partialClone", "origin")
    git(repo, "config", "remote.origin.url", str(repo))
    git(repo, "config", "remote.origin.promisor", "true")
    git(repo, "config", "remote.origin.uploadpack", f"touch {ran}; git-upload-pack")
    (repo / ".git/objects" / blob[:2] / blob[2:]).unlink()
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 2 and not ran.exists()
    assert "[diff.unsafe_repository] .git/config" in done.stderr and "partial clone" in done.stderr


def test_a_missing_object_is_refused_not_fetched_and_not_taken_for_a_missing_file(repo, tmp_path):
    """Without any partial-clone config, a blob the base tree names but .git lacks is named, never read as absent."""
    blob = git(repo, "rev-parse", "HEAD:data/units.csv")
    (repo / ".git/objects" / blob[:2] / blob[2:]).unlink()
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 2 and "[diff.missing_object] data/units.csv" in done.stderr


def test_commands_in_the_repository_config_never_run(repo, tmp_path):
    """fsmonitor, hooks, pager, ssh and proxy commands, a filter: none is read, since git runs on a config of ours."""
    ran = _marker(tmp_path)
    for key in ("core.fsmonitor", "core.pager", "core.sshCommand", "core.gitProxy", "core.askPass", "core.editor"):
        git(repo, "config", key, f"touch {ran}")
    git(repo, "config", "core.hooksPath", str(tmp_path))
    git(repo, "config", "filter.x.smudge", f"touch {ran}")
    (repo / ".gitattributes").write_text("* filter=x\n", encoding="utf-8")
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 0, done.stderr
    assert not ran.exists()


def test_an_include_in_the_repository_config_is_not_followed(repo, tmp_path):
    ran = _marker(tmp_path)
    included = tmp_path.parent / f"{tmp_path.name}-included"
    included.write_text(f"[extensions]\n\tpartialClone = origin\n[core]\n\tfsmonitor = touch {ran}\n", encoding="utf-8")
    git(repo, "config", "include.path", str(included))
    assert run_cli("--root", repo, "diff", "HEAD").returncode == 0 and not ran.exists()


@pytest.fixture
def other(tmp_path_factory) -> Path:
    """Another repository on the same disk, whose file must never be shown."""
    root = tmp_path_factory.mktemp("other")
    git(root, "init", "-q", "-b", "main")
    (root / "secret.txt").write_text("secret-line-from-another-repository\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "other")
    return root


def _gitdir_file(repo: Path, other: Path) -> None:
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)
    (repo / ".git").write_text(f"gitdir: {other / '.git'}\n", encoding="utf-8")


def _gitdir_symlink(repo: Path, other: Path) -> None:
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)
    (repo / ".git").symlink_to(other / ".git")


def _objects_symlink(repo: Path, other: Path) -> None:
    subprocess.run(["rm", "-rf", str(repo / ".git/objects")], check=True)
    (repo / ".git/objects").symlink_to(other / ".git/objects")


def _object_symlink(repo: Path, other: Path) -> None:
    blob = git(repo, "rev-parse", "HEAD:data/units.csv")
    theirs = git(other, "rev-parse", "HEAD:secret.txt")
    (repo / ".git/objects" / blob[:2] / blob[2:]).unlink()
    (repo / ".git/objects" / blob[:2] / blob[2:]).symlink_to(other / ".git/objects" / theirs[:2] / theirs[2:])


def _alternates(repo: Path, other: Path) -> None:
    (repo / ".git/objects/info").mkdir(exist_ok=True)
    (repo / ".git/objects/info/alternates").write_text(f"{other / '.git/objects'}\n", encoding="utf-8")


def _refs_symlink(repo: Path, other: Path) -> None:
    subprocess.run(["rm", "-rf", str(repo / ".git/refs/heads")], check=True)
    (repo / ".git/refs/heads").symlink_to(other / ".git/refs/heads")


OUT_OF_THE_PACKAGE = {
    "a .git file naming another git directory": (_gitdir_file, "diff.not_a_repository", ".git"),
    "a .git symlink": (_gitdir_symlink, "diff.not_a_repository", ".git"),
    "objects/ a symlink": (_objects_symlink, "diff.unsafe_repository", ".git/objects"),
    "one object a symlink into another repository": (_object_symlink, "diff.unsafe_repository", ".git/objects/"),
    "alternates": (_alternates, "diff.unsafe_repository", ".git/objects/info/alternates"),
    "refs/heads a symlink": (_refs_symlink, "diff.unsafe_repository", ".git/refs/heads"),
}


@pytest.mark.parametrize("name", OUT_OF_THE_PACKAGE)
def test_diff_reads_no_repository_outside_the_package(repo, other, name):
    craft, rule, file = OUT_OF_THE_PACKAGE[name]
    craft(repo, other)
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 2, done.stdout
    assert f"[{rule}] {file}" in done.stderr and "secret-line" not in done.stdout + done.stderr


def test_git_variables_from_outside_do_not_redirect_git(repo, other, monkeypatch):
    """GIT_DIR, GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES in the environment are not passed on."""
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", str(other / ".git/objects"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='false'")
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 0 and "no rows added, removed or changed" in done.stdout


def test_a_change_to_the_sql_or_the_seed_folder_is_reported(repo):
    """A view edited, a file added to seeds/: each named, exit 1 (they can change what the data says)."""
    with open(repo / "sql/views.sql", "a", encoding="utf-8") as f:
        f.write("\n-- a comment\n")
    (repo / "seeds/notes.txt").write_text("x\n", encoding="utf-8")
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 1
    assert "sql/views.sql: changed" in done.stdout and "seeds/notes.txt: added" in done.stdout


def test_a_new_text_field_without_a_pattern_is_reported(repo):
    edit_schema(repo, "units", lambda s: s["fields"].append({"name": "note", "type": "string"}))
    done = run_cli("--root", repo, "diff", "HEAD")
    assert done.returncode == 1 and "field note added without a pattern or enum" in done.stdout


def test_a_new_field_with_a_pattern_is_not_reported(repo):
    field = {"name": "note", "type": "string", "constraints": {"pattern": "[a-z]{1,9}"}}
    edit_schema(repo, "units", lambda s: s["fields"].append(field))
    done = run_cli("--root", repo, "diff", "HEAD")
    assert "field note" not in done.stdout
