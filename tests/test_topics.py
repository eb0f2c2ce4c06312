"""The views of sql/ return the rows read off the data by hand, in DuckDB 2.0 (Python) and in the 1.5 CLI."""

from __future__ import annotations

import pytest

from checks.database import populate, sandboxed, sql_order
from checks.validate import load_context
from front_helpers import cli_rows_each, py_rows, relations_of
from helpers import ROOT, read_rows


@pytest.fixture(scope="module")
def con(package):
    ctx = load_context(package.root)
    connection = sandboxed()
    populate(connection, ctx.package, ctx.tables)
    yield connection
    connection.close()


def ids(con, sql: str) -> list[str]:
    return [r[0] for r in con.execute(sql).fetchall()]


def test_load_sql_orders_every_file_of_sql(package):
    order = sql_order(package)
    assert order == ["tables.sql", "views.sql", "relations.sql", "topics.sql"]
    assert sorted(order) == sorted(p.name for p in (ROOT / "sql").glob("*.sql") if p.name != "load.sql")


def test_load_sql_refuses_dot_commands(copy):
    """sql/load.sql is plain SQL: a dot command in it (which the DuckDB CLI would run) is refused by sql.generated."""
    from checks.validate.rules.generated_sql import check_generated_sql

    path = copy / "sql" / "load.sql"
    path.write_text(path.read_text(encoding="utf-8") + ".shell rm -rf /\n", encoding="utf-8")
    result = check_generated_sql(load_context(copy))
    assert [p.row for p in result.problems if p.rule == "sql.generated.dot_command"] == [
        f"line {len(path.read_text(encoding='utf-8').splitlines())}"
    ]


def test_money_in_cny_and_yi_yuan(con):
    rows = con.execute("SELECT figure_id, cny, yi_yuan, period_text, scope_en FROM money").fetchall()
    assert [r[0] for r in rows] == [
        "D002",
        "F006",
        "F025",
        "F029",
        "F030",
        "F035",
        "F039",
        "F040",
        "F046",
        "F055",
        "F067",
        "F070",
        "F073",
    ]
    by_id = {r[0]: r for r in rows}
    assert by_id["F006"][1:] == (2290000000.0, 22.9, "截至目前", "the 208 paired villages")
    assert by_id["F046"][2] == pytest.approx(0.1632)
    assert con.execute("SELECT round(sum(yi_yuan), 4) FROM money WHERE stated").fetchall() == [(40.1439,)]


def test_village_cohort(con):
    rows = con.execute("SELECT step, figure_id, villages FROM village_cohort").fetchall()
    assert rows[:3] == [(1, "F002", 622), (2, "F003", 200), (2, "F004", 8)]
    assert [r[1] for r in rows[3:]] == ["F005", "F007", "F009", "F010", "F038", "F041", "F050", "F068"]
    assert {r[2] for r in rows[3:]} == {208}


def test_industry_projects_by_type(con):
    rows = con.execute("SELECT figure_id, projects, role_in_sum FROM industry_projects").fetchall()
    assert rows == [
        ("F031", 26, None),
        ("F032", 14, "part"),
        ("F033", 2, "part"),
        ("F034", 10, "part"),
        ("F036", 26, "total"),
        ("F037", 12, None),
    ]


@pytest.mark.parametrize(
    "view, first, last, count",
    [
        ("party_building", "D002", "F030", 23),
        ("governance_and_petitions", "D001", "F076", 15),
        ("social_protection", "F061", "F074", 14),
    ],
)
def test_topic_views(con, view, first, last, count):
    found = ids(con, f"SELECT figure_id FROM {view}")
    assert (found[0], found[-1], len(found)) == (first, last, count)


def test_figures_in_context_quote_the_sentence(con, package):
    rows = con.execute(
        "SELECT figure_id, quote, sentence_start, sentence_end, sentence FROM figures_in_context"
    ).fetchall()
    assert len(rows) == con.execute("SELECT count(*) FROM figures").fetchall()[0][0]
    text = package.seed_text
    for figure_id, quote, start, end, sentence in rows:
        assert sentence == text[start:end] and "\n" not in sentence, figure_id
        assert quote is None or quote in sentence, figure_id
    by_id = {r[0]: r[4] for r in rows}
    assert by_id["F031"] == "截至目前,全区26个产业项目全部建成运营,并均已见到收益。"
    assert by_id["D001"] == by_id["F060"] == "今年1-7月份,共发生赴区以上农村信访18件,同比下降21.7%"


def test_relations_explained(con):
    rows = con.execute(
        "SELECT relation_id, implied_by, terms, holds, declared_holds FROM relations_explained"
    ).fetchall()
    assert len(rows) == con.execute("SELECT count(*) FROM relations").fetchall()[0][0] and all(
        r[3] == r[4] for r in rows
    )
    by_id = {r[0]: r for r in rows}
    assert by_id["L04"][1:3] == ("共发生赴区以上农村信访18件,同比下降21.7%", "D001 earlier, F059 later, F060 fall")


def test_every_view_has_a_description(con):
    assert (
        con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND coalesce(comment, '') = ''").fetchall()
        == []
    )


def test_cli_reads_the_csvs_through_load_sql_and_agrees_with_python(con):
    """`.read sql/load.sql` in the 1.5 CLI, from the package root: same rows for every table and view."""
    relations = relations_of(con)
    from_cli = cli_rows_each(relations, ROOT, "-c", ".read sql/load.sql")
    for relation in relations:
        assert sorted(from_cli[relation]) == sorted(py_rows(con, relation)), relation


@pytest.mark.parametrize(
    "view, table",
    [
        ("figures_labelled", "figures"),
        ("figures_brief", "figures"),
        ("relation_results", "relations"),
        ("readings_with_figures", "readings"),
    ],
)
def test_general_views_have_a_row_per_item(con, view, table):
    assert (
        con.execute(f"SELECT count(*) FROM {view}").fetchall()
        == con.execute(f"SELECT count(*) FROM {table}").fetchall()
    )


def test_readings_with_figures_names_the_dependants(con):
    rows = dict(
        con.execute("SELECT reading_id, figures FROM readings_with_figures WHERE figures IS NOT NULL").fetchall()
    )
    _, links = read_rows(ROOT / "data" / "figure_readings.csv")
    assert sorted(rows) == sorted({link["reading_id"] for link in links})
    assert rows["R09"] == "F048:unit F048:value"


AMOUNTS = {"value", "base_value", "cny", "yi_yuan"}


def test_every_view_showing_an_amount_shows_its_measure_and_per(con):
    """An amount without its measure and per invites a sum of running totals, yearly flows and monthly wages: every
    view (and table) of the package with a column value, base_value, cny or yi_yuan also has measure and per, so that
    a view added later cannot show amounts that GROUP BY measure, per cannot separate."""
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    with_amounts = {table for table, names in columns.items() if names & AMOUNTS}
    assert {"money", "figures_brief", "figures_corroborated", "figures_in_context", "party_building"} <= with_amounts
    missing = {table: sorted({"measure", "per"} - names) for table, names in columns.items() if table in with_amounts}
    assert {table: gap for table, gap in missing.items() if gap} == {}


def test_money_summed_within_one_measure_and_per(con):
    """The sums a reader gets from the money view are by measure and per, and never mix a running total with a flow."""
    rows = con.execute(
        "SELECT measure, per, count(*) FROM money WHERE stated GROUP BY ALL ORDER BY measure, per NULLS FIRST"
    ).fetchall()
    assert ("cumulative", None, 3) in rows and ("rate", "person_month", 1) in rows
