"""sql/load.sql is plain SQL that defines every table and view, in the DuckDB CLI and in Python, commented; the built
database and the Parquet files agree on types and nullability; plain pandas reads the Parquet files typed."""

from __future__ import annotations

import os
import sqlite3

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import checks
from checks.database import LOAD_SQL, load_sql, required_columns, tables_sql
from checks.package import Package
from checks.validate import load_context
from checks.validate.rules.generated_sql import check_generated_sql, dot_commands
from front_helpers import CLI, database_of
from helpers import ROOT


@pytest.fixture(scope="module")
def loaded():
    """A plain DuckDB connection that ran sql/load.sql from the package root, as a user would."""
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        con = duckdb.connect()
        con.execute((ROOT / "sql" / LOAD_SQL).read_text(encoding="utf-8"))
    finally:
        os.chdir(here)
    yield con
    con.close()


def test_no_file_of_sql_holds_a_dot_command():
    for path in sorted((ROOT / "sql").glob("*.sql")):
        assert dot_commands(path.read_text(encoding="utf-8")) == [], path.name


def test_generated_sql_is_current_as_a_rule(package):
    result = check_generated_sql(load_context(package.root))
    assert result.passed, [p.message for p in result.problems]
    assert (ROOT / "sql" / LOAD_SQL).read_text(encoding="utf-8") == load_sql(package)
    assert (ROOT / "sql" / "tables.sql").read_text(encoding="utf-8") == tables_sql(package)


def test_the_rule_refuses_a_stale_load_sql(copy):
    path = copy / "sql" / "views.sql"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nCREATE OR REPLACE VIEW extra AS SELECT 1 AS one;\n", encoding="utf-8"
    )
    problems = check_generated_sql(load_context(copy)).problems
    assert [(p.rule, p.file) for p in problems] == [("sql.generated", "sql/load.sql")]


def test_python_duckdb_runs_load_sql_with_every_table_view_and_comment(loaded, package):
    names = {r[0] for r in loaded.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert {
        *package.table_names,
        "source_text",
        "figures_labelled",
        "relation_results",
        "money",
        "village_cohort",
    } <= names
    missing = loaded.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND coalesce(comment, '') = ''"
    ).fetchall()
    assert missing == []
    assert (
        loaded.execute("SELECT count(*) FROM figures_in_context").fetchall()
        == loaded.execute("SELECT count(*) FROM figures").fetchall()
    )


def test_the_cli_reads_load_sql_from_elsewhere_with_file_search_path(tmp_path):
    if CLI is None:
        pytest.skip("the duckdb CLI is not installed (pip install '.[test]' brings duckdb-cli 1.5)")
    import subprocess

    done = subprocess.run(
        [
            CLI,
            "-csv",
            "-noheader",
            "-c",
            f"SET file_search_path = '{ROOT}'",
            "-c",
            f".read {ROOT}/sql/{LOAD_SQL}",
            "-c",
            "SELECT count(*) FROM relations_explained",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and int(done.stdout.strip()) > 0, done.stderr


def test_every_view_column_of_the_database_is_commented_and_required_columns_are_not_null(built_package):
    con = duckdb.connect(str(database_of(built_package)), read_only=True)
    try:
        assert con.execute(
            "SELECT count(*) FROM duckdb_columns() c JOIN duckdb_views() v ON v.view_name = c.table_name "
            "WHERE NOT v.internal AND coalesce(c.comment, '') = ''"
        ).fetchall() == [(0,)]
        package = Package(ROOT)
        for name in package.table_names:
            not_null = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT is_nullable", [name]
                ).fetchall()
            }
            assert not_null == required_columns(package.schema(name)), name
    finally:
        con.close()


def test_parquet_and_duckdb_agree_on_nullability(built_package):
    built = built_package
    con = duckdb.connect(str(database_of(built)), read_only=True)
    try:
        for path in sorted((built / "dist" / "parquet").glob("*.parquet")):
            nullable = dict(
                con.execute(
                    "SELECT column_name, is_nullable FROM duckdb_columns() WHERE table_name = ?", [path.stem]
                ).fetchall()
            )
            assert {f.name: f.nullable for f in pq.read_schema(path)} == nullable, path.name
    finally:
        con.close()


def test_read_parquet_as_documented_gives_what_checks_load_gives(built_package):
    """`pd.read_parquet(path, to_pandas_kwargs={"date_as_object": False})`, the call docs/usage.md gives, returns
    every table with checks.load()'s types and values: Int64, boolean and string as they are, dates as datetime64
    (milliseconds, where checks.load() has microseconds: the same instants)."""
    built = built_package
    frames = checks.load(built)
    for name, frame in frames.items():
        path = built / "dist" / "parquet" / f"{name}.parquet"
        back = pd.read_parquet(path, to_pandas_kwargs={"date_as_object": False})
        dates = [c for c, t in back.dtypes.items() if str(t).startswith("datetime64")]
        assert all(str(back[c].dtype) == "datetime64[ms]" for c in dates), name
        back[dates] = back[dates].astype("datetime64[us]")
        pd.testing.assert_frame_equal(back, frame, check_dtype=True)


def test_one_date_type_in_every_file(built_package):
    """period_start is a DATE in the DuckDB file, in sql/load.sql over the CSV and in Parquet."""
    built = built_package
    con = duckdb.connect(str(database_of(built)), read_only=True)
    try:
        in_database = con.execute("SELECT typeof(period_start) FROM figures LIMIT 1").fetchone()[0]
        in_parquet = con.execute(
            "SELECT typeof(period_start) FROM read_parquet(?) LIMIT 1", [str(built / "dist/parquet/figures.parquet")]
        ).fetchone()[0]
    finally:
        con.close()
    assert (in_database, in_parquet) == ("DATE", "DATE")
    assert str(pq.read_schema(built / "dist/parquet/figures.parquet").field("period_start").type) == "date32[day]"


