"""Case curves: growth rates and Rt against known truth, guards, and the daily_cases table."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.core.loaders import load_daily_cases
from analysis.core.tables import check_table
from analysis.figures import curves_tables as curve_tables
from analysis.methods import curves, rt
from analysis.methods.curves import EstimationError, growth_rate
from analysis.methods.rt import discr_si, reproduction_number

ROOT = Path(__file__).resolve().parent.parent
FRAGMENT = ROOT / "data" / "_fragments" / "daily" / "supplementary.csv"


# --------------------------------------------------------------------------------------
# fixtures: a data copy that holds the daily_cases sources (merges the fragment until the
# lead has appended it to data/sources/supplementary.csv; a no-op afterwards)

@pytest.fixture(scope="module")
def curves_data(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("curves") / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("_fragments"))
    if FRAGMENT.exists():
        supp_path = target / "sources" / "supplementary.csv"
        supp = pd.read_csv(supp_path, dtype=str, keep_default_na=False)
        frag = pd.read_csv(FRAGMENT, dtype=str, keep_default_na=False)
        frag = frag[~frag["source_id"].isin(supp["source_id"])]
        if len(frag):
            pd.concat([supp, frag]).to_csv(supp_path, index=False)
    return target


@pytest.fixture(scope="module")
def cases(curves_data):
    return load_daily_cases(curves_data)


def _edit_copy(src: Path, dst: Path, changes: dict) -> Path:
    shutil.copytree(src, dst)
    path = dst / "daily_cases.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for (row, col), value in changes.items():
        df.loc[row, col] = value
    df.to_csv(path, index=False)
    return dst


# --------------------------------------------------------------------------------------
# growth_rate: known truth

def _simulate(r, n_days=21, a=math.log(20), rng=None, dispersion=None):
    t = np.arange(n_days)
    mu = np.exp(a + r * t)
    if dispersion is None:
        y = rng.poisson(mu)
    else:  # negative binomial with variance mu * dispersion
        p = 1 / dispersion
        y = rng.negative_binomial(mu * p / (1 - p), p)
    return pd.date_range("2022-03-01", periods=n_days), y


@pytest.mark.parametrize("r_true", [0.12, -0.08])
def test_growth_rate_recovers_r_with_nominal_coverage(r_true):
    rng = np.random.default_rng(20220312)
    n_sim, hits, estimates = 300, 0, []
    for _ in range(n_sim):
        dates, y = _simulate(r_true, rng=rng)
        g = growth_rate(dates, y, dates[0], dates[-1])
        assert g.reason is None
        estimates.append(g.r)
        hits += g.r_lower <= r_true <= g.r_upper
    coverage = hits / n_sim
    # nominal 95 %; the scale floored at 1 and t quantiles make it slightly conservative
    assert 0.91 <= coverage <= 0.995, coverage
    assert abs(np.mean(estimates) - r_true) < 0.005


def test_quasi_poisson_scale_keeps_coverage_under_overdispersion():
    rng = np.random.default_rng(7)
    n_sim, hits, plain_hits = 300, 0, 0
    import statsmodels.api as sm
    for _ in range(n_sim):
        dates, y = _simulate(0.1, rng=rng, dispersion=8.0)
        g = growth_rate(dates, y, dates[0], dates[-1])
        hits += g.r_lower <= 0.1 <= g.r_upper
        fit = sm.GLM(y, sm.add_constant(np.arange(len(y))), family=sm.families.Poisson()).fit()
        lo, hi = fit.conf_int()[1]
        plain_hits += lo <= 0.1 <= hi
    assert hits / n_sim >= 0.9
    assert plain_hits / n_sim < 0.8  # the plain Poisson interval would be far too narrow


def test_doubling_and_halving_times_transform_the_interval():
    rng = np.random.default_rng(1)
    dates, y = _simulate(0.15, rng=rng)
    g = growth_rate(dates, y)
    assert g.time_kind == "doubling"
    assert g.doubling_time == pytest.approx(math.log(2) / g.r)
    assert g.doubling_lower == pytest.approx(math.log(2) / g.r_upper)
    assert g.doubling_upper == pytest.approx(math.log(2) / g.r_lower)
    dates, y = _simulate(-0.15, rng=rng, a=math.log(400))
    h = growth_rate(dates, y)
    assert h.time_kind == "halving" and h.r < 0
    assert h.doubling_time == pytest.approx(math.log(2) / -h.r)
    assert h.doubling_lower < h.doubling_time < h.doubling_upper


def test_no_doubling_time_when_interval_includes_zero():
    dates = pd.date_range("2021-12-21", periods=6)
    g = growth_rate(dates, [3, 1, 4, 1, 5, 2])
    assert g.reason is None and g.r_lower < 0 < g.r_upper
    assert g.doubling_time is None and g.time_kind is None


def test_window_bounds_are_inclusive_and_na_days_are_left_out():
    dates = pd.date_range("2022-01-01", periods=10)
    y = [10, 12, 15, np.nan, 22, 26, 33, np.nan, 48, 60]
    g = growth_rate(dates, y, "2022-01-02", "2022-01-09")
    assert g.n_days == 6 and g.n_cases == 12 + 15 + 22 + 26 + 33 + 48
    kept = [(d, v) for d, v in zip(dates, y) if not pd.isna(v)]
    h = growth_rate([d for d, _ in kept], [v for _, v in kept], "2022-01-02", "2022-01-09")
    assert g.r == pytest.approx(h.r)


@pytest.mark.parametrize("dates, counts, fragment", [
    ([], [], "empty"),
    (pd.date_range("2022-01-01", periods=8), [0] * 8, "too sparse"),
    (pd.date_range("2022-01-01", periods=3), [5, 9, 14], "too short"),
    (pd.date_range("2022-01-01", periods=8), [0, 0, 0, 30, 0, 0, 0, 0], "day(s) with cases"),
])
def test_growth_rate_gives_a_reason_instead_of_numbers(dates, counts, fragment):
    g = growth_rate(dates, counts)
    assert g.r is None and g.doubling_time is None
    assert fragment in g.reason


def test_growth_rate_rejects_malformed_input():
    d = pd.date_range("2022-01-01", periods=5)
    with pytest.raises(ValueError, match="differ in length"):
        growth_rate(d, [1, 2, 3])
    with pytest.raises(ValueError, match="negative"):
        growth_rate(d, [1, 2, -3, 4, 5])
    with pytest.raises(ValueError, match="after its end"):
        growth_rate(d, [1, 2, 3, 4, 5], "2022-01-05", "2022-01-01")


def test_wallinga_lipsitch_limits():
    # gamma GI with sd -> 0 tends to the fixed-interval bound exp(r T)
    assert rt.r_to_R(0.1, 4.0, 1e-3) == pytest.approx(math.exp(0.4), rel=1e-4)
    # exponential GI (sd = mean): R = 1 + r T
    assert rt.r_to_R(0.1, 4.0, 4.0) == pytest.approx(1.4)


# --------------------------------------------------------------------------------------
# discr_si and the Cori posterior

@pytest.mark.parametrize("mu, sigma", [(3.65, 2.31), (2.6, 1.5), (5.19, 3.3)])
def test_discr_si_is_a_distribution_with_the_gamma_mean(mu, sigma):
    k = np.arange(200)
    w = discr_si(k, mu, sigma)
    assert w[0] == 0 and (w >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-9)
    # Cori's discretisation preserves the mean of the (shifted) gamma
    assert (k * w).sum() == pytest.approx(mu, abs=1e-6)


def test_discr_si_matches_an_independent_integration():
    # w_k = integral over u in [0,1) (start within the day) of P(k-1 <= S-1+u... ) computed numerically:
    # w_k = int_0^1 [F(k - u... )] -> equivalently int_{k-1}^{k+1} (1 - |x - k|) f(x - 1) dx
    mu, sigma = 3.65, 2.31
    a, b = ((mu - 1) / sigma) ** 2, sigma ** 2 / (mu - 1)
    from scipy.integrate import quad
    for k in range(1, 12):
        val, _ = quad(lambda x: (1 - abs(x - k)) * stats.gamma.pdf(x - 1, a, scale=b), k - 1, k + 1, limit=200)
        assert discr_si([k], mu, sigma)[0] == pytest.approx(val, abs=1e-8)


def test_cori_posterior_matches_hand_computation():
    inc = [1, 2, 4, 8, 16, 32, 64, 128]
    mu, sigma = 3.0, 1.5
    w = discr_si(np.arange(len(inc)), mu, sigma)
    lam = []
    for t in range(1, len(inc)):            # Lambda_t = sum_{s=1}^{t} I_{t-s} w_s
        lam.append(sum(inc[t - s] * w[s] for s in range(1, t + 1)))
    shape = 1 + sum(inc[1:])                # prior mean 5, sd 5 -> shape 1, scale 5; day 0 imported
    scale = 1 / (1 / 5 + sum(lam))
    out = reproduction_number(inc, mu, sigma, window=7)
    assert len(out) == 1 and (out.t_start[0], out.t_end[0]) == (1, 7)
    assert out["mean"][0] == pytest.approx(shape * scale)
    assert out["lower"][0] == pytest.approx(stats.gamma.ppf(0.025, shape, scale=scale))
    assert out["upper"][0] == pytest.approx(stats.gamma.ppf(0.975, shape, scale=scale))
    assert bool(out["reliable"][0])


def test_cori_recovers_a_known_constant_R():
    rng = np.random.default_rng(11)
    R, mu, sigma = 1.4, 3.65, 2.31
    w = discr_si(np.arange(60), mu, sigma)
    inc = [50.0]
    for t in range(1, 60):
        lam = sum(inc[t - s] * w[s] for s in range(1, t + 1))
        inc.append(float(rng.poisson(R * lam)))
    out = reproduction_number(inc, mu, sigma)
    late = out[out.t_start >= 20]
    assert ((late.lower <= R) & (R <= late.upper)).mean() >= 0.8
    assert late["mean"].mean() == pytest.approx(R, rel=0.05)


def test_windows_before_the_mean_si_have_no_estimate():
    out = reproduction_number([5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 6.0, 2.0, window=2)
    mean_si = out.attrs["discrete_si_mean"]
    early = out[out.t_end + 1 <= mean_si]
    assert len(early) and early["mean"].isna().all() and not early["reliable"].any()
    assert out[out.t_end + 1 > mean_si]["mean"].notna().all()


def test_few_cases_are_flagged_unreliable():
    out = reproduction_number([1, 1, 0, 2, 1, 0, 1, 1, 2, 1], 3.0, 1.5)
    assert out.attrs["min_cases"] == 11      # ceil(1/0.3^2 - 1) with EpiEstim's defaults
    assert not out["reliable"].any()
    assert out["mean"].notna().all()


def test_imported_cases_feed_infectivity_not_the_numerator():
    inc = [10, 10, 10, 10, 10, 10, 10, 10, 10]
    imp = [0, 5, 5, 5, 5, 5, 5, 5, 5]
    both = reproduction_number(inc, 3.0, 1.5, imported=imp)
    local_only = reproduction_number(inc, 3.0, 1.5)
    assert (both["mean"] < local_only["mean"]).all()
    assert both["shape"][0] == pytest.approx(1 + 7 * 5)


@pytest.mark.parametrize("incidence, fragment", [
    ([], "empty"),
    ([0, 0, 0, 0, 0, 0, 0, 0, 0], "all counts are zero"),
    ([3, 4, 5], "too short"),
    ([3, 4, np.nan, 5, 6, 7, 8, 9, 10], "unknown days"),
    ([3, 4, -1, 5, 6, 7, 8, 9, 10], "negative"),
    (["a", 1, 2], "sequence of numbers"),
    ([7, 0, 0, 0, 0, 0, 0, 0, 0], "no cases after the first day"),
])
def test_rt_guards_raise_a_clear_error(incidence, fragment):
    with pytest.raises(EstimationError, match=fragment):
        reproduction_number(incidence, 3.65, 2.31)


def test_rt_rejects_impossible_serial_intervals():
    with pytest.raises(ValueError, match="exceed 1 day"):
        reproduction_number([1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9, 1.0)


def test_si_from_median_and_iqr_reproduces_the_quartiles():
    mean, sd = rt.gamma_from_median_iqr(3.0, 2.0, 5.0)
    shape, scale = (mean / sd) ** 2, sd ** 2 / mean
    q = stats.gamma.ppf([0.25, 0.5, 0.75], shape, scale=scale)
    assert np.allclose(q, [2.0, 3.0, 5.0], rtol=0.1)
    assert rt.SI_SCENARIOS["ba2"].mean == pytest.approx(mean)


# --------------------------------------------------------------------------------------
# the daily_cases table and the series built from it

def test_daily_cases_validate_with_their_sources(curves_data):
    df, problems = check_table("daily_cases", curves_data)
    assert problems == []
    assert set(df["city"]) == set(curves.SERIES_BASIS)


@pytest.mark.parametrize("changes, message", [
    ({(2, "new_confirmed"): "431"}, "is not stated in the quote"),
    ({(2, "trust"): "B"}, "differs from the trust"),
    ({(2, "source_id"): "sup-changchun-99"}, "is not in sources/supplementary.csv"),
    ({(2, "source_id"): "sup-dongxing-02"}, "belongs to dongxing"),
    ({(2, "new_confirmed_from_asymptomatic"): "500"}, "conversions exceed"),
])
def test_daily_cases_corruptions_are_found(curves_data, tmp_path, changes, message):
    bad = _edit_copy(curves_data, tmp_path / "data", changes)
    _, problems = check_table("daily_cases", bad)
    assert any(message in p.message for p in problems), problems


def test_decreasing_cumulative_and_derived_zero_are_refused(curves_data, tmp_path, cases):
    df = pd.read_csv(curves_data / "daily_cases.csv", dtype=str, keep_default_na=False)
    cum_rows = df.index[(df.city == "changchun") & (df.cum_confirmed != "")].tolist()
    derived = df.index[df.status == "derived"].tolist()
    bad = _edit_copy(curves_data, tmp_path / "data", {(cum_rows[-1], "cum_confirmed"): "5",
                                                      (derived[0], "new_confirmed"): "0"})
    _, problems = check_table("daily_cases", bad)
    messages = " | ".join(p.message for p in problems)
    assert "cumulative confirmed falls" in messages
    assert "may not hold a 0" in messages


@pytest.mark.parametrize("new_confirmed, disagree", [("9999", True), (None, False)])
def test_two_full_day_rows_of_one_day_must_agree(curves_data, tmp_path, new_confirmed, disagree):
    """A second 0-24 h row for the same city and day: a different count is a disagreement, on the
    line of the day's first row and in the count's column; the same counts are not."""
    bad = tmp_path / "data"
    shutil.copytree(curves_data, bad)
    path = bad / "daily_cases.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = df.index[(df.new_confirmed != "") & ~df.flag.str.contains("window_not_0_24h")][0]
    extra = df.loc[[i]].copy()
    if new_confirmed is not None:
        extra["new_confirmed"] = new_confirmed
    pd.concat([df, extra], ignore_index=True).to_csv(path, index=False)
    _, problems = check_table("daily_cases", bad)
    found = [p for p in problems if "sources disagree" in p.message]
    if disagree:
        assert [(p.row, p.column) for p in found] == [(i + 2, "new_confirmed")]
        assert f"{df.city[i]} {df.date[i]}" in found[0].message and "9999" in found[0].message
    else:
        assert found == [] and any("duplicate" in p.message for p in problems)


def test_empty_row_needs_a_flag(curves_data, tmp_path):
    df = pd.read_csv(curves_data / "daily_cases.csv", dtype=str, keep_default_na=False)
    i = df.index[df.flag.str.contains("backlog")][0]
    bad = _edit_copy(curves_data, tmp_path / "data", {(i, "flag"): ""})
    _, problems = check_table("daily_cases", bad)
    assert any("explicit NA" in p.message for p in problems)


def test_unknown_days_stay_na_never_zero(cases):
    for city in curves.series_cities(cases):
        s = curves.city_series(cases, city)
        known_dates = set(cases.loc[cases.city == city, "date"])
        absent = s.index.difference(pd.DatetimeIndex(sorted(known_dates)))
        assert s.loc[absent, "confirmed"].isna().all()
        # the grid is complete: one row per day
        assert (s.index.to_series().diff().dropna() == pd.Timedelta(days=1)).all()


def test_cumulative_cities_are_differenced_in_code(cases):
    for city in ("suining", "mudanjiang"):
        s = curves.city_series(cases, city)
        repo = cases[(cases.city == city) & cases.new_confirmed.isna() & cases.new_asymptomatic.isna()]
        cum = repo.set_index("date")["cum_confirmed"].astype(float)
        expected = (cum - cum.shift(1)).reindex(s.index)
        pd.testing.assert_series_equal(s["confirmed"].astype(float), expected, check_names=False)
        assert s["confirmed"].sum() == cum.iloc[-1] - cum.iloc[0]


def test_negative_difference_becomes_na():
    rows = pd.DataFrame({
        "city": "suining", "date": pd.date_range("2020-01-23", periods=4),
        "new_confirmed": pd.NA, "new_confirmed_from_asymptomatic": pd.NA, "new_asymptomatic": pd.NA,
        "cum_confirmed": pd.array([3, 5, 4, 6], dtype="Int64"), "cum_asymptomatic": pd.NA,
        "source_id": ["a", "b", "c", "d"], "trust": "B", "status": "reported", "flag": pd.NA, "note": pd.NA})
    s = curves.city_series(rows, "suining")
    assert pd.isna(s["confirmed"].iloc[0]) and s["confirmed"].iloc[1] == 2
    assert pd.isna(s["confirmed"].iloc[2]) and s["confirmed"].iloc[3] == 2


def test_infections_exclude_conversions_and_need_every_part(cases):
    s = curves.city_series(cases, "changchun")
    full = s.dropna(subset=["confirmed", "conversions", "asymptomatic"])
    assert (full["infections"] == full["confirmed"] - full["conversions"] + full["asymptomatic"]).all()
    assert s.loc[s["conversions"].isna(), "infections"].isna().all()


def test_window_rows_stay_out_of_the_daily_series(cases):
    s = curves.city_series(cases, "changchun")
    window = cases[(cases.city == "changchun") & cases.flag.fillna("").str.contains("window_not_0_24h")]
    assert len(window) and window["date"].min() < s.index.min()
    d = curves.city_series(cases, "dongxing")
    bulletin = cases[(cases.city == "dongxing") & cases.new_confirmed.notna()
                     & ~cases.flag.fillna("").str.contains("window_not_0_24h")]
    assert d["confirmed"].sum() == bulletin.groupby("date")["new_confirmed"].first().sum()


def test_gap_totals_follow_the_cumulative_anchors(cases):
    s = curves.city_series(cases, "changchun")
    blocks = curves.gap_blocks(s)
    for b in blocks:
        if b.total is None:
            continue
        before = s.loc[: b.days[0], "cum_confirmed"].dropna()
        after = s.loc[b.days[-1]:, "cum_confirmed"].dropna()
        a_date, b_date = before.index[-1], after.index[0]
        known = s.loc[(s.index > a_date) & (s.index <= b_date), "confirmed"].sum()
        assert b.total == after.iloc[0] - before.iloc[-1] - known
    filled = curves.fill_gaps(s)
    reported = s["confirmed"].loc[filled.index].dropna()
    assert (filled.loc[reported.index, "value"] == reported).all()
    for b in blocks:
        if b.total is not None:
            assert filled.loc[list(b.days), "value"].sum() == pytest.approx(b.total)
    assert filled["imputed"].sum() == sum(b.n_days for b in blocks if b.days[-1] <= filled.index[-1])


def test_declared_windows_lie_inside_the_data(cases):
    for w in curves.FIT_WINDOWS:
        s = curves.city_series(cases, w.city)
        assert s.index.min() <= pd.Timestamp(w.start) < pd.Timestamp(w.end) <= s.index.max(), w.key
        assert w.series in s.columns


# --------------------------------------------------------------------------------------
# Headline rates: robust where it can be fitted, sensitivity across models, diagnostics

def test_headline_rates_use_the_robust_interval_where_it_can_be_fitted(cases):
    series = curves.all_series(cases)
    heads = curves.headline_rates(series)
    assert set(heads) == {w.key for w in curves.FIT_WINDOWS}
    decline = heads["changchun/confirmed/decline"]
    assert decline.headline == "robust"
    assert list(decline.comparison["model"]) == ["quasi_poisson", "nb2", "robust"]
    assert {"lag1_autocorrelation", "second_peak"} <= set(decline.flagged)
    # the robust interval is wider than NB2's (it allows for the autocorrelation)
    comp = decline.comparison.set_index("model")
    assert comp.loc["robust", "r_upper"] - comp.loc["robust", "r_lower"] > comp.loc["nb2", "r_upper"] - comp.loc["nb2", "r_lower"]
    # quasi-Poisson agrees with the book's growth_rate
    assert comp.loc["quasi_poisson", "r"] == pytest.approx(curves.fit_all(series)["changchun/confirmed/decline"].r)
    dx = heads["dongxing/confirmed/growth"]
    assert dx.headline == "quasi_poisson" and "too short" in dx.why


def test_headline_tables_follow_the_precision_rule(cases):
    heads = curves.headline_rates(curves.all_series(cases))
    est = curve_tables.estimates_table(curves.all_series(cases), heads).text
    growth = est[(est["place"] == "Changchun 长春") & (est["series"] == "confirmed") & (est["phase"] == "growth")].iloc[0]
    assert growth["r per day (95 % interval)"] == "0.09 (-0.03 to 0.21)"
    assert growth["doubling or halving time, days (95 % interval)"] == "doubling 7 (3 to not bounded)"
    assert "quasi-Poisson 0.10 (0.02–0.19)" in growth["r per day under the other models (95 % interval)"]
    decline = est[(est["place"] == "Changchun 长春") & (est["series"] == "confirmed") & (est["phase"] == "decline")].iloc[0]
    assert decline["r per day (95 % interval)"] == "-0.099 (-0.132 to -0.067)"
    assert decline["doubling or halving time, days (95 % interval)"] == "halving 7.0 (5.3–10.3)"
    diag = curve_tables.diagnostics_table(heads).text
    row = diag[(diag["place"] == "Changchun 长春") & (diag["phase"] == "decline") & (diag["series"] == "confirmed")].iloc[0]
    assert row["second peak"].startswith("FLAG:")
