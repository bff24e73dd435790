"""The synthesis chapter's helpers: linked tables and the report-vs-bulletin consistency checks."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.core import registry
from analysis.core.ids import source_href
from analysis.core.loaders import (load_daily_cases, load_events, load_facts, load_screening, load_sources,
                                   load_supplementary)
from analysis.core.tables import load_table
from analysis.figures import links as figure_links
from analysis.figures.fmt import fmt_estimate
from analysis.figures import synthesis as figures
from analysis.methods import curves, speed
from analysis.methods import synthesis
from analysis.methods import yields as Y


@pytest.fixture(scope="module")
def facts():
    return load_facts()


@pytest.fixture(scope="module")
def series():
    return curves.all_series(load_daily_cases())


def test_linked_table_escapes_text_and_links_every_named_row():
    values = pd.DataFrame({"cases": ["19 <b>", "x"]}, index=pd.Index(["dongxing", "yushu"], name="report"))
    links = pd.DataFrame({"cases": ["dongxing-014;dongxing-e03", None]}, index=values.index)
    out = figure_links.linked_table_html(values, links, from_page="book/synthesis")
    assert "19 &lt;b&gt;" in out and "<b>" not in out
    hrefs = re.findall(r'href="([^"]+)"', out)
    assert hrefs == ["annotated.html#fact-dongxing-014", "annotated.html#event-dongxing-e03"]


def test_consistency_checks_agree_where_the_numbers_agree(facts, series):
    table = synthesis.consistency_table(facts, series)
    assert len(table) == len(synthesis.CONSISTENCY_CHECKS)
    by_fact = table.set_index("fact_id")
    # values come from the data, not from the check declarations
    assert by_fact.loc["dongxing-014", "report_value"] == facts.set_index("fact_id").loc["dongxing-014", "value"]
    assert by_fact.loc["dongxing-014", "independent_value"] == series["dongxing"].loc["2021-12-21":"2021-12-26", "confirmed"].sum()
    assert set(table["agree"]) <= {"yes", "no", "cannot tell"}


def test_a_disagreement_is_reported(facts, series):
    changed = facts.copy()
    changed.loc[changed["fact_id"] == "suining-001", "value"] = 18.0
    row = synthesis.consistency_table(changed, series).set_index("fact_id").loc["suining-001"]
    assert row["agree"] == "no"
    changed.loc[changed["fact_id"] == "changchun-083", "value"] = 10_000.0
    row = synthesis.consistency_table(changed, series).set_index("fact_id").loc["changchun-083"]
    assert row["agree"] == "no"  # a partial sum above the city total


def test_a_missing_day_makes_the_sum_unknown_not_smaller(facts, series):
    gappy = dict(series)
    dx = series["dongxing"].copy()
    dx.loc[pd.Timestamp("2021-12-23"), "confirmed"] = float("nan")
    gappy["dongxing"] = dx
    row = synthesis.consistency_table(facts, gappy).set_index("fact_id").loc["dongxing-014"]
    assert row["agree"] == "cannot tell" and pd.isna(row["independent_value"])


@pytest.fixture(scope="module")
def comparison(facts):
    events, screening = load_events(), load_screening()
    y = Y.programme_yields(screening, load_supplementary())
    return figures.side_by_side_table(load_sources(), facts, events, screening, y, speed.all_milestone_intervals(events),
                                      load_table("comparison")), y


def test_every_cell_of_the_comparison_links_to_existing_rows(facts, comparison):
    (values, links), _ = comparison
    assert list(values.index) == ["Mudanjiang", "Suining", "Yushu", "Changchun", "Dongxing"]
    known = set(facts["fact_id"]) | set(load_events()["event_id"]) | {f"report-{r}" for r in registry.report_keys()}
    for col in values.columns:
        for city in values.index:
            ids = str(links.at[city, col] or "").split(";")
            assert ids != [""], f"{city} / {col} links to nothing"
            assert set(ids) <= known, f"{city} / {col}: unknown ids {set(ids) - known}"


def test_comparison_numbers_come_from_the_data(facts, comparison):
    (values, _), y = comparison
    row = y.set_index("screening_id").loc["yushu-s06"]
    assert f"{row['positives']:g} positives in {row['tested']:,.0f}" in values.at["Yushu", "screening and its yield"]
    dongxing = facts.set_index("fact_id").loc["dongxing-014"]
    assert f"{dongxing['value']:g} (reported)" in values.at["Dongxing", "case counts"]
    stripped = int(((facts["report"] == "mudanjiang") & (facts["status"] == "stripped")).sum())
    assert values.at["Mudanjiang", "what the copy leaves out"].startswith(f"{stripped} of ")


def test_report_links_go_to_the_report_section():
    assert source_href("report-yushu", "book/synthesis") == "annotated.html#yushu-002"
    assert source_href("yushu-e03", "book/synthesis") == "annotated.html#event-yushu-e03"


def test_a_report_missing_from_comparison_csv_is_shown_as_not_chosen(facts, comparison):
    events, screening = load_events(), load_screening()
    (_, _), y = comparison
    choices = load_table("comparison")
    values, links = figures.side_by_side_table(load_sources(), facts, events, screening, y,
                                               speed.all_milestone_intervals(events), choices[choices["report"] != "yushu"])
    assert values.at["Yushu", "screening and its yield"].startswith("not chosen")
    assert links.at["Yushu", "case counts"] == "report-yushu"
    assert values.at["Dongxing", "case counts"] != "not chosen"


EMPTY_WORDS = re.compile(r"\b(nan|NaN|None|NaT)\b|<NA>")


def test_the_side_by_side_display_is_a_reader_table_with_bilingual_cities(comparison):
    (values, links), _ = comparison
    sources = load_sources()
    table = figures.side_by_side_display(values, links, sources)
    assert list(table.text.columns) == [""] + [f"{en} {zh}" for en, zh in zip(sources["city_en"], sources["city_zh"])]
    assert list(table.text[""]) == list(values.columns)
    text = repr(table) + table._repr_html_()
    assert not EMPTY_WORDS.search(re.sub(r"<[^>]+>", " ", text)) and "…" not in text
    # every cell links: one numbered link group per non-empty cell
    assert table._repr_html_().count("<sup>") == values.size


def test_a_step_that_did_not_happen_is_not_called_censored(comparison):
    (values, _), _ = comparison
    iv = speed.all_milestone_intervals(load_events())
    for key, col in figures.SPEED_COLUMNS.items():
        never = iv[(iv["milestone"] == key) & (iv["status"] == "did_not_happen")]
        assert len(never) or key != "detection_to_lockdown"
        for r in never.itertuples():
            cell = values.at[registry.report(r.report).city_en, col]
            assert cell.startswith("did not happen in the report's window")
    assert "censored" not in values.to_string()


def test_interval_cells_follow_the_one_refusal_rule():
    base = dict(start_event="x-e01", end_event="x-e02", reason="", window_lower_hours=float("nan"),
                window_upper_hours=float("nan"))
    row = lambda **kw: pd.Series({**base, **kw})  # noqa: E731
    assert figures.interval_cell_text(row(lower_hours=0.0, upper_hours=30.0, status="observed")) == "0–30 h"
    assert figures.interval_cell_text(row(lower_hours=32.0, upper_hours=39.0, status="conflicting")) == \
        "32–39 h (conflicting)"
    text = figures.interval_cell_text(row(lower_hours=-38.0, upper_hours=-13.0, status="conflicting"))
    assert text.startswith("-38 to -13 h") and "dated before its trigger" in text
    never = figures.interval_cell_text(row(lower_hours=float("nan"), upper_hours=float("nan"), status="did_not_happen",
                                           window_lower_hours=1176.0, window_upper_hours=1200.0))
    assert never == "did not happen in the report's window (which ends 49–50 days after the start)"
    assert figures.interval_cell_text(row(lower_hours=float("nan"), upper_hours=float("nan"), status="cannot_tell",
                                          reason="no dated lockdown")) == "cannot tell (no dated lockdown)"
    with pytest.raises(ValueError):
        figures.interval_cell_text(row(lower_hours=1176.0, upper_hours=1200.0, status="censored"))


def test_yields_in_the_table_follow_the_precision_rule(comparison):
    (values, _), y = comparison
    row = y.set_index("screening_id").loc["yushu-s06"]
    shown = fmt_estimate(row["rate_per_10k"], row["lower_per_10k"], row["upper_per_10k"])
    assert f"{shown} per 10,000" in values.at["Yushu", "screening and its yield"]
    assert re.search(r"\d\.\d{3}", values.at["Mudanjiang", "screening and its yield"]) is None  # not 0.288 (0.174–0.450)


def test_consistency_display_is_a_reader_table_in_words(facts, series):
    table = figures.consistency_display(synthesis.consistency_table(facts, series), "book/annotated")
    assert list(table.text.columns) == ["check", "city", "quantity", "report says", "independent source says", "test",
                                        "agree"]
    assert set(table.text["city"]) <= {registry.city_label(r) for r in registry.report_keys()}
    assert list(table.text["check"]) == [str(i) for i in range(1, len(table) + 1)]
    assert not EMPTY_WORDS.search(repr(table)) and "…" not in repr(table)
    assert table._repr_html_().count('class="fr-source-link"') == len(table)


def test_summary_figure_keeps_did_not_happen_apart(facts):
    events, screening = load_events(), load_screening()
    y = Y.programme_yields(screening, load_supplementary())
    labels = {r.key: r.label for r in registry.reports()}
    fig = figures.summary_figure(labels, y, speed.all_milestone_intervals(events), facts, load_table("comparison"))
    hover = [h for tr in fig.data if tr.hovertext is not None for h in tr.hovertext]
    assert not any("censored" in h for h in hover)
    assert sum("did not happen in the report's window" in h for h in hover) == 2   # Mudanjiang, Suining
    assert any("dated before its trigger" in h for h in hover)                     # Yushu's second reading
