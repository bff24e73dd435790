"""External screening anchors (data/screening.csv rows anchor-sNN) and the rule that checks them.

An anchor row has no report and no linked facts: its numbers must be stated in the quote of its
supplementary source (numeral matching handles ``9,899,828``, ``4.74 million`` and ``份``/阴性).
The corruption tests change one anchor number in a scratch copy and expect the validator to
point at that row and column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.loaders import load_screening, load_supplementary
from analysis.core.numerals import numbers_in
from analysis.core.rules import quote_supports
from analysis.core.tables import validate_all

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "supplementary_evidence.md"


@pytest.fixture(scope="module")
def anchors():
    s = load_screening()
    return s[s["screening_id"].str.startswith("anchor-")]


@pytest.mark.parametrize("text, expected", [
    ("9,899,828 participated (92.9%)", {9899828.0, 92.9}),
    ('"4.74 million" (4.75M in Shine)', {4740000.0, 4.75}),
    ("1.5 billion", {1.5e9}),
    ("4.74million", {4740000.0}),
    ("2 millionaires", {2.0}),
    ("10899145份核酸检测", {10899145.0}),
    ("7,892,591 results released (11,912,280 sampled)", {7892591.0, 11912280.0}),
])
def test_numerals_read_outside_sources(text, expected):
    assert numbers_in(text) == expected


def test_anchor_rows_are_supplemented_and_sourced(anchors):
    supp = load_supplementary().set_index("source_id")
    assert len(anchors) >= 4
    for r in anchors.itertuples():
        assert pd.isna(r.report) and r.status == "supplemented" and pd.isna(r.fact_ids)
        assert r.source_id in supp.index and r.source_id.startswith("sup-anchor-")
        quote = supp.loc[r.source_id, "quote"]
        assert quote_supports(r.tested, quote), (r.screening_id, r.tested)
        assert quote_supports(r.positives, quote), (r.screening_id, r.positives)


def test_anchor_units_are_honest(anchors):
    a = anchors.set_index("source_id")
    supp = load_supplementary().set_index("source_id")
    for sid, r in a.iterrows():
        quote = supp.loc[sid, "quote"]
        if "份" in quote:
            assert r.tested_unit == "samples"  # 份 may be samples or persons: recorded as samples
        if "results released" in quote:
            assert r.tested_unit != "persons"
        if "million" in quote:
            assert r.tested_qualifier == "about"  # a rounded figure


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference not available")
def test_anchor_quotes_are_verbatim_in_the_reference(anchors):
    """Each quote is in supplementary_evidence.md (markdown emphasis ** removed), and its trust grade is the
    one the reference gives on that row."""
    ref = REFERENCE.read_text(encoding="utf-8").replace("**", "")
    supp = load_supplementary().set_index("source_id")
    for sid in anchors["source_id"]:
        quote, trust = supp.loc[sid, "quote"], supp.loc[sid, "trust"]
        assert quote in ref, sid
        line = next(l for l in ref.splitlines() if quote in l)
        assert line.rstrip().rstrip("|").strip().split(" | ")[-1].startswith(trust), sid


def _corrupt(data_copy, row_id, column, value):
    path = data_copy / "screening.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    idx = df.index[df["screening_id"] == row_id][0]
    df.loc[idx, column] = value
    df.to_csv(path, index=False)
    return idx + 2


@pytest.mark.parametrize("row_id, column, value, message", [
    ("anchor-s01", "tested", "9899829", "not stated in the quote of sup-anchor-01"),
    ("anchor-s01", "positives", "301", "not stated in the quote of sup-anchor-01"),
    ("anchor-s02", "tested", "4750000", "not stated in the quote of sup-anchor-02"),
    ("anchor-s03", "positives", "3", "not stated in the quote of sup-anchor-03"),
    ("anchor-s04", "source_id", "sup-anchor-03", "not stated in the quote of sup-anchor-03"),
    ("anchor-s04", "source_id", "sup-anchor-99", "is not in sources/supplementary.csv"),
    ("anchor-s01", "status", "reported", "external anchor"),
    ("anchor-s01", "report", "yushu", "does not start with its report key"),
    ("anchor-s02", "tested_qualifier", "", "needs a qualifier"),
    ("mudanjiang-s03", "tested", "658773", "not the value of any linked fact"),
])
def test_a_wrong_anchor_is_located(data_copy, row_id, column, value, message):
    line = _corrupt(data_copy, row_id, column, value)
    problems = validate_all(data_copy)[1]
    hits = [p for p in problems if p.file.endswith("screening.csv") and p.row == line]
    assert any(message in p.message for p in hits), [str(p) for p in problems]


def test_a_row_without_report_must_be_an_anchor(data_copy):
    line = _corrupt(data_copy, "yushu-s06", "report", "")
    problems = validate_all(data_copy)[1]
    assert any(p.row == line and p.column == "screening_id" and "anchor-sNN" in p.message for p in problems)
