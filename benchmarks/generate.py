"""Synthetic packages that repeat the real one k times, valid by construction, so that validation can be timed at scale.

Nothing here knows this report: keys and references come from each schema's primaryKey and foreignKeys, offsets
from columns named char_start/char_end, the seed from the resource `source_text`. A table another branch adds is
repeated the same way. Copy 0 keeps the real keys; copy i ≥ 1 gets `<key>_<i>` in every key column and in every
foreign key that points at one, offsets shifted by i·len(seed) into a seed repeated k times, unique integers shifted
past the previous copy. Schemas are relaxed only where repetition demands it (key patterns accept the suffix,
offset and unique-integer maxima grow), then sizes and hashes are restamped and the seed pin rewritten.

    python -m benchmarks.generate OUT --times 100
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

from checks.package import Package
from checks.package.fields import primary_key
from checks.package.preflight import SEED_PIN
from checks.package.stamp import stamp

ROOT = Path(__file__).resolve().parents[1]
OFFSETS = ("char_start", "char_end")
COPIED = ("schemas", "sql", "seeds")


def _fields(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def renamed_columns(package: Package) -> dict[str, set[str]]:
    """table → the string columns whose values get a per-copy suffix: own keys, then every foreign key to one."""
    own: dict[str, set[str]] = {}
    for table in package.table_names:
        schema = package.schema(table)
        types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
        enums = {f["name"] for f in schema["fields"] if "enum" in f.get("constraints", {})}
        foreign = {name for fk in schema.get("foreignKeys", []) for name in _fields(fk["fields"])}
        key = primary_key(schema)
        unique = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
        # a composite key made unique by its foreign members keeps its other members (an enum, say) as they are
        candidates = key if not (set(key) & foreign) else []
        own[table] = {c for c in (*candidates, *unique) if types[c] == "string" and c not in foreign and c not in enums}
    renamed = {t: set(cols) for t, cols in own.items()}
    changed = True
    while changed:  # a foreign key to a renamed column is renamed too (chains of references included)
        changed = False
        for table in package.table_names:
            for fk in package.schema(table).get("foreignKeys", []):
                target = fk["reference"].get("resource") or table
                for mine, theirs in zip(_fields(fk["fields"]), _fields(fk["reference"]["fields"])):
                    if theirs in renamed.get(target, ()) and mine not in renamed[table]:
                        renamed[table].add(mine)
                        changed = True
    return renamed


def shifted_integers(package: Package, table: str, rows: list[dict]) -> dict[str, int]:
    """Unique integer columns (not offsets) → the step that keeps copies apart: the column's maximum + 1."""
    steps = {}
    for f in package.schema(table)["fields"]:
        name = f["name"]
        if f.get("type") == "integer" and f.get("constraints", {}).get("unique") and name not in OFFSETS:
            values = [int(r[name]) for r in rows if r[name] != ""]
            steps[name] = (max(values) + 1) if values else 1
    return steps


def relaxed_schema(schema: dict, renamed: set[str], steps: dict[str, int], seed_length: int, times: int) -> dict:
    """The schema with key patterns accepting the suffix and maxima grown for shifted offsets and integers."""
    schema = json.loads(json.dumps(schema))
    for f in schema["fields"]:
        c = f.get("constraints", {})
        if f["name"] in renamed and "pattern" in c:
            c["pattern"] = (
                f"(?:{c['pattern']})(?:_[0-9]{{1,9}})?"  # bounded: the validator refuses two unbounded repeats
            )
        if "maximum" in c:
            if f["name"] in OFFSETS:
                c["maximum"] += (times - 1) * seed_length
            elif f["name"] in steps:
                c["maximum"] += (times - 1) * steps[f["name"]]
    return schema


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write_copies(
    path: Path,
    header: list[str],
    rows: list[dict],
    times: int,
    renamed: set[str],
    steps: dict[str, int],
    seed_length: int,
) -> None:
    """The table repeated `times` times, streamed copy by copy (RFC 4180, minimal quoting, LF)."""
    offsets = [c for c in OFFSETS if c in header]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for i in range(times):
            buf = io.StringIO()
            block = csv.writer(buf, lineterminator="\n")
            for row in rows:
                new = dict(row)
                if i:
                    for c in renamed:
                        if new[c] != "":
                            new[c] = f"{new[c]}_{i}"
                    for c in offsets:
                        if new[c] != "":
                            new[c] = str(int(new[c]) + i * seed_length)
                    for c, step in steps.items():
                        if new[c] != "":
                            new[c] = str(int(new[c]) + i * step)
                block.writerow([new[c] for c in header])
            out.write(buf.getvalue())


def _pin_seed(out: Path, seed_rel: str, data: bytes) -> None:
    """Rewrite the seed's line of its SHA256SUMS (other lines kept) with the repeated seed's hash."""
    seed = out / seed_rel
    pin = seed.parent / SEED_PIN
    lines = pin.read_text(encoding="utf-8").splitlines() if pin.exists() else []
    digest = hashlib.sha256(data).hexdigest()
    kept = [line for line in lines if line.strip() and line.split()[-1].lstrip("*") != seed.name]
    pin.write_text("\n".join([*kept, f"{digest}  {seed.name}"]) + "\n", encoding="utf-8")


def generate(out: Path, times: int, source: Path = ROOT) -> Path:
    """Write the package at `source` repeated `times` times into `out` (created or replaced); returns out."""
    package = Package(source)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for part in COPIED:
        if (source / part).is_dir():
            shutil.copytree(source / part, out / part)
    seed_rel = package.resource("source_text")["path"]
    seed_text = package.seed_text
    seed_bytes = (seed_text * times).encode("utf-8")
    (out / seed_rel).write_bytes(seed_bytes)
    _pin_seed(out, seed_rel, seed_bytes)
    renamed = renamed_columns(package)
    for table in package.table_names:
        res = package.resource(table)
        header, rows = _read(package.path_of(table))
        steps = shifted_integers(package, table, rows)
        schema = relaxed_schema(package.schema(table), renamed[table], steps, len(seed_text), times)
        (out / res["schema"]).write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (out / res["path"]).parent.mkdir(parents=True, exist_ok=True)
        _write_copies(out / res["path"], header, rows, times, renamed[table], steps, len(seed_text))
    shutil.copy2(source / "datapackage.json", out / "datapackage.json")
    stamp(Package(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the package repeated k times (valid, restamped) into OUT.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--source", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    generate(args.out, args.times, args.source)
    print(f"wrote {args.out} ({args.times}×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
