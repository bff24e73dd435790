"""Yields against independent computations (scipy, closed forms) and bad input."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from analysis.yields import compare_yields, poisson_glm_rates, rule_of_three, screening_yield, zero_positive_bound


@pytest.mark.parametrize("x, n", [(19, 658772), (58, 304900), (3, 1000), (0, 171300)])
def test_clopper_pearson_matches_scipy(x, n):
    y = screening_yield(x, n, method="beta")
    ci = binomtest(x, n).proportion_ci(confidence_level=0.95, method="exact")
    assert y.lower_per_10k == pytest.approx(1e4 * ci.low, rel=1e-6, abs=1e-12)
    assert y.upper_per_10k == pytest.approx(1e4 * ci.high, rel=1e-6)
    assert y.rate_per_10k == pytest.approx(1e4 * x / n)


def test_wilson_matches_scipy():
    y = screening_yield(19, 658772, method="wilson")
    ci = binomtest(19, 658772).proportion_ci(method="wilson")
    assert (y.lower_per_10k, y.upper_per_10k) == pytest.approx((1e4 * ci.low, 1e4 * ci.high), rel=1e-6)


def test_reproduces_cao_et_al_wuhan_interval():
    """Cao et al. 2020 published 0.303/10,000 (95 % CI 0.270-0.339) for 300 of 9,899,828."""
    y = screening_yield(300, 9_899_828)
    assert (round(y.rate_per_10k, 3), round(y.lower_per_10k, 3), round(y.upper_per_10k, 3)) == (0.303, 0.270, 0.339)


def test_zero_count_is_not_zero_width():
    y = screening_yield(0, 171300)
    assert y.lower_per_10k == 0 and y.upper_per_10k > 0


def test_zero_positive_bounds_closed_form():
    n = 171300
    assert zero_positive_bound(n, sided="one") == pytest.approx(1e4 * (1 - 0.05 ** (1 / n)))
    assert zero_positive_bound(n, sided="two") == pytest.approx(1e4 * (1 - 0.025 ** (1 / n)))
    assert zero_positive_bound(n, sided="two") == pytest.approx(screening_yield(0, n).upper_per_10k, rel=1e-6)
    assert rule_of_three(n) == pytest.approx(zero_positive_bound(n), rel=0.01)


@pytest.mark.parametrize("args, message", [
    ((-1, 10), "negative"), ((11, 10), "exceed"), ((0, 0), "nobody was tested"), ((1.5, 10), "whole number"),
])
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        screening_yield(*args)


def test_default_normal_method_is_refused():
    with pytest.raises(ValueError, match="never statsmodels' default"):
        screening_yield(1, 10, method="normal")


def test_compare_refuses_unlike_units_and_zero_cells():
    with pytest.raises(ValueError, match="different things"):
        compare_yields(19, 658772, 58, 304900, unit1="persons", unit2="person_tests")
    with pytest.raises(ValueError, match="zero positives"):
        compare_yields(19, 658772, 0, 171300)


def test_rate_ratio_of_equal_rates_is_one():
    c = compare_yields(20, 100000, 40, 200000)
    assert c.ratio == pytest.approx(1.0)
    assert c.lower < 1 < c.upper and c.p_value > 0.9


def test_glm_excludes_zero_cells_and_recovers_rates():
    out = poisson_glm_rates([19, 0, 300], [658772, 171300, 9899828], ["mudanjiang", "dongxing", "wuhan"])
    assert "dongxing" in out["excluded"]
    assert out["rates"]["wuhan"][0] == pytest.approx(1e4 * 300 / 9899828)
    assert math.isfinite(out["rates"]["mudanjiang"][1])
