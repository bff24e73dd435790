"""Dorfman pooling against brute-force enumeration and closed forms."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from analysis.core.loaders import load_facts, load_supplementary
from analysis.core.numerals import numbers_in
from analysis.figures.pooling import fig_pooling
from analysis.methods import pooling as P
from analysis.methods.pooling import break_even_prevalence, dorfman_tests_per_person, optimal_pool_size

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "supplementary_evidence.md"


def brute_force_tests_per_person(p, k, se=1.0, sp=1.0):
    """Enumerate every infection pattern of a pool of k and the pool-test outcome."""
    total = 0.0
    for pattern in itertools.product([0, 1], repeat=k):
        prob = np.prod([p if s else 1 - p for s in pattern])
        pool_positive = se if any(pattern) else 1 - sp
        total += prob * (1 + k * pool_positive)
    return total / k


@pytest.mark.parametrize("p", [0.001, 0.05, 0.3])
@pytest.mark.parametrize("k", [2, 3, 5, 8])
@pytest.mark.parametrize("se, sp", [(1.0, 1.0), (0.9, 0.99), (0.7, 0.8)])
def test_matches_enumeration(p, k, se, sp):
    assert dorfman_tests_per_person(p, k, se, sp) == pytest.approx(brute_force_tests_per_person(p, k, se, sp))


def test_scalar_and_array():
    assert isinstance(dorfman_tests_per_person(0.01, 10), float)
    out = dorfman_tests_per_person(np.array([0.001, 0.01]), 10)
    assert out.shape == (2,) and out[0] < out[1]
    assert dorfman_tests_per_person(0.5, 1) == 1.0
    both = dorfman_tests_per_person(np.array([0.01, 0.01]), np.array([5, 10]))
    assert both == pytest.approx([dorfman_tests_per_person(0.01, 5), dorfman_tests_per_person(0.01, 10)])


def test_limits_closed_form():
    for k in (5, 10, 20):
        assert dorfman_tests_per_person(0.0, k) == pytest.approx(1 / k)  # every pool negative
        assert dorfman_tests_per_person(1.0, k) == pytest.approx(1 + 1 / k)  # every pool retested


def test_optimal_pool_shrinks_with_prevalence():
    sizes = [optimal_pool_size(p) for p in (0.0005, 0.005, 0.05, 0.2)]
    assert sizes == sorted(sizes, reverse=True)
    assert optimal_pool_size(0.05) == 5  # classic Dorfman result: k = 5 near 5 %
    assert optimal_pool_size(0.4) == 1  # above break-even for every k: do not pool


@pytest.mark.parametrize("p", [0.0001, 0.001, 0.01, 0.1])
def test_optimal_pool_is_the_enumerated_minimum(p):
    best = min(range(1, 9), key=lambda k: 1.0 if k == 1 else brute_force_tests_per_person(p, k))
    assert optimal_pool_size(p, max_size=8) == best


def test_optimum_is_capped_at_low_prevalence():
    assert optimal_pool_size(1e-6, max_size=50) == 50
    assert optimal_pool_size(1e-6, max_size=20) == 20


@pytest.mark.parametrize("k", [5, 10, 20])
def test_break_even_closed_form(k):
    p = break_even_prevalence(k)
    assert (1 - p) ** k == pytest.approx(1 / k, rel=1e-9)
    assert dorfman_tests_per_person(p * 0.9, k) < 1 < dorfman_tests_per_person(min(p * 1.1, 1), k)


def test_break_even_edge_cases():
    assert break_even_prevalence(10, sensitivity=0.8) == 1.0  # missed pools: never costs more
    assert break_even_prevalence(10, specificity=0.05) == 0.0  # false-positive pools: never saves
    p = break_even_prevalence(10, 0.95, 0.99)
    assert dorfman_tests_per_person(p, 10, 0.95, 0.99) == pytest.approx(1.0)


@pytest.mark.parametrize("small, large", [(5, 10), (10, 20), (5, 20)])
def test_crossover_prevalence(small, large):
    p = P.crossover_prevalence(small, large)
    assert dorfman_tests_per_person(p, small) == pytest.approx(dorfman_tests_per_person(p, large), rel=1e-9)
    assert dorfman_tests_per_person(p / 2, large) < dorfman_tests_per_person(p / 2, small)
    assert dorfman_tests_per_person(p * 1.5, small) < dorfman_tests_per_person(p * 1.5, large)
    # brute-force on a grid: the first prevalence where the smaller pool wins
    grid = np.linspace(1e-5, 0.2, 200_001)
    first = grid[np.argmax(dorfman_tests_per_person(grid, small) < dorfman_tests_per_person(grid, large))]
    assert first == pytest.approx(p, abs=2e-6)


def test_crossover_none_when_larger_pool_never_worse():
    assert P.crossover_prevalence(10, 20, sensitivity=0.5, specificity=0.6) is None
    with pytest.raises(ValueError):
        P.crossover_prevalence(20, 10)


def test_missed_per_10k():
    assert P.missed_per_10k(0.001, 0.9) == pytest.approx(1.0)
    assert P.missed_per_10k(0.001, 1.0) == 0.0
    assert P.missed_per_10k(np.array([0.0, 0.01]), 0.95) == pytest.approx([0.0, 5.0])
    with pytest.raises(ValueError):
        P.missed_per_10k(0.01, 1.2)


@pytest.mark.parametrize("args", [(-0.1, 5), (1.2, 5), (0.1, 0), (0.1, 2.5), (float("nan"), 5), (0.1, 5, 1.1), (0.1, 5, 1.0, -0.1)])
def test_bad_input(args):
    with pytest.raises(ValueError):
        dorfman_tests_per_person(*args)


def test_bad_input_optimal_and_break_even():
    with pytest.raises(ValueError):
        optimal_pool_size(np.array([0.1, 0.2]))
    with pytest.raises(ValueError):
        optimal_pool_size(0.1, max_size=0)
    with pytest.raises(ValueError):
        optimal_pool_size(1.5)
    with pytest.raises(ValueError):
        break_even_prevalence(1)


# ---------------------------------------------------------------- sourced inputs

def test_nhc_threshold_is_read_from_its_quote():
    nhc = P.nhc_guidance(load_supplementary())
    assert 100 * nhc.value in numbers_in(nhc.quote)  # 0.1 % stated in the quote, read as a proportion
    assert 0 < nhc.value < 1
    row = load_supplementary().set_index("source_id").loc[P.NHC_GUIDANCE_SOURCE]
    assert nhc.trust == row["trust"] and nhc.quote == row["quote"]
    assert (nhc.url is None) == (not isinstance(row["url"], str) or not row["url"])
    assert P.percent_threshold("更为适宜(低于0.5%)") == pytest.approx(0.005)
    with pytest.raises(ValueError):
        P.percent_threshold("no threshold")
    with pytest.raises(ValueError, match="not in"):
        P.nhc_guidance(load_supplementary(), "sup-anchor-99")


def test_nhc_threshold_follows_the_data():
    supp = load_supplementary().copy()
    i = supp.index[supp["source_id"] == P.NHC_GUIDANCE_SOURCE][0]
    supp.loc[i, "quote"] = supp.loc[i, "quote"].replace("0.1%", "0.5%")
    assert P.nhc_guidance(supp).value == pytest.approx(0.005)


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference not available")
def test_nhc_quote_is_verbatim_in_the_reference():
    quote = P.nhc_guidance(load_supplementary()).quote
    assert "「" + quote + "」" in REFERENCE.read_text(encoding="utf-8")


def test_changchun_pool_sizes_come_from_the_facts():
    facts = load_facts()
    sizes = P.pool_sizes_from_facts(facts)
    rows = facts[(facts.report == "changchun") & (facts.metric == "pool_size")]
    assert sizes == sorted(int(v) for v in rows["value"]) and len(sizes) > 0
    for k, q in zip(rows["value"], rows["quote"]):  # each value with its own quote, in file order
        assert f"{int(k)}混1" in q


def test_tables_and_figure():
    be = P.break_even_table([5, 10, 20])
    assert len(be) == 3 * len(P.POOL_SENSITIVITY_SCENARIOS)
    perfect = be[be["pool sensitivity (assumed)"] == 1.0].set_index("pool size")["break-even prevalence (%)"]
    assert perfect.to_dict() == pytest.approx({k: 100 * break_even_prevalence(k) for k in (5, 10, 20)})
    assert be.loc[be["break-even prevalence (%)"].isna(), "note"].str.len().gt(0).all()
    t = P.pooling_table({"a": 0.001, "b": 0.0001}, [10, 20], pool_sensitivity=0.9)
    assert t["tests per person, 10-in-1"].iloc[0] == pytest.approx(dorfman_tests_per_person(0.001, 10, 0.9))
    assert t["missed per 10,000 screened"].iloc[0] == pytest.approx(1.0)
    import pandas as pd

    fig = fig_pooling((5, 10, 20), marks=pd.DataFrame({"label": ["x"], "prevalence": [3e-5]}), threshold=0.001)
    names = [tr.name for tr in fig.data]
    assert {"5-in-1 (perfect assay)", "10-in-1 (perfect assay)", "20-in-1 (perfect assay)"} <= set(names)
    assert "Sp" in fig.layout.title.text and "Se" in fig.layout.title.text
    be_trace = next(tr for tr in fig.data if tr.name.startswith("break-even"))
    assert list(be_trace.x) == pytest.approx([break_even_prevalence(k) for k in (5, 10, 20)])
    assert fig.layout.xaxis.type == "log"


def test_scenarios_stack_one_table_per_sensitivity():
    t = P.pooling_scenarios({"a": 0.001}, [10, 20])
    assert list(t["pool sensitivity (assumed)"]) == list(P.POOL_SENSITIVITY_SCENARIOS)
    assert (t["specificity (assumed)"] == 1.0).all()
    for _, r in t.iterrows():
        assert r["tests per person, 20-in-1"] == pytest.approx(
            dorfman_tests_per_person(0.001, 20, r["pool sensitivity (assumed)"]))


def test_figure_marks_crossovers():
    fig = fig_pooling((5, 10, 20))
    tr = next(t for t in fig.data if t.name.startswith("crossover"))
    assert list(tr.x) == pytest.approx([P.crossover_prevalence(5, 10), P.crossover_prevalence(10, 20)])
