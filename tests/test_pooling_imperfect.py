"""Dorfman pooling with an imperfect assay: specificity below 1, dilution, PPV of a positive pool."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from analysis.figures.pooling import fig_pooling, pooling_display
from analysis.methods import pooling as P

#: Observed yields of the chapter (per person or person-test), as proportions: Mudanjiang 19/658,772,
#: Yushu 58/304,900, Tianjin 77/7,892,591 (data/screening.csv).
YIELDS = {"Mudanjiang": 19 / 658_772, "Yushu": 58 / 304_900, "Tianjin": 77 / 7_892_591}


def enumerate_pool(p, k, se, sp):
    """Every infection pattern of one pool: (expected tests per person, PPV of a positive pool)."""
    tests = true_pos = any_pos = 0.0
    for pattern in itertools.product([0, 1], repeat=k):
        prob = float(np.prod([p if s else 1 - p for s in pattern]))
        pos = se if any(pattern) else 1 - sp
        tests += prob * (1 + k * pos)
        any_pos += prob * pos
        true_pos += prob * pos * any(pattern)
    return tests / k, true_pos / any_pos


@pytest.mark.parametrize("p", [0.002, 0.05])
@pytest.mark.parametrize("k", [2, 4, 6])
@pytest.mark.parametrize("sp, d", [(1.0, 0.0), (0.999, 0.05), (0.99, 0.05), (0.9, 0.2)])
def test_matches_enumeration_with_dilution(p, k, sp, d):
    se = P.dilution_sensitivity(k, 1.0, d)
    tests, ppv = enumerate_pool(p, k, se, sp)
    assert P.dorfman_tests_per_person(p, k, se, sp) == pytest.approx(tests, rel=1e-12)
    assert P.positive_pool_ppv(p, k, se, sp) == pytest.approx(ppv, rel=1e-12)


def test_matches_a_simulation_of_pools():
    """Simulated pools of 5 at 5 % prevalence, Sp 0.99, 5 % sensitivity lost per doubling."""
    rng = np.random.default_rng(20261203)
    p, k, sp, d, n_pools = 0.05, 5, 0.99, 0.05, 400_000
    se = P.dilution_sensitivity(k, 1.0, d)
    infected = (rng.random((n_pools, k)) < p).any(axis=1)
    positive = np.where(infected, rng.random(n_pools) < se, rng.random(n_pools) < 1 - sp)
    tests = (1 + k * positive) / k
    assert tests.mean() == pytest.approx(P.dorfman_tests_per_person(p, k, se, sp), abs=4 * tests.std() / np.sqrt(n_pools))
    ppv = infected[positive].mean()
    se_ppv = np.sqrt(ppv * (1 - ppv) / positive.sum())
    assert ppv == pytest.approx(P.positive_pool_ppv(p, k, se, sp), abs=4 * se_ppv)


def test_perfect_assay_is_the_closed_form():
    for p in YIELDS.values():
        for k in (5, 10, 20):
            assert P.dilution_sensitivity(k, 1.0, 0.0) == 1.0
            assert P.dorfman_tests_per_person(p, k, 1.0, 1.0) == pytest.approx(1 / k + 1 - (1 - p) ** k, rel=1e-12)
            assert P.positive_pool_ppv(p, k, 1.0, 1.0) == 1.0


def test_ppv_tends_to_one_as_specificity_tends_to_one():
    p, k = YIELDS["Mudanjiang"], 20
    sps = 1 - np.logspace(-1, -9, 30)
    ppv = np.array([P.positive_pool_ppv(p, k, 0.9, sp) for sp in sps])
    assert np.all(np.diff(ppv) > 0)
    assert ppv[0] < 0.01 and ppv[-1] > 0.999
    assert P.positive_pool_ppv(p, k, 0.9, 1.0) == 1.0


@pytest.mark.parametrize("label", list(YIELDS))
@pytest.mark.parametrize("k", [10, 20])
def test_tests_per_person_rise_when_specificity_falls(label, k):
    p = YIELDS[label]
    se = P.dilution_sensitivity(k, 1.0, 0.05)
    tests = [P.dorfman_tests_per_person(p, k, se, sp) for sp in (1.0, 0.999, 0.99, 0.95)]
    assert np.all(np.diff(tests) > 0)
    # each false-positive pool costs k retests: exactly (1 - Sp)(1 - p)^k more per person
    assert tests[2] - tests[0] == pytest.approx(0.01 * (1 - p) ** k, rel=1e-9)


def test_dilution_lowers_sensitivity_monotonically():
    k = np.arange(1, 65)
    for d in (0.01, 0.05, 0.2):
        s = P.dilution_sensitivity(k, 0.98, d)
        assert s[0] == pytest.approx(0.98) and np.all(np.diff(s) < 0)
        for m in range(7):  # each doubling of the pool loses the share d
            assert P.dilution_sensitivity(2 ** m, 0.98, d) == pytest.approx(0.98 * (1 - d) ** m)
    assert np.all(P.dilution_sensitivity(k, 0.98, 0.0) == 0.98)
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError):
            P.dilution_sensitivity(10, 1.0, bad)
    with pytest.raises(ValueError):
        P.dilution_sensitivity(0, 1.0, 0.05)


def test_ppv_rejects_bad_input_and_is_nan_when_no_pool_can_be_positive():
    assert np.isnan(P.positive_pool_ppv(0.0, 10, 1.0, 1.0))
    with pytest.raises(ValueError):
        P.positive_pool_ppv(0.01, 10, 1.0, 1.5)


def test_imperfect_assay_table_names_its_assumptions():
    t = P.imperfect_assay_table(YIELDS, [10, 20])
    assert len(t) == len(P.SPECIFICITY_SCENARIOS) * len(P.DILUTION_SCENARIOS) * len(YIELDS) * 2
    for col in ("specificity (assumed)", "individual sensitivity (assumed)", "dilution loss per doubling (assumed)",
                "pool sensitivity"):
        assert t[col].notna().all()
    assert set(t["specificity (assumed)"]) == {1.0, 0.999, 0.99}
    for _, r in t.iterrows():
        assert r["tests per person"] == pytest.approx(
            P.dorfman_tests_per_person(r["per 10,000"] / 1e4, r["pool size"], r["pool sensitivity"], r["specificity (assumed)"]))
    perfect = t[(t["specificity (assumed)"] == 1) & (t["dilution loss per doubling (assumed)"] == 0)]
    assert (perfect["PPV of a positive pool"] == 1).all() and np.allclose(perfect["tests vs perfect assay"], 1)
    # at Sp 0.99 and these yields most positive pools are false alarms, and tests rise 10-20 %
    low = t[(t["specificity (assumed)"] == 0.99)]
    assert (low["PPV of a positive pool"] < 0.5).all()
    assert low["tests vs perfect assay"].between(1.05, 1.25).all()


def test_display_has_at_most_three_significant_digits_and_refuses_unlabelled_tables():
    t = P.imperfect_assay_table(YIELDS, [10, 20])
    shown = pooling_display(t.drop(columns=["prevalence"]))
    for cell in shown.to_numpy().ravel():
        if not re.fullmatch(r"[\d,.]+", cell) or "." not in cell:
            continue  # labels, and whole numbers (written out in full)
        significant = cell.replace(",", "").replace(".", "").lstrip("0")
        assert len(significant) <= 3, cell
    with pytest.raises(ValueError, match="assumes"):
        pooling_display(t.drop(columns=[c for c in t.columns if "(assumed)" in c]))
    assert "0.0502" in set(shown["tests per person"])  # 0.050195 (Tianjin, 20-in-1, perfect assay)
    be = pooling_display(P.break_even_table([10]))
    assert {"pool sensitivity (assumed)", "specificity (assumed)"} <= set(be.columns)


def test_figure_names_the_assay_of_every_curve():
    fig = fig_pooling((10, 20), pool_sensitivities=(1.0, 0.9), specificities=(1.0, 0.99))
    curves = [tr for tr in fig.data if tr.mode == "lines" and tr.name and "-in-1" in tr.name and len(tr.x) > 1]
    assert len(curves) == 8
    assert all("perfect assay" in tr.name or ("Se " in tr.name and "Sp " in tr.name) for tr in curves)
    low = next(tr for tr in curves if tr.name == "10-in-1, Se 1, Sp 0.99 (assumed)")
    assert low.line.dash == "dot"
    assert np.allclose(low.y, P.dorfman_tests_per_person(np.asarray(low.x), 10, 1.0, 0.99))
