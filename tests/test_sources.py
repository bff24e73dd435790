"""The report texts: storage, checksums and each normalisation rule."""

from __future__ import annotations

import hashlib

import pytest

from analysis import REPORT_KEYS
from analysis import sources as src


def test_every_report_has_a_stored_text(data_dir):
    assert set(src.SOURCE_FILES) == set(REPORT_KEYS)
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
    assert src.remove_spam(text) == "第一行\n第三行,含http字样但不是广告\n"


@pytest.mark.parametrize("report", ["mudanjiang", "suining", "dongxing"])
def test_clean_reports_are_not_changed(report):
    assert src.normalised_text(report) == src.raw_text(report)


def test_sha256_matches_file_bytes(data_dir):
    for report in REPORT_KEYS:
        expected = hashlib.sha256(src.source_path(report, data_dir).read_bytes()).hexdigest()
        assert src.sha256(report, data_dir) == expected
