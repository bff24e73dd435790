"""Annotated sources: every curated row has an anchor, and text is escaped."""

from __future__ import annotations

import re

import pandas as pd

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
