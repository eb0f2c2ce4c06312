"""Can the package be validated at all, safely? Each failure here is unusable input (exit code 2).

Refused before anything else reads a file: a path that is a URL, absolute, outside the package (by `..` or a
symlink), a directory, FIFO or device, or over the size limit; a `profile` frictionless would fetch; names that are
not plain snake_case; an undeclared file of sql/ (an edited view must show as a stale hash). Then: a missing or
malformed descriptor, schema, table or seed, or a seed whose sha256 differs from its pin or the descriptor. A table's
own bytes are checked as it loads (`csv_bytes`). Tolerated: no final newline, needless quotes, extra metadata.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from functools import cache
from re import _constants as sre  # the parse tree Python's re itself backtracks over
from re import _parser as sre_parse

from checks.package import DESCRIPTOR, REQUIRED_TABLES, Package, files, sha256_of
from checks.package.fields import CSV_DIALECT, DUCKDB_TYPES
from checks.problems import shown

SEED_PIN = "SHA256SUMS"
SQL_FOLDER = "sql"
#: Names that generated SQL and file names can carry safely (they are quoted as well).
SAFE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
#: A group that repeats and itself holds a repetition ((a+)+, (a*)*): a pattern that can take exponential time.
NESTED_REPEAT = re.compile(r"\([^()]*[+*}][^()]*\)[+*{]")
#: The Data Package name pattern (lower case, digits, . _ -), starting with a letter or digit: build names files
#: after it.
PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
#: The one hash the package uses (what `stamp` writes and frictionless verifies).
SHA256 = re.compile(r"sha256:[0-9a-f]{64}")
#: How compressed files start (gzip, zip, bzip2, xz, zstd, 7z, lz4) and the names they go by.
COMPRESSED_MAGIC = (
    b"\x1f\x8b",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
    b"7z\xbc\xaf\x27\x1c",
    b"\x04\x22\x4d\x18",
)
COMPRESSED_FORMATS = {"gz", "gzip", "zip", "bz2", "xz", "zst", "zstd", "7z", "lz4", "tgz", "tar", "br"}
#: A pattern may hold one unbounded repetition, and its bounded choices (optional parts, alternatives, {m,n}) may
#: multiply to at most this: then Python's re (frictionless) tries at most this many paths per character.
MAX_PATTERN_CHOICES = 64
_CHARACTER = {sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN}
#: Profiles frictionless knows without fetching anything.
STANDARD_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
#: The standard profiles by URL (`$schema`), which frictionless recognises without fetching them.
STANDARD_PROFILE_URL = re.compile(
    r"https://datapackage\.org/profiles/[12]\.0/(datapackage|dataresource|tableschema|tabledialect)\.json"
)
#: A version names the release files: ASCII only.
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]{0,63}", re.ASCII)
#: Excel's limits on a worksheet name (each table is one); "about" is the workbook's first sheet.
MAX_SHEET_NAME = 31
RESERVED_SHEETS = {"about", "history"}
#: Every key that names a profile, on a package, a resource or a schema.
PROFILE_KEYS = ("profile", "profiles", "$schema")

_unusable = files.refuse


def check_descriptor(package: Package) -> Package:
    """The package, its descriptor safe to follow: names plain, paths regular files inside it, sql/ declared."""
    descriptor = package.descriptor
    if not isinstance(descriptor, dict):
        raise _unusable("input.malformed_json", DESCRIPTOR, f"{DESCRIPTOR} must hold a JSON object")
    _check_profile(descriptor, "the package")
    check_package_name(descriptor)
    _check_version_and_created(descriptor)
    _check_other_paths(package.root, descriptor, "the package")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        raise _unusable("input.malformed_descriptor", DESCRIPTOR, "datapackage.json has no resources list")
    names = []
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            raise _unusable("input.malformed_descriptor", DESCRIPTOR, f"resource #{i + 1} needs a name")
        name = res["name"]
        if not SAFE_NAME.fullmatch(name):
            raise _unusable(
                "input.unsafe_name",
                DESCRIPTOR,
                f"resource #{i + 1}: name {name!r} must be snake_case ([a-z][a-z0-9_]*, at most 63 characters)",
            )
        if name in names:
            raise _unusable("input.malformed_descriptor", DESCRIPTOR, f"resource name {name!r} is declared twice")
        names.append(name)
        _check_sheet_name(res, name)
        _check_resource(package, res, name)
    if "source_text" not in names:
        raise _unusable("input.malformed_descriptor", DESCRIPTOR, "resource source_text (the seed) is not declared")
    tables = {r["name"] for r in resources if r.get("type") == "table"}
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise _unusable(
            "input.missing_resource",
            DESCRIPTOR,
            f'the rules need table resource(s) {", ".join(missing)} (declared with "type": "table")',
        )
    _check_sql_declared(package)
    return package


def check_package_name(descriptor: dict) -> None:
    """The package name becomes file names in dist/: only the Data Package name pattern, never a path."""
    name = descriptor.get("name")
    if name is not None and not (isinstance(name, str) and PACKAGE_NAME.fullmatch(name)):
        raise _unusable(
            "input.unsafe_name",
            DESCRIPTOR,
            f"the package name {str(name)[:80]!r} must match the Data Package name pattern "
            "(lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters)",
            found=str(name)[:200],
        )


def created_utc(value: object) -> datetime:
    """The descriptor's `created` as a naive date-time in UTC (one with an offset converted, one without taken as
    UTC), as validation checks it and the workbook and the zip are dated by it; ValueError or OverflowError if it
    cannot be read."""
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _check_version_and_created(descriptor: dict) -> None:
    """The version names the release files, and `created` dates the workbook and the zip's entries: an ASCII version
    (full-width digits and Roman numerals are alphanumeric too), and a date-time that exists in UTC within the years
    a zip can date (1980-2107)."""
    version = descriptor.get("version")
    if version is not None and not (isinstance(version, str) and VERSION.fullmatch(version)):
        raise _unusable(
            "input.malformed_descriptor",
            DESCRIPTOR,
            f"version {shown(str(version)[:80])!r} must be ASCII letters and digits with '.', '-' or '+' "
            "(it names the release files), starting with a letter or digit",
            row="version",
            found=shown(str(version)[:200]),
        )
    created = descriptor.get("created")
    if created is None:
        return
    try:
        usable = isinstance(created, str) and 1980 <= created_utc(created).year <= 2107
    except (ValueError, OverflowError):
        usable = False
    if not usable:
        raise _unusable(
            "input.malformed_descriptor",
            DESCRIPTOR,
            f"created {shown(str(created)[:80])!r} must be an ISO 8601 date-time between 1980 and 2107 in UTC "
            "(it dates the workbook and the release zip's entries)",
            row="created",
            found=shown(str(created)[:200]),
        )


def _check_sheet_name(res: dict, name: str) -> None:
    """A table becomes a worksheet of the workbook: Excel allows 31 characters and keeps "About" (the first sheet)
    and "History"."""
    if res.get("type") == "table" and (len(name) > MAX_SHEET_NAME or name.lower() in RESERVED_SHEETS):
        raise _unusable(
            "input.unsafe_name",
            DESCRIPTOR,
            f"table {name!r} becomes a worksheet: at most {MAX_SHEET_NAME} characters, and not "
            + " or ".join(sorted(RESERVED_SHEETS)),
            row=name,
        )


def _check_other_paths(root, holder: dict, what: str) -> None:
    """Every further path a descriptor can name: the parts of a multipart resource (`extrapaths`) are files frictionless
    reads, so each is a regular file inside the package; a licence, source or contributor path that is not a URL must
    stay inside the package too (URLs there are links, never fetched)."""
    extra = holder.get("extrapaths", [])
    for part in extra if isinstance(extra, list) else [extra]:
        files.regular_file(root, part, f"{what}: extrapaths")
    for key in ("licenses", "sources", "contributors"):
        entries = holder.get(key, [])
        for entry in entries if isinstance(entries, list) else [entries]:
            path = entry.get("path") if isinstance(entry, dict) else None
            if path is not None and not (isinstance(path, str) and files.is_url(path)):
                files.resolve_inside(root, path, f"{what}: {key}")


def _check_uncompressed(root, res: dict, name: str) -> None:
    """No compressed resource: frictionless would decompress it without bound (9 MB of gzip held 2 GiB of rows)."""
    path = res["path"]
    declared = {str(res.get(k, "")).lower() for k in ("compression", "format")} | {path.rsplit(".", 1)[-1].lower()}
    head = files.head(files.regular_file(root, path, f"resource {name}"), path, 8)
    if "compression" in res or "innerpath" in res or declared & COMPRESSED_FORMATS or head.startswith(COMPRESSED_MAGIC):
        raise _unusable(
            "input.compressed",
            path,
            f"resource {name}: {path} is compressed (or declares compression); resources must be plain "
            "files, since decompressing has no size bound",
            found=head.hex(),
        )


def check_hashes(package: Package) -> None:
    """Every resource hash is sha256, the algorithm frictionless verifies; any other (md5:, sha999:) would pass
    unchecked.

    Part of validation, not of `check_descriptor`: `stamp` must still run on such a package to repair it."""
    for res in package.resources:
        if isinstance(res.get("hash"), str) and not SHA256.fullmatch(res["hash"]):
            raise _unusable(
                "input.hash_algorithm",
                DESCRIPTOR,
                f"resource {res['name']}: hash {res['hash'][:80]!r} is not sha256:<64 hex digits>; "
                "only sha256 is verified (run python -m checks stamp)",
                expected="sha256:<64 lower-case hex digits>",
                found=res["hash"][:200],
            )


@cache  # the same few patterns on many fields
def pattern_risk(pattern: str) -> str | None:
    """Why matching this pattern could take more than linear time, in Python's re or in RE2; None when it cannot.

    frictionless matches patterns with Python's re, a backtracking engine: a repeated group ((a|a)*) or two unbounded
    repetitions (a*a*) can make one match take exponential or polynomial time. Accepted: what RE2 compiles (DuckDB's
    RE2 here; pandas matches in RE2 where pyarrow backs its strings) whose repetitions apply to one character each, at
    most one of them unbounded, and whose other choices multiply to at most MAX_PATTERN_CHOICES. Every pattern of
    this package is of that form."""
    try:
        tree = sre_parse.parse(pattern)
    except re.error:
        return None  # reported as not a regular expression
    import duckdb

    try:
        duckdb.execute("SELECT regexp_matches('', ?)", [pattern]).fetchall()
    except duckdb.InvalidInputException as err:
        why = str(err).splitlines()[0].removeprefix("Invalid Input Error: ")
        return f"RE2 cannot run it (Invalid regular expression: {why})"
    unbounded, choices = 0, 1
    pending = [list(tree)]
    while pending:
        for op, arg in pending.pop():
            if op in _CHARACTER or op is sre.AT:
                continue
            if op is sre.SUBPATTERN:
                pending.append(list(arg[-1]))
            elif op is sre.BRANCH:
                choices *= len(arg[1])
                pending += [list(alt) for alt in arg[1]]
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                low, high, body = arg
                if high <= 1:
                    choices *= 2
                    pending.append(list(body))
                elif len(body) != 1 or body[0][0] not in _CHARACTER:
                    return "a group or sequence repeats (such as (a|a)* or (ab)+): only single characters may repeat"
                elif high == sre.MAXREPEAT:
                    unbounded += 1
                else:
                    choices *= high - low + 1
            else:
                return f"it uses {str(op).lower()}, which a linear-time engine cannot run"
    if unbounded > 1:
        return "more than one repetition is unbounded (such as a*a*): matching takes polynomial time"
    if choices > MAX_PATTERN_CHOICES:
        paths = f"{choices:,} paths per character (at most {MAX_PATTERN_CHOICES})"
        return f"its optional parts, alternatives and {{m,n}} counts make {paths}"
    return None


def _check_resource(package: Package, res: dict, name: str) -> None:
    """One resource is safe to follow: its paths inside the package, uncompressed, in the one dialect, hashed."""
    _check_profile(res, f"resource {name}")
    if "path" not in res or "data" in res:
        raise _unusable(
            "input.malformed_descriptor",
            DESCRIPTOR,
            f"resource {name} needs a path (inline data is not used in this package)",
        )
    files.regular_file(package.root, res["path"], f"resource {name}")
    _check_other_paths(package.root, res, f"resource {name}")
    _check_uncompressed(package.root, res, name)
    if isinstance(res.get("dialect"), str):  # a path or URL that frictionless would open
        raise _unusable(
            "input.unsafe_path", DESCRIPTOR, f"resource {name}: dialect must be written inline, not as a path or URL"
        )
    if "dialect" in res and res["dialect"] != CSV_DIALECT:
        raise _unusable(
            "input.dialect",
            DESCRIPTOR,
            f"resource {name}: the dialect must be exactly the one the loader reads ({CSV_DIALECT}); "
            "another one (a commentChar, say) would make frictionless and pandas read different rows",
            expected=str(CSV_DIALECT),
            found=str(res["dialect"]),
        )
    if not isinstance(res.get("hash"), str) or not isinstance(res.get("bytes"), int):
        raise _unusable(
            "input.unhashed",
            DESCRIPTOR,
            f"resource {name} has no bytes and sha256 hash; run python -m checks stamp, so that every later edit shows",
        )
    if res.get("type") == "table" and not isinstance(res.get("schema"), str):
        raise _unusable("input.malformed_descriptor", DESCRIPTOR, f"table {name} needs a schema path")
    if "schema" in res:
        if not isinstance(res["schema"], str):
            raise _unusable(
                "input.malformed_descriptor",
                DESCRIPTOR,
                f"resource {name}: schema must be a path to a file of schemas/",
            )
        files.regular_file(package.root, res["schema"], f"schema of resource {name}")


def _check_profile(holder: dict, what: str, file: str = DESCRIPTOR) -> None:
    """Every key that can name a profile (`profile`, `profiles`, whose first entry frictionless makes the profile,
    `$schema`) names a standard one: frictionless would resolve any other against the working folder or fetch it,
    and validate the descriptor with whatever it found there (patterns included)."""
    for key in PROFILE_KEYS:
        if key not in holder:
            continue
        values = holder[key] if key == "profiles" and isinstance(holder[key], list) else [holder[key]]
        for value in values:
            if not (isinstance(value, str) and (value in STANDARD_PROFILES or STANDARD_PROFILE_URL.fullmatch(value))):
                raise _unusable(
                    "input.unsafe_path",
                    file,
                    f"{what}: {key} {shown(str(value)[:80])!r} is not a standard profile (a name such as "
                    "data-package or a datapackage.org profile URL); a custom profile would be read from the working "
                    "folder or fetched, and validation reads only the package",
                    row=key,
                    found=shown(str(value)[:200]),
                )


def _check_sql_declared(package: Package) -> None:
    """Every file of sql/ runs during validation, so each must be a declared, hashed resource."""
    if not (package.root / SQL_FOLDER).exists():
        return
    folder = files.resolve_inside(package.root, SQL_FOLDER, "the SQL folder")  # never list a folder outside the package
    declared = {r["path"] for r in package.resources}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        rel = f"{SQL_FOLDER}/{path.name}"
        if path.suffix == ".sql" and rel not in declared:
            raise _unusable(
                "input.undeclared_sql",
                rel,
                f"{rel} is not a resource of {DESCRIPTOR}; declare it (format sql, no type; then python -m checks "
                "stamp adds its bytes and hash) so that an edit to it shows",
            )


def _check_schema(schema: object, rel: str) -> None:
    """A schema the stages can read: named, typed fields; a primary key and foreign keys that name them."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        raise _unusable("input.malformed_schema", rel, f"{rel} needs a non-empty fields list")
    _check_profile(schema, rel, rel)
    names = []
    for i, field in enumerate(schema["fields"]):
        name = field.get("name") if isinstance(field, dict) else None
        if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
            raise _unusable(
                "input.malformed_schema",
                rel,
                f"{rel}: field #{i + 1} needs a snake_case name ([a-z][a-z0-9_]*), found {name!r}",
            )
        kind = field.get("type", "string")
        if kind not in DUCKDB_TYPES:
            raise _unusable(
                "input.malformed_schema",
                rel,
                f"{rel}: field {name} has type {kind!r}; this package uses {', '.join(DUCKDB_TYPES)}",
            )
        pattern = field.get("constraints", {}).get("pattern") if isinstance(field.get("constraints"), dict) else None
        if pattern is not None and (
            not isinstance(pattern, str) or len(pattern) > 200 or NESTED_REPEAT.search(pattern)
        ):
            raise _unusable(
                "input.unsafe_pattern",
                rel,
                f"{rel}: field {name} has a pattern that may take exponential time or is too long "
                "(a repeated group that itself repeats, such as (a+)+, or over 200 characters)",
                found=str(pattern)[:200],
            )
        try:
            re.compile(pattern or "")
        except re.error as err:
            raise _unusable(
                "input.malformed_schema",
                rel,
                f"{rel}: field {name} has a pattern that is not a regular expression: {err}",
            ) from None
        risk = pattern_risk(pattern) if pattern else None
        if risk:
            raise _unusable(
                "input.unsafe_pattern",
                rel,
                f"{rel}: field {name} has a pattern that cannot be matched in bounded time: {risk}",
                found=pattern,
            )
        if name in names:
            raise _unusable("input.malformed_schema", rel, f"{rel}: field name {name} appears twice")
        names.append(name)
    key = schema.get("primaryKey", [])
    if not all(
        isinstance(k, str) and k in names
        for k in ([key] if isinstance(key, str) else key if isinstance(key, list) else [None])
    ):
        raise _unusable("input.malformed_schema", rel, f"{rel}: primaryKey {key!r} must name fields of the schema")
    for fk in schema.get("foreignKeys", []):
        ok = isinstance(fk, dict) and isinstance(fk.get("reference"), dict)
        fields = fk.get("fields") if ok else None
        if not ok or not all(f in names for f in ([fields] if isinstance(fields, str) else fields or [None])):
            raise _unusable(
                "input.malformed_schema",
                rel,
                f"{rel}: foreign key {fk!r} must name fields of the schema and a reference",
            )


