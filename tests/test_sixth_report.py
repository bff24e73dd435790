"""Reports are data: a sixth report added to a scratch copy of data/ flows through the book's code.

The report (a synthetic text about Wenzhou 温州, made for this test) gets its text, its row of
``sources.csv``, two facts, an event, an uncounted number and its row of ``comparison.csv``;
nothing in ``analysis/`` is touched. The validator, the coverage check, the annotated page and the
side-by-side comparison must all take it in, and the validator must still catch a mistake in it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.checks.coverage import uncovered_numbers
from analysis.core import registry
from analysis.core.loaders import load_events, load_facts, load_screening, load_sources, load_supplementary
from analysis.core.tables import add_report, append_rows, load_table, scratch_copy, validate_all
from analysis.core.texts import normalised_text
from analysis.figures.annotate import annotated_page_html
from analysis.figures.synthesis import side_by_side_table
from analysis.methods.speed import all_milestone_intervals
from analysis.methods.yields import programme_yields

TEXT = ("温州市疫情防控新闻发布会（测试用合成文本）\n"
        "2月1日0-24时,温州市新增本地确诊病例12例,新增无症状感染者3例。\n"
        "2月2日起,全市实行静态管理。\n"
        "咨询电话12345。\n")


def _sixth_report(target):
    data = scratch_copy(target)
    add_report(data, "wenzhou", TEXT, city_en="Wenzhou", city_zh="温州", province_en="Zhejiang", province_zh="浙江",
               period_start="2022-02-01", period_end="2022-02-02", period_quote="2月1日0-24时|2月2日起",
               period_source="report", document_kind="synthetic press conference (test only)",
               script="simplified", defects="none: a synthetic text made for this test", colour="#117733")
    append_rows("facts", [
        {"fact_id": "wenzhou-001", "report": "wenzhou", "topic": "cases", "metric": "new_confirmed", "value": 12,
         "qualifier": "exact", "unit": "cases", "as_of": "2022-02-01", "status": "reported",
         "quote": "新增本地确诊病例12例"},
        {"fact_id": "wenzhou-002", "report": "wenzhou", "topic": "cases", "metric": "new_asymptomatic", "value": 3,
         "qualifier": "exact", "unit": "cases", "as_of": "2022-02-01", "status": "reported",
         "quote": "新增无症状感染者3例"},
    ], data)
    append_rows("events", [
        {"event_id": "wenzhou-e01", "report": "wenzhou", "event_type": "static_management_start",
         "description": "City-wide static management", "start": "2022-02-02", "start_precision": "day",
         "quote": "2月2日起,全市实行静态管理", "status": "reported"},
    ], data)
    append_rows("uncounted_numbers", [
        {"report": "wenzhou", "number": "12345", "context": "咨询电话12345", "reason": "a telephone number; not a quantity"},
    ], data)
    append_rows("comparison", [
        {"report": "wenzhou", "main_screening_reason": "the synthetic text names no screening",
         "case_fact_ids": "wenzhou-001;wenzhou-002", "variant": "not stated in the report", "variant_ids": "report-wenzhou"},
    ], data)
    return data


@pytest.fixture(scope="module")
def sixth(tmp_path_factory):
    return _sixth_report(tmp_path_factory.mktemp("sixth") / "data")


def test_the_registry_and_the_validator_take_it_in(sixth):
    assert registry.report_keys(sixth)[-1] == "wenzhou"
    assert registry.city_label("wenzhou", sixth) == "Wenzhou 温州"
    assert normalised_text("wenzhou", sixth) == TEXT
    counts, problems = validate_all(sixth)
    assert [str(p) for p in problems] == []
    assert counts["sources"] == len(registry.report_keys()) + 1
    assert counts["facts"] == len(load_facts()) + 2


def test_the_validator_still_catches_a_mistake_in_it(sixth, tmp_path):
    data = scratch_copy(tmp_path / "data", sixth)
    facts = pd.read_csv(data / "facts.csv", dtype=str, keep_default_na=False)
    facts.loc[facts["fact_id"] == "wenzhou-001", "value"] = "13"
    facts.to_csv(data / "facts.csv", index=False)
    _, problems = validate_all(data)
    assert any(p.column == "value" and "13 is not stated in its quote" in p.message for p in problems), problems


def test_a_fact_of_an_unregistered_report_is_refused(sixth, tmp_path):
    data = scratch_copy(tmp_path / "data", sixth)
    append_rows("facts", [{"fact_id": "ningbo-001", "report": "ningbo", "topic": "cases", "metric": "new_confirmed",
                           "value": 12, "qualifier": "exact", "unit": "cases", "status": "reported",
                           "quote": "新增本地确诊病例12例"}], data)
    _, problems = validate_all(data)
    assert any(p.column == "report" and "'ningbo' is not a report of sources.csv" in p.message for p in problems)


def test_the_coverage_check_takes_it_in(sixth, tmp_path):
    assert uncovered_numbers("wenzhou", sixth) == []
    data = scratch_copy(tmp_path / "data", sixth)
    facts = pd.read_csv(data / "facts.csv", dtype=str, keep_default_na=False)
    facts[facts["fact_id"] != "wenzhou-002"].to_csv(data / "facts.csv", index=False)
    assert [n for _, n in uncovered_numbers("wenzhou", data)] == ["3"]


def test_the_annotated_page_takes_it_in(sixth):
    facts, events = load_facts(sixth), load_events(sixth)
    page = annotated_page_html(facts, events, load_supplementary(sixth), data_dir=sixth)
    section = page[page.index('id="wenzhou-'):]
    assert section.startswith(f'id="{registry.report("wenzhou", sixth).section_anchor}"')
    assert "Wenzhou 温州" in section
    assert 'id="fact-wenzhou-001"' in section and 'id="event-wenzhou-e01"' in section
    assert '<mark class="fr-reported">新增本地确诊病例12例</mark>' in section


def test_the_comparison_table_takes_it_in(sixth):
    sources, facts, events = load_sources(sixth), load_facts(sixth), load_events(sixth)
    screening = load_screening(sixth)
    yields = programme_yields(screening, load_supplementary(sixth))
    intervals = all_milestone_intervals(events)
    values, links = side_by_side_table(sources, facts, events, screening, yields, intervals,
                                       load_table("comparison", sixth))
    assert list(values.index)[-1] == "Wenzhou"
    row, ids = values.loc["Wenzhou"], links.loc["Wenzhou"]
    assert row["city"] == "Wenzhou 温州, Zhejiang 浙江"
    assert row["case counts"] == "new confirmed: 12 (reported); new asymptomatic: 3 (reported)"
    assert ids["case counts"] == "wenzhou-001;wenzhou-002"
    assert row["screening and its yield"] == "the synthetic text names no screening"
    assert ids["city"] == "report-wenzhou"
    # its static management is an event: the response columns see it (no first detection: cannot tell)
    assert "cannot tell" in row["detection → lockdown"]
