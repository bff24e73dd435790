"""The reproduction number: serial intervals, the Cori et al. (2013) posterior, and Rt by report date.

* serial-interval scenarios, declared before any fitting (:data:`SI_SCENARIOS`, :data:`MAIN_SI`),
  with :func:`gamma_from_median_iqr` for a published median and IQR;
* the instantaneous reproduction number with the analytic posterior of Cori et al. (2013) as in
  EpiEstim (:func:`reproduction_number`, :func:`discr_si`), on a city's gap-filled daily series
  (:func:`rt_by_report_date`, :func:`pooled_rt`, :func:`rt_sliding`);
* R from a growth rate (Wallinga & Lipsitch 2007, :func:`r_to_R`);
* the cities whose Rt is not estimated, and the caveats of the estimates that are
  (:data:`RT_REFUSED`, :data:`RT_CAVEATS`).

Where the data cannot support an estimate the functions raise
:class:`analysis.methods.curves.EstimationError` with a plain message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .curves import EstimationError, fill_gaps

# --------------------------------------------------------------------------------------
# Serial intervals (declared before any fitting)

@dataclass(frozen=True)
class SerialInterval:
    """A serial-interval scenario: gamma mean and sd (days), and where they come from."""

    name: str
    mean: float
    sd: float
    source: str


def gamma_from_median_iqr(median: float, q25: float, q75: float) -> tuple[float, float]:
    """Mean and sd of the gamma distribution whose quartiles best match ``(q25, median, q75)``.

    Least squares on the log quantiles; used to turn a published median and IQR into the mean
    and sd that EpiEstim's parametric serial interval needs.
    """
    target = np.log([q25, median, q75])

    def loss(p):
        shape, scale = np.exp(p)
        return float(np.sum((np.log(stats.gamma(shape, scale=scale).ppf([0.25, 0.5, 0.75])) - target) ** 2))

    res = optimize.minimize(loss, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
    shape, scale = np.exp(res.x)
    return float(shape * scale), float(math.sqrt(shape) * scale)


def _si_scenarios() -> dict[str, SerialInterval]:
    # Du et al., Chin J Epidemiol 2022 (Beijing, Omicron BA.2): SI median 3.0 d, IQR 2.0-5.0.
    ba2_mean, ba2_sd = gamma_from_median_iqr(3.0, 2.0, 5.0)
    cv = ba2_sd / ba2_mean
    note = "sd not published; CV assumed equal to the BA.2 fit's"
    return {
        "ba2": SerialInterval("Omicron BA.2 (Beijing)", ba2_mean, ba2_sd,
                              "Du et al. 2022: median 3.0 d, IQR 2.0-5.0; gamma fitted to the quartiles"),
        "omicron_short": SerialInterval("Omicron, mean 2.4 d", 2.4, 2.4 * cv,
                                        f"lower end of the 2.4-3.5 d range recommended in the reference; {note}"),
        "omicron_long": SerialInterval("Omicron, mean 3.5 d", 3.5, 3.5 * cv,
                                       f"upper end of the 2.4-3.5 d range; {note}"),
        "delta_early": SerialInterval("Delta (Guangzhou, early)", 5.19, 5.19 * cv,
                                      f"Li L. et al. 2022: mean 5.19 d; {note}"),
        "delta_late": SerialInterval("Delta (Guangzhou, late)", 3.78, 3.78 * cv,
                                     f"Li L. et al. 2022: mean 3.78 d; {note}"),
    }


#: Serial-interval scenarios (Omicron BA.2 for Changchun; Delta for Dongxing), from
#: shared/reference/supplementary_evidence.md, "Serial intervals / generation times".
SI_SCENARIOS = _si_scenarios()
#: The scenario used for each city's main Rt estimate.
MAIN_SI = {"changchun": "ba2", "yushu": "ba2", "dongxing": "delta_early"}


# --------------------------------------------------------------------------------------
# Refusals and caveats (declared, not computed)

#: Cities whose Rt is not estimated at all, and why.
RT_REFUSED = {
    "suining": "the series does not separate imported from local cases, so Rt would count importations as local "
               "transmission; 16 cases over 25 days",
    "mudanjiang": "the repository's crawl dates batch the cluster's confirmed cases into 3 days, and its "
                  "asymptomatic infections have no day-by-day series",
    "yushu": "no daily series: only the report's cumulative 61 positives and 3 positives on 29 Oct",
}


#: Caveats attached to Rt estimates that are computed.
RT_CAVEATS = {
    "changchun/confirmed/growth": "early windows miss the infectivity of the cases before 12 Mar (130 reported by "
                                  "24:00 on 11 Mar, plus any not yet reported) and include the mid-March backlog, so "
                                  "Rt is biased upwards",
    "dongxing/confirmed/growth": "Rt rests on five days (22-26 Dec) seeded by one case (21 Dec, counted as imported); "
                                 "infections before the first detection are missing from the infectivity, so Rt is "
                                 "biased upwards (the early over-estimation EpiEstim's back-imputation addresses)",
}


# --------------------------------------------------------------------------------------
# Rt: Cori et al. (2013), as in EpiEstim; R from r

def r_to_R(r: float, si_mean: float, si_sd: float) -> float:
    """Wallinga & Lipsitch (2007): R = (1 + r sd^2/mean)^(mean^2/sd^2) for a gamma generation interval.

    Raises ValueError when the mean or sd is not positive, or when 1 + r sd^2/mean <= 0: a decline
    steeper than -mean/sd^2 per day has no R under this interval (the formula would give a complex
    number or nan).
    """
    if not (si_mean > 0 and si_sd > 0):
        raise ValueError(f"the generation interval needs a positive mean and sd (got {si_mean}, {si_sd})")
    base = 1 + r * si_sd ** 2 / si_mean
    if not base > 0:
        raise ValueError(f"r = {r:g} per day is a decline too steep for a gamma generation interval of mean "
                         f"{si_mean:g} d and sd {si_sd:g} d: 1 + r sd^2/mean = {base:g} <= 0, R is undefined")
    return base ** (si_mean ** 2 / si_sd ** 2)


def discr_si(k: Sequence[int] | np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """EpiEstim's ``discr_si``: discretised serial interval, gamma (mean mu, sd sigma) shifted by 1 day.

    w_k = k F(k) + (k-2) F(k-2) - 2(k-1) F(k-1) + a b (2 F1(k-1) - F1(k-2) - F1(k)), with F the gamma
    cdf of shape a = ((mu-1)/sigma)^2 and scale b = sigma^2/(mu-1), and F1 the cdf with shape a+1
    (Cori et al. 2013, web appendix 11); negative values are set to 0.
    """
    if sigma <= 0:
        raise ValueError("the serial-interval sd must be positive")
    if mu <= 1:
        raise ValueError("the serial-interval mean must exceed 1 day (EpiEstim shifts the gamma by 1 day)")
    k = np.asarray(k, dtype=float)
    a, b = ((mu - 1) / sigma) ** 2, sigma ** 2 / (mu - 1)

    def cdf(x, shape):
        return stats.gamma.cdf(x, shape, scale=b)  # 0 for x <= 0

    w = k * cdf(k, a) + (k - 2) * cdf(k - 2, a) - 2 * (k - 1) * cdf(k - 1, a)
    w = w + a * b * (2 * cdf(k - 1, a + 1) - cdf(k - 2, a + 1) - cdf(k, a + 1))
    return np.maximum(w, 0.0)


def overall_infectivity(incidence: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Lambda_t = sum_{s=1}^{t} I_{t-s} w_s (0-based t; Lambda_0 is NaN, as in EpiEstim)."""
    T = len(incidence)
    w1 = np.zeros(T)
    w1[1:] = np.asarray(w, dtype=float)[1:T]
    lam = np.convolve(np.asarray(incidence, dtype=float), w1)[:T]
    lam[0] = np.nan
    return lam


