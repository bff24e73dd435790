"""Annotated sources: every curated row has an anchor, and text is escaped."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.checks.translations import GAP_MARK, english_forms, sentence_spans
from analysis.core.texts import normalised_text

from analysis.core.ids import anchor_href
from analysis.figures.annotate import annotated_html, supplemented_list_html
from analysis.core.loaders import load_events, load_facts, load_supplementary


def _all_html():
    facts, events, supp = load_facts(), load_events(), load_supplementary()
    parts = []
    for report in facts["report"].unique():
        parts.append(annotated_html(report, facts, events))
        parts.append(supplemented_list_html(report, facts, supp, events))
    return facts, events, "".join(parts)


def test_every_fact_and_event_has_exactly_one_anchor():
    facts, events, page = _all_html()
    ids = re.findall(r'id="((?:fact|event)-[a-z]+-e?\d+)"', page)
    assert len(ids) == len(set(ids))
    assert set(ids) == {f"fact-{i}" for i in facts["fact_id"]} | {f"event-{i}" for i in events["event_id"]}


def test_stripped_rows_are_marked_as_gaps():
    facts, events = load_facts(), load_events()
    page = annotated_html("mudanjiang", facts, events)
    assert '<mark class="fr-stripped">完成了市区人次的核酸检测</mark>' in page


def test_text_is_escaped(monkeypatch):
    facts = pd.DataFrame({"fact_id": ["yushu-001"], "report": ["yushu"], "status": ["reported"],
                          "quote": ["發布會上"]})
    events = pd.DataFrame({"event_id": [], "report": [], "status": [], "quote": []})
    from analysis.figures import annotate

    monkeypatch.setattr(annotate, "normalised_text", lambda report, data_dir=None: "<script>alert(1)</script>發布會上")
    page = annotated_html("yushu", facts, events)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_anchor_href_from_a_chapter():
    assert anchor_href("yushu-012", "book/yields") == "annotated.html#fact-yushu-012"
    assert anchor_href("dongxing-e01", "book/speed") == "annotated.html#event-dongxing-e01"
    assert anchor_href("suining-001", "index") == "book/annotated.html#fact-suining-001"


def test_every_sentence_has_its_english_beside_it():
    from analysis.core.tables import load_table
    from analysis.figures.annotate import annotated_page_html

    translations = load_table("translations")
    page = annotated_page_html(load_facts(), load_events(), load_supplementary(), translations=translations)
    assert page.count('<div class="fr-pair">') == len(translations)
    assert page.count('<div class="fr-en" lang="en"') == len(translations)
    # the anchors are all still there, once each
    facts = load_facts()
    shown = facts[facts["status"] != "supplemented"]
    for fid in shown["fact_id"][:50]:
        assert page.count(f'id="fact-{fid}"') <= 1
    assert page.count('class="fr-gap"') == translations["en"].str.count(r"\[gap\]").sum()


def test_english_is_escaped():
    from analysis.figures.annotate import english_html

    assert english_html("<b>[gap]</b>") == '&lt;b&gt;<span class="fr-gap" title="number stripped from the copy">[gap]</span>&lt;/b&gt;'


# --------------------------------------------------------------------------------------
# The English: curated numbers highlighted and linked to their rows; hard terms to the glossary

GLOSSARY_MD = Path(__file__).resolve().parents[1] / "book" / "glossary.md"
#: Terms the glossary must define with a stable anchor (issue 15, item 4).
REQUIRED_TERMS = ["静态管理", "全员核酸检测", "混检", "密接", "次密接", "无症状感染者", "转为确诊", "流调", "2+4+24", "方舱医院"]


def glossary_entries() -> dict[str, str]:
    """label -> term line of each entry of the ``{glossary}`` block (the label is the definition's first line)."""
    block = re.search(r"```\{glossary\}\n(.*?)\n```", GLOSSARY_MD.read_text(encoding="utf-8"), re.S).group(1)
    entries, term = {}, None
    for line in block.splitlines():
        if line and not line.startswith(" "):
            term = line
        elif (m := re.fullmatch(r"\s+\((glossary-[a-z0-9-]+)\)=", line)):
            assert m.group(1) not in entries, f"label {m.group(1)} used twice"
            entries[m.group(1)] = term
    return entries


@pytest.fixture(scope="module")
def bilingual():
    from analysis.core.tables import load_table
    from analysis.figures.annotate import annotated_page_html

    facts, events, translations = load_facts(), load_events(), load_table("translations")
    page = annotated_page_html(facts, events, load_supplementary(), translations=translations)
    return facts, translations, page


def _pairs(section: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="fr-pair"><div class="fr-zh" lang="zh">(.*?)</div><div class="fr-en" lang="en"[^>]*>(.*?)</div></div>',
                      section, re.S)


def _sections(page: str) -> dict[str, str]:
    from analysis.core import registry

    return {rep.key: re.search(rf'<section class="fr-report" id="{rep.section_anchor}">(.*?)</section>', page, re.S).group(1)
            for rep in registry.reports()}


def test_every_curated_number_is_highlighted_in_both_languages(bilingual):
    """Each stated or stripped fact: its anchor in the Chinese, and in the English of the same sentence(s)
    a highlight linked to it that shows the value as the validator accepts it, or the gap mark."""
    facts, translations, page = bilingual
    sections = _sections(page)
    counted = 0
    for report, section in sections.items():
        pairs = _pairs(section)
        group = translations[translations["report"] == report]
        assert len(pairs) == len(group)
        spans, text = sentence_spans(group), normalised_text(report)
        links = [re.findall(r'<a class="fr-num" href="#([^"]+)" data-rows="([^"]+)">(.*?)</a>', en) for _, en in pairs]
        rows = facts[(facts["report"] == report) & facts["status"].isin(["reported", "stripped"])]
        for fact in rows.itertuples(index=False):
            anchor = f"fact-{fact.fact_id}"
            i = text.find(fact.quote)
            sentences = [k for k, (a, b) in enumerate(spans) if a < i + len(fact.quote) and b > i]
            assert f'id="{anchor}"' in pairs[sentences[0]][0], anchor
            shown = [re.sub(r"<[^>]+>", "", inner) for k in sentences for href, rows_, inner in links[k]
                     if anchor in rows_.split()]
            assert shown, f"{anchor}: no highlight in the English of its sentence"
            if fact.status == "stripped":
                assert all(GAP_MARK in s for s in shown), (anchor, shown)
            else:
                assert all(html.unescape(s).lower() in {f.lower() for f in english_forms(fact.value)} for s in shown), (anchor, shown)
            counted += 1
        # every link points at an anchor of this section, and lists that anchor first
        for href, rows_, _ in (x for per in links for x in per):
            assert rows_.split()[0] == href and f'id="{href}"' in section
    assert counted == int(facts["status"].isin(["reported", "stripped"]).sum())


def test_a_number_is_not_found_inside_a_word_or_a_longer_number():
    from analysis.figures.annotate import number_occurrences

    assert number_occurrences(1, "someone found one case") == [(14, 17)]
    assert number_occurrences(24, "24:00 and 24 hours, 240 beds") == [(0, 2), (10, 12)]
    assert number_occurrences(304900, "304,900 person-tests") == [(0, 7)]


def test_gaps_go_by_unit_where_the_english_reorders_them():
    """利用天时间完成了市区人的核酸检测 names the days before the persons; the English the other way round."""
    from analysis.figures.annotate import english_number_spans

    zh = "利用天时间完成了市区人的核酸检测。"
    group = pd.DataFrame({"zh": [zh], "en": ["It tested [gap] people in the urban area within [gap] days."]})
    rows = pd.DataFrame({"anchor": ["fact-x-001", "fact-x-002"], "quote": [zh[:-1]] * 2, "status": ["stripped"] * 2,
                         "value": [float("nan")] * 2, "unit": ["days", "persons"]})
    (marks,) = english_number_spans(group, zh, rows)
    assert [(group["en"][0][a:b], anchors) for a, b, anchors, _ in marks] == [
        ("[gap]", ["fact-x-002"]), ("[gap]", ["fact-x-001"])]


def test_equal_numbers_keep_the_order_of_the_chinese():
    from analysis.figures.annotate import english_number_spans

    zh = "绿园区12例、汽开区12例。"
    group = pd.DataFrame({"zh": [zh], "en": ["Lüyuan District 12, Automobile Zone 12."]})
    rows = pd.DataFrame({"anchor": ["fact-x-001", "fact-x-002"], "quote": ["绿园区12例", "汽开区12例"],
                         "status": ["reported"] * 2, "value": [12.0, 12.0], "unit": ["cases"] * 2})
    (marks,) = english_number_spans(group, zh, rows)
    assert [anchors for *_, anchors, _ in marks] == [["fact-x-001"], ["fact-x-002"]]


def test_the_glossary_defines_the_hard_terms_with_stable_anchors():
    from analysis.figures.annotate import GLOSSARY_PREFIX, GLOSSARY_TERMS

    entries = glossary_entries()
    for term in REQUIRED_TERMS:
        assert any(term in re.split(r"[ /(),]+", line) for line in entries.values()), f"no glossary entry for {term}"
    for key, (zh, _) in GLOSSARY_TERMS.items():
        assert GLOSSARY_PREFIX + key in entries, f"{key}: no label (glossary-{key})= in glossary.md"
        assert zh[0] in entries[GLOSSARY_PREFIX + key], f"{key}: the entry's term line does not name {zh[0]}"


def test_glossary_links_resolve_and_come_once_per_sentence(bilingual):
    from analysis.figures.annotate import GLOSSARY_TERMS

    _, _, page = bilingual
    labels = set(glossary_entries())
    hrefs = re.findall(r'href="glossary\.html#([^"]+)"', page)
    assert len(hrefs) > 50 and set(hrefs) <= labels, set(hrefs) - labels
    linked_somewhere = set()
    for section in _sections(page).values():
        for zh, en in _pairs(section):
            for side in (zh, en):
                keys = re.findall(r'class="fr-term" href="glossary\.html#glossary-([^"]+)"', side)
                assert len(keys) == len(set(keys)), keys  # the first occurrence only
                linked_somewhere |= set(keys)
            plain = re.sub(r"<[^>]+>", "", zh)
            for key, (forms, _) in GLOSSARY_TERMS.items():
                if any(f in plain for f in forms):
                    assert f"#glossary-{key}" in zh, (key, plain[:40])
    assert {"static-management", "close-contact", "secondary-contact", "asymptomatic", "2-4-24",
            "epidemiological-investigation", "pooled-testing", "converted-to-confirmed"} <= linked_somewhere
