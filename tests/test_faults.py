"""Fault injection on the whole package, end to end: each fault, applied alone to a copy of the real package, is caught
by the rule named for it (FAULTS: every kind of rule, each run as validation runs it but without its table's other
rules; DATA_FAULTS: cells, tolerances, coverage and periods, with every rule of the stage, none of which may crash)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.package import Package
from checks.package.stamp import stamp
from checks.validate import validate
from helpers import drop, edit, read_rows, replace_in, validate_stage, write_rows


def _rewrite(path: Path, change) -> None:
    path.write_bytes(change(path.read_bytes()))


def _add_column(root: Path) -> None:
    header, rows = read_rows(root / "data" / "units.csv")
    write_rows(root / "data" / "units.csv", [*header, "extra"], [{**r, "extra": "x"} for r in rows])


def _drop_column(root: Path) -> None:
    header, rows = read_rows(root / "data" / "units.csv")
    write_rows(root / "data" / "units.csv", header[:-1], [{k: r[k] for k in header[:-1]} for r in rows])


SEED = "seeds/wuqing_2020_paired_assistance_summary.txt"


def _resegment(root: Path, sentence_id: str, start: int, end: int, restamp: bool = True) -> None:
    """Move a sentence's offsets, keeping its Chinese the seed text there (so only the segmentation is at fault)."""
    seed = (root / SEED).read_text(encoding="utf-8")
    edit(root, "sentences", sentence_id, restamp=restamp, char_start=start, char_end=end, text_zh=seed[start:end])


def _split_sentence(root: Path, sentence_id: str, at: int) -> None:
    """Cut a sentence in two at `at`: the first part keeps the id, the second becomes S999."""
    header, rows = read_rows(root / "data" / "sentences.csv")
    row = next(r for r in rows if r["sentence_id"] == sentence_id)
    seed = (root / SEED).read_text(encoding="utf-8")
    tail = {**row, "sentence_id": "S999", "char_start": str(at), "text_zh": seed[at : int(row["char_end"])]}
    write_rows(root / "data" / "sentences.csv", header, [*rows, tail])
    _resegment(root, sentence_id, int(row["char_start"]), at)


def _merge_sentences(root: Path, first: str, second: str) -> None:
    header, rows = read_rows(root / "data" / "sentences.csv")
    end = int(next(r for r in rows if r["sentence_id"] == second)["char_end"])
    write_rows(root / "data" / "sentences.csv", header, [r for r in rows if r["sentence_id"] != second])
    start = int(next(r for r in rows if r["sentence_id"] == first)["char_start"])
    _resegment(root, first, start, end)


def _edit_english(root: Path, sentence_id: str, old: str, new: str) -> None:
    _, rows = read_rows(root / "data" / "sentences.csv")
    text = next(r for r in rows if r["sentence_id"] == sentence_id)["text_en"]
    assert old in text, f"{old!r} not in the English of {sentence_id}"
    edit(root, "sentences", sentence_id, text_en=text.replace(old, new, 1))


