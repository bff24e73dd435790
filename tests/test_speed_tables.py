"""The response-speed chapter's reader tables (issue 15, item 2): words for headers, no NaN, no cut text,
bilingual city names, hours written one way, statuses in words."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.core.loaders import load_benchmarks, load_events, load_supplementary
from analysis.core.registry import city_label, report_keys
from analysis.figures import speed as speed_figures
from analysis.figures.fmt import fmt_hours
from analysis.figures.tables import ReaderTable
from analysis.methods import benchmarks, speed

EMPTY_WORDS = re.compile(r"\b(nan|NaN|None|NaT)\b|<NA>")


@pytest.fixture(scope="module")
def data():
    e, b = load_events(), load_benchmarks()
    iv = speed.all_milestone_intervals(e)
    return e, b, iv, benchmarks.compare_benchmarks(iv, b)


@pytest.fixture(scope="module")
def tables(data):
    e, b, iv, cmp = data
    rec = iv[iv["milestone"].isin(speed.RECORDED)]
    return {"parts of day": speed_figures.parts_of_day_table(),
            "bounds": speed_figures.bounds_table(e, speed_figures.TIMELINE_TYPES),
            "intervals": speed_figures.linked_interval_table(rec),
            "benchmarks": speed_figures.benchmark_table(b, load_supplementary()),
            "comparison": speed_figures.benchmark_comparison_table(cmp[cmp["status"] != "cannot_tell"]),
            "verdicts": speed_figures.verdict_table(cmp),
            "distribution": speed_figures.distribution_tables(iv)}


def test_every_table_is_a_reader_table_with_word_headers_and_no_empty_words(tables):
    for name, t in tables.items():
        assert isinstance(t, ReaderTable), name
        assert len(t) > 0, name
        for header in t.text.columns:
            assert "_" not in header, (name, header)
        text = repr(t) + t._repr_html_()
        assert not EMPTY_WORDS.search(re.sub(r"<[^>]+>", " ", text)), name
        assert "…" not in text, name


def test_statuses_and_milestones_are_in_words(tables, data):
    _, _, iv, _ = data
    shown = tables["intervals"].text
    assert set(shown["status"]) <= set(speed.STATUS_WORDS.values())
    assert "did not happen" in set(shown["status"]) and "did_not_happen" not in repr(tables["intervals"])
    assert set(shown["milestone"]) <= {m.label for m in speed.MILESTONES.values()}
    # a step that did not happen shows its window, never a censored bound
    never = iv[(iv["status"] == "did_not_happen") & iv["milestone"].isin(speed.RECORDED)]
    for r in never.itertuples():
        assert any(f"{fmt_hours(r.window_lower_hours)}–{fmt_hours(r.window_upper_hours)} h" in x
                   and x.startswith("did not happen in the report's window") for x in shown["interval"])
    assert not any("censored" in x for x in shown["interval"])


def test_cities_are_bilingual_and_in_report_order(tables):
    cols = list(tables["verdicts"].text.columns)
    assert cols[:2] == ["benchmark", "milestone"]
    assert cols[2:] == [city_label(r) for r in report_keys()]
    assert set(tables["comparison"].text["city"]) <= {city_label(r) for r in report_keys()}
    assert set(tables["bounds"].text["city"]) <= {city_label(r) for r in report_keys()}


def test_verdict_table_agrees_with_the_verdicts(tables, data):
    _, _, _, cmp = data
    v = benchmarks.verdicts(cmp).set_index(["benchmark_id", "report"])["judgement"]
    shown = tables["verdicts"].text.set_index("benchmark")
    for (bid, report), judgement in v.items():
        assert shown.at[bid, city_label(report)] == judgement


def test_bounds_table_links_every_event_and_never_prints_a_zero_width(tables):
    t = tables["bounds"]
    out = t._repr_html_()
    assert out.count('class="fr-source-link"') == len(t)
    assert all(re.fullmatch(r"[\d.,]+ h|\d+ min", w) for w in t.text["width"])
    assert "0 h" not in set(t.text["width"]) and "1 min" in set(t.text["width"])   # Suining's alert, to the minute
    assert len(t) > 15 and "data-fr-page-size" in out   # a long table is paged, not cut


def test_benchmark_table_writes_limits_in_words_and_links_recorded_urls(tables, data):
    _, b, _, _ = data
    t = tables["benchmarks"]
    assert len(t) == len(b)
    for shown, lim, unit, kind in zip(t.text["limit"], b["limit"], b["limit_unit"], b["limit_kind"]):
        assert shown.startswith(("≤ " if kind == "deadline" else "≥ ") + fmt_hours(lim) + f" {unit}")
        if unit == "days":
            assert shown.endswith(f"({fmt_hours(lim * 24)} h)")
    with_url = load_supplementary().dropna(subset=["url"])
    expected = int(b["source_id"].isin(with_url["source_id"]).sum())
    assert t._repr_html_().count('href="https://') == expected > 0
    for shown, quote, caveat in zip(t.text["source, its quote and caveat"], b["quote"], b["caveat"]):
        assert f"「{quote}」" in shown and shown.endswith(caveat)   # whole, never cut
    assert "from 2021-09; superseded by bench-08" in set(t.text["in force"])


def test_distribution_table_is_one_table_with_each_milestone(tables, data):
    _, _, iv, _ = data
    t = tables["distribution"].text
    assert list(dict.fromkeys(t["milestone"])) == [speed.MILESTONES[k].label for k in speed.BOUND_MILESTONES]
    for k in speed.BOUND_MILESTONES:
        part = speed_figures.distribution_table(iv[iv["milestone"] == k])
        rows = t[t["milestone"] == speed.MILESTONES[k].label]
        assert list(rows["by (hours)"]) == list(part["by (hours)"])
        assert list(rows["known to have reached it"]) == list(part["known to have reached it"])


def test_comparison_table_limits_and_intervals_use_the_hours_format(tables, data):
    _, _, _, cmp = data
    judged = cmp[cmp["status"] != "cannot_tell"]
    t = tables["comparison"].text
    assert list(t["limit"]) == [f"≤ {fmt_hours(v)} h" for v in judged["limit_hours"]]
    assert set(t["judgement"]) <= set(benchmarks.JUDGEMENTS)
    assert pd.Series(t["interval"]).str.endswith(" h").all()


def test_distribution_texts_name_each_milestone_once_and_keep_did_not_happen_apart(data):
    _, _, iv, _ = data
    text = speed_figures.distribution_texts(iv)
    for k in speed.BOUND_MILESTONES:
        assert text.count(f"**{speed.MILESTONES[k].label}**") == 1
        assert speed_figures.distribution_text(iv[iv["milestone"] == k]) in text
    assert "censored one" in text and "(censored)" not in text
