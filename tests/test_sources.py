"""The report texts: storage, checksums and each normalisation rule."""

from __future__ import annotations

import hashlib

import pytest

from analysis.core import registry
from analysis.core import texts as src
from analysis.core.registry import report_keys

REPORT_KEYS = report_keys()


def test_every_report_has_a_stored_text(data_dir):
    assert len(REPORT_KEYS) == len(set(REPORT_KEYS)) >= 5
    for report in REPORT_KEYS:
        assert src.source_path(report, data_dir).is_file()


def test_unknown_report_key_is_refused():
    with pytest.raises(ValueError, match="unknown report key 'beijing'"):
        src.normalised_text("beijing")


def test_pinyin_gloss_rule_removes_readings_only():
    assert src.remove_pinyin_glosses("發(fā)布會(huì)") == "發布會"
    assert src.remove_pinyin_glosses("區(qū)域") == "區域"
    # a Chinese gloss in parentheses is text, not a reading
    assert src.remove_pinyin_glosses("“三公(工)”聯動") == "“三公(工)”聯動"
    # Latin text in parentheses that does not follow a CJK character stays
    assert src.remove_pinyin_glosses("see (note)") == "see (note)"


def test_yushu_normalised_has_no_glosses_and_keeps_everything_else():
    raw = src.raw_text("yushu")
    norm = src.normalised_text("yushu")
    assert "(fā)" in raw and "(fā)" not in norm
    assert "發布會上" in norm and "三公(工)" in norm
    # only the glosses were removed: deleting them from the raw text by hand gives the same result
    assert len(raw) - len(norm) == sum(len(m.group(0)) for m in src.PINYIN_GLOSS.finditer(raw))


def test_changchun_spam_and_footer_removed():
    raw = src.raw_text("changchun")
    norm = src.normalised_text("changchun")
    assert "白癜风" in raw and "白癜风" not in norm
    assert "http" not in norm
    assert "冀ICP备" in raw and "冀ICP备" not in norm
    assert "转载请注明地址" not in norm
    assert norm.startswith("本轮长春市疫情防控工作第17场新闻发布会")
    assert "3月27日0-24时,全市新增本地确诊病例例" in norm
    # the last line of the transcript proper survives
    assert norm.rstrip().endswith("建立“保供协调工作")


def test_spam_rule_only_touches_spam_lines():
    text = "第一行\n哪里治白癜风的医院好 http://example.org/x.html\n第三行,含http字样但不是广告\n"
    assert src.remove_spam_lines(text) == "第一行\n第三行,含http字样但不是广告\n"


@pytest.mark.parametrize("report", ["mudanjiang", "suining", "dongxing"])
def test_clean_reports_are_not_changed(report):
    assert src.normalised_text(report) == src.raw_text(report)


def test_sha256_matches_file_bytes(data_dir):
    for report in REPORT_KEYS:
        expected = hashlib.sha256(src.source_path(report, data_dir).read_bytes()).hexdigest()
        assert src.sha256(report, data_dir) == expected


def test_rules_are_named_in_the_registry():
    """The normalisation of each report is the list of rule names in sources.csv, applied in order."""
    assert registry.report("yushu").normalisation == ("pinyin_glosses",)
    assert registry.report("changchun").normalisation == ("spam_lines", "site_footer")
    assert registry.report("dongxing").normalisation == ()
    assert set(src.RULES) == {"pinyin_glosses", "spam_lines", "site_footer"}


def test_an_unknown_rule_name_is_refused(data_copy):
    path = data_copy / "sources.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("spam_lines;site_footer", "spam_lines;no_such_rule"),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_rule"):
        src.normalised_text("changchun", data_copy)


def test_registry_order_and_labels_come_from_the_csv(data_copy):
    path = data_copy / "sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[-1] == "order"
    # reverse the display order: the registry follows the column, not the file's row order
    n = len(lines) - 1
    out = [lines[0]] + [line.rsplit(",", 1)[0] + f",{n - i}" for i, line in enumerate(lines[1:])]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert registry.report_keys(data_copy) == tuple(reversed(REPORT_KEYS))
    assert registry.city_label("changchun", data_copy) == "Changchun 长春"


def test_split_sentences_concatenates_to_the_text():
    for report in REPORT_KEYS:
        text = src.normalised_text(report)
        sentences = src.split_sentences(text)
        assert "".join(sentences) == text
        assert all(s.strip() for s in sentences)
    assert src.split_sentences("甲。乙！\n\n丙") == ["甲。", "乙！\n\n", "丙"]
