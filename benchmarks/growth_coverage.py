"""Coverage of growth-rate intervals under autocorrelated noise, and the headline estimates per model.

Run: ``.venv/bin/python benchmarks/growth_coverage.py [--n-sim 1000] [--jobs 2]``. Writes
``benchmarks/growth_coverage.csv``: one row per scenario x method x noise model x window length,
with the share of simulated 95 % intervals containing the true r (failed fits count as misses;
``failed`` and ``coverage_fitted`` show them apart), its Monte Carlo standard error and the median
interval width. Prints the table and the Changchun and Dongxing estimates per model, read from
``data/daily_cases.csv`` with pandas (the series of ``analysis.methods.curves.city_series``:
rows flagged ``window_not_0_24h`` left out, the first reported new-confirmed count per day).

Candidates measured besides the book's models (defined here; they lost, see
:mod:`analysis.methods.growth_models`): a Poisson GLM with Newey-West (HAC) standard errors, an
exact-ML ARIMA(1,0,0) regression of log counts on day (statsmodels), and the REML AR(1) model
without its Poisson measurement term.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # tiny matrices: threads only contend

import argparse
import math
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.methods import growth_models as gm  # noqa: E402

OUT = ROOT / "benchmarks" / "growth_coverage.csv"
#: (name, true r, level on day 0): a Changchun-like decline and a growth phase, counts in the thousands.
SCENARIOS = (("decline", -0.08, 3000.0), ("growth", 0.08, 1000.0))
NOISES = (("poisson", {}), ("negbin", {"alpha": 0.1}), ("ar1_lognormal", {"rho": 0.3, "sd": 0.3}),
          ("ar1_lognormal", {"rho": 0.6, "sd": 0.3}))
WINDOWS = (20, 30, 40)
WINDOWS_CITY = {"changchun/growth": ("changchun", "2022-03-12", "2022-03-22"),
                "changchun/decline": ("changchun", "2022-03-22", "2022-04-27"),
                "dongxing/growth": ("dongxing", "2021-12-21", "2021-12-26")}


def fit_glm_hac(days, counts, level=0.95):
    """Candidate: Poisson GLM, Newey-West (Bartlett) SEs with floor(n^(1/3)) + 1 lags; t(n-2)."""
    s = gm.prepare(days, counts)
    fit = gm.GrowthFit("glm_hac", n_days=s.n, n_cases=float(s.y.sum()), reason=gm.data_shortfall(s, gm.MIN_DAYS_AR1),
                       method="Poisson GLM with Newey-West (HAC) standard errors; t(n-2) interval")
    if fit.reason:
        return fit
    lags = math.floor(s.n ** (1 / 3)) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gm.FIT_WARNINGS)
        glm = sm.GLM(s.y, sm.add_constant(s.t), family=sm.families.Poisson()).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    return gm.with_interval(fit, float(glm.params[1]), float(glm.bse[1]), stats.t.ppf(0.5 + level / 2, s.n - 2))


def fit_arima_ar1(days, counts, level=0.95):
    """Candidate: log(count + 0.5) on day with AR(1) errors, exact ML (statsmodels ARIMA); t(n-4).

    Missing days stay on the grid as NA (the Kalman filter skips them). The series is standardised
    before fitting (the optimiser fails on the tiny variances of large Poisson counts) and scaled back.
    """
    from statsmodels.tsa.arima.model import ARIMA

    s = gm.prepare(days, counts)
    fit = gm.GrowthFit("arima_ar1", n_days=s.n, n_cases=float(s.y.sum()), reason=gm.data_shortfall(s, gm.MIN_DAYS_AR1),
                       method="log(count+0.5) on day with AR(1) errors, exact ML (statsmodels ARIMA); t(n-4) interval")
    if fit.reason:
        return fit
    grid = np.arange(int(s.t[-1]) + 1, dtype=float)
    logy = np.full(len(grid), np.nan)
    logy[s.t.astype(int)] = np.log(s.y + 0.5)
    scale = float(np.nanstd(logy - np.polyval(np.polyfit(s.t, np.log(s.y + 0.5), 1), grid))) or 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gm.FIT_WARNINGS + (UserWarning,))
        try:
            res = ARIMA((logy - np.nanmean(logy)) / scale, exog=grid, order=(1, 0, 0), trend="c").fit()
        except (np.linalg.LinAlgError, ValueError) as exc:
            fit.reason = f"ARIMA fit failed: {exc}"
            return fit
    if not res.mle_retvals.get("converged", True):
        fit.reason = "ARIMA fit did not converge"
        return fit
    return gm.with_interval(fit, float(res.params[1]) * scale, float(res.bse[1]) * scale,
                            stats.t.ppf(0.5 + level / 2, s.n - 4))


def fit_reml_ar1_only(days, counts, level=0.95):
    """Candidate: the robust model without its Poisson measurement term."""
    fit = gm.fit_loglinear_ar1(days, counts, level=level, poisson_error=False)
    fit.model = "reml_ar1_only"
    return fit


METHODS = {"quasi_poisson": gm.fit_quasi_poisson, "nb2": gm.fit_nb2, "glm_hac": fit_glm_hac,
           "arima_ar1": fit_arima_ar1, "reml_ar1_only": fit_reml_ar1_only, "robust": gm.fit_robust}


def _cell(args) -> dict:
    scenario, r, level0, method, noise, params, window, n_sim, seed = args
    start = time.perf_counter()
    c = gm.interval_coverage(METHODS[method], r, window, noise, n_sim=n_sim, seed=seed, start_level=level0, **params)
    label = noise if noise != "ar1_lognormal" else f"ar1 rho {params['rho']}"
    return {"scenario": scenario, "r": r, "start_level": level0, "method": method, "noise": label,
            "window": window, **{k: c[k] for k in ("n_sim", "coverage", "mc_se", "failed", "coverage_fitted",
                                                    "median_width")}, "seconds": time.perf_counter() - start}


def coverage_table(n_sim: int, jobs: int) -> pd.DataFrame:
    tasks = []
    for i, (scenario, r, level0) in enumerate(SCENARIOS):
        for j, (noise, params) in enumerate(NOISES):
            for window in WINDOWS:
                seed = 1000 * i + 100 * j + window  # the same simulated series for every method
                tasks += [(scenario, r, level0, m, noise, params, window, n_sim, seed) for m in METHODS]
    with Pool(jobs) as pool:
        return pd.DataFrame(pool.map(_cell, tasks, chunksize=1))


def city_window(cases: pd.DataFrame, city: str, start: str, end: str) -> pd.Series:
    rows = cases[(cases["city"] == city) & ~cases["flag"].fillna("").str.contains("window_not_0_24h")]
    daily = rows.dropna(subset=["new_confirmed"]).groupby("date")["new_confirmed"].first()
    daily.index = pd.to_datetime(daily.index)
    return daily.reindex(pd.date_range(start, end, freq="D"))


def headline_estimates() -> tuple[pd.DataFrame, pd.DataFrame]:
    cases = pd.read_csv(ROOT / "data" / "daily_cases.csv")
    est, diag = [], []
    for key, (city, start, end) in WINDOWS_CITY.items():
        w = city_window(cases, city, start, end)
        table = gm.growth_model_comparison(w.index, w.to_numpy())
        table.insert(0, "window", f"{key} {start}..{end}")
        est.append(table)
        d = gm.residual_diagnostics(w.index, w.to_numpy())
        d.insert(0, "window", key)
        diag.append(d)
    return pd.concat(est, ignore_index=True), pd.concat(diag, ignore_index=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sim", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 120)
    est, diag = headline_estimates()
    cols = ["window", "model", "r", "r_lower", "r_upper", "time_kind", "doubling_time", "doubling_lower",
            "doubling_upper", "n_days", "reason"]
    print("Headline estimates (95 % intervals)\n" + est[cols].to_string(index=False) + "\n")
    print(diag[["window", "check", "verdict"]].to_string(index=False) + "\n")
    start = time.perf_counter()
    table = coverage_table(args.n_sim, args.jobs)
    table.to_csv(OUT, index=False, float_format="%.4g")
    wide = table.pivot_table(index=["scenario", "noise", "window"], columns="method", values="coverage", sort=False)
    print(f"Coverage of 95 % intervals, {args.n_sim} simulations per cell ({time.perf_counter() - start:.0f} s)")
    print(wide[list(METHODS)].round(3).to_string())
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
