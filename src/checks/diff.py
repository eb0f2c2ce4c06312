"""`python -m checks diff BASE`: what a change does to the data, and which schema constraints it loosens.

A pull request may weaken a schema (drop a pattern, a foreign key, a primary key) and in the same change add rows
the old schema refused: validation then passes. So a reviewer sees, per table, the rows added, removed and changed
(cells old → new), and every constraint of `schemas/` and `datapackage.json` that BASE had and the working tree
dropped or loosened. Exit 1 when anything is loosened, 0 when not, 2 when BASE or the package cannot be read.
BASE is read with `git cat-file` (`--git-dir`, no pager or fsmonitor, never with the package as working folder).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checks.package import DESCRIPTOR, Package, files, parse_json
from checks.package.csv_bytes import check_row_count
from checks.package.fields import primary_key
from checks.package.preflight import PROFILE_KEYS, check_descriptor
from checks.problems import UnusableInput, shown

#: How much of a BASE folder's listing (seeds/, sql/) diff reads: they hold a few files.
MAX_LISTING_BYTES = 2**20
#: Changed rows shown per table (the rest are counted).
SHOWN_ROWS = 50
#: A lower bound loosens when it falls, an upper bound when it rises.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")

#: Settings every git call gets on its command line (they reach any git it starts): no transport at all (so no lazy
#: fetch of a partial clone and no `uploadpack` command), no fsmonitor, no hooks.
GIT_OVERRIDES = {"protocol.allow": "never", "core.fsmonitor": "false", "core.hooksPath": "/dev/null"}
#: The private git directory's own config: a plain repository, no extensions (so no partial clone).
GIT_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
#: Folders BASE is compared in whole: a changed seed or view can change what the data says without a row changing.
WATCHED_FOLDERS = ("seeds", "sql")


@dataclass
class Diff:
    """Lines for the reader, and the constraints loosened (each one line)."""

    lines: list[str] = field(default_factory=list)
    loosened: list[str] = field(default_factory=list)


def _git_environment() -> dict[str, str]:
    """The environment without any GIT_* variable (GIT_DIR, GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_CONFIG_PARAMETERS
    …), without the system and global config, and with lazy fetching (git ≥ 2.44), replace refs and prompts off."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {
        **kept,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_PROTOCOL_FROM_USER": "0",
    }


def _unsafe(rel: str, why: str) -> UnusableInput:
    return files.refuse("diff.unsafe_repository", rel, f"{rel} {why}; diff reads only the package's own history")


def _check_repository(root: Path, source: Path) -> None:
    """The parts of .git that diff reads are the package's own: no symlink among them, no alternates, no partial
    clone (whose missing objects git would fetch by running the remote's command)."""
    for name in ("objects", "refs"):
        top = source / name
        if top.is_symlink() or not top.is_dir():
            raise _unsafe(f".git/{name}", "is a symlink or not a folder")
        for folder, dirs, names in os.walk(top):
            for entry in (*dirs, *names):
                if os.path.islink(os.path.join(folder, entry)):
                    raise _unsafe(Path(folder, entry).relative_to(root).as_posix(), "is a symlink")
    for name in ("HEAD", "packed-refs", "config", "objects/info/alternates", "objects/info/http-alternates"):
        path = source / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise _unsafe(f".git/{name}", "is a symlink or not a regular file")
        if "alternates" in name and path.exists():
            raise _unsafe(f".git/{name}", "borrows objects from another repository")
    if (source / "config").is_file():
        _check_config(source / "config")


def _check_config(path: Path) -> None:
    """Refuse a partial clone: git would fetch each missing object from its promisor remote (running its command)."""
    done = subprocess.run(
        ["git", "config", "--file", str(path), "--no-includes", "--list", "-z"],
        cwd="/",
        capture_output=True,
        timeout=60,
        check=False,
        env=_git_environment(),
    )
    if done.returncode != 0:
        raise _unsafe(".git/config", "cannot be read by git config")
    for entry in done.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = entry.partition("\n")
        key = key.lower()
        if key == "extensions.partialclone" or (key.startswith("remote.") and key.endswith(".promisor")):
            raise _unsafe(".git/config", f"declares a partial clone ({key} = {shown(value)[:80]})")


