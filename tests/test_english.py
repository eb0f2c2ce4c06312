"""The convention by which a figure's number is found in English: each form, and the boundaries that keep it honest."""

from __future__ import annotations

import pytest

from checks.validate.english import english_forms, find_in_english


@pytest.mark.parametrize(
    "numeral, base, date, text",
    [
        ("22.9", 2290000000.0, None, "2.29 billion yuan"),
        ("6000", 60000000.0, None, "60 million yuan more"),
        ("2.2", 22000.0, None, "led 22,000 rural Party members"),
        ("10837", 10837.0, None, "all 10,837 people"),
        ("七", 7.0, None, "the Seven major campaigns"),
        ("两", 2.0, None, "two Party members"),
        ("20178", None, "2017-08", "In August 2017, the"),
        ("510", None, None, 'at the standard of "510"'),
    ],
)
def test_each_form_of_the_convention_is_found(numeral, base, date, text):
    assert find_in_english(text, english_forms(numeral, base, date)) is not None


@pytest.mark.parametrize(
    "numeral, base, text",
    [
        ("20", 200000.0, "exceeds 2,000,000 yuan"),  # 20万元 is 200,000, not 2,000,000
        ("2", 2.0, "20 warehousing projects"),
        ("20", 20.0, "rose by 20.4%"),
        ("2.2", 22000.0, "22.2 thousand"),
        ("三", 3.0, "threefold"),
    ],
)
def test_a_number_inside_a_longer_one_does_not_count(numeral, base, text):
    assert find_in_english(text, english_forms(numeral, base, None)) is None