def _check_incidence(incidence, name: str = "incidence") -> np.ndarray:
    try:
        arr = np.asarray(pd.to_numeric(pd.Series(list(incidence), dtype="object"), errors="raise"), dtype=float)
    except (TypeError, ValueError) as exc:
        raise EstimationError(f"{name} must be a sequence of numbers ({exc})") from None
    if arr.size == 0:
        raise EstimationError(f"{name} is empty: no days to estimate from")
    if np.isnan(arr).any():
        where = ", ".join(str(i) for i in np.flatnonzero(np.isnan(arr))[:10])
        raise EstimationError(f"{name} has unknown days (index {where}); impute them explicitly (fill_gaps) first")
    if (arr < 0).any():
        raise EstimationError(f"{name} has negative counts")
    return arr


def reproduction_number(incidence: Sequence[float], si_mean: float, si_sd: float, window: int = 7, *,
                        imported: Sequence[float] | None = None, mean_prior: float = 5.0, std_prior: float = 5.0,
                        cv_posterior: float = 0.3, t_start: Sequence[int] | None = None,
                        t_end: Sequence[int] | None = None) -> pd.DataFrame:
    """Instantaneous reproduction number on sliding windows (Cori et al. 2013, EpiEstim defaults).

    ``incidence``: daily cases, index 0 the first day (all cases of day 0 are treated as imported,
    as EpiEstim does); ``imported``: optional imported cases per day (they add to the infectivity
    but not to the numerator). Serial interval: EpiEstim's ``discr_si`` (gamma shifted by one day).
    Prior Gamma(mean 5, sd 5). Windows: t_start = 1 .. T - window, t_end = t_start + window - 1
    (0-based, inclusive), or the given ``t_start``/``t_end``.

    Posterior for a window: shape = a_prior + sum of local cases, scale = 1 / (1/b_prior + sum of
    Lambda); ``mean``, ``lower`` / ``upper`` (2.5 / 97.5 % quantiles). As in EpiEstim, no estimate
    (NaN) when t_end + 1 <= the mean of the discretised SI. ``reliable`` is False where the window
    holds fewer than ceil(1/cv_posterior^2 - a_prior) cases (11 with the defaults): EpiEstim's
    threshold for the desired posterior CV.

    Raises :class:`EstimationError` (a ValueError) with a plain message for empty, all-zero,
    too-short or incomplete series.
    """
    inc = _check_incidence(incidence)
    T = inc.size
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise EstimationError("window must be a positive whole number of days")
    if inc.sum() == 0:
        raise EstimationError("all counts are zero: there is no transmission to estimate")
    if inc[1:].sum() == 0:
        raise EstimationError("no cases after the first day (all first-day cases count as imported)")
    if t_start is None and T < window + 1:
        raise EstimationError(f"series too short: {T} day(s); a {window}-day window needs at least {window + 1} "
                              "(day 0 only seeds the infectivity)")
    imp = np.zeros(T) if imported is None else _check_incidence(imported, "imported")
    if imp.size != T:
        raise EstimationError("imported and incidence differ in length")
    if (imp > inc).any():
        raise EstimationError("imported cases exceed total cases on some day")
    local = inc - imp
    imp = imp.copy()
    imp[0], local[0] = inc[0], 0.0
    if t_start is None:
        starts = np.arange(1, T - window + 1)
        ends = starts + window - 1
    else:
        starts, ends = np.asarray(t_start, dtype=int), np.asarray(t_end, dtype=int)
        if starts.shape != ends.shape or (starts < 1).any() or (ends >= T).any() or (ends < starts).any():
            raise EstimationError("custom windows need 1 <= t_start <= t_end < number of days")
    w = discr_si(np.arange(T), si_mean, si_sd)
    mean_si = float(np.sum(w * np.arange(T)))
    lam = overall_infectivity(local + imp, w)
    a_prior, b_prior = (mean_prior / std_prior) ** 2, std_prior ** 2 / mean_prior
    min_cases = math.ceil(1 / cv_posterior ** 2 - a_prior)
    csum_inc = np.concatenate([[0.0], np.cumsum(inc)])
    csum_local = np.concatenate([[0.0], np.cumsum(local)])
    csum_lam = np.concatenate([[0.0], np.cumsum(np.nan_to_num(lam))])
    cases = csum_inc[ends + 1] - csum_inc[starts]
    estimable = ends + 1 > mean_si
    shape = np.where(estimable, a_prior + csum_local[ends + 1] - csum_local[starts], np.nan)
    scale = np.where(estimable, 1.0 / (1.0 / b_prior + csum_lam[ends + 1] - csum_lam[starts]), np.nan)
    lower, median, upper = (stats.gamma.ppf(q, shape, scale=scale) for q in (0.025, 0.5, 0.975))
    out = pd.DataFrame({"t_start": starts.astype(int), "t_end": ends.astype(int), "mean": shape * scale,
                        "lower": lower, "upper": upper, "reliable": estimable & (cases >= min_cases),
                        "cases": cases, "median": median, "shape": shape, "scale": scale})
    out.attrs.update(si_mean=si_mean, si_sd=si_sd, discrete_si_mean=mean_si, min_cases=min_cases,
                     prior=(mean_prior, std_prior), window=window)
    return out