def _seed_pins(package: Package, pin_rel: str) -> dict[str, str]:
    """seeds/SHA256SUMS as name → sha256 (sha256sum's text and binary forms); a malformed line is unusable input."""
    if not (package.root / pin_rel).exists():
        return {}
    text = files.read_bytes(files.regular_file(package.root, pin_rel, "the seed's hash pin"), pin_rel).decode(
        "utf-8", errors="replace"
    )
    pins = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line.strip())
        if not match:
            raise _unusable(
                "input.malformed_pin",
                pin_rel,
                f"{pin_rel} line {number} is not '<sha256>  <file name>'",
                row=f"line {number}",
                found=line[:100],
            )
        pins[match.group(2)] = match.group(1)
    return pins


def _check_seed(package: Package) -> None:
    seed = package.resource("source_text")
    rel = seed["path"]
    path = files.regular_file(package.root, rel, "resource source_text (the seed)")
    actual = sha256_of(path, rel)
    pin_rel = str((path.parent / SEED_PIN).relative_to(package.root.resolve()))
    pinned = _seed_pins(package, pin_rel).get(path.name)
    declared = str(seed.get("hash", "")).removeprefix("sha256:")
    for name, want in ((pin_rel, pinned), (DESCRIPTOR, declared)):
        if want != actual:
            raise _unusable(
                "input.seed_changed",
                rel,
                f"{rel} differs from the sha256 recorded in {name}; the seed must stay byte-identical (every offset "
                "depends on it)",
                expected=want or f"(no sha256 for {path.name} in {name})",
                found=actual,
            )


