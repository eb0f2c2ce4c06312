"""Where the package lives and what it declares: one place that knows the layout. Every path the descriptor names
goes through `files`: inside the root, a regular file, bounded in size."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from checks.package import files

DESCRIPTOR = "datapackage.json"
#: The tables the rules read: each must be declared as a table resource, or the package cannot be validated.
REQUIRED_TABLES = (
    "sections",
    "indicators",
    "units",
    "readings",
    "figures",
    "figure_readings",
    "non_figures",
    "relations",
    "relation_terms",
    "sources",
    "corroborations",
    "sentences",
)


def find_root(start: Path | None = None) -> Path:
    """The folder holding datapackage.json: the working directory or one of its parents."""
    here = (start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if (folder / DESCRIPTOR).is_file()), here)


def sha256_of(path: Path, rel: str | None = None) -> str:
    return hashlib.sha256(files.read_bytes(path, rel or path.name)).hexdigest()


def read_json(root: Path, rel: str, what: str) -> object:
    """A JSON document of the package, parsed; a missing, unsafe, oversized or malformed one is UnusableInput."""
    return parse_json(files.read_bytes(files.regular_file(root, rel, what), rel, "json"), rel)


def parse_json(raw: bytes, rel: str) -> object:
    """JSON bytes of the package (named rel), parsed strictly: UTF-8, finite numbers (1e400, NaN and Infinity are
    refused, so that no command ever writes one), no key twice in an object (readers disagree on which value wins)."""

    def malformed(why: str) -> files.UnusableInput:
        return files.refuse("input.malformed_json", rel, f"{rel} is not valid JSON: {why}")

    def finite(text: str) -> float:
        if not math.isfinite(float(text)):
            raise malformed(f"the number {text} is out of range")
        return float(text)

    def constant(text: str) -> float:
        raise malformed(f"{text} is not a JSON number")

    def integer(text: str) -> int:
        try:
            return int(text)
        except ValueError:  # over Python's limit of digits for a conversion (4,300)
            raise malformed(f"a number of {len(text):,} digits is too long") from None

    def unique_keys(pairs: list[tuple[str, object]]) -> dict:
        seen: dict = {}
        for key, value in pairs:
            if key in seen:
                key = json.dumps(key, ensure_ascii=False)
                raise files.refuse(
                    "input.duplicate_key",
                    rel,
                    f"{rel} names the key {key} twice in one object; JSON "
                    "readers disagree on which value wins, so the file is refused",
                    found=key,
                )
            seen[key] = value
        return seen

    try:
        text = raw.decode("utf-8")
        parsed = json.loads(
            text, parse_float=finite, parse_int=integer, parse_constant=constant, object_pairs_hook=unique_keys
        )
    except UnicodeDecodeError as err:
        raise files.refuse("input.encoding", rel, f"{rel} is not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise malformed(f"{err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:
        raise files.refuse("input.malformed_json", rel, f"{rel} nests too deeply to be read") from None
    escaped = "\\ud" in text or "\\uD" in text  # only a \\u escape can make a lone surrogate
    where = lone_surrogate(parsed) if escaped else None
    if where is not None:
        raise files.refuse(
            "input.encoding",
            rel,
            f"{rel}: {where} holds a lone surrogate escape (\\ud800-\\udfff without its pair), which no UTF-8 file "
            "can hold",
            row=where,
        )
    return parsed


def lone_surrogate(value: object, where: str = "") -> str | None:
    """Where in parsed JSON or YAML (`resources[2].title`) a string or key holds a lone surrogate, if anywhere."""
    pending = [(value, where)]
    while pending:
        item, at = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return at or "the document"
        elif isinstance(item, dict):
            for key, inner in item.items():
                key_text = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
                named = f"{at}.{key_text}" if at else key_text
                pending += [(key, named), (inner, named)]
        elif isinstance(item, list):
            pending += [(inner, f"{at}[{i}]") for i, inner in enumerate(item)]
    return None


@dataclass(frozen=True)
class Package:
    """A checkout of the data package: the descriptor, its tables and their schemas."""

    root: Path

    @cached_property
    def descriptor(self) -> dict:
        return read_json(self.root, DESCRIPTOR, "the package descriptor")

    def save_descriptor(self) -> None:
        """Write the descriptor as held (`stamp` and `charts` change it in place) to datapackage.json, atomically: the
        one layout (two-space indent, UTF-8, final newline) and finite numbers only."""
        text = json.dumps(self.descriptor, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        files.write_atomic(self.root, DESCRIPTOR, text.encode("utf-8"))

    @property
    def resources(self) -> list[dict]:
        return self.descriptor["resources"]

    @property
    def tables(self) -> list[dict]:
        """The tabular resources, in descriptor order."""
        return [r for r in self.resources if r.get("type") == "table"]

    @property
    def table_names(self) -> list[str]:
        return [r["name"] for r in self.tables]

    def resource(self, name: str) -> dict:
        return next(r for r in self.resources if r["name"] == name)

    def path_of(self, name: str) -> Path:
        """The resource's file, checked to be a regular file inside the package."""
        return files.regular_file(self.root, self.resource(name)["path"], f"resource {name}")

    @cached_property
    def _schemas(self) -> dict[str, dict]:
        return {}

    def schema(self, name: str) -> dict:
        """The table's Table Schema, parsed once per Package."""
        if name not in self._schemas:
            self._schemas[name] = read_json(self.root, self.resource(name)["schema"], f"schema of resource {name}")
        return self._schemas[name]

    def sql_path(self, name: str) -> Path:
        """A file of sql/, checked like any resource."""
        return files.regular_file(self.root, f"sql/{name}", "package SQL")

    def read_text(self, path: Path) -> str:
        """A checked file's text (UTF-8), bounded in size; text in another encoding is unusable input naming the
        file."""
        try:
            rel = path.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = path.name
        raw = files.read_bytes(path, rel)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise files.refuse(
                "input.encoding",
                rel,
                f"{rel} is not UTF-8: invalid byte 0x{raw[err.start]:02x} on line {line}; re-save it as UTF-8",
                row=f"line {line}",
            ) from None

    @property
    def seed_path(self) -> Path:
        return self.path_of("source_text")

    @cached_property
    def seed_text(self) -> str:
        return self.read_text(self.seed_path)
