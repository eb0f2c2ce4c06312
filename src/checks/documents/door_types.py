"""Which type a column gets in each door (file and tool), for the kinds of column where the doors differ by nature:
dates, integers with gaps, booleans. Written once here; rendered into docs/data-dictionary.md and the release README;
a test reads each door that runs in Python and holds every cell of those rows to what it finds (R's are from the
readr and arrow documentation: R is not run in the tests)."""

from __future__ import annotations

#: The kinds of column, each with the column the test reads it from: (kind, table, column).
KINDS = (
    ("date", "figures", "period_start"),
    ("integer with gaps", "figures", "char_start"),
    ("boolean", "figures", "stated"),
)
#: (door, how it is read, type of each kind in KINDS order, checked by the tests)
DOORS = (
    ("pandas, from a clone", "`checks.load()`", ("datetime64[us]", "Int64", "boolean"), True),
    ("DuckDB file, `sql/load.sql`", "any query", ("DATE", "BIGINT", "BOOLEAN"), True),
    ("Parquet", "the file's schema", ("DATE (date32)", "INT64", "BOOLEAN"), True),
    ("pandas, CSV", "`pd.read_csv(path)`", ("str", "float64", "bool"), True),
    (
        "pandas, CSV",
        '`pd.read_csv(path, dtype={"char_start": "Int64"}, parse_dates=["period_start"])`',
        ("datetime64[us]", "Int64", "bool"),
        True,
    ),
    ("pandas, Parquet", "`pd.read_parquet(path)`", ("object (datetime.date)", "Int64", "boolean"), True),
    (
        "pandas, Parquet",
        '`pd.read_parquet(path, to_pandas_kwargs={"date_as_object": False})`',
        ("datetime64[ms]", "Int64", "boolean"),
        True,
    ),
    ("pandas, DuckDB", "`con.execute(sql).df()`", ("datetime64[us]", "Int64", "bool"), True),
    ("pandas, Excel", "`pd.read_excel(path, sheet_name=None)`", ("datetime64[us]", "float64", "bool"), True),
    ("SQLite file", "declared types (dates ISO text, booleans 0 or 1)", ("TEXT", "INTEGER", "INTEGER"), True),
    ("Python, SQLite", "`sqlite3.connect(path).execute(sql)`", ("str or None", "int or None", "int"), True),
    ("R, CSV", '`readr::read_csv(path, na = "")`', ("Date", "double", "logical"), False),
    ("R, Parquet", "`arrow::read_parquet(path)`", ("Date", "integer", "logical"), False),
)


#: The doors of a clone only (this project's own code), left out of the release README.
CLONE_ONLY = ("pandas, from a clone",)


def door_types_table(release: bool = False) -> list[str]:
    """The table as Markdown lines; for the release, without the doors that need this project's code."""
    head = ["door", "read with", *(f"{kind} (`{column}`)" for kind, _, column in KINDS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for door, how, types, checked in DOORS:
        if release and door in CLONE_ONLY:
            continue
        mark = "" if checked else " (not run)"
        lines.append("| " + " | ".join([door + mark, how, *(f"`{t}`" for t in types)]) + " |")
    return lines