def _private_git_dir(source: Path, target: Path) -> None:
    """A git directory of our own (our config, the package's HEAD) whose refs and objects are the package's."""
    (target / "config").write_text(GIT_CONFIG, encoding="utf-8")
    head = files.head(source / "HEAD", ".git/HEAD", 4096) if (source / "HEAD").is_file() else b"ref: refs/heads/main\n"
    (target / "HEAD").write_bytes(head)
    for name in ("objects", "refs", "packed-refs"):
        if (source / name).exists():
            (target / name).symlink_to(source / name)


class _Base:
    """The files of one commit, read from the package's own `.git` with a git that runs nothing the repository names.

    A downloaded package may hold a `.git` crafted to run commands (a promisor remote's `uploadpack`, `core.*`
    commands, hooks) or to read another repository (a `.git` file or symlink, alternates, a symlinked object). So:
    `.git` must be a directory inside the root with no symlink under its refs and objects, no alternates and no
    partial clone; git runs on a git directory of our own (our config: no transport, no fsmonitor, no hooks) whose
    refs and objects are the package's, with no system or global config and no GIT_* variable from outside."""

    def __init__(self, root: Path, ref: str):
        source = root / ".git"
        if not source.is_dir() or source.is_symlink():
            why = "a symlink" if source.is_symlink() else "a file (gitdir: …)" if source.exists() else "missing"
            raise files.refuse(
                "diff.not_a_repository",
                ".git",
                f"{root}/.git is {why}; diff reads only a .git directory inside the package",
            )
        if not ref or ref.startswith("-"):
            raise files.refuse("diff.unknown_ref", ref or "(empty)", f"{ref!r} is not a git ref")
        _check_repository(root, source)
        self._folder = tempfile.TemporaryDirectory(prefix="checks-git-")
        self.git_dir = Path(self._folder.name)
        try:
            _private_git_dir(source, self.git_dir)
            done = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
            if done.returncode != 0:
                why = done.stderr.decode("utf-8", "replace").strip()[:200] or "not found"
                raise files.refuse("diff.unknown_ref", ref, f"git cannot read {ref}: {shown(why)}")
        except BaseException:
            self.close()
            raise
        self.commit = done.stdout.decode("utf-8", "replace").strip()

    def close(self) -> None:
        self._folder.cleanup()

    def _command(self, *args: str) -> list[str]:
        overrides = [f"{key}={value}" for key, value in GIT_OVERRIDES.items()]
        return ["git", "--git-dir", str(self.git_dir), *(a for o in overrides for a in ("-c", o)), "--no-pager", *args]

    def _git(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._command(*args), cwd="/", capture_output=True, timeout=60, check=False, env=_git_environment()
        )

    def read(self, rel: str, kind: str = "file") -> bytes | None:
        """The file at BASE, or None if BASE has none there; a path out of the tree is refused, and so is a file the
        tree names whose object is missing (a partial clone would fetch it)."""
        path = PurePosixPath(rel) if isinstance(rel, str) else None
        if path is None or path.is_absolute() or ".." in path.parts or files.is_url(rel):
            raise files.refuse(
                "input.unsafe_path", str(rel), f"BASE names the path {rel!r}, which is not inside the package"
            )
        named = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{self.commit}:{rel}")
        if named.returncode != 0:
            return None
        blob = named.stdout.decode("ascii", "replace").strip()
        size = self._git("cat-file", "-s", blob)
        if size.returncode != 0:
            raise files.refuse(
                "diff.missing_object",
                rel,
                f"{rel} at BASE names object {blob[:12]}, which .git does not hold; diff never fetches",
            )
        if int(size.stdout) > files.limit(kind):
            raise files.refuse(
                "input.too_large",
                rel,
                f"{rel} at BASE is {int(size.stdout):,} bytes, over the limit of {files.limit(kind):,}",
            )
        data = self._git("cat-file", "blob", blob)
        data.check_returncode()
        return data.stdout

    def listing(self, folder: str) -> dict[str, str]:
        """Path → blob id of every file under folder at BASE (empty when BASE has no such folder)."""
        command = self._command("ls-tree", "-r", "-z", "--full-tree", self.commit, "--", folder)
        with subprocess.Popen(
            command, cwd="/", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_git_environment()
        ) as listed:
            out = listed.stdout.read(MAX_LISTING_BYTES + 1)  # never more: a tree of a billion paths fits in 1 MB
            if len(out) > MAX_LISTING_BYTES:
                listed.kill()
                raise files.refuse(
                    "diff.too_large",
                    folder,
                    f"{folder}/ at BASE lists more than {MAX_LISTING_BYTES:,} bytes of files; diff refuses to read it",
                )
            returncode = listed.wait(timeout=60)
        found = {}
        for entry in out.decode("utf-8", "replace").split("\0") if returncode == 0 else []:
            info, _, path = entry.partition("\t")
            if path:
                found[path] = info.split()[-1]
        return found