def _check_sql_is_consistent(package: Package) -> None:
    """Before any of it runs: the hand-written files of sql/ only make views and comments that give the same answer
    on every database (`database.sql_safety`), so that what validation checks is what the build ships."""
    import duckdb

    from checks.database import sql_safety
    from checks.database.package_sql import TABLES_SQL, sql_order

    readable = {name.lower() for name in package.table_names} | {"source_text"}
    for name in sql_order(package):
        if name == TABLES_SQL:
            continue
        rel = f"{SQL_FOLDER}/{name}"
        try:
            statements = [s.query for s in duckdb.extract_statements(package.read_text(package.sql_path(name)))]
        except duckdb.Error:
            continue  # it cannot run either: running it names the file and DuckDB's error
        for number, why in sql_safety.problems(statements, readable)[:1]:
            raise _unusable(
                "input.unsafe_sql",
                rel,
                f"{rel}, statement {number}: {why}; the package's SQL may only make views and comments that give "
                "the same answer wherever they run",
                row=f"statement {number}",
            )


def preflight(package: Package) -> None:
    """Raise UnusableInput for the first input that makes validation unsafe or meaningless: the descriptor, the
    schemas, the seed, the SQL and the citation (each table's bytes are checked as it loads, so that none is read
    twice)."""
    check_descriptor(package)
    check_hashes(package)
    _check_seed(package)
    # The package's SQL is UTF-8, or it is refused here naming the file, not where a view fails.
    for res in package.resources:
        if res.get("format") == "sql" or res["path"].endswith(".sql"):
            package.read_text(package.path_of(res["name"]))
    _check_sql_is_consistent(package)
    for res in package.tables:
        _check_schema(package.schema(res["name"]), res["schema"])
    # A build cites CITATION.cff: one it could not cite is refused by validation, not after a valid report.
    if os.path.lexists(package.root / "CITATION.cff"):
        from checks.package.citation import read_citation

        read_citation(package)
