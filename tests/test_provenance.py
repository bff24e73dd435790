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


# --------------------------------------------------------------------------------------
# The chapter's reader tables (issue 15, item 2)

import re  # noqa: E402

import pandas as pd  # noqa: E402

from analysis.core.loaders import load_codebook  # noqa: E402
from analysis.core.registry import city_label, report_keys  # noqa: E402
from analysis.figures import provenance as figs  # noqa: E402

EMPTY = re.compile(r"^(nan|NaN|None|NaT|<NA>)$")


def assert_readable(table):
    """Words for headers, no empty-value spelling in any cell, nothing cut with an ellipsis."""
    assert all("_" not in str(c) for c in table.text.columns), list(table.text.columns)
    cells = table.text.to_numpy().ravel()
    assert not any(EMPTY.match(str(v).strip()) for v in cells)
    assert not any(str(v).endswith(("…", "...")) for v in cells)
    html = table._repr_html_()
    assert not re.search(r">\s*(nan|NaN|None|NaT)\s*<", html)


def test_status_table_counts_every_fact_under_bilingual_names():
    facts = load_facts()
    table = figs.status_table(facts)
    assert_readable(table)
    assert list(table.text["report"]) == [city_label(k) for k in report_keys() if k in set(facts["report"])]
    total = sum(int(v.replace(",", "")) for v in table.text["rows in all"])
    assert total == len(facts)


def test_conflicts_tables_have_words_for_headers_and_event_times_readable():
    for table, id_col in ((load_facts(), "fact_id"), (load_events(), "event_id")):
        shown = figs.conflicts_display(table, id_col)
        assert_readable(shown)
        assert len(shown) == len(conflicts_table(table, id_col))
        assert all(" " in r for r in shown.text["report"])  # "Yushu 玉树"
    events = figs.conflicts_display(load_events(), "event_id")
    assert not any("T" in v for v in events.text["start (a)"].tolist() + events.text["start (b)"].tolist())


def test_supplementary_table_links_each_web_page_to_its_url_and_has_no_nan():
    sup = load_supplementary()
    table = figs.supplementary_table(sup)
    assert_readable(table)
    assert len(table) == len(sup)
    assert table.text["quote"].tolist() == [f"“{q}”" for q in sup["quote"]]  # verbatim, marked as a quote
    html = table._repr_html_()
    with_url = sup["url"].dropna()
    hrefs = re.findall(r'href="(https?://[^"]+)"', html)
    assert len(hrefs) == len(with_url)
    assert {h.replace("&amp;", "&") for h in hrefs} == set(with_url)
    # a source of no report (a benchmark) has an empty report cell, not NaN
    assert (table.text.loc[sup["report"].isna().to_numpy(), "report"] == "").all()


def test_traced_table_shows_the_quote_in_context_or_the_outside_source():
    facts, sup = load_facts(), load_supplementary()
    restored = facts[facts.status == "supplemented"].iloc[0].fact_id
    table = figs.traced_table(["yushu-012", restored], facts, sup)
    assert_readable(table)
    assert table.text.loc[0, "value"] == "304,900 person tests"
    t = trace("yushu-012", facts)
    assert "【" + t["quote"] + "】" in table.text.loc[0, "where it comes from"]
    assert table.text.loc[1, "where it comes from"].startswith("outside source sup-")
    html = table._repr_html_()
    assert 'href="annotated.html#fact-yushu-012"' in html
    assert trace(restored, facts, sup)["url"].split("&")[0] in html


def test_codebook_table_keeps_every_metric_and_is_paged():
    codebook = load_codebook()
    table = figs.codebook_table(codebook)
    assert_readable(table)
    assert list(table.text["metric"]) == list(codebook["metric"])
    assert not any("_" in u for u in table.text["unit"])
    assert "data-fr-page-size" in table._repr_html_()  # long: paged, not truncated


def test_updating_tables():
    table = figs.uncovered_table([(43, "12"), (1055, "3")])
    assert_readable(table)
    assert table.text.iloc[:, 0].tolist() == ["43", "1055"]  # an offset is a position, not a quantity
    assert figs.uncovered_table([]).text.empty
    reg = figs.registry_table()
    assert_readable(reg)
    assert reg.text["city"].tolist() == [city_label(k) for k in report_keys()]
    assert pd.Series(reg.text["report key"]).is_unique