def rt_by_report_date(series: pd.DataFrame, si: SerialInterval, column: str = "confirmed", window: int = 7) -> pd.DataFrame:
    """Rt of a city's daily series (imputed gaps filled with :func:`fill_gaps`), with dates.

    Adds ``start_date``, ``end_date``, ``imputed_days`` (unknown days filled in the window, whose
    counts are interpolated or split from a cumulative total) and ``artefact_days`` (days flagged
    ``artefact_period`` or ``backlog``). Labelled *R by report date*: the counts are by bulletin
    date, not by infection date.
    """
    filled = fill_gaps(series, column)
    rt = reproduction_number(filled["value"].to_numpy(), si.mean, si.sd, window)
    dates = filled.index
    imputed = filled["imputed"].to_numpy()
    flags = series["flags"].reindex(dates).fillna("")
    artefact = flags.str.contains("artefact_period|backlog").to_numpy()
    rt.insert(2, "start_date", [dates[i].date() for i in rt["t_start"]])
    rt.insert(3, "end_date", [dates[i].date() for i in rt["t_end"]])
    rt["imputed_days"] = [int(imputed[s:e + 1].sum()) for s, e in zip(rt["t_start"], rt["t_end"])]
    rt["artefact_days"] = [int(artefact[s:e + 1].sum()) for s, e in zip(rt["t_start"], rt["t_end"])]
    rt["si"] = si.name
    return rt


