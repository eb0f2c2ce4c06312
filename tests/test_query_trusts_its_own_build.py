"""`query` answers from dist/'s database only when this user's validator wrote it and its bytes are unchanged; a
database edited after the build, or a dist/ that came with the package, is not trusted: the package is loaded."""

from __future__ import annotations

import hashlib
import hmac
import json

import duckdb
import pytest

from checks.outputs import fingerprint
from front_helpers import copy_built, database_of
from helpers import edit, run_cli

TRUE_VALUE = "SELECT value FROM figures WHERE figure_id = 'F002'"


@pytest.fixture
def built(built_package, tmp_path):
    return copy_built(built_package, tmp_path / "package")


def _tamper(root) -> None:
    con = duckdb.connect(str(database_of(root)))
    con.execute("UPDATE figures SET value = 999999 WHERE figure_id = 'F002'")
    con.execute("CHECKPOINT")
    con.close()


def test_a_database_edited_after_the_build_is_not_used(built):
    """The package is loaded instead; it validates, so nothing is said on stderr."""
    _tamper(built)
    done = run_cli("--root", built, "query", TRUE_VALUE, "--format", "csv")
    assert done.returncode == 0 and done.stdout == "value\n622\n" and done.stderr == "", done.stdout + done.stderr


def test_a_record_that_names_the_edited_database_but_was_not_sealed_by_this_user_is_not_trusted(built):
    """A downloaded dist/ with a record of its own: the right hashes, an HMAC under another key."""
    _tamper(built)
    sidecar = built / fingerprint.sidecar(str(database_of(built).relative_to(built)))
    kept = json.loads(sidecar.read_text(encoding="utf-8"))
    kept["database_sha256"] = fingerprint.file_sha256(database_of(built))
    message = f"{kept['sha256']} {kept['database_sha256']}".encode("ascii")
    kept["hmac"] = hmac.new(b"k" * 32, message, hashlib.sha256).hexdigest()
    sidecar.write_text(json.dumps(kept), encoding="utf-8")
    assert not _trusted(built)  # so query loads the package, as the test above shows end to end


def test_without_the_users_key_the_database_is_not_used(built, monkeypatch, tmp_path):
    assert _trusted(built)
    monkeypatch.setenv("CHECKS_STATE_DIR", str(tmp_path / "another-user"))
    assert not _trusted(built)


def _trusted(root) -> bool:
    """Whether query would answer from the built database (the decision, without running the query)."""
    from checks.package import Package

    return fingerprint.current(Package(root), str(database_of(root).relative_to(root)))


def test_the_database_this_validator_wrote_is_used(built):
    """The unchanged build is trusted: the answer comes from it (edited in place, with its record resealed)."""
    _tamper(built)
    database = database_of(built)
    rel = str(database.relative_to(built))
    kept = json.loads((built / fingerprint.sidecar(rel)).read_text(encoding="utf-8"))
    from checks.package import Package

    fingerprint.record(Package(built), rel, built / "dist", database)
    assert json.loads((built / fingerprint.sidecar(rel)).read_text(encoding="utf-8"))["sha256"] == kept["sha256"]
    assert run_cli("--root", built, "query", TRUE_VALUE, "--format", "csv").stdout == "value\n999999\n"


def test_a_package_that_does_not_validate_is_answered_with_one_line_saying_so(copy):
    edit(copy, "figures", "F006", value="22.8")
    done = run_cli("--root", copy, "query", "SELECT value FROM figures WHERE figure_id = 'F006'", "--format", "csv")
    assert done.returncode == 0 and done.stdout == "value\n22.8\n"
    notes = done.stderr.splitlines()
    assert len(notes) == 1 and "does not validate" in notes[0] and "checks validate" in notes[0]
