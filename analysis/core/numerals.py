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


# ------------------------------------------------------------------ Chinese numerals as counts
#
# The coverage rule (data/README.md, "uncounted_numbers.csv"): every run of Chinese numeral
# characters in a text is a number the book must account for, EXCEPT inside a word of
# NON_NUMERAL_WORDS, where the characters do not count anything (进一步 "further", 一线 "front
# line", 统一 "unified", 第一时间 "at once", place names such as 九台区 or 三江源).  A lone 〇/零
# (清零, 零感染) is a stated zero, not matched here.  Everything else -- 两级, 三轮, 十二名, 第九版,
# 四分之一, 十余, 半年, “四早” -- is a hit: a curated quote or a row of uncounted_numbers.csv
# (with its reason class) must cover it.

#: Words whose numeral characters are not numbers (simplified and traditional spellings).
NON_NUMERAL_WORDS = (
    "进一步", "進一步", "下一步", "一线", "一線", "统一", "統一", "一体", "一體", "一定", "一方面",
    "另一方面", "之一", "万一", "萬一", "一律", "一旦", "一般", "一直", "一致", "一些", "一切", "唯一",
    "一同", "一再", "一度", "一道", "一样", "一樣", "第一时间", "第一時間", "千方百计", "千方百計",
    "举一反三", "舉一反三", "百姓", "百色", "九台", "二道", "三江源", "吉大一院", "吉大二院",
)
_CN_DIGIT = "〇零一二两兩三四五六七八九十百千万萬亿億"
_CN_RUN = re.compile(f"[{_CN_DIGIT}]+(?:分之[{_CN_DIGIT}]+)?|半(?=[年月天日个個小])")


def chinese_count_mentions(text: str) -> list[NumberMention]:
    """Chinese numerals in ``text`` that count something, by the coverage rule above.

    Arabic numbers with a magnitude (``1.56万``) are left to :func:`find_numbers`; a fraction
    ``四分之一`` is one mention (0.25); ``半`` before a time or measure word is 0.5; a lone
    magnitude (``万余`` where the digits were stripped) does not parse and is not a hit.
    """
    blocked = [False] * len(text)
    for n in find_numbers(text):
        if any(c.isdigit() for c in n.text):
            blocked[n.start:n.end] = [True] * (n.end - n.start)
    for word in NON_NUMERAL_WORDS:
        i = text.find(word)
        while i >= 0:
            if not (word == "之一" and text[i - 1:i] == "分"):  # 四分之一 is a fraction
                blocked[i:i + len(word)] = [True] * len(word)
            i = text.find(word, i + 1)
    found = []
    for m in _CN_RUN.finditer(text):
        token = m.group(0)
        if any(blocked[m.start():m.end()]) or token in ("〇", "零"):
            continue
        try:
            if token == "半":
                value = 0.5
            elif "分之" in token:
                den, num = token.split("分之")
                value = parse_chinese_numeral(num) / parse_chinese_numeral(den)
            else:
                value = float(parse_chinese_numeral(token))
        except (ValueError, ZeroDivisionError):
            continue
        found.append(NumberMention(value, token, m.start(), m.end()))
    return found


# ------------------------------------------------------------------ qualifiers a quote implies
#
# Semantics (data/codebook.csv rows ``qualifier:*`` and data/README.md, facts section):
# 以上 at_least (inclusive) · 以下/以内/内 (24小时内) at_most (inclusive) · 余/多/超过 more_than · 近/将近/接近
# nearly · 约/大约/左右 about · 不足/不到 less_than · a figure written in 万/亿 units with no other
# marker is rounded: about.  Anything else is undecided by the quote (None).

_AFTER = (("以上", "at_least"), ("以下", "at_most"), ("以内", "at_most"), ("以內", "at_most"),
          ("内", "at_most"), ("內", "at_most"), ("左右", "about"),
          ("余", "more_than"), ("餘", "more_than"), ("多", "more_than"))
_BEFORE = (("超过", "more_than"), ("超過", "more_than"), ("将近", "nearly"), ("將近", "nearly"),
           ("接近", "nearly"), ("近", "nearly"), ("大约", "about"), ("大約", "about"), ("约", "about"),
           ("約", "about"), ("不足", "less_than"), ("不到", "less_than"))
_MEASURE = re.compile(r"人次|人份|小时|小時|个月|個月|[个個名人例户戶家次份支所座轮輪批日天月岁歲]")


def implied_qualifier(text: str, mention: NumberMention) -> str | None:
    """The qualifier the words around ``mention`` in ``text`` imply, or None if they imply none.

    Markers after the number may follow one measure word or time unit (``3000余人``,
    ``一个多月``, ``60岁以上``, ``24小时内``); markers before it must touch it (``近三个月``).
    """
    after = text[mention.end:]
    measure = _MEASURE.match(after)
    rest = after[measure.end():] if measure else after
    for tail in (after, rest):
        for word, qualifier in _AFTER:
            if tail.startswith(word):
                return qualifier
    before = text[:mention.start]
    for word, qualifier in _BEFORE:
        if before.endswith(word):
            return qualifier
    if mention.text[-1:] in "万萬亿億":
        return "about"
    return None
