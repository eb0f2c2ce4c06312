"""The data's promises, checked independently of the validator: anchors, values, coverage."""

from __future__ import annotations

import re
from decimal import Decimal

from checks.validate.numerals import parse_numeral
from helpers import ROOT, read_rows

SEED = (ROOT / "seeds" / "wuqing_2020_paired_assistance_summary.txt").read_text(encoding="utf-8")
SHARED_SEED = ROOT.parent / "shared" / "seeds" / "000_ff68467af6e74258.txt"


def rows(table):
    return read_rows(ROOT / "data" / f"{table}.csv")[1]


def test_seed_is_the_shared_seed_byte_for_byte():
    ours = (ROOT / "seeds" / "wuqing_2020_paired_assistance_summary.txt").read_bytes()
    assert len(SEED) == 3560
    if SHARED_SEED.exists():
        assert ours == SHARED_SEED.read_bytes()


def test_every_quote_is_at_its_offsets():
    for table, column in (
        ("figures", "quote"),
        ("non_figures", "quote"),
        ("readings", "written"),
        ("relations", "implied_by"),
    ):
        for row in rows(table):
            if row[column]:
                assert SEED[int(row["char_start"]) : int(row["char_end"])] == row[column], (table, row[next(iter(row))])


def test_every_value_is_the_number_written_in_its_quote():
    checked = 0
    for row in rows("figures"):
        if row["stated"] == "true" and row["value"]:
            assert row["numeral"] in row["quote"], row["figure_id"]
            assert parse_numeral(row["numeral"]) == Decimal(row["value"]), row["figure_id"]
            checked += 1
    assert checked >= 70


def test_chinese_numerals_are_parsed():
    assert [parse_numeral(n) for n in ("两", "七", "五", "三", "四", "二十一")] == [2, 7, 5, 3, 4, 21]
    assert parse_numeral("22.9") == Decimal("22.9")
    assert parse_numeral("x") is None


def test_208_is_stated_eight_times_as_eight_figures():
    assert len(re.findall("208", SEED)) == 8
    assert sum(r["value"] == "208" for r in rows("figures")) == 8


def test_every_numeral_in_the_seed_is_accounted_for():
    spans = [
        (int(r["char_start"]), int(r["char_end"]))
        for t in ("figures", "non_figures", "readings")
        for r in rows(t)
        if r["char_start"]
    ]
    uncovered = [
        (m.start(), m.group())
        for m in re.finditer(r"[0-9〇零一二两三四五六七八九十百千万亿]", SEED)
        if not any(a <= m.start() < b for a, b in spans)
    ]
    assert uncovered == []


def test_unrecoverable_figure_has_no_value_and_a_reason():
    readings = {r["reading_id"]: r for r in rows("readings")}
    links = rows("figure_readings")
    empty = [r for r in rows("figures") if r["stated"] == "true" and not r["value"] and not r["date_value"]]
    assert [r["quote"] for r in empty] == ["510的标准"]
    reasons = [
        readings[link["reading_id"]]
        for link in links
        if link["figure_id"] == empty[0]["figure_id"] and link["aspect"] == "value"
    ]
    assert reasons and reasons[0]["status"] == "unrecoverable" and reasons[0]["reason"]


def test_the_programme_start_is_a_fact_read_with_its_lost_year():
    start = next(r for r in rows("figures") if r["indicator_id"] == "programme_start_month")
    assert (start["quote"], start["date_value"], start["period_start"], start["period_end"]) == (
        "20178月",
        "2017-08",
        "2017-08-01",
        "2017-08-31",
    )


def test_data_files_are_utf8_lf_without_bom():
    for path in (ROOT / "data").glob("*.csv"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw, path.name
        raw.decode("utf-8")


def test_one_character_numerals_read_as_cn2an_reads_them():
    import cn2an

    from checks.validate.numerals import DIGITS, parse_numeral

    for character, value in DIGITS.items():
        assert value == cn2an.cn2an(character, "smart") == parse_numeral(character), character
