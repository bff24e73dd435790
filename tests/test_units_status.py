"""Units and statuses (issue 17, item 4): a count that is not a test never enters ``tested``, and a
row's status says where its key value comes from.

Each corruption edits one cell of a scratch copy of data/ and asserts that the validator reports
that row and column (analysis/checks/screening.py ``_units_and_status``, analysis/checks/events.py).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.checks.screening import TEST_WORDS, TESTED_UNITS
from analysis.core.loaders import load_codebook, load_facts, load_screening
from analysis.core.tables import scratch_copy, validate_all


@pytest.fixture
def copy(tmp_path):
    return scratch_copy(tmp_path / "data")


def _edit(copy, table, id_col, row_id, **cells):
    path = copy / table
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df[id_col] == row_id][0]
    for column, value in cells.items():
        df.loc[idx, column] = value
    df.to_csv(path, index=False, lineterminator="\n")
    return idx + 2


def _messages(copy, file, line, column):
    return [p.message for p in validate_all(copy)[1]
            if p.file.endswith(file) and p.row == line and p.column == column]


# ---------------------------------------------------------------- shipped data

def test_every_number_tested_is_a_test_in_its_unit():
    """Each screening row's tested is a linked fact's value, in a unit TESTED_UNITS allows for it."""
    facts = load_facts().set_index("fact_id")
    s = load_screening()
    rows = s[s.tested.notna() & s.fact_ids.notna()]
    assert len(rows) >= 5
    for row in rows.itertuples():
        linked = facts.loc[row.fact_ids.split(";")]
        source = linked[linked.value == row.tested]
        assert source.unit.isin(TESTED_UNITS[row.tested_unit]).any(), row.screening_id


def test_arrivals_and_visits_are_not_tests():
    """Suining's 2449 arrivals managed (人次 of arrivals) and 3000余 persons visited stay out of tested."""
    s = load_screening().set_index("screening_id")
    for sid in ("suining-s01", "suining-s03"):
        assert pd.isna(s.loc[sid, "tested"]) and pd.isna(s.loc[sid, "tested_unit"]), sid
    facts = load_facts().set_index("fact_id")
    assert facts.loc["suining-022", "unit"] == "person_times"
    assert "person_times" not in {u for units in TESTED_UNITS.values() for u in units}
    assert load_codebook().set_index("metric").loc["overseas_arrivals_managed", "unit"] == "person_times"


def test_only_supplemented_rows_cite_an_outside_source():
    for load in (load_screening, load_facts):
        df = load()
        cited = df[df.source_id.notna()]
        assert (cited.status == "supplemented").all(), cited[cited.status != "supplemented"].iloc[:, 0].tolist()


def test_test_words_are_chinese_words_of_testing():
    assert {"检测", "筛查", "采样"} <= set(TEST_WORDS)


# ---------------------------------------------------------------- corrupted copies

@pytest.mark.parametrize("row_id, cells, column, message", [
    # 人次 of arrivals managed (person_times) put back into tested as person-tests
    ("suining-s01", dict(tested="2449", tested_unit="person_tests", tested_qualifier="exact"), "tested_unit", "person_times"),
    # a visit count (走访排查) as persons tested: the sentence speaks of no test
    ("suining-s03", dict(tested="3000", tested_unit="persons", tested_qualifier="more_than"), "tested", "speaks of no test"),
    # 17.13万人 (persons) recorded as person-tests
    ("dongxing-s04", dict(tested_unit="person_tests"), "tested_unit", "persons"),
    # a reported row taking its start date from a LOW-trust repost
    ("dongxing-s02", dict(start="2021-12-21", source_id="sup-dongxing-04"), "source_id", "supplemented"),
    # a reported row whose numbers are supplemented values (Xinhua)
    ("mudanjiang-s03", dict(status="reported", source_id=""), "status", "status supplemented"),
    # a supplemented row whose numbers are all in the report
    ("yushu-s06", dict(status="supplemented", source_id="sup-yushu-01"), "status", "status reported"),
    # a derived sum called reported
    ("suining-s07", dict(status="reported"), "status", "status derived"),
])
def test_unit_and_status_corruptions_are_located(copy, row_id, cells, column, message):
    line = _edit(copy, "screening.csv", "screening_id", row_id, **cells)
    found = _messages(copy, "screening.csv", line, column)
    assert any(message in m for m in found), found


def test_a_reported_event_citing_an_outside_source_is_refused(copy):
    line = _edit(copy, "events.csv", "event_id", "dongxing-e09", source_id="sup-dongxing-04")
    assert any("only supplemented rows" in m for m in _messages(copy, "events.csv", line, "source_id"))


def test_zero_positives_need_negative_results_not_zero_cases(copy):
    """无一例境外输入性病例 (no imported case) is a zero of cases, not of positive tests."""
    line = _edit(copy, "screening.csv", "screening_id", "suining-s01", positives="0")
    assert any("not a count of positives" in m for m in _messages(copy, "screening.csv", line, "positives"))