# name → (how to break the copy, expected exit code, the rule that must be named)
FAULTS = {
    "changed total": (
        lambda r: edit(r, "figures", "F036", value=27, base_value=27),
        1,
        "relations.evaluate_as_declared",
    ),
    "changed total is not the number written": (
        lambda r: edit(r, "figures", "F036", value=27, base_value=27),
        1,
        "figures.value_matches_numeral",
    ),
    "broken percentage (implied earlier count)": (
        lambda r: edit(r, "figures", "D001", value=24, base_value=24),
        1,
        "relations.evaluate_as_declared",
    ),
    "broken difference (implied earlier funds)": (
        lambda r: edit(r, "figures", "D002", value=1.6, base_value=160000000),
        1,
        "relations.evaluate_as_declared",
    ),
    "wrong unit conversion": (
        lambda r: edit(r, "figures", "F006", base_value=229000000),
        1,
        "figures.base_value_conversion",
    ),
    "wrong unit multiplier": (lambda r: edit(r, "units", "万元", multiplier=1000), 1, "figures.base_value_conversion"),
    "shifted offset": (
        lambda r: edit(r, "figures", "F010", char_start=438, char_end=445),
        1,
        "figures.quote_at_offsets",
    ),
    "edited quote": (lambda r: edit(r, "figures", "F021", quote="三名党员"), 1, "figures.quote_at_offsets"),
    "numeral not in quote": (lambda r: edit(r, "figures", "F019", numeral="12"), 1, "figures.numeral_in_quote"),
    "duplicate id": (lambda r: edit(r, "figures", "F002", figure_id="F001"), 1, "frictionless.primary-key"),
    "duplicate id (pandera)": (lambda r: edit(r, "figures", "F002", figure_id="F001"), 1, "pandera.figures"),
    "dangling indicator": (
        lambda r: edit(r, "figures", "F016", indicator_id="no_such_indicator"),
        1,
        "frictionless.foreign-key",
    ),
    "dangling relation term": (
        lambda r: replace_in(r, "data/relation_terms.csv", "L05,F029,later", "L05,F999,later"),
        1,
        "frictionless.foreign-key",
    ),
    "deleted figure": (
        lambda r: drop(r, "figures", lambda row: row["figure_id"] != "F053"),
        1,
        "seed.numeral_coverage",
    ),
    "deleted non-figure": (
        lambda r: drop(r, "non_figures", lambda row: row["quote"] != "1号工程"),
        1,
        "seed.numeral_coverage",
    ),
    "wrong qualifier": (lambda r: edit(r, "figures", "F070", qualifier="exact"), 1, "figures.qualifier_matches_quote"),
    "qualifier outside the enum": (lambda r: edit(r, "figures", "F070", qualifier="roughly"), 1, "pandera.figures"),
    "wrong base unit": (
        lambda r: edit(r, "figures", "F011", base_unit="count"),
        1,
        "figures.base_unit_matches_indicator",
    ),
    "period reversed": (lambda r: edit(r, "figures", "F059", period_start="2020-08-01"), 1, "figures.period_order"),
    "value emptied without a reading": (
        lambda r: edit(r, "figures", "F016", value="", base_value=""),
        1,
        "figures.value_or_reading",
    ),
    "lost unit without a reading": (
        lambda r: drop(r, "figure_readings", lambda row: row["figure_id"] != "F061"),
        1,
        "figures.unit_or_reading",
    ),
    "derived figure given a quote": (lambda r: edit(r, "figures", "D001", quote="18件"), 1, "figures.stated_fields"),
    "listed item missing from count": (
        lambda r: edit(r, "relations", "L13", items="空间结构 | 道路通行 | 生活服务"),
        1,
        "relations.evaluate_as_declared",
    ),
    "listed item not in the text": (
        lambda r: edit(r, "relations", "L13", items="空间结构 | 道路通行 | 生活服务 | 绿化美化"),
        1,
        "relations.items_in_quote",
    ),
    "relation term with the wrong role": (
        lambda r: replace_in(r, "data/relation_terms.csv", "L01,F005,total", "L01,F005,part"),
        1,
        "relations.terms_fit_kind",
    ),
    "broken product (832 ≠ 4 × 208)": (
        lambda r: edit(r, "relations", "L27", holds="false"),
        1,
        "relations.evaluate_as_declared",
    ),
    "product with one factor": (
        lambda r: drop(r, "relation_terms", lambda row: (row["relation_id"], row["figure_id"]) != ("L27", "F050")),
        1,
        "relations.terms_fit_kind",
    ),
    "product tolerance beyond 1 % of the total": (
        lambda r: edit(r, "relations", "L27", tolerance=9),
        1,
        "relations.tolerance_within_bound",
    ),
    "SQL product disagrees": (
        lambda r: replace_in(
            r,
            "sql/relations.sql",
            "WHEN 'product'        THEN abs(lhs - rhs) <= tolerance",
            "WHEN 'product'        THEN abs(lhs - rhs) < -1",
        ),
        1,
        "relations.sql_agrees",
    ),
    "corroboration of a missing figure": (
        lambda r: edit(r, "corroborations", "C01", figure_id="F999"),
        1,
        "frictionless.foreign-key",
    ),
    "corroboration from a missing source": (
        lambda r: edit(r, "corroborations", "C01", source_id="S99"),
        1,
        "frictionless.foreign-key",
    ),
    "differs without a note": (lambda r: edit(r, "corroborations", "C07", note=""), 1, "corroborations.note_says_how"),
    "the report corroborating itself": (
        lambda r: edit(r, "corroborations", "C01", source_id="S01"),
        1,
        "corroborations.another_source",
    ),
    "verdict outside the enum": (
        lambda r: edit(r, "corroborations", "C01", verdict="confirms"),
        1,
        "pandera.corroborations",
    ),
    "SQL view disagrees": (
        lambda r: replace_in(
            r,
            "sql/relations.sql",
            "WHEN 'sum'            THEN abs(lhs - rhs) <= tolerance",
            "WHEN 'sum'            THEN abs(lhs - rhs) < -1",
        ),
        1,
        "relations.sql_agrees",
    ),
    "section gap": (lambda r: edit(r, "sections", "s3", char_start=1674), 1, "sections.tile_seed"),
    "non-figure offsets shifted": (
        lambda r: edit(r, "non_figures", "N036", char_start=2518, char_end=2522),
        1,
        "non_figures.quote_at_offsets",
    ),
    "required cell emptied": (lambda r: edit(r, "figures", "F016", stated=""), 1, "frictionless.constraint-error"),
    "type error in a number": (lambda r: edit(r, "figures", "F006", value="22.9x"), 1, "frictionless.type-error"),
    "stale hash after an edit": (
        lambda r: edit(r, "figures", "F016", restamp=False, note="edited"),
        1,
        "frictionless.hash-count",
    ),
    "changed seed byte": (
        lambda r: _rewrite(r / "seeds/wuqing_2020_paired_assistance_summary.txt", lambda b: b.replace(b"622", b"623")),
        2,
        "input.seed_changed",
    ),
    "changed seed, restamped": (
        lambda r: (
            _rewrite(r / "seeds/wuqing_2020_paired_assistance_summary.txt", lambda b: b + b"x"),
            stamp(Package(r)),
        ),
        2,
        "input.seed_changed",
    ),
    "GBK encoding": (
        lambda r: _rewrite(r / "data/indicators.csv", lambda b: b.decode("utf-8").encode("gbk", errors="replace")),
        2,
        "input.encoding",
    ),
    "byte-order mark": (lambda r: _rewrite(r / "data/figures.csv", lambda b: b"\xef\xbb\xbf" + b), 2, "input.bom"),
    "CRLF line endings": (
        lambda r: _rewrite(r / "data/sections.csv", lambda b: b.replace(b"\n", b"\r\n")),
        2,
        "input.line_endings",
    ),
    "carriage return inside a cell": (lambda r: edit(r, "figures", "F016", note="a\rb"), 2, "input.line_endings"),
    "broken JSON": (lambda r: _rewrite(r / "datapackage.json", lambda b: b[:-20]), 2, "input.malformed_json"),
    "broken schema JSON": (
        lambda r: _rewrite(r / "schemas/units.json", lambda b: b.replace(b"{", b"[", 1)),
        2,
        "input.malformed_json",
    ),
    "extra column": (_add_column, 2, "input.columns"),
    "missing column": (_drop_column, 2, "input.columns"),
    "ragged row": (
        lambda r: replace_in(r, "data/units.csv", "个,measure word (items),1", "个,measure word (items),1,x"),
        2,
        "input.csv_parse",
    ),
    "sentence leaves a gap": (lambda r: _resegment(r, "S012", 560, 685), 1, "sections.sentences_tile"),
    "sentences overlap": (lambda r: _resegment(r, "S011", 529, 560), 1, "sections.sentences_tile"),
    "sentence text edited": (
        lambda r: edit(r, "sentences", "S021", text_zh="截至目前,全区27个产业项目全部建成运营,并均已见到收益。"),
        1,
        "sentences.quote_at_offsets",
    ),
    "sentence cut mid-clause": (lambda r: _split_sentence(r, "S005", 200), 1, "sentences.break_at_sentence_end"),
    "two sentences as one": (lambda r: _merge_sentences(r, "S010", "S011"), 1, "sentences.break_at_sentence_end"),
    "adopted lost full stop ignored": (
        lambda r: _merge_sentences(r, "S009", "S010"),
        1,
        "sentences.break_at_sentence_end",
    ),
    "reading no longer adopts its full stop": (
        lambda r: edit(r, "readings", "R17", adopted="“两委”班子和“一肩挑”全区"),
        1,
        "readings.inside_one_sentence",
    ),
    "figure cut by a sentence break": (lambda r: _split_sentence(r, "S006", 308), 1, "figures.inside_one_sentence"),
    "non-figure cut by a sentence break": (
        lambda r: _split_sentence(r, "S044", 2519),
        1,
        "non_figures.inside_one_sentence",
    ),
    "figure's number missing from the English": (
        lambda r: _edit_english(r, "S013", "22,000", "twenty-two thousand"),
        1,
        "figures.number_in_english",
    ),
    "figure's number only inside a longer number": (
        lambda r: _edit_english(r, "S023", "2 warehousing", "20 warehousing"),
        1,
        "figures.number_in_english",
    ),
    "section without sentences": (
        lambda r: drop(r, "sentences", lambda row: row["section_id"] != "footer"),
        1,
        "sections.sentences_tile",
    ),
    "missing table": (lambda r: (r / "data/units.csv").unlink(), 2, "input.missing_file"),
    "running total not cumulative": (lambda r: edit(r, "figures", "F070", measure="stock"), 1, "figures.measure_fits"),
    "rate without its denominator": (lambda r: edit(r, "figures", "F073", per=""), 1, "figures.measure_fits"),
    "increase not a change": (lambda r: edit(r, "figures", "F030", measure="flow"), 1, "figures.measure_fits"),
    "date figure not a date": (lambda r: edit(r, "figures", "F001", measure="stock"), 1, "figures.measure_fits"),
    "denominator on a stock": (lambda r: edit(r, "figures", "F002", per="village"), 1, "figures.measure_fits"),
    "threshold without its qualifier": (
        lambda r: edit(r, "figures", "F002", measure="threshold"),
        1,
        "figures.measure_fits",
    ),
    "items of one classifier on two measures": (
        lambda r: edit(r, "figures", "F023", measure="count_of_kinds"),
        1,
        "figures.one_measure_per_classifier",
    ),
    "measure unlike its classifier's, with no reason": (
        lambda r: edit(r, "figures", "F027", note=""),
        1,
        "figures.one_measure_per_classifier",
    ),
    "measure outside the vocabulary": (
        lambda r: edit(r, "figures", "F002", measure="level"),
        1,
        "frictionless.constraint-error",
    ),
    "dangling concept": (
        lambda r: edit(r, "indicators", "administrative_villages", concept_id="towns"),
        1,
        "frictionless.foreign-key",
    ),
    "inferred scope contradicts its figure": (
        lambda r: edit(r, "figures", "F040", scope_zh="全区"),
        1,
        "figures.scope_inferred_consistently",
    ),
    "inferred scope without its mark": (
        lambda r: drop(r, "figure_readings", lambda row: (row["figure_id"], row["reading_id"]) != ("F070", "R63")),
        1,
        "figures.scope_inferred_consistently",
    ),
    "scope mark adopting words it does not mark": (
        lambda r: edit(r, "readings", "R60", adopted="帮扶村庄"),
        1,
        "figures.scope_inferred_consistently",
    ),
    "missing seed": (
        lambda r: (r / "seeds/wuqing_2020_paired_assistance_summary.txt").unlink(),
        2,
        "input.missing_file",
    ),
}


