"""Chinese and Arabic numbers as the reports write them."""

from __future__ import annotations

import pytest

from analysis.core.numerals import find_numbers, numbers_in, parse_chinese_numeral


@pytest.mark.parametrize("text, expected", [
    ("30.49萬人份", {304900.0}),
    ("1.56万", {15600.0}),
    ("3000余人", {3000.0}),
    ("1.5万余名", {15000.0}),
    ("10混1", {10.0, 1.0}),
    ("第九版", {9.0}),
    ("658,772人", {658772.0}),
    ("阳性检出率0.288/万", {0.288}),
    ("17.13万人", {171300.0}),
])
def test_numbers_in(text, expected):
    assert numbers_in(text) == expected


@pytest.mark.parametrize("token, value", [
    ("十", 10), ("十二", 12), ("二十五", 25), ("一百零三", 103), ("三千五百", 3500),
    ("两万", 20000), ("一万二千", 12000), ("九", 9),
])
def test_parse_chinese_numeral(token, value):
    assert parse_chinese_numeral(token) == value


@pytest.mark.parametrize("bad", ["", "万", "abc"])
def test_parse_chinese_numeral_rejects(bad):
    with pytest.raises(ValueError):
        parse_chinese_numeral(bad)


def test_positions_point_at_the_source_characters():
    text = "共筛查17.13万人,三轮"
    found = find_numbers(text)
    assert [text[n.start:n.end] for n in found] == ["17.13万", "三"]
