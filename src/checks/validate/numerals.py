"""Reading numbers and qualifier words the way the text writes them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

ARABIC = re.compile(r"[0-9]+(?:\.[0-9]+)?")
CHINESE = re.compile(r"[〇零一二两三四五六七八九十百千万亿]+")
#: Every character that writes (part of) a number: the coverage rule accounts for each one in the seed.
NUMERAL_CHARACTERS = "0123456789〇零一二两三四五六七八九十百千万亿"
#: A numeral that writes a year and a month with the 年 lost (20178 is August 2017).
YEAR_MONTH = re.compile(r"(20[0-9]{2})(1[0-2]|[1-9])")
#: A year written in words such as period_text.
WRITTEN_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")

# Qualifier words and where they stand relative to the number, most specific first.
QUALIFIER_WORDS = (
    ("approximate", re.compile(r"约|大约|近")),
    ("more_than", re.compile(r"超过|余|多")),
    ("at_least", re.compile(r"以上")),
    ("at_most", re.compile(r"以下")),
)


#: One-character numerals, as cn2an reads them (a test checks it): most of a report's Chinese numerals are one
#: character (两, 七, 四), and these spare the import of cn2an (0.2 s, more than the rules that use it).
DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}

#: No numeral of a report is longer; cn2an's time grows with the square of the length, so longer ones are not parsed.
MAX_NUMERAL = 32


@lru_cache(maxsize=4096)
def parse_numeral(numeral: str) -> Decimal | None:
    """The number an Arabic or Chinese numeral writes (22.9, 两 → 2, 七 → 7); None if it is neither, or too long.
    cn2an (and its start-up cost) is imported only when a longer Chinese numeral is parsed."""
    if len(numeral) > MAX_NUMERAL:
        return None
    if ARABIC.fullmatch(numeral):
        return Decimal(numeral)
    if numeral in DIGITS:
        return Decimal(DIGITS[numeral])
    if CHINESE.fullmatch(numeral):
        import cn2an

        try:
            return Decimal(str(cn2an.cn2an(numeral, "smart")))
        except (ValueError, InvalidOperation, KeyError):
            return None
    return None


def qualifier_of(quote: str) -> str:
    """The qualifier the quote's own words express; exact when none does."""
    return next((qualifier for qualifier, words in QUALIFIER_WORDS if words.search(quote)), "exact")