def test_at_least_twenty_distinct_faults():
    assert len({rule for _, _, rule in FAULTS.values()}) >= 20


def test_the_pristine_copy_is_valid(copy):
    report = validate(copy)
    assert report.exit_code == 0, report.failed_rules()


@pytest.mark.parametrize("name", FAULTS)
def test_fault_is_caught_by_its_rule(copy, name):
    inject, exit_code, rule = FAULTS[name]
    inject(copy)
    report = validate_stage(copy, rule, alone=True)
    assert report.exit_code == exit_code, (report.exit_code, report.failed_rules())
    named = {p.rule for p in report.problems} | ({report.unusable.rule} if report.unusable else set())
    assert rule in named, named
    for p in report.problems:
        assert p.file and p.rule, p


# name → (how to break the copy, the rule that must name it; exit code 1)
DATA_FAULTS = {
    "tolerance inf": (lambda r: edit(r, "relations", "L01", tolerance="inf"), "relations.cells.canonical_form"),
    "tolerance 1e308": (lambda r: edit(r, "relations", "L01", tolerance="1e308"), "relations.cells.canonical_form"),
    "tolerance past its bound": (
        lambda r: edit(r, "relations", "L01", tolerance=5),
        "relations.tolerance_within_bound",
    ),
    "tolerance on a count": (lambda r: edit(r, "relations", "L08", tolerance=1), "relations.tolerance_within_bound"),
    "tolerance too wide for a percentage": (
        lambda r: edit(r, "relations", "L04", tolerance=0.5),
        "relations.tolerance_within_bound",
    ),
    "figure deleted, a noted reading over its numeral": (
        lambda r: _figure_swapped_for_reading(r),
        "seed.numeral_coverage",
    ),
    "figure deleted, an unrecoverable reading over its numeral": (
        lambda r: _figure_swapped_for_reading(r, status="unrecoverable"),
        "seed.numeral_coverage",
    ),
    "figure deleted, a page-chrome reading over its numeral": (
        lambda r: _figure_swapped_for_reading(r, kind="page_chrome"),
        "seed.numeral_coverage",
    ),
    "F006 deleted, page chrome over 22.9": (
        lambda r: _figure_swapped_for_reading(r, "F006", kind="page_chrome"),
        "seed.numeral_coverage",
    ),
    "NUL byte in a text cell": (lambda r: edit(r, "figures", "F016", note="a\x00b"), "frictionless.constraint-error"),
    "escape sequence in a text cell": (lambda r: edit(r, "figures", "F016", note="\x1b[31mred"), "pandera.figures"),
    "formula in a text cell": (
        lambda r: edit(r, "indicators", "administrative_villages", label_en='=HYPERLINK("http://x")'),
        "frictionless.constraint-error",
    ),
    "leading plus in a text cell": (lambda r: edit(r, "figures", "F016", note="+1"), "pandera.figures"),
    "number with a trailing space": (
        lambda r: edit(r, "figures", "F005", value="622 "),
        "figures.cells.canonical_form",
    ),
    "number with an exponent": (lambda r: edit(r, "figures", "F005", value="6.22e2"), "figures.cells.canonical_form"),
    "NaN as a number": (lambda r: edit(r, "figures", "F005", value="NaN"), "figures.cells.canonical_form"),
    "negative zero": (
        lambda r: edit(r, "figures", "D001", value="-0", base_value="-0"),
        "figures.cells.canonical_form",
    ),
    "offset beyond any integer": (
        lambda r: edit(r, "figures", "F005", char_start="1e23"),
        "figures.cells.canonical_form",
    ),
    "boolean spelt True": (lambda r: edit(r, "figures", "F005", stated="True"), "figures.cells.canonical_form"),
    "a day in date_value": (
        lambda r: edit(r, "figures", "F001", date_value="2017-08-15"),
        "figures.value_matches_numeral",
    ),
    "period against its words": (
        lambda r: edit(r, "figures", "F068", period_start="2018-01-01"),
        "figures.period_matches_text",
    ),
    "period without words": (lambda r: edit(r, "figures", "F038", period_text=""), "figures.period_matches_text"),
    "period open at its end, against its words": (
        lambda r: edit(r, "figures", "F010", period_start="2016-01-01", period_end=""),
        "figures.period_matches_text",
    ),
    "value under an unrecoverable reading": (
        lambda r: _value_under_lost_text(r),
        "figures.no_value_under_unrecoverable",
    ),
    "earlier value of 0 in a percentage": (
        lambda r: edit(r, "figures", "D001", value=0, base_value=0),
        "relations.evaluate_as_declared",
    ),
}


