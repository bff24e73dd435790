"""Peer comparison: the book's Cori Rt (analysis.methods.rt) against the independent epyestim package.

Run from the project root:  .venv/bin/python benchmarks/rt_peer_comparison.py [DATA_DIR]

epyestim (PyPI 0.1, lo-hfk/epyestim) is optional: `pip install epyestim==0.1`. The script compares

A. the core Cori step with identical inputs (Changchun confirmed series by report date, unknown days
   filled by analysis.methods.curves.fill_gaps; EpiEstim's discretised BA.2 serial interval; prior mean 5,
   sd 5; 7-day windows): epyestim.estimate_r.estimate_r vs analysis.methods.rt.reproduction_number;
B. epyestim's own discretisation of the same gamma (unshifted, mid-point bins) with the same data;
C. epyestim's full pipeline bagging_r (bootstrap, LOWESS smoothing, deconvolution; here with no
   reporting delay) with the same serial interval, prior and window, 100 bootstrap samples.

It prints the largest differences of the posterior means and 95 % limits, and run times.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.core.loaders import load_daily_cases  # noqa: E402
from analysis.methods import curves, rt  # noqa: E402


def timed(fn, repeat=20):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def main(data_dir: str | None = None) -> int:
    try:
        from epyestim import bagging_r
        from epyestim.distributions import discretise_gamma
        from epyestim.estimate_r import estimate_r, gamma_quantiles
        import epyestim
    except ImportError:
        print("epyestim is not installed (pip install epyestim==0.1): nothing to compare")
        return 0
    cases = load_daily_cases(data_dir)
    series = curves.city_series(cases, "changchun")
    filled = curves.fill_gaps(series)
    inc = filled["value"].to_numpy()
    si = rt.SI_SCENARIOS["ba2"]
    T = len(inc)

    ours, t_ours = timed(lambda: rt.reproduction_number(inc, si.mean, si.sd, 7))
    w = rt.discr_si(np.arange(T), si.mean, si.sd)
    w_norm = w / w.sum()
    ts = pd.Series(inc, index=filled.index)

    def epy_core(gt):
        post = estimate_r(ts, gt, a_prior=1.0, b_prior=5.0, window_size=7)
        return pd.DataFrame({"mean": post.a_posterior * post.b_posterior,
                             "lower": gamma_quantiles(0.025, post.a_posterior, post.b_posterior),
                             "upper": gamma_quantiles(0.975, post.a_posterior, post.b_posterior)})

    theirs, t_theirs = timed(lambda: epy_core(w_norm))
    # align: our window ending at day e (t_start >= 1) vs epyestim's rolling window ending at e
    ours_e = ours.set_index(filled.index[ours["t_end"]])[["mean", "lower", "upper"]]
    common = ours_e.index.intersection(theirs.index)
    diff_a = (ours_e.loc[common] - theirs.loc[common]).abs().max()

    k_gamma = ((si.mean - 1) / si.sd) ** 2
    gt_b = discretise_gamma(k_gamma, scale=si.sd ** 2 / (si.mean - 1), loc=1)  # same shifted gamma, epyestim bins
    theirs_b, _ = timed(lambda: epy_core(gt_b), repeat=3)
    diff_b = (ours_e.loc[common] - theirs_b.loc[common]).abs().max()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(1)
        t0 = time.perf_counter()
        bag = bagging_r(ts.round().astype(int), gt_distribution=w_norm, delay_distribution=np.array([1.0]),
                        a_prior=1.0, b_prior=5.0, smoothing_window=7, r_window_size=7, n_samples=100,
                        auto_cutoff=False)
        t_bag = time.perf_counter() - t0
    common_c = ours_e.index.intersection(bag.index)
    diff_c = (ours_e.loc[common_c, "mean"] - bag.loc[common_c, "R_mean"]).abs()

    print(f"epyestim {getattr(epyestim, '__version__', '0.1')}; series {filled.index[0].date()}..{filled.index[-1].date()} "
          f"({T} days, {int(filled['imputed'].sum())} imputed); SI {si.name}: mean {si.mean:.2f} d, sd {si.sd:.2f} d")
    print(f"A. core Cori, identical inputs: {len(common)} windows; max |diff| mean {diff_a['mean']:.2e}, "
          f"lower {diff_a['lower']:.2e}, upper {diff_a['upper']:.2e}")
    print(f"   run time (best of 20): analysis.methods.rt {t_ours * 1e3:.2f} ms; epyestim.estimate_r {t_theirs * 1e3:.2f} ms")
    print(f"B. epyestim's own discretisation of the same gamma: max |diff| mean {diff_b['mean']:.3f}, "
          f"upper {diff_b['upper']:.3f}")
    print(f"C. epyestim bagging_r (bootstrap + LOWESS 7 d + no delay, 100 samples): {len(common_c)} windows; "
          f"median |diff| of mean {diff_c.median():.3f}, max {diff_c.max():.3f}; run time {t_bag:.2f} s")
    table = pd.DataFrame({"ours_mean": ours_e["mean"], "ours_lower": ours_e["lower"], "ours_upper": ours_e["upper"],
                          "epy_mean": theirs["mean"], "epy_lower": theirs["lower"], "epy_upper": theirs["upper"],
                          "bagging_mean": bag["R_mean"], "bagging_lower": bag.get("Q0.025"),
                          "bagging_upper": bag.get("Q0.975")}).loc[common]
    print(table.iloc[::7].round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