def _rows(raw: bytes | None, rel: str, key: list[str]) -> dict[tuple, dict]:
    """A CSV's rows by primary key (by line number when the key is missing from the header)."""
    if raw is None:
        return {}
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    except UnicodeDecodeError as err:
        raise files.refuse("input.encoding", rel, f"{rel} is not UTF-8 (byte {err.start})") from None
    check_row_count(raw, rel)  # either side: the limit validation applies, before any row is held
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
    before = {f.get("name") for f in old.get("fields", []) if isinstance(f, dict)}
    for name, f in fields.items():
        constraints = f.get("constraints") if isinstance(f.get("constraints"), dict) else {}
        if name not in before and f.get("type", "string") == "string" and not {"pattern", "enum"} & set(constraints):
            out.append(f"{rel}: field {name} added without a pattern or enum (any text passes)")
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
    for key in PROFILE_KEYS:
        if old.get(key) != new.get(key):
            out.append(f"{DESCRIPTOR}: {key} {old.get(key)!r} → {new.get(key)!r}")
    current = {r.get("name"): r for r in new.get("resources", []) if isinstance(r, dict)}
    for res in old.get("resources", []):
        name = res.get("name") if isinstance(res, dict) else None
        now = current.get(name)
        if now is None:
            out.append(f"{DESCRIPTOR}: resource {name} removed")
            continue
        for key in ("type", "dialect", "encoding", "format", *PROFILE_KEYS):
            if res.get(key) != now.get(key):
                out.append(f"{DESCRIPTOR}: resource {name}: {key} {res.get(key)!r} → {now.get(key)!r}")
    return out


def _blob_id(data: bytes) -> str:
    """The id git gives a file's bytes (sha1 of its blob object)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _watched_files(root: Path) -> dict[str, str]:
    """Path → blob id of every file under the watched folders of the working tree, each read through the checks."""
    found = {}
    for folder in WATCHED_FOLDERS:
        top = files.resolve_inside(root, folder, "diff")
        for path in sorted(top.rglob("*")) if top.is_dir() else []:
            rel = path.relative_to(root.resolve()).as_posix()
            if path.is_symlink() or path.is_file():
                found[rel] = _blob_id(files.read_bytes(files.regular_file(root, rel, "diff"), rel))
    return found


def changed_files(base: dict[str, str], now: dict[str, str]) -> list[str]:
    """One line for each file of seeds/ or sql/ that the change adds, removes or edits."""
    out = []
    for rel in sorted({*base, *now}):
        what = (
            "added" if rel not in base else "removed" if rel not in now else "changed" if base[rel] != now[rel] else ""
        )
        if what:
            out.append(f"{rel}: {what} (the seed and the SQL can change what the data says without a row changing)")
    return out


def diff(root: Path, ref: str) -> Diff:
    """The data and constraint changes from BASE (ref) to the working tree of the package at root."""
    base = _Base(root, ref)
    try:
        return _diff(root, ref, base)
    finally:
        base.close()


def _diff(root: Path, ref: str, base: _Base) -> Diff:
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
    result.loosened += changed_files(
        {k: v for f in WATCHED_FOLDERS for k, v in base.listing(f).items()}, _watched_files(root)
    )
    if result.loosened:
        result.lines += [
            f"LOOSENED ({len(result.loosened)}): constraints that {ref} had and this change removes or weakens"
        ]
        result.lines += [f"  {shown(line)}" for line in result.loosened]
    else:
        result.lines.append("no constraint removed or loosened")
    return result
