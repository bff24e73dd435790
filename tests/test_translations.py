"""The project's English translation: aligned to the normalised texts, carrying every curated number."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.checks.translations import GAP_MARK, english_of, number_in_english
from analysis.core.loaders import load_facts
from analysis.core.registry import report_keys
from analysis.core.tables import load_table, validate_all
from analysis.core.texts import normalised_text


@pytest.fixture(scope="module")
def translations():
    return load_table("translations")


@pytest.mark.parametrize("report", report_keys())
def test_the_chinese_sentences_concatenate_to_the_normalised_text(translations, report):
    group = translations[translations["report"] == report]
    assert len(group) > 10
    assert "".join(group["zh"]) == normalised_text(report)
    assert list(group["sentence"]) == list(range(1, len(group) + 1))
    assert group["en"].str.strip().ne("").all()


@pytest.mark.parametrize("report", report_keys())
def test_every_curated_number_is_in_the_english_of_its_sentence(translations, report):
    group = translations[translations["report"] == report]
    text = normalised_text(report)
    facts = load_facts()
    rows = facts[(facts["report"] == report) & facts["status"].isin(["reported", "stripped"])]
    assert len(rows)
    for fact in rows.itertuples(index=False):
        english = english_of(fact.quote, group, text)
        if fact.status == "stripped":
            assert GAP_MARK in english, (fact.fact_id, english)
        else:
            assert number_in_english(fact.value, english), (fact.fact_id, fact.value, english)


def test_stripped_reports_carry_gap_marks_and_clean_ones_none(translations):
    """A report has [gap] marks exactly when facts.csv records stripped numbers for it, at least one per
    sentence that holds a stripped quote (the counts come from the data, not from this test)."""
    facts = load_facts()
    for report in report_keys():
        group = translations[translations["report"] == report]
        text = normalised_text(report)
        stripped = facts[(facts["report"] == report) & (facts["status"] == "stripped")]
        sentences = {english_of(q, group, text) for q in stripped["quote"]} - {None}
        gaps = int(group["en"].str.count(r"\[gap\]").sum())
        assert (gaps > 0) == (len(stripped) > 0), report
        assert gaps >= len(sentences), report


def test_number_forms():
    assert number_in_english(304900, "304,900 person-tests")
    assert number_in_english(2, "a two-level system")
    assert not number_in_english(30, "330 cases")       # not part of a longer number
    assert not number_in_english(1.5, "21.56 tonnes")


def _edit(data_copy, fn):
    path = data_copy / "translations.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path, index=False)
    return [str(p) for p in validate_all(data_copy)[1]]


def test_a_changed_chinese_sentence_is_reported(data_copy):
    def change(df):
        i = df.index[(df["report"] == "dongxing") & (df["sentence"] == "3")][0]
        df.loc[i, "zh"] = df.loc[i, "zh"] + "多"  # one character more than the text
    problems = _edit(data_copy, change)
    assert any("dongxing: the Chinese sentences differ from the normalised text" in p for p in problems), problems


def test_a_number_missing_from_the_english_is_reported(data_copy):
    facts = load_facts()
    fact = facts[(facts["report"] == "dongxing") & (facts["status"] == "reported")].iloc[0]

    def drop(df):
        group = df[df["report"] == "dongxing"]
        text = normalised_text("dongxing")
        i = text.find(fact["quote"])
        pos = 0
        for idx, zh in zip(group.index, group["zh"]):
            if pos <= i < pos + len(zh):
                df.loc[idx, "en"] = "A sentence without its number."
            pos += len(zh)
    problems = _edit(data_copy, drop)
    assert any(f"{fact['fact_id']}: {fact['value']:g} is not in the English" in p for p in problems), problems


def test_a_stripped_number_without_a_gap_mark_is_reported(data_copy):
    problems = _edit(data_copy, lambda df: df.__setitem__("en", df["en"].str.replace("[gap]", "", regex=False)))
    assert any("is stripped: its sentence's English needs [gap]" in p for p in problems)