def test_pandas_date_type_by_route(built_package):
    """What each pandas route gives for a date, as docs/usage.md says: datetime64[us] from checks.load(), read_csv
    with parse_dates and DuckDB's .df(); datetime.date objects from a plain read_parquet; datetime64[ms] with
    date_as_object=False."""
    built = built_package
    parquet_file = built / "dist/parquet/figures.parquet"
    dates = {
        "checks.load": checks.load(built)["figures"]["period_start"].dtype,
        "read_csv": pd.read_csv(ROOT / "data/figures.csv", parse_dates=["period_start"])["period_start"].dtype,
        "read_parquet": pd.read_parquet(parquet_file)["period_start"].dtype,
        "read_parquet date_as_object=False": pd.read_parquet(parquet_file, to_pandas_kwargs={"date_as_object": False})[
            "period_start"
        ].dtype,
    }
    con = duckdb.connect(str(database_of(built)), read_only=True)
    try:
        dates["duckdb"] = con.execute("SELECT period_start FROM figures").df()["period_start"].dtype
    finally:
        con.close()
    assert {k: str(v) for k, v in dates.items()} == {
        "checks.load": "datetime64[us]",
        "read_csv": "datetime64[us]",
        "read_parquet": "object",
        "read_parquet date_as_object=False": "datetime64[ms]",
        "duckdb": "datetime64[us]",
    }
    assert type(pd.read_parquet(parquet_file)["period_start"].iloc[1]).__name__ == "date"


def _door_types(built) -> dict[str, tuple[str, ...]]:
    """What each door that runs in Python gives for the columns of door_types.KINDS, read from the built files."""
    from checks.documents.door_types import KINDS

    columns = [column for _, _, column in KINDS]
    csv_path, parquet_path = built / "data/figures.csv", built / "dist/parquet/figures.parquet"

    def dtypes(frame) -> tuple[str, ...]:
        out = []
        for column in columns:
            dtype = str(frame[column].dtype)
            if dtype == "object":
                kind = type(frame[column].dropna().iloc[0])
                dtype = f"object ({kind.__module__}.{kind.__name__})"
            out.append(dtype)
        return tuple(out)

    con = duckdb.connect(str(database_of(built)), read_only=True)
    try:
        sql = f"SELECT {', '.join(columns)} FROM figures"
        in_duckdb = tuple(
            t for t in con.execute(f"SELECT {', '.join(f'typeof({c})' for c in columns)} FROM figures").fetchone()
        )
        by_df = dtypes(con.execute(sql).df())
        loaded = duckdb.connect()
        loaded.execute(f"SET file_search_path = '{built}'")
        loaded.execute((built / "sql/load.sql").read_text(encoding="utf-8"))
        in_load_sql = tuple(
            t for t in loaded.execute(f"SELECT {', '.join(f'typeof({c})' for c in columns)} FROM figures").fetchone()
        )
    finally:
        con.close()
    assert in_duckdb == in_load_sql
    lite = sqlite3.connect(f"file:{built / 'dist/wuqing-paired-assistance-2020.sqlite'}?mode=ro", uri=True)
    try:
        declared = {row[1]: row[2] for row in lite.execute("PRAGMA table_info(figures)")}
        values = lite.execute(f"SELECT {', '.join(columns)} FROM figures").fetchall()
    finally:
        lite.close()
    kinds = [
        sorted({type(row[i]).__name__ for row in values}, key=lambda k: k == "NoneType") for i in range(len(columns))
    ]
    in_python = tuple(" or ".join(kind.replace("NoneType", "None") for kind in found) for found in kinds)
    arrow = pq.read_schema(parquet_path)
    physical = {"date32[day]": "DATE (date32)", "int64": "INT64", "bool": "BOOLEAN"}
    return {
        "`checks.load()`": dtypes(checks.load(built)["figures"]),
        "any query": in_duckdb,
        "the file's schema": tuple(physical[str(arrow.field(c).type)] for c in columns),
        "`pd.read_csv(path)`": dtypes(pd.read_csv(csv_path)),
        '`pd.read_csv(path, dtype={"char_start": "Int64"}, parse_dates=["period_start"])`': dtypes(
            pd.read_csv(csv_path, dtype={"char_start": "Int64"}, parse_dates=["period_start"])
        ),
        "`pd.read_parquet(path)`": dtypes(pd.read_parquet(parquet_path)),
        '`pd.read_parquet(path, to_pandas_kwargs={"date_as_object": False})`': dtypes(
            pd.read_parquet(parquet_path, to_pandas_kwargs={"date_as_object": False})
        ),
        "`con.execute(sql).df()`": by_df,
        "declared types (dates ISO text, booleans 0 or 1)": tuple(declared[c] for c in columns),
        "`sqlite3.connect(path).execute(sql)`": in_python,
        "`pd.read_excel(path, sheet_name=None)`": dtypes(
            pd.read_excel(built / "dist/wuqing-paired-assistance-2020.xlsx", sheet_name=None)["figures"]
        ),
    }


def test_the_types_table_says_what_each_door_gives(built_package):
    """docs/data-dictionary.md's table of types in each door is what each door gives: every row that runs in Python
    is read here from the built files and compared, cell by cell."""
    from checks.documents.door_types import DOORS

    found = _door_types(built_package)
    claimed = {how: types for _, how, types, checked in DOORS if checked}
    assert claimed == found
    assert all(how in claimed for how in found) and len(claimed) == len(found)
