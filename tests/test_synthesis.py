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
    return figures.side_by_side_table(load_sources(), facts, events, screening, y, speed.all_intervals(events),
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
                                               speed.all_intervals(events), choices[choices["report"] != "yushu"])
    assert values.at["Yushu", "screening and its yield"].startswith("not chosen")
    assert links.at["Yushu", "case counts"] == "report-yushu"
    assert values.at["Dongxing", "case counts"] != "not chosen"
