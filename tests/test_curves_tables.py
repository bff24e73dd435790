"""Case curves on the page: reader tables, the precision rule in labels and sentences, and the
headline (robust) model in the growth figure and the window-sensitivity heat map."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis.core.loaders import load_daily_cases
from analysis.figures import curves as curve_figures
from analysis.figures import curves_tables as curve_tables
from analysis.figures.tables import ReaderTable
from analysis.methods import curves, growth_models
from analysis.methods.rt import rt_sliding

EMPTY_WORDS = re.compile(r"\b(nan|NaN|None|NaT)\b|<NA>|…")


@pytest.fixture(scope="module")
def cases():
    return load_daily_cases()


@pytest.fixture(scope="module")
def series(cases):
    return curves.all_series(cases)


@pytest.fixture(scope="module")
def heads(series):
    return curves.headline_rates(series)


@pytest.fixture(scope="module")
def tables(cases, series, heads):
    return {"sources": curve_tables.sources_table(cases, series), "flags": curve_tables.flags_table(cases),
            "day zero": curve_tables.day_zero_table(), "gaps": curve_tables.gap_table(series["changchun"]),
            "anchors": curve_tables.anchor_table(series["changchun"]), "windows": curve_tables.windows_table(),
            "estimates": curve_tables.estimates_table(series, heads), "diagnostics": curve_tables.diagnostics_table(heads),
            "si": curve_tables.si_table(), "si sensitivity": curve_tables.si_sensitivity(series["changchun"], heads),
            "rt": curve_tables.rt_uncertainty_table(series, heads), "refusals": curve_tables.rt_refusals(series)}


# --------------------------------------------------------------------------------------
# doubling and halving times from the limits of r

def test_doubling_limits_follow_the_limits_of_r():
    kind, t, lo, hi = curves.doubling_limits(0.1, 0.05, 0.2)
    assert kind == "doubling" and t == pytest.approx(math.log(2) / 0.1)
    assert lo == pytest.approx(math.log(2) / 0.2) and hi == pytest.approx(math.log(2) / 0.05)
    kind, t, lo, hi = curves.doubling_limits(-0.1, -0.2, -0.05)
    assert kind == "halving" and lo == pytest.approx(math.log(2) / 0.2) and hi == pytest.approx(math.log(2) / 0.05)
    # an interval of r that includes 0: no upper limit, whichever side the estimate is on
    assert curves.doubling_limits(0.09, -0.03, 0.21)[3] is None
    assert curves.doubling_limits(-0.09, -0.21, 0.03)[3] is None
    assert curves.doubling_limits(None, None, None) == (None,) * 4


def test_fmt_time_says_not_bounded_instead_of_a_huge_number():
    assert curve_tables.fmt_time(-0.0994, -0.1316, -0.0672) == "halving 7.0 (5.3–10.3)"
    text = curve_tables.fmt_time(0.02, -1e-6, 0.05)
    assert text == "doubling 35 (14 to not bounded)"
    assert not re.search(r"\d{4,}", text.replace(",", ""))
    # digits follow the interval's width: a wide interval gives whole days
    assert curve_tables.fmt_time(0.1077, 0.0082, 0.2071) == "doubling 6 (3–85)"
    assert curve_tables.fmt_time(None, None, None) == ""


# --------------------------------------------------------------------------------------
# reader tables

def test_every_table_is_a_reader_table_without_empty_words(tables):
    for name, table in tables.items():
        assert isinstance(table, ReaderTable), name
        text = repr(table) + table._repr_html_()
        assert not EMPTY_WORDS.search(table.text.to_string()), name
        assert "…" not in text, name
        for header in table.text.columns:
            assert "_" not in header, (name, header)


def test_place_names_are_bilingual(tables):
    for name in ("sources", "flags", "day zero", "windows", "estimates", "diagnostics", "rt", "refusals"):
        places = set(tables[name].text["place"])
        assert places and all(re.search(r"[A-Za-z] [\u4e00-\u9fff]+$", p) for p in places), name


def test_long_notes_are_shown_in_full(cases, tables):
    notes = set(tables["flags"].text["note"])
    for note in cases["note"][cases["flag"].notna()].dropna():
        assert note in notes
    assert len(tables["flags"]) == int(cases["flag"].notna().sum())
    rationale = tables["windows"].text["rationale"]
    assert list(rationale) == [w.rationale for w in curves.FIT_WINDOWS]
    assert list(tables["day zero"].text["basis"]) == [d.basis for d in curves.DAY_ZERO.values()]


def test_estimates_carry_intervals_by_the_precision_rule(tables, heads):
    est = tables["estimates"].text
    assert len(est) == len(curves.FIT_WINDOWS)
    for (_, row), w in zip(est.iterrows(), curves.FIT_WINDOWS):
        g = heads[w.key].row
        assert row["r per day (95 % interval)"] == curve_tables.fmt_r(g["r"], g["r_lower"], g["r_upper"])
        assert re.fullmatch(r"-?\d+\.\d+ \(-?\d+\.\d+(–| to )-?\d+\.\d+\)", row["r per day (95 % interval)"])
        crosses = g["r_lower"] <= 0 <= g["r_upper"]
        assert ("not bounded" in row["doubling or halving time, days (95 % interval)"]) == crosses
    # the headline model appears once per window; the other two beside it
    other = est["r per day under the other models (95 % interval)"]
    assert all(h not in o for h, o in zip(est["headline model"], other))


def test_rt_table_covers_every_window_and_no_estimate_twice(tables):
    rt = tables["rt"].text
    est = tables["estimates"].text
    assert len(rt) == len(est)
    assert not any("Rt" in c for c in est.columns)  # Rt only in its own table


def test_anchor_table_has_words_and_separators(tables):
    text = tables["anchors"].text
    assert "residual (cases)" in text.columns and "14,209" in set(text["cumulative confirmed at end"])


def test_prose_is_markdown_and_its_own_repr(series):
    prose = curve_tables.rt_windows_prose(rt_sliding(series["changchun"], scenarios=("ba2",)))
    assert prose._repr_markdown_() == repr(prose)
    assert "sliding windows" in repr(prose) and not EMPTY_WORDS.search(repr(prose))


# --------------------------------------------------------------------------------------
# the headline model in the figures

def test_window_sensitivity_uses_the_robust_model(series):
    s = series["changchun"]
    w = next(w for w in curves.FIT_WINDOWS if w.key == "changchun/confirmed/decline")
    sens = curves.window_sensitivity(s.index, s[w.series], w.start, w.end, shifts=(-1, 0))
    centre = sens[(sens["start_shift"] == 0) & (sens["end_shift"] == 0)].iloc[0]
    part = s.loc[w.start:w.end, w.series]
    assert centre["model"] == "robust"
    assert centre["r"] == pytest.approx(growth_models.fit_robust(part.index, part).r)
    with pytest.raises(ValueError, match="model must be"):
        curves.window_sensitivity(s.index, s[w.series], w.start, w.end, model="ols")


def test_heat_map_blank_cells_are_empty_and_digits_follow_the_interval(series):
    sens = curves.sensitivity_all(series, keys=("changchun/confirmed/growth",))["changchun/confirmed/growth"]
    r, text, hover = curve_figures.sensitivity_cells(sens)
    blank = r.isna().to_numpy()
    assert blank.any() and (~blank).any()
    assert (text.to_numpy()[blank] == "").all()
    assert not any(EMPTY_WORDS.search(t) for t in text.to_numpy().ravel())
    fig = curve_figures.fig_window_sensitivity({"changchun/confirmed/growth": sens})
    assert not any(EMPTY_WORDS.search(str(t)) for t in np.asarray(fig.data[0].text).ravel())
    # a fitted cell prints r to the digits of its own interval
    row = sens[sens["r"].notna()].iloc[0]
    cell = text.loc[row["end_shift"], row["start_shift"]]
    assert cell == curve_tables.fmt_r(row["r"], row["r_lower"], row["r_upper"]).split(" ")[0]


def test_fitted_trend_recovers_a_noiseless_exponential():
    dates = pd.date_range("2022-03-01", periods=30)
    counts = np.round(2000 * np.exp(-0.08 * np.arange(30)))
    for model in ("robust", "quasi_poisson"):
        trend = curves.fitted_trend(dates, counts, dates[0], dates[-1], model=model)
        assert len(trend) == 30
        assert (trend["lower"] <= trend["fit"]).all() and (trend["fit"] <= trend["upper"]).all()
        assert np.allclose(trend["fit"], counts, rtol=0.03)
    short = curves.fitted_trend(dates[:6], counts[:6], dates[0], dates[5], model="robust")
    assert short.empty and "too short" in short.attrs["reason"]


def test_fitted_trend_band_matches_the_rate_interval():
    rng = np.random.default_rng(4)
    dates = pd.date_range("2022-03-01", periods=30)
    counts = growth_models.simulate_counts(-0.08, 30, 2000, "ar1_lognormal", rng)
    fit = growth_models.fit_robust(dates, counts)
    d = fit.details
    assert math.sqrt(d["cov"][1][1]) * d["q"] == pytest.approx(fit.r_upper - fit.r)
    trend = curves.fitted_trend(dates, counts, dates[0], dates[-1])
    # the fitted line's slope on the log(count + 0.5) scale is the robust r
    z = np.log(trend["fit"] + 0.5)
    assert np.diff(z).mean() == pytest.approx(fit.r)


def test_growth_figure_draws_the_headline_model(series, heads):
    fig = curve_figures.fig_growth(series, heads)
    names = {t.name for t in fig.data}
    assert "quasi-Poisson fit (comparison)" in names and "95 % interval of the headline trend" in names
    titles = [a.text for a in fig.layout.annotations]
    decline = next(t for t in titles if t.startswith("Changchun 长春: confirmed, decline"))
    assert "-0.099 (-0.132 to -0.067)" in decline and "robust AR(1)" in decline
    dongxing = next(t for t in titles if t.startswith("Dongxing 东兴"))
    assert "quasi-Poisson" in dongxing
    # the solid line of the decline panel is the robust trend
    s = series["changchun"]
    w = next(w for w in curves.FIT_WINDOWS if w.key == "changchun/confirmed/decline")
    robust = curves.fitted_trend(s.index, s[w.series], w.start, w.end, model="robust")
    lines = [t for t in fig.data if t.name and t.name.startswith("headline trend")]
    assert any(len(t.y) == len(robust) and np.allclose(np.asarray(t.y, dtype=float), robust["fit"]) for t in lines)
