"""Rate-ratio tests: interval and p-value of one convention; Holm-adjusted pairwise comparisons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.core.loaders import load_screening, load_supplementary
from analysis.figures import yields as F
from analysis.methods import yields as Y

GRID = [(x1, n1, x2, n2) for x1 in range(0, 31, 2) for x2 in range(0, 31, 3)
        for n1, n2 in [(1000, 1000), (1000, 3000), (50_000, 10_000)] if x1 + x2 > 0]


@pytest.fixture(scope="module")
def comparisons():
    return Y.pairwise_yield_comparisons(Y.programme_yields(load_screening(), load_supplementary()))


@pytest.mark.parametrize("method", ["exact-cond", "score", "wald-log"])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_p_below_alpha_exactly_when_the_interval_excludes_one(method, alpha):
    checked = 0
    for x1, n1, x2, n2 in GRID:
        if method != "exact-cond" and (x1 == 0 or x2 == 0):
            continue
        c = Y.compare_yields(x1, n1, x2, n2, method=method, alpha=alpha)
        assert (c.p_value < alpha) == (c.lower > 1 or c.upper < 1), (x1, n1, x2, n2, c)
        checked += 1
    assert checked > 300


def test_the_minimum_likelihood_p_value_would_break_the_pairing():
    """The old pairing (Clopper-Pearson interval, scipy's minimum-likelihood p) disagrees somewhere on
    the grid: the property test above can fail."""
    from scipy.stats import binomtest

    mismatches = 0
    for x1, n1, x2, n2 in GRID:
        c = Y.compare_yields(x1, n1, x2, n2, method="exact-cond")
        p_minlike = binomtest(x1, x1 + x2, n1 / (n1 + n2)).pvalue
        mismatches += (p_minlike < 0.05) != (c.lower > 1 or c.upper < 1)
    assert mismatches > 0


def test_mover_has_no_test():
    c = Y.compare_yields(19, 658772, 300, 9899828, method="mover")
    assert math.isnan(c.p_value) and c.lower < 1 < c.upper


def test_refusal_rules_agree():
    with pytest.raises(ValueError, match="zero positives"):
        Y.compare_yields(0, 10, 5, 100, method="score")
    with pytest.raises(ValueError, match="zero positives"):
        Y.compare_yields(0, 10, 5, 100, method="wald-log")
    with pytest.raises(ValueError, match="both programmes"):
        Y.compare_yields(0, 10, 0, 100, method="exact-cond")
    assert Y.compare_yields(0, 10, 5, 100, method="exact-cond").lower == 0


def test_holm_by_hand():
    p = pd.Series([0.01, 0.04, np.nan, 0.03, 0.5])
    adj = Y.holm_adjust(p)
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): 0.04, max(0.04, 0.09), max(0.09, 0.08), max(0.09, 0.5)
    assert adj.tolist()[:2] == pytest.approx([0.04, 0.09]) and math.isnan(adj[2])
    assert adj[3] == pytest.approx(0.09) and adj[4] == pytest.approx(0.5)


def test_pairwise_table_is_holm_adjusted_as_one_family(comparisons):
    for raw in ("exact p", "score p"):
        ok = comparisons[raw].notna()
        expected = multipletests(comparisons.loc[ok, raw], method="holm")[1]
        assert comparisons.loc[ok, f"{raw} (Holm)"].to_numpy() == pytest.approx(expected)
        assert (comparisons.loc[ok, f"{raw} (Holm)"] >= comparisons.loc[ok, raw] - 1e-15).all()
        assert comparisons.loc[~ok, f"{raw} (Holm)"].isna().all()
    assert comparisons["exact p"].notna().sum() == 10  # the ten estimable pairs


def test_display_pairs_each_interval_with_its_p_values(comparisons):
    shown = F.comparison_display(comparisons)
    assert {"exact p (central)", "exact p (Holm)", "score p", "score p (Holm)"} <= set(shown.columns)
    row = shown[(shown["programme 1"].str.startswith("Mudanjiang")) & (shown["programme 2"].str.startswith("Wuhan"))].iloc[0]
    assert row["rate ratio (exact conditional 95 % CI)"] == "0.95 (0.57–1.51)"
    assert row["exact p (central)"] == "0.953"
    table = F.comparison_reader(comparisons).text
    assert len(table) == len(comparisons)
    estimable = table[table["rate ratio (exact conditional 95 % CI)"] != ""]
    assert len(estimable) == comparisons["exact p"].notna().sum() and (estimable["exact p (Holm)"] != "").all()


def test_yields_are_printed_with_the_precision_rule():
    table = Y.programme_yields(load_screening(), load_supplementary())
    shown = F.yields_display(table).values
    col = next(c for c in shown.columns if c.startswith("yield per 10,000"))
    values = dict(zip(shown.index, shown[col]))
    assert values[next(k for k in values if k.startswith("Mudanjiang") and "urban" in k)] == "0.29 (0.17–0.45)"
    assert values[next(k for k in values if k.startswith("Dongxing"))] == "0 (0–0.22)"
    assert F.fmt_ratio_ci(0.0, 0.0, math.inf) == "0 (0–∞)"
