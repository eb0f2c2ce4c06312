"""Every path the package names stays inside it: absolute paths, `..`, symlinks out, URLs (a schema, a profile, a
dialect, a resource), folders and FIFOs are refused by name (exit 2) and never opened; so is a package name that
would become a path."""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from checks.validate import validate
from helpers import (
    read_descriptor,
    refused_by_name,
    run_cli,
    save_descriptor,
    set_resource,
)


def _outside(tmp_path: Path, name: str, data: bytes = b"secret-line-from-outside\n") -> Path:
    path = tmp_path.parent / f"{tmp_path.name}-{name}"
    path.write_bytes(data)
    return path


def _extrapath_symlink_out(root: Path, tmp: Path) -> None:
    (root / "data" / "more_units.csv").symlink_to(_outside(tmp, "units.csv"))
    set_resource(root, "units", extrapaths=["data/more_units.csv"])


def _symlink_out(root: Path, tmp: Path) -> None:
    outside = tmp.parent / f"{tmp.name}-outside.csv"
    outside.write_bytes((root / "data" / "units.csv").read_bytes())
    (root / "data" / "units.csv").unlink()
    (root / "data" / "units.csv").symlink_to(outside)


def _fifo(root: Path) -> None:
    (root / "data" / "units.csv").unlink()
    os.mkfifo(root / "data" / "units.csv")


# name → (how to craft the copy (root, tmp_path), the rule that must refuse it with exit 2)
UNUSABLE = {
    "absolute path": (lambda r, t: set_resource(r, "units", path=str(r / "data" / "units.csv")), "input.unsafe_path"),
    "path escaping with ..": (lambda r, t: set_resource(r, "units", path="../outside/units.csv"), "input.unsafe_path"),
    "symlink out of the tree": (_symlink_out, "input.unsafe_path"),
    "directory as path": (lambda r, t: set_resource(r, "units", path="data"), "input.not_a_file"),
    "FIFO as a table": (lambda r, t: _fifo(r), "input.not_a_file"),
    "URL as a schema": (
        lambda r, t: set_resource(r, "units", schema="http://127.0.0.1:9/units.json"),
        "input.unsafe_path",
    ),
    "custom profile": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "profile": "http://127.0.0.1:9/profile.json"}),
        "input.unsafe_path",
    ),
    "dialect as a URL": (
        lambda r, t: set_resource(r, "units", dialect="http://127.0.0.1:9/dialect.json"),
        "input.unsafe_path",
    ),
    "extrapaths through a symlink out": (_extrapath_symlink_out, "input.unsafe_path"),
    "licence path out of the package": (
        lambda r, t: set_resource(r, "source_text", licenses=[{"name": "x", "path": "../../etc/passwd"}]),
        "input.unsafe_path",
    ),
    "source path out of the package": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "sources": [{"title": "x", "path": "/etc/passwd"}]}),
        "input.unsafe_path",
    ),
    "package name with ../": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "name": "../data/figures"}),
        "input.unsafe_name",
    ),
    "package name into .git": (
        lambda r, t: save_descriptor(r, {**read_descriptor(r), "name": "../.git/hooks/pre-commit"}),
        "input.unsafe_name",
    ),
}


@pytest.mark.parametrize("name", UNUSABLE)
def test_crafted_input_is_refused_by_name(copy, tmp_path, name):
    refused_by_name(copy, tmp_path, *UNUSABLE[name])


def test_a_url_resource_is_never_fetched(copy):
    """A local server stands in for the network: validation must refuse the resource without one request."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b"unit,label_en,multiplier\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/leak.csv"
        descriptor = read_descriptor(copy)
        descriptor["resources"].append({"name": "leak", "path": url, "format": "csv"})
        save_descriptor(copy, descriptor)
        done = run_cli("--root", str(copy), "validate", "--json")
    finally:
        server.shutdown()
        server.server_close()
    data = json.loads(done.stdout)
    assert done.returncode == 2 and data["unusable"]["rule"] == "input.unsafe_path" and url in data["unusable"]["file"]
    assert requests == []


def test_sql_folder_outside_the_package_is_never_listed(copy, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-sql"
    outside.mkdir()
    (outside / "secret_name.sql").write_text("SELECT 1;", encoding="utf-8")
    import shutil

    shutil.rmtree(copy / "sql")
    (copy / "sql").symlink_to(outside)
    report = validate(copy)
    assert report.exit_code == 2 and "secret_name" not in report.unusable.message + report.unusable.file


def test_stamp_refuses_a_fifo_and_an_escaping_path(copy):
    _fifo(copy)
    done = run_cli("--root", str(copy), "stamp")
    assert done.returncode == 2 and "input.not_a_file" in done.stderr
    (copy / "data" / "units.csv").unlink()
    set_resource(copy, "units", path="../../etc/hostname")
    before = (copy / "datapackage.json").read_bytes()
    done = run_cli("--root", str(copy), "stamp")
    assert done.returncode == 2 and "input.unsafe_path" in done.stderr
    assert (copy / "datapackage.json").read_bytes() == before
