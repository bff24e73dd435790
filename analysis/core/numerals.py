"""Numbers as the reports write them, turned into plain numbers.

The reports mix Arabic digits with Chinese magnitude characters (``30.49萬`` = 304900,
``1.56万`` = 15600, ``1.5万余`` = 15000 "more than") and Chinese numerals
(``三轮`` = 3 rounds, ``第九版`` = 9th edition, ``二十五`` = 25).  This module finds every
number in a piece of text and returns its value, so that tests can check that a curated
value really is in its quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: Magnitude characters that may follow an Arabic number (simplified and traditional).
MAGNITUDES = {"十": 10, "百": 100, "千": 1_000, "万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
#: English magnitude words, as outside (English) sources write them: ``4.74 million``.
ENGLISH_MAGNITUDES = {"million": 1_000_000, "billion": 1_000_000_000}

CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
                  "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1_000}
CHINESE_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

_ARABIC = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)"
                     r"(?:\s*([万萬亿億千百](?!分之))|\s?(million|billion)(?![A-Za-z]))?")
_CHINESE = re.compile(r"[〇零一二两兩三四五六七八九十百千万萬亿億]+")


@dataclass(frozen=True)
class NumberMention:
    """One number found in a text: its value, the characters it came from and where."""

    value: float
    text: str
    start: int
    end: int


def parse_chinese_numeral(token: str) -> int:
    """Value of a Chinese numeral such as ``二十五`` (25), ``十`` (10) or ``三千五百`` (3500).

    Raises ``ValueError`` for a string that is not a well-formed numeral.
    """
    if not token:
        raise ValueError("empty numeral")
    total, section, digit = 0, 0, None
    for ch in token:
        if ch in CHINESE_DIGITS:
            if digit is not None:  # digit sequence like 一九 -> read positionally
                digit = digit * 10 + CHINESE_DIGITS[ch]
            else:
                digit = CHINESE_DIGITS[ch]
        elif ch in CHINESE_UNITS:
            section += (1 if digit is None else digit) * CHINESE_UNITS[ch]
            digit = None
        elif ch in CHINESE_BIG_UNITS:
            section += digit or 0
            if section == 0:
                raise ValueError(f"magnitude without a number in {token!r}")
            total += section * CHINESE_BIG_UNITS[ch]
            section, digit = 0, None
        else:
            raise ValueError(f"not a Chinese numeral character: {ch!r} in {token!r}")
    return total + section + (digit or 0)


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in ``text``: Arabic (with an optional magnitude) and Chinese numerals.

    ``30.49萬`` gives 304900.0; ``3000余`` gives 3000.0; ``10混1`` gives 10 and 1;
    ``第九版`` gives 9; ``4.74 million`` gives 4740000 (outside sources in English).  Lone ``一``
    inside words (一是, 一起) is also reported as 1: the function finds candidates, it does not
    judge which are quantities.
    """
    found: list[NumberMention] = []
    taken = [False] * len(text)
    for m in _ARABIC.finditer(text):
        # Decimal arithmetic: 64.07万 is 640700 exactly, not 640699.9999999999
        value = Decimal(m.group(1).replace(",", ""))
        if m.group(2):
            value *= MAGNITUDES[m.group(2)]
        elif m.group(3):
            value *= ENGLISH_MAGNITUDES[m.group(3)]
        found.append(NumberMention(float(value), m.group(0), m.start(), m.end()))
        for i in range(m.start(), m.end()):
            taken[i] = True
    for m in _CHINESE.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        try:
            value = parse_chinese_numeral(m.group(0))
        except ValueError:
            continue
        found.append(NumberMention(float(value), m.group(0), m.start(), m.end()))
    return sorted(found, key=lambda n: n.start)


def numbers_in(text: str) -> set[float]:
    """The set of values of :func:`find_numbers`."""
    return {n.value for n in find_numbers(text)}


def arabic_numbers(text: str) -> list[NumberMention]:
    """Only the runs of Arabic digits (used by the coverage test)."""
    return [n for n in find_numbers(text) if any(c.isdigit() for c in n.text)]