def pooled_rt(series: pd.DataFrame, start: str, end: str, si: SerialInterval, column: str = "confirmed") -> pd.Series:
    """Rt over one declared window (a single Cori window), on the gap-filled series."""
    filled = fill_gaps(series, column)
    idx = filled.index
    s_i = max(1, int(idx.searchsorted(pd.Timestamp(start))))
    e_i = int(idx.searchsorted(pd.Timestamp(end), side="right")) - 1
    rt = reproduction_number(filled["value"].to_numpy(), si.mean, si.sd, t_start=[s_i], t_end=[e_i])
    row = rt.iloc[0].copy()
    row["start_date"], row["end_date"] = idx[s_i].date(), idx[e_i].date()
    row["imputed_days"] = int(filled["imputed"].to_numpy()[s_i:e_i + 1].sum())
    return row


def rt_sliding(series: pd.DataFrame, scenarios: Iterable[str] = ("ba2", "omicron_short", "omicron_long")) -> pd.DataFrame:
    """Sliding 7-day Rt by report date for several serial-interval scenarios, stacked."""
    return pd.concat([rt_by_report_date(series, SI_SCENARIOS[k]).assign(scenario=k) for k in scenarios], ignore_index=True)


# --------------------------------------------------------------------------------------
# Rt with its real uncertainty: serial-interval uncertainty and the infectivity before the series

