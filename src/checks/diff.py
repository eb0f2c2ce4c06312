"""`python -m checks diff BASE`: what a change does to the data, and which schema constraints it loosens.

A pull request may weaken a schema (drop a pattern, a foreign key, a primary key) and in the same change add rows
the old schema refused: validation then passes. So a reviewer sees, per table, the rows added, removed and changed
(cells old → new), and every constraint of `schemas/` and `datapackage.json` that BASE had and the working tree
dropped or loosened. Exit 1 when anything is loosened, 0 when not, 2 when BASE or the package cannot be read.
BASE is read with `git cat-file` (`--git-dir`, no pager or fsmonitor, never with the package as working folder).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checks.package import DESCRIPTOR, Package, files, parse_json
from checks.package.fields import primary_key
from checks.package.preflight import check_descriptor
from checks.validate.report import shown

#: Changed rows shown per table (the rest are counted).
SHOWN_ROWS = 50
#: A lower bound loosens when it falls, an upper bound when it rises.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")


@dataclass
class Diff:
    """Lines for the reader, and the constraints loosened (each one line)."""

    lines: list[str] = field(default_factory=list)
    loosened: list[str] = field(default_factory=list)


class _Base:
    """The files of one commit, read from git's object store, bounded in size."""

    def __init__(self, root: Path, ref: str):
        self.git_dir = root / ".git"
        if not self.git_dir.exists():
            raise files.refuse(
                "diff.not_a_repository",
                ".git",
                f"{root} is not a git checkout; diff compares with a commit of its history",
            )
        if not ref or ref.startswith("-"):
            raise files.refuse("diff.unknown_ref", ref or "(empty)", f"{ref!r} is not a git ref")
        done = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip()[:200] or "not found"
            raise files.refuse("diff.unknown_ref", ref, f"git cannot read {ref}: {why}")
        self.commit = done.stdout.decode("utf-8", "replace").strip()

    def _git(self, *args: str) -> subprocess.CompletedProcess:
        command = ["git", "--git-dir", str(self.git_dir), "-c", "core.fsmonitor=false", "--no-pager", *args]
        return subprocess.run(
            command,
            cwd="/",
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )

    def read(self, rel: str, kind: str = "file") -> bytes | None:
        """The file at BASE, or None if BASE has none there; a path out of the tree is refused."""
        path = PurePosixPath(rel) if isinstance(rel, str) else None
        if path is None or path.is_absolute() or ".." in path.parts or files.is_url(rel):
            raise files.refuse(
                "input.unsafe_path", str(rel), f"BASE names the path {rel!r}, which is not inside the package"
            )
        size = self._git("cat-file", "-s", f"{self.commit}:{rel}")
        if size.returncode != 0:
            return None
        if int(size.stdout) > files.limit(kind):
            raise files.refuse(
                "input.too_large",
                rel,
                f"{rel} at BASE is {int(size.stdout):,} bytes, over the limit of {files.limit(kind):,}",
            )
        blob = self._git("cat-file", "blob", f"{self.commit}:{rel}")
        blob.check_returncode()
        return blob.stdout


def _rows(raw: bytes | None, rel: str, key: list[str]) -> dict[tuple, dict]:
    """A CSV's rows by primary key (by line number when the key is missing from the header)."""
    if raw is None:
        return {}
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    except UnicodeDecodeError as err:
        raise files.refuse("input.encoding", rel, f"{rel} is not UTF-8 (byte {err.start})") from None
    rows = list(reader)
    usable = key and all(k in (reader.fieldnames or []) for k in key)
    return {tuple(row[k] for k in key) if usable else (f"line {n}",): row for n, row in enumerate(rows, 2)}


def _table_lines(name: str, old: dict[tuple, dict], new: dict[tuple, dict]) -> list[str]:
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    changed = [k for k in new if k in old and new[k] != old[k]]
    if not (added or removed or changed):
        return []
    lines = [f"{name}: {len(added)} added, {len(removed)} removed, {len(changed)} changed"]
    entries = [f"  + {'/'.join(k)}" for k in added] + [f"  - {'/'.join(k)}" for k in removed]
    for k in changed:
        cells = [f"{col}: {old[k].get(col)!r} → {value!r}" for col, value in new[k].items() if old[k].get(col) != value]
        entries.append(f"  ~ {'/'.join(k)}  " + "; ".join(cells))
    lines += [shown(line) for line in entries[:SHOWN_ROWS]]
    if len(entries) > SHOWN_ROWS:
        lines.append(f"  … and {len(entries) - SHOWN_ROWS} more")
    return lines


