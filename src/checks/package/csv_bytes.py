"""Is a table file in the package's one CSV form: UTF-8 without byte-order mark, LF line ends (no CR at all), its
schema's header? Checked on the bytes the loader is about to parse, so that the bytes checked are the bytes read."""

from __future__ import annotations

import csv
import io
import itertools
import os

from checks.package.files import refuse


def check_table_bytes(raw: bytes, schema: dict, rel: str) -> None:
    """Raise UnusableInput, naming the file and line, unless raw is UTF-8 (no BOM), LF-ended, with the schema's
    header."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise refuse("input.bom", rel, f"{rel} starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (raw[:200].count(b"\x00") > len(raw[:200]) // 4):
        raise refuse(
            "input.encoding", rel, f"{rel} looks like UTF-16 (byte-order mark or NUL bytes); re-save it as UTF-8"
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise refuse(
            "input.encoding",
            rel,
            f"{rel} is not UTF-8: invalid byte 0x{raw[err.start]:02x} on line {line} (GBK? re-save as UTF-8)",
            row=f"line {line}",
        ) from None
    carriage = raw.find(b"\r")
    if carriage >= 0:  # readers disagree on a lone CR: a row's end, or part of its cell
        line = raw[:carriage].count(b"\n") + 1
        if raw[carriage + 1 : carriage + 2] == b"\n":
            raise refuse(
                "input.line_endings", rel, f"{rel} has CRLF line endings from line {line}; use LF", row=f"line {line}"
            )
        raise refuse(
            "input.line_endings",
            rel,
            f"{rel} has a carriage return (CR) on line {line}; lines end with LF only, and no cell may hold a CR "
            "(a control character)",
            row=f"line {line}",
        )
    end = raw.find(b"\n")
    _check_header(next(csv.reader([raw[: end if end >= 0 else len(raw)].decode("utf-8")]), []), schema, rel)


def _check_header(header: list[str], schema: dict, rel: str) -> None:
    names = [f["name"] for f in schema["fields"]]
    if header != names:
        wrong = {"extra": [h for h in header if h not in names], "missing": [n for n in names if n not in header]}
        what = "; ".join(f"{kind} column(s) {', '.join(columns)}" for kind, columns in wrong.items() if columns)
        raise refuse(
            "input.columns",
            rel,
            f"{rel}: {what or 'columns out of order'}",
            expected=",".join(names),
            found=",".join(header),
        )


#: Rows a table may have (CHECKS_MAX_ROWS): 4 million short rows (55 MB) took 4 GB of memory to validate; the
#: package's tables have under a hundred.
MAX_ROWS = 100_000


def max_rows() -> int:
    """Rows a table may have (CHECKS_MAX_ROWS, default MAX_ROWS): validation holds every row several times over."""
    value = os.environ.get("CHECKS_MAX_ROWS", "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_ROWS


def check_row_count(raw: bytes, rel: str) -> None:
    """Refuse a table of more than max_rows() records before it is parsed into a frame: lines are counted first (a
    quoted cell may hold a line end, so only a count over the limit needs the records counted). A blank line counts:
    the loader skips it, but frictionless reads every one."""
    limit = max_rows()
    if raw.count(b"\n") <= limit + 1:
        return
    reader = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    records = sum(1 for _ in itertools.islice(reader, limit + 2))
    if records > limit + 1:  # the header and more than `limit` rows
        raise refuse(
            "input.too_many_rows",
            rel,
            f"{rel} has more than {limit:,} rows (CHECKS_MAX_ROWS; this package's tables have under a hundred)",
            expected=f"at most {limit:,} rows",
            found=f"over {limit:,}",
        )