@dataclass(frozen=True)
class SIUncertainty:
    """How uncertain a scenario's serial interval is, as EpiEstim's ``uncertain_si`` states it.

    The SI mean is drawn from a normal with sd ``rel_sd_mean`` x the scenario's mean, the SI sd from
    a normal with sd ``rel_sd_sd`` x the scenario's sd, each truncated at ``truncate`` sds (and the
    mean above 1 day, as ``discr_si`` needs); ``n_si`` pairs, ``n_post`` posterior draws per pair.
    """

    rel_sd_mean: float = 0.15
    rel_sd_sd: float = 0.25
    truncate: float = 2.0
    n_si: int = 200
    n_post: int = 500
    source: str = ("assumed, not published: the SI mean within about +/-30 % (2 sds of 15 %) of the scenario's, "
                   "which for BA.2 (3.65 d) spans 2.6-4.7 d and so the reference's 2.4-3.5 d Omicron range in part; "
                   "the SI sd within +/-50 %")


#: The serial-interval uncertainty used for every uncertain-SI Rt in the book.
SI_UNCERTAINTY = SIUncertainty()


def draw_si(si_mean: float, si_sd: float, unc: SIUncertainty, rng: np.random.Generator) -> np.ndarray:
    """``unc.n_si`` (mean, sd) pairs from truncated normals around ``(si_mean, si_sd)``; constant where an sd is 0."""
    def trunc(centre, sd, floor):
        if sd <= 0:
            return np.full(unc.n_si, float(centre))
        lo, hi = max(floor, centre - unc.truncate * sd), centre + unc.truncate * sd
        return stats.truncnorm.rvs((lo - centre) / sd, (hi - centre) / sd, loc=centre, scale=sd,
                                   size=unc.n_si, random_state=rng)
    return np.column_stack([trunc(si_mean, unc.rel_sd_mean * si_mean, 1.01), trunc(si_sd, unc.rel_sd_sd * si_sd, 0.05)])


def rt_uncertain_si(incidence, si_mean: float, si_sd: float, t_start: Sequence[int], t_end: Sequence[int], *,
                    imported=None, unc: SIUncertainty = SI_UNCERTAINTY, seed: int = 0) -> pd.DataFrame:
    """Cori posterior mixed over serial-interval uncertainty (EpiEstim's ``uncertain_si``), per window.

    For each of ``unc.n_si`` drawn (mean, sd) pairs (:func:`draw_si`) the Cori posterior is computed
    (:func:`reproduction_number`) and ``unc.n_post`` values are sampled from it; the pooled sample
    gives ``si_estimate`` (its mean, as EpiEstim reports), ``si_median``, ``si_lower``, ``si_upper``
    (2.5 / 97.5 %). Beside them: the Poisson-only posterior at the scenario's own (mean, sd)
    (``mean``, ``median``, ``lower``, ``upper``). Fixed ``seed``.
    """
    rng = np.random.default_rng(seed)
    base = reproduction_number(incidence, si_mean, si_sd, imported=imported, t_start=t_start, t_end=t_end)
    draws = []
    for m, s in draw_si(si_mean, si_sd, unc, rng):
        post = reproduction_number(incidence, m, s, imported=imported, t_start=t_start, t_end=t_end)
        shape, scale = post["shape"].to_numpy(), post["scale"].to_numpy()
        ok = np.isfinite(shape) & np.isfinite(scale)
        sample = np.full((unc.n_post, len(shape)), np.nan)
        sample[:, ok] = rng.gamma(shape[ok], scale[ok], size=(unc.n_post, int(ok.sum())))
        draws.append(sample)
    pooled = np.vstack(draws)
    q = np.nanquantile(pooled, [0.025, 0.5, 0.975], axis=0)
    out = base[["t_start", "t_end", "mean", "median", "lower", "upper", "reliable", "cases"]].copy()
    out["si_lower"], out["si_median"], out["si_upper"] = q[0], q[1], q[2]
    out["si_estimate"] = np.nanmean(pooled, axis=0)
    out.attrs.update(base.attrs, si_uncertainty=unc)
    return out