def _figure_swapped_for_reading(
    root: Path, figure_id: str = "F053", kind: str = "interpretation", status: str = "noted"
) -> None:
    """Delete a figure (with its terms and links) and lay a reading of this kind and status over its words."""
    header, rows = read_rows(root / "data" / "figures.csv")
    figure = next(r for r in rows if r["figure_id"] == figure_id)
    for table in ("relation_terms", "figure_readings", "corroborations", "figures"):
        drop(root, table, lambda row: row["figure_id"] != figure_id)
    header, readings = read_rows(root / "data" / "readings.csv")
    readings.append(
        {
            "reading_id": "R99",
            "char_start": figure["char_start"],
            "char_end": figure["char_end"],
            "written": figure["quote"],
            "adopted": figure["quote"],
            "kind": kind,
            "status": status,
            "reason": "an excuse for a deleted figure",
        }
    )
    write_rows(root / "data" / "readings.csv", header, readings)
    stamp(Package(root))


def _value_under_lost_text(root: Path) -> None:
    drop(root, "figure_readings", lambda row: row["figure_id"] != "F048")
    edit(root, "figures", "F048", value=510, unit="元", base_value=510, base_unit="CNY")


@pytest.mark.parametrize("name", DATA_FAULTS)
def test_data_fault_is_named(copy, name):
    inject, rule = DATA_FAULTS[name]
    inject(copy)
    report = validate_stage(copy, rule)
    assert report.exit_code == 1, (name, report.exit_code, report.failed_rules(), report.unusable)
    assert rule in {p.rule for p in report.problems}, report.failed_rules()
    assert not [r.rule for r in report.results if r.rule.endswith(".crashed")], report.failed_rules()


