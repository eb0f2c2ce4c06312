"""Query results as text: an aligned table (wide characters counted double), CSV, JSON or Markdown."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import math
import unicodedata

from checks.problems import shown

FORMATS = ("table", "csv", "json", "markdown")


def cell(value) -> str:
    """One value as text: NULL empty, booleans lowercase, floats positional without a trailing '.0', dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # shortest round-trip digits, never an exponent: 1e-05 → 0.00001, 2.29e9 → 2290000000
        import numpy  # only when a float is shown: a query answered from the database need not load it

        return numpy.format_float_positional(value, trim="-") if math.isfinite(value) else str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value if isinstance(value, (int, float, bool, str, type(None))) else str(value)  # times, intervals …


def width(text: str) -> int:
    """Columns a terminal gives the text: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int, right: bool) -> str:
    fill = " " * (size - width(text))
    return fill + text if right else text + fill


def as_table(columns: list[str], rows: list[tuple], markdown: bool = False) -> str:
    """Aligned columns, numbers to the right; Markdown pipes if asked; control characters shown as \\xNN."""
    texts = [[shown(cell(v).replace("\r", " ").replace("\n", " ")) for v in row] for row in rows]
    columns = [shown(col) for col in columns]  # no control character reaches the terminal (ESC, BEL, OSC …)
    texts = [[t.replace("|", "\\|") for t in row] for row in texts] if markdown else texts
    sizes = [max([width(col), *(width(r[c]) for r in texts)]) for c, col in enumerate(columns)]
    right = []
    for c in range(len(columns)):
        values = [r[c] for r in rows if r[c] is not None]
        right.append(
            bool(values)
            and all(isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool) for v in values)
        )

    def line(cells: list[str]) -> str:
        padded = [_pad(t, sizes[c], right[c]) for c, t in enumerate(cells)]
        return "| " + " | ".join(padded) + " |" if markdown else "  ".join(padded).rstrip()

    if markdown:
        rule = "|" + "|".join(("-" * (s + 1) + ":") if r else ("-" * (s + 2)) for s, r in zip(sizes, right)) + "|"
        return "\n".join([line(columns), rule, *map(line, texts)]) + "\n"
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    return "\n".join([line(columns), "  ".join("-" * s for s in sizes), *map(line, texts), count]) + "\n"


def as_csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def as_json(columns: list[str], rows: list[tuple]) -> str:
    records = [{col: _json_value(v) for col, v in zip(columns, row)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def format_result(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "csv":
        return as_csv(columns, rows)
    if fmt == "json":
        return as_json(columns, rows)
    return as_table(columns, rows, markdown=fmt == "markdown")