def backproject(first_count: float, r: float, n_days: int) -> np.ndarray:
    """Cases on the ``n_days`` days before a series' first day, oldest first: first_count * exp(-r k), k = n_days..1.

    The window's own growth rate carried backwards from its first day's count (a constant r before
    the data; for a count inflated by a backlog this over-states the earlier cases).
    """
    if n_days < 1:
        raise ValueError("back-projection needs at least one day")
    if not (np.isfinite(first_count) and first_count >= 0 and np.isfinite(r)):
        raise ValueError("back-projection needs a finite, non-negative first count and a finite growth rate")
    return float(first_count) * np.exp(-float(r) * np.arange(n_days, 0, -1))


def rt_backprojected(incidence, si_mean: float, si_sd: float, t_start: Sequence[int], t_end: Sequence[int],
                     r: float, n_days: int = 30) -> pd.DataFrame:
    """Cori posterior with the infectivity of back-projected cases before day 0 (:func:`backproject`).

    The back-projected days are prepended as imported cases: they add to the infectivity Lambda,
    not to any window's count. Same columns as :func:`reproduction_number`, windows on the original
    day numbering; ``attrs['n_before']`` holds the number of back-projected cases.
    """
    inc = _check_incidence(incidence)
    pre = backproject(inc[0], r, n_days)
    full, imp = np.concatenate([pre, inc]), np.concatenate([pre, np.zeros(inc.size)])
    out = reproduction_number(full, si_mean, si_sd, imported=imp, t_start=np.asarray(t_start) + n_days,
                              t_end=np.asarray(t_end) + n_days)
    out["t_start"], out["t_end"] = out["t_start"] - n_days, out["t_end"] - n_days
    out.attrs.update(n_before=float(pre.sum()), r_before=float(r))
    return out


def pooled_rt_uncertainty(series: pd.DataFrame, start: str, end: str, si: SerialInterval, r_before: float | None,
                          column: str = "confirmed", unc: SIUncertainty = SI_UNCERTAINTY, seed: int = 0) -> pd.Series:
    """One declared window: the Poisson-only Cori posterior, the one mixed over SI uncertainty, and the
    upward bias from the infectivity missing before the series' first day.

    ``bp_*``: the Poisson-only posterior with the cases before the series back-projected at
    ``r_before`` (:func:`rt_backprojected`); ``bias`` = mean without - mean with (None when
    ``r_before`` is None); ``n_before`` the back-projected cases.
    """
    filled = fill_gaps(series, column)
    idx = filled.index
    s_i = max(1, int(idx.searchsorted(pd.Timestamp(start))))
    e_i = int(idx.searchsorted(pd.Timestamp(end), side="right")) - 1
    inc = filled["value"].to_numpy()
    row = rt_uncertain_si(inc, si.mean, si.sd, [s_i], [e_i], unc=unc, seed=seed).iloc[0].copy()
    row["start_date"], row["end_date"] = idx[s_i].date(), idx[e_i].date()
    row["imputed_days"] = int(filled["imputed"].to_numpy()[s_i:e_i + 1].sum())
    for k in ("bp_mean", "bp_lower", "bp_upper", "bias", "n_before"):
        row[k] = None
    if r_before is not None:
        bp = rt_backprojected(inc, si.mean, si.sd, [s_i], [e_i], r_before)
        row["bp_mean"], row["bp_lower"], row["bp_upper"] = (float(bp[c].iloc[0]) for c in ("mean", "lower", "upper"))
        row["bias"], row["n_before"] = float(row["mean"]) - row["bp_mean"], bp.attrs["n_before"]
    return row