def test_an_open_period_end_is_shown_as_open_not_as_nan(copy):
    DATA_FAULTS["period open at its end, against its words"][0](copy)
    [problem] = [
        p
        for p in validate_stage(copy, "figures.period_matches_text").problems
        if p.rule == "figures.period_matches_text"
    ]
    assert (problem.row, problem.found) == ("F010", "2016-01-01 .. …")


def test_a_duplicated_figure_fails_only_its_own_relations_naming_it(copy):
    header, rows = read_rows(copy / "data" / "figures.csv")
    write_rows(copy / "data" / "figures.csv", header, rows + [r for r in rows if r["figure_id"] == "F005"])
    stamp(Package(copy))
    report = validate_stage(
        copy, "relations.evaluate_as_declared"
    )  # with relations.sql_agrees: the relations table's rules
    relations = report.rule("relations.evaluate_as_declared").problems
    terms = {t["relation_id"] for t in read_rows(copy / "data" / "relation_terms.csv")[1] if t["figure_id"] == "F005"}
    assert {p.row for p in relations} == terms and all("F005" in p.found for p in relations)
    assert report.rule("relations.sql_agrees").passed


def test_a_cell_of_two_megabytes_is_valid(copy):
    edit(copy, "figures", "F016", note="长" * 2_100_000)
    assert validate(copy).exit_code == 0


def test_a_numeral_too_long_to_parse_fails_without_hanging(copy):
    edit(copy, "figures", "F003", numeral="一" * 100_000)
    report = validate(copy)
    assert report.exit_code == 1 and "figures.value_matches_numeral" in report.failed_rules()
