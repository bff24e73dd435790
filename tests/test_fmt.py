"""The book's one precision rule: digits follow the width of the interval."""

from __future__ import annotations

import math

import pytest

from analysis.figures.fmt import fmt_estimate, fmt_number, interval_decimals


@pytest.mark.parametrize("value, lower, upper, expected", [
    (0.288, 0.174, 0.450, "0.29 (0.17–0.45)"),
    (6.6, 3.6, 40.0, "7 (4–40)"),
    (6.4, 3.3, 84.6, "6 (3–85)"),
    (-0.083, -0.110, -0.056, "-0.083 (-0.110 to -0.056)"),
    (0.233, -0.282, 0.748, "0.2 (-0.3 to 0.7)"),
    (1.90, 1.44, 2.46, "1.9 (1.4–2.5)"),
    (2589.0, 100.0, 30850.0, "2,589 (100–30,850)"),
])
def test_fmt_estimate(value, lower, upper, expected):
    assert fmt_estimate(value, lower, upper) == expected


def test_missing_numbers_give_an_empty_cell():
    assert fmt_estimate(math.nan, 1, 2) == "" and fmt_estimate(1, None, 2) == ""


def test_decimals_grow_as_the_interval_narrows():
    assert [interval_decimals(0, w) for w in (50, 5, 0.5, 0.05)] == [0, 1, 2, 3]
    assert fmt_number(-0.0004, 2) == "0.00"
