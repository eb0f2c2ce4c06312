"""Where the package lives and what it declares: one place that knows the layout."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

DESCRIPTOR = "datapackage.json"


def find_root(start: Path | None = None) -> Path:
    """The folder holding datapackage.json: the working directory or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DESCRIPTOR).is_file():
            return folder
    return here


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Package:
    """A checkout of the data package: the descriptor, its tables and their schemas."""

    root: Path

    @property
    def descriptor_path(self) -> Path:
        return self.root / DESCRIPTOR

    @cached_property
    def descriptor(self) -> dict:
        return json.loads(self.descriptor_path.read_text(encoding="utf-8"))

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
        return self.root / self.resource(name)["path"]

    def schema_path(self, name: str) -> Path:
        return self.root / self.resource(name)["schema"]

    @cached_property
    def _schemas(self) -> dict[str, dict]:
        return {}

    def schema(self, name: str) -> dict:
        """The table's Table Schema, parsed once per Package."""
        if name not in self._schemas:
            self._schemas[name] = json.loads(self.schema_path(name).read_text(encoding="utf-8"))
        return self._schemas[name]

    @property
    def seed_path(self) -> Path:
        return self.path_of("source_text")

    @cached_property
    def seed_text(self) -> str:
        return self.seed_path.read_text(encoding="utf-8")
