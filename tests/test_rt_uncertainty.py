"""Rt with its real uncertainty: serial-interval uncertainty (EpiEstim's uncertain_si), the infectivity
before a series' first day (back-projection), and undefined Wallinga-Lipsitch conversions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core.loaders import load_daily_cases
from analysis.figures import curves_tables as curve_tables
from analysis.methods import curves, rt
from analysis.methods.rt import (SIUncertainty, backproject, discr_si, r_to_R, reproduction_number,
                                 rt_backprojected, rt_uncertain_si)

SI_MEAN, SI_SD = 3.65, 2.31


def _epidemic(T: int = 40, r: float = 0.05, start: float = 200.0) -> np.ndarray:
    return np.round(start * np.exp(r * np.arange(T)))


def test_no_si_uncertainty_gives_the_poisson_interval():
    inc = _epidemic()
    unc = SIUncertainty(rel_sd_mean=0.0, rel_sd_sd=0.0, n_si=50, n_post=2000)
    out = rt_uncertain_si(inc, SI_MEAN, SI_SD, [10, 25], [16, 31], unc=unc, seed=1)
    for _, row in out.iterrows():
        width = row["upper"] - row["lower"]
        assert row["si_lower"] == pytest.approx(row["lower"], abs=0.02 * width)
        assert row["si_upper"] == pytest.approx(row["upper"], abs=0.02 * width)
        assert row["si_median"] == pytest.approx(row["median"], abs=0.02 * width)
    # a vanishing (not zero) sd of the mean behaves the same
    tiny = SIUncertainty(rel_sd_mean=1e-6, rel_sd_sd=1e-6, n_si=50, n_post=2000)
    out2 = rt_uncertain_si(inc, SI_MEAN, SI_SD, [10], [16], unc=tiny, seed=2).iloc[0]
    assert out2["si_upper"] == pytest.approx(out2["upper"], abs=0.02 * (out2["upper"] - out2["lower"]))


def test_si_uncertainty_widens_the_interval_and_is_reproducible():
    inc = _epidemic()
    out = rt_uncertain_si(inc, SI_MEAN, SI_SD, [10], [16], seed=0).iloc[0]
    assert out["si_upper"] - out["si_lower"] > 1.5 * (out["upper"] - out["lower"])
    assert out["si_lower"] < out["lower"] and out["si_upper"] > out["upper"]
    again = rt_uncertain_si(inc, SI_MEAN, SI_SD, [10], [16], seed=0).iloc[0]
    assert again["si_upper"] == out["si_upper"]


def test_si_draws_are_truncated_around_the_scenario():
    unc = SIUncertainty(n_si=2000)
    d = rt.draw_si(SI_MEAN, SI_SD, unc, np.random.default_rng(0))
    assert d.shape == (2000, 2)
    assert d[:, 0].min() >= SI_MEAN * (1 - 2 * unc.rel_sd_mean) - 1e-9
    assert d[:, 0].max() <= SI_MEAN * (1 + 2 * unc.rel_sd_mean) + 1e-9
    assert d[:, 1].min() > 0 and abs(d[:, 0].mean() - SI_MEAN) < 0.05


def test_backprojection_recovers_a_known_R_for_a_growing_series():
    r, T = 0.1, 30
    inc = 1e4 * np.exp(r * np.arange(T))  # pure exponential growth
    w = discr_si(np.arange(200), SI_MEAN, SI_SD)
    true_R = 1.0 / float(np.sum(w * np.exp(-r * np.arange(200))))  # discrete Euler-Lotka
    plain = reproduction_number(inc, SI_MEAN, SI_SD, t_start=[1], t_end=[7]).iloc[0]
    bp = rt_backprojected(inc, SI_MEAN, SI_SD, [1], [7], r, n_days=60).iloc[0]
    assert plain["mean"] > true_R + 0.2  # missing infectivity: biased upwards
    assert bp["mean"] == pytest.approx(true_R, rel=2e-3)
    assert bp["mean"] < plain["mean"]
    # the infectivity of the window's days rises with the back-projection
    lam_plain = 1 / plain["scale"] - 1 / 5
    lam_bp = 1 / bp["scale"] - 1 / 5
    assert lam_bp > lam_plain
    # a window far from the start hardly changes
    late_plain = reproduction_number(inc, SI_MEAN, SI_SD, t_start=[22], t_end=[28]).iloc[0]["mean"]
    late_bp = rt_backprojected(inc, SI_MEAN, SI_SD, [22], [28], r, n_days=60).iloc[0]["mean"]
    assert late_plain == pytest.approx(late_bp, rel=1e-3) and late_bp == pytest.approx(true_R, rel=2e-3)


def test_backproject_values_and_errors():
    np.testing.assert_allclose(backproject(100.0, math.log(2), 3), [12.5, 25.0, 50.0])
    with pytest.raises(ValueError):
        backproject(100.0, 0.1, 0)
    with pytest.raises(ValueError):
        backproject(float("nan"), 0.1, 5)


def test_r_to_R_raises_for_a_steep_decline():
    assert r_to_R(-0.1, 4.0, 2.0) == pytest.approx((1 - 0.1) ** 4)
    with pytest.raises(ValueError, match="too steep"):
        r_to_R(-1.0, 4.0, 2.0)  # 1 + r sd^2/mean = 0
    with pytest.raises(ValueError, match="too steep"):
        r_to_R(-3.0, 3.65, 2.31)
    with pytest.raises(ValueError, match="positive"):
        r_to_R(0.1, 4.0, 0.0)


@pytest.fixture(scope="module")
def series():
    return curves.all_series(load_daily_cases())


def test_book_rt_table_shows_si_uncertainty_and_bias(series):
    table = curve_tables.rt_uncertainty_table(series).text
    assert len(table) == len(curves.FIT_WINDOWS)  # every declared window: estimated, or why not
    estimated = table[table["Rt, Poisson-only posterior (95 % credible interval)"] != ""]
    assert list(zip(estimated["place"], estimated["phase"])) == [("Changchun 长春", "growth"), ("Changchun 长春", "decline"),
                                                                ("Dongxing 东兴", "growth")]
    assert all(n.startswith("not estimated: ") for n in table.loc[~table.index.isin(estimated.index), "note"])
    growth = estimated.iloc[0]
    assert float(growth["upward bias"]) > 0.1  # missing infectivity biases the early window upwards
    assert "five days" in estimated.iloc[2]["note"]
    refusals = curve_tables.rt_refusals(series).text.set_index("place")
    assert "seeded by one case" in refusals.loc["Dongxing 东兴", "reason"]


def test_pooled_rt_uncertainty_fields(series):
    si = rt.SI_SCENARIOS["ba2"]
    row = rt.pooled_rt_uncertainty(series["changchun"], "2022-03-12", "2022-03-22", si, 0.09)
    assert row["si_lower"] < row["lower"] < row["upper"] < row["si_upper"]
    assert row["bp_mean"] < row["mean"] and row["bias"] == pytest.approx(row["mean"] - row["bp_mean"])
    none = rt.pooled_rt_uncertainty(series["changchun"], "2022-03-12", "2022-03-22", si, None)
    assert none["bias"] is None and pd.isna(none["bp_mean"])
