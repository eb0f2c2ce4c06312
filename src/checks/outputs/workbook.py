"""The Excel workbook: an About sheet (title, citation, licence, column descriptions), then one sheet per table.

Many readers of Chinese government data open CSV in Excel, where UTF-8 without a BOM shows as mojibake; the
workbook is their door. Every cell is written by type (text as text, never a formula), and the document dates
are the package's `created` date, so two builds give the same bytes.
"""

from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

from checks.package import Package
from checks.package.citation import read_citation
from checks.package.preflight import created_utc
from checks.package.published import NO_DOI, Published, published

#: The most characters an Excel cell holds.
MAX_CELL = 32_767
_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def cite(cff: dict, where: Published | None = None) -> str:
    """A one-paragraph citation of the dataset (with its DOI, or the plain statement that it has none yet) and of the
    report it comes from."""
    authors = "; ".join(
        a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in cff.get("authors", [])
    )
    text = (
        f"{authors} ({str(cff.get('date-released', ''))[:4]}). {cff['title']}. Version {cff.get('version', '')}. "
        f"Licence {cff.get('license', '')}."
    )
    if where is not None:
        text += f" DOI: {where.doi_url}." if where.doi else f" {NO_DOI}"
    for ref in cff.get("references", []):
        by = "; ".join(a.get("name", "") for a in ref.get("authors", []))
        text += f" Source: {by} ({ref.get('date-published', '')}). {ref.get('title', '')}. {ref.get('url', '')}"
    return text


def _about(sheet, package: Package, bold) -> None:
    meta = package.descriptor
    licences = "; ".join(f"{lic.get('name', '')}: {lic.get('title', '')}" for lic in meta.get("licenses", []))
    rows = [
        ("Title", meta.get("title", "")),
        ("Description", meta.get("description", "")),
        ("Version", meta.get("version", "")),
        ("Citation", cite(read_citation(package), published(meta))),
        ("Licence", licences),
        ("Where", " ".join(published(meta).lines())),
        ("Sheets", "This sheet, then one sheet per table of datapackage.json; columns as described below."),
    ]
    for r, (key, value) in enumerate(rows):
        sheet.write_string(r, 0, key, bold)
        sheet.write_string(r, 1, fitted(str(value)))
    start = len(rows) + 1
    for c, head in enumerate(("table", "column", "type", "description")):
        sheet.write_string(start, c, head, bold)
    columns = [
        (name, f["name"], f.get("type", "string"), f.get("description", ""))
        for name in package.table_names
        for f in package.schema(name)["fields"]
    ]
    for r, values in enumerate(columns, start=start + 1):
        for c, value in enumerate(values):
            sheet.write_string(r, c, fitted(value))
    for c, width in enumerate((16, 60, 10, 100)):
        sheet.set_column(c, c, width)


def _cell(sheet, r: int, c: int, value, date_format) -> None:
    """Write one value by its type; text always as text."""
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        sheet.write_blank(r, c, None)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, pd.Timestamp):
        sheet.write_datetime(r, c, value.to_pydatetime(), date_format)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, fitted(str(value)))


def fitted(text: str) -> str:
    """Text as an Excel cell can hold it: at most 32,767 characters, a longer one cut with a note saying so (Excel,
    and xlsxwriter, would cut it without a word)."""
    if len(text) <= MAX_CELL:
        return text
    note = f" … [cut here: {len(text):,} characters in all; the CSV and Parquet files hold the whole text]"
    return text[: MAX_CELL - len(note)] + note


def _table(sheet, frame: pd.DataFrame, bold, date_format) -> None:
    for c, column in enumerate(frame.columns):
        sheet.write_string(0, c, column, bold)
        longest = max([len(column), *(len(str(v)) for v in frame[column].dropna())])
        sheet.set_column(c, c, min(60, longest + 2))
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            _cell(sheet, r, c, value.item() if hasattr(value, "item") else value, date_format)
    sheet.freeze_panes(1, 0)


def workbook_bytes(package: Package, frames: dict[str, pd.DataFrame]) -> bytes:
    """The whole .xlsx; frames typed for readers (dates as datetime64), one per table."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, _OPTIONS)
    created = created_utc(package.descriptor.get("created", "2000-01-01T00:00:00Z"))
    book.set_properties(
        {
            "title": package.descriptor.get("title", ""),
            "created": created,
            "author": "",
            "comments": "Built by python -m checks build",
        }
    )
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    _about(book.add_worksheet("About"), package, bold)
    for name in package.table_names:
        _table(book.add_worksheet(name), frames[name], bold, date_format)
    book.close()
    return buffer.getvalue()
