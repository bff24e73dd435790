"""Coverage counts, conflict pairs and tracing."""

from __future__ import annotations

from analysis.core.loaders import load_events, load_facts, load_supplementary
from analysis.methods.provenance import conflicts_table, status_counts, trace
from analysis.core.texts import normalised_text


def test_status_counts_match_rows():
    facts = load_facts()
    counts = status_counts(facts)
    assert counts["total"].sum() == len(facts)
    assert counts.loc["mudanjiang", "stripped"] == (facts[(facts.report == "mudanjiang")].status == "stripped").sum()


def test_each_conflict_pair_listed_once():
    facts = load_facts()
    table = conflicts_table(facts, "fact_id")
    pairs = set(zip(table["a"], table["b"]))
    assert len(pairs) == len(table)
    linked = facts["conflicts_with"].notna().sum()
    assert 2 * len(table) == linked  # each pair has two rows pointing at each other
    ev = conflicts_table(load_events(), "event_id")
    assert (ev["report"] == "yushu").any()


def test_trace_shows_the_quote_in_its_sentence():
    facts = load_facts()
    t = trace("yushu-012", facts)
    assert t["value"] == 304900
    text = normalised_text("yushu")
    assert text[t["offset"]:t["offset"] + len(t["quote"])] == t["quote"]
    assert "【" + t["quote"] + "】" in t["in_context"]


def test_trace_of_a_restored_number_names_its_source():
    facts = load_facts()
    restored = facts[facts.status == "supplemented"].iloc[0]
    t = trace(restored.fact_id, facts, load_supplementary())
    assert t["url"].startswith("http") and t["trust"]


def test_conflicts_display_links_both_sides_to_their_sentences():
    import re

    from analysis.core.loaders import load_facts
    from analysis.figures.provenance import conflicts_display
    from analysis.methods.provenance import conflicts_table

    facts = load_facts()
    pairs = conflicts_table(facts, "fact_id")
    html = conflicts_display(facts, "fact_id")._repr_html_()
    targets = re.findall(r'href="annotated\.html#fact-([a-z]+-\d+)"', html)
    assert set(targets) == set(pairs["a"]) | set(pairs["b"])
    assert len(targets) == 4 * len(pairs)  # value and quote of each side
