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


# ---------------------------------------------------------------- Chinese numerals that count

from analysis.core.numerals import chinese_count_mentions, implied_qualifier  # noqa: E402
from analysis.core.registry import report_keys  # noqa: E402
from analysis.core.texts import normalised_text  # noqa: E402


@pytest.mark.parametrize("text, expected", [
    ("市区两级成立了工作专班", [("两", 2.0)]),
    ("已開展三輪全員核酸檢測", [("三", 3.0)]),
    ("十二名医护人员", [("十二", 12.0)]),
    ("按照第九版要求", [("九", 9.0)]),
    ("占全国的近四分之一", [("四分之一", 0.25)]),
    ("十余人", [("十", 10.0)]),
    ("半年以来", [("半", 0.5)]),
    ("坚持“四早”策略", [("四", 4.0)]),
    ("两码一检", [("两", 2.0), ("一", 1.0)]),
    ("共筛查17.13万人", []),            # Arabic with a magnitude: find_numbers' business
    ("检测万余人次", []),               # stripped digits: a lone magnitude is not a number
    ("进一步加强,统一部署,深入一线", []),
    ("第一时间报告,万一发生", []),
    ("动态清零,零感染", []),            # zeros in words are not numerals here
    ("九台区、二道区、吉大一院", []),   # place and hospital names
    ("疫情防控四分之一", [("四分之一", 0.25)]),
])
def test_chinese_count_mentions(text, expected):
    found = chinese_count_mentions(text)
    assert [(n.text, n.value) for n in found] == expected
    assert all(text[n.start:n.end] == n.text for n in found)


@pytest.mark.parametrize("text, value, qualifier", [
    ("60岁以上老人", 60, "at_least"),
    ("3岁以下儿童", 3, "at_most"),
    ("24小时内完成", 24, "at_most"),
    ("3000余人", 3000, "more_than"),
    ("1.2万余人参与", 12000, "more_than"),
    ("经过一个多月治疗", 1, "more_than"),
    ("组建30多支队伍", 30, "more_than"),
    ("近三個月以來", 3, "nearly"),
    ("约500人", 500, "about"),
    ("500人左右", 500, "about"),
    ("共筛查17.13万人", 171300, "about"),     # a 万 figure is rounded
    ("检出阳性感染者58名", 58, None),        # nothing said: undecided
])
def test_implied_qualifier(text, value, qualifier):
    mention = next(n for n in find_numbers(text) if n.value == value)
    assert implied_qualifier(text, mention) == qualifier


def test_parser_agrees_with_cn2an():
    """cn2an (pinned cn2an==0.5.24, a test oracle only) reads the same numerals the same way."""
    cn2an = pytest.importorskip("cn2an")
    tokens = ["十", "十二", "二十五", "一百零三", "三千五百", "两万", "一万二千", "九", "兩", "三十",
              "一千零一", "十万", "三亿五千万", "二十万零五百", "四百", "一百"]
    for report in report_keys():
        # fractions and 半 are not integers; cn2an refuses a bare 百 or 千 (百日), read here as 100, 1000
        tokens += [n.text for n in chinese_count_mentions(normalised_text(report))
                   if "分之" not in n.text and n.text != "半" and n.text[0] not in "百千万萬亿億"]
    assert len(set(tokens)) > 20
    for token in sorted(set(tokens)):
        assert parse_chinese_numeral(token) == cn2an.cn2an(token, "smart"), token
