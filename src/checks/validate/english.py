"""How a figure's number may be written in English, so that a rule (and the report view) can find it in a translation.

The convention, stated once here and in schemas/sentences.json: a figure's number appears in its sentence's English
* as written (622, 20.4, 510), or with thousands separators (10,837);
* as its base value (22,000 for 2.2万名), with separators, or in millions or billions (2.29 billion for 22.9亿元);
* for a Chinese numeral, as the English number word (seven for 七, two for 两), in any case;
* for a date figure, as month and year (August 2017 for 20178月).
A form must stand alone: not inside a longer number or word (20 does not match 200 or 20.4).
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal

from checks.validate.numerals import ARABIC, parse_numeral

SCALES = ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"))
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 2.290 → 2.29, 2E+3 → 2000."""
    return format(number.normalize(), "f")


def _grouped(number: Decimal) -> str:
    whole, _, fraction = _plain(number).partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def english_forms(numeral: str | None, base_value: float | None, date_value: str | None) -> list[str]:
    """Every spelling the convention allows for one figure, most literal first."""
    forms: list[str] = []
    if date_value:
        year, month = date_value.split("-")[:2]
        forms.append(f"{calendar.month_name[int(month)]} {year}")
    if numeral:
        written = parse_numeral(numeral)
        if ARABIC.fullmatch(numeral):
            forms += [numeral, _grouped(Decimal(numeral))]
        elif written is not None and written == written.to_integral() and 0 <= written < len(WORDS):
            forms += [WORDS[int(written)], str(int(written))]
    if base_value is not None:
        base = Decimal(repr(float(base_value)))
        forms += [_plain(base), _grouped(base)]
        forms += [f"{_plain(base / size)} {word}" for size, word in SCALES if abs(base) >= size]
    return list(dict.fromkeys(forms))


def find_in_english(text: str, forms: list[str]) -> tuple[int, int] | None:
    """The first place (start, end) where one of the forms stands alone in text, trying forms in order; None if none
    does."""
    for form in forms:
        match = re.search(r"(?<![\w.,])" + re.escape(form) + r"(?![\w]|[.,][0-9])", text, re.IGNORECASE)
        if match:
            return match.span()
    return None