def _loosened_field(old: dict, new: dict | None) -> list[str]:
    """How one field's constraints were removed or loosened (an empty list when kept or tightened)."""
    if new is None:
        return ["removed, with its constraints"] if old.get("constraints") else []
    out = []
    if old.get("type", "string") != new.get("type", "string"):
        out.append(f"type {old.get('type', 'string')} → {new.get('type', 'string')}")
    before, after = old.get("constraints") or {}, new.get("constraints") or {}
    for name, value in before.items():
        now = after.get(name)
        if name not in after or (name in ("required", "unique") and now is not True and value is True):
            out.append(f"{name} {value!r} removed")
        elif name == "enum":
            extra = [v for v in now if v not in value] if isinstance(now, list) and isinstance(value, list) else [now]
            if extra:
                out.append(f"enum allows {extra!r} as well")
        elif name in LOWER_BOUNDS + UPPER_BOUNDS:
            try:
                looser = now < value if name in LOWER_BOUNDS else now > value
            except TypeError:
                looser = True
            if looser:
                out.append(f"{name} {value!r} → {now!r}")
        elif now != value:  # a pattern (or anything else) that changed: whether it is looser cannot be decided
            out.append(f"{name} {value!r} → {now!r}")
    return out


def _as_list(value) -> list:
    return [value] if isinstance(value, (str, dict)) else list(value or [])


def loosened_schema(rel: str, old: dict, new: dict) -> list[str]:
    """Every constraint of the old Table Schema that the new one drops or loosens, one line each."""
    out = []
    fields = {f.get("name"): f for f in new.get("fields", []) if isinstance(f, dict)}
    for f in old.get("fields", []):
        if isinstance(f, dict):
            out += [f"{rel}: field {f.get('name')}: {what}" for what in _loosened_field(f, fields.get(f.get("name")))]
    if primary_key(old) and primary_key(old) != primary_key(new):
        out.append(f"{rel}: primaryKey {primary_key(old)!r} → {primary_key(new) or 'none'!r}")
    for name in ("foreignKeys", "uniqueKeys"):
        kept = _as_list(new.get(name))
        out += [f"{rel}: {name} entry removed: {entry!r}" for entry in _as_list(old.get(name)) if entry not in kept]
    extra = [v for v in _as_list(new.get("missingValues", [""])) if v not in _as_list(old.get("missingValues", [""]))]
    if extra:
        out.append(f"{rel}: missingValues also treats {extra!r} as missing")
    return out


def loosened_descriptor(old: dict, new: dict) -> list[str]:
    """What datapackage.json itself loosens: a resource dropped or no longer a table, its dialect, profile or $schema
    changed."""
    out = []
    for key in ("profile", "$schema"):
        if old.get(key) != new.get(key):
            out.append(f"{DESCRIPTOR}: {key} {old.get(key)!r} → {new.get(key)!r}")
    current = {r.get("name"): r for r in new.get("resources", []) if isinstance(r, dict)}
    for res in old.get("resources", []):
        name = res.get("name") if isinstance(res, dict) else None
        now = current.get(name)
        if now is None:
            out.append(f"{DESCRIPTOR}: resource {name} removed")
            continue
        for key in ("type", "dialect", "profile", "encoding", "format"):
            if res.get(key) != now.get(key):
                out.append(f"{DESCRIPTOR}: resource {name}: {key} {res.get(key)!r} → {now.get(key)!r}")
    return out


def diff(root: Path, ref: str) -> Diff:
    """The data and constraint changes from BASE (ref) to the working tree of the package at root."""
    base = _Base(root, ref)
    package = check_descriptor(Package(root))
    raw = base.read(DESCRIPTOR, "json")
    old = parse_json(raw, f"{DESCRIPTOR} at {ref}") if raw is not None else {"resources": []}
    result = Diff([f"diff of the package against {ref} ({base.commit[:12]})"])
    result.loosened += loosened_descriptor(old, package.descriptor)
    old_tables = {
        r["name"]: r
        for r in old.get("resources", [])
        if isinstance(r, dict) and r.get("type") == "table" and isinstance(r.get("name"), str)
    }
    for name in dict.fromkeys([*old_tables, *package.table_names]):
        before = old_tables.get(name)
        old_schema = (
            parse_json(base.read(before["schema"], "json") or b"{}", f"{before['schema']} at {ref}") if before else {}
        )
        new_schema = package.schema(name) if name in package.table_names else {}
        if before:
            result.loosened += loosened_schema(
                package.resource(name)["schema"] if new_schema else before["schema"], old_schema, new_schema
            )
        key = primary_key(new_schema or old_schema)
        new_rows = (
            _rows(files.read_bytes(package.path_of(name), package.resource(name)["path"]), name, key)
            if new_schema
            else {}
        )
        old_rows = _rows(base.read(before["path"]), name, key) if before else {}
        result.lines += _table_lines(name, old_rows, new_rows)
    if len(result.lines) == 1:
        result.lines.append("no rows added, removed or changed")
    if result.loosened:
        result.lines += [
            f"LOOSENED ({len(result.loosened)}): constraints that {ref} had and this change removes or weakens"
        ]
        result.lines += [f"  {shown(line)}" for line in result.loosened]
    else:
        result.lines.append("no constraint removed or loosened")
    return result
