"""Case curves: daily series on a date grid with their gaps, and exponential growth rates.

Data: ``data/daily_cases.csv`` (one row per city, date and source; see its schema; loaded by
:func:`analysis.core.loaders.load_daily_cases`, checked by :mod:`analysis.checks.daily_cases`).
This module

* builds one daily series per city on a complete date grid (:func:`city_series`), keeping unknown
  days as NA, differencing cumulative-only sources in code, and deriving the sum of the missing
  days between two cumulative anchors (:func:`gap_blocks`); the cities are those with rows in the
  table (:func:`series_cities`);
* defines the series the book models: *confirmed* (new confirmed, conversions included),
  *confirmed excluding conversions*, *asymptomatic* and *infections* = confirmed excluding
  conversions + asymptomatic (the definition of ``methods_notes.md`` section 9);
* estimates exponential growth rates with a Poisson GLM and a quasi-Poisson scale
  (:func:`growth_rate`, :func:`fit_all`), and, for the headline, with the models of
  :mod:`analysis.methods.growth_models` (:func:`headline_rates`, :func:`window_sensitivity`,
  :func:`fitted_trend`, :func:`doubling_limits`);
* declares, in one place, the day zero of each city (:data:`DAY_ZERO`) and the fit windows
  (:data:`FIT_WINDOWS`).

The reproduction number is in :mod:`analysis.methods.rt`. Every estimate comes with its interval;
where the data cannot support one :func:`growth_rate` returns a ``reason``, and gap filling and
Rt raise :class:`EstimationError` with a plain message.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import growth_models

#: How each city's daily confirmed series is built. "daily": from the bulletins' daily counts
#: (cumulative anchors only fill gaps); "cumulative": first differences of the repository's
#: cumulative counts (the bulletins' scattered daily counts are kept beside it, not mixed in,
#: because the repository's crawl dates lag the bulletins by about a day).
SERIES_BASIS = {"changchun": "daily", "dongxing": "daily", "mudanjiang": "cumulative", "suining": "cumulative"}


# --------------------------------------------------------------------------------------
# Declarations: day zero and fit windows (set before any fitting)

@dataclass(frozen=True)
class DayZero:
    """The date each city's time axis starts from, and why."""

    city: str
    date: str
    basis: str


#: Day 0 of the shared time axis ("days since first detection").
DAY_ZERO = {
    "changchun": DayZero("changchun", "2022-03-01",
                         "start of the window of the first published Changchun count (cumulative 1 Mar to 13:00 on "
                         "11 Mar, sup-changchun-50); Caixin dates the start of the Changchun chain to 4 Mar in Jiutai "
                         "(URL only, no verbatim quote recorded)"),
    "dongxing": DayZero("dongxing", "2021-12-20", "first positive found in routine testing on the evening of 20 Dec (event dongxing-e01)"),
    "mudanjiang": DayZero("mudanjiang", "2020-04-19",
                          "first rise of the repository's cumulative confirmed count after the plateau at 15 (crawl date; "
                          "may lag the bulletin by a day)"),
    "suining": DayZero("suining", "2020-01-23", "first confirmed case (event suining-e01)"),
    "yushu": DayZero("yushu", "2022-10-29",
                     "3 positives found in key-area testing on 29 Oct (event yushu-e02); a prefecture notice reports "
                     "positives from 24 Oct (alternative, not used)"),
}


@dataclass(frozen=True)
class FitWindow:
    """A pre-declared window for a growth-rate fit."""

    city: str
    series: str          # confirmed, infections, ...
    phase: str           # growth or decline
    start: str
    end: str
    rationale: str

    @property
    def key(self) -> str:
        return f"{self.city}/{self.series}/{self.phase}"


#: Growth and decline windows, declared before fitting. Changchun: from the first 0-24 h bulletin
#: (or the first day the series is defined) up to the day of the largest reported count, and from
#: that day to the last bulletin. The small outbreaks: the whole span of their increases.
FIT_WINDOWS = (
    FitWindow("changchun", "confirmed", "growth", "2022-03-12", "2022-03-22",
              "first 0-24 h bulletin to the largest daily confirmed count (1979 on 22 Mar); inside the mid-March "
              "artefact period (backlog, odd windows)"),
    FitWindow("changchun", "confirmed", "decline", "2022-03-22", "2022-04-27",
              "largest daily confirmed count to the last bulletin found"),
    FitWindow("changchun", "infections", "growth", "2022-03-13", "2022-04-02",
              "first day with conversions stated to the largest daily infection count (2 Apr, driven by "
              "asymptomatic cases found in mass testing)"),
    FitWindow("changchun", "infections", "decline", "2022-04-02", "2022-04-27",
              "largest daily infection count to the last bulletin found"),
    FitWindow("dongxing", "confirmed", "growth", "2021-12-21", "2021-12-26",
              "whole bulletin series (first 0-24 h count to the report's cut-off)"),
    FitWindow("suining", "confirmed", "growth", "2020-01-24", "2020-02-17",
              "first differenced day to the last rise of the cumulative count (17 on 17 Feb); imported and local "
              "cases are not separated"),
    FitWindow("mudanjiang", "confirmed", "growth", "2020-04-19", "2020-05-01",
              "first to last rise of the cumulative count in the April 2020 cluster (15 to 25)"),
)


class EstimationError(ValueError):
    """The data cannot support the requested estimate; the message says why."""


# --------------------------------------------------------------------------------------
# Daily series on a complete date grid

def series_cities(cases: pd.DataFrame) -> tuple[str, ...]:
    """The cities with rows in ``cases`` (``daily_cases.csv``), in the order they first appear there."""
    return tuple(pd.unique(cases["city"]))


def city_series(cases: pd.DataFrame, city: str) -> pd.DataFrame:
    """One row per calendar day from the city's first to last dated row; unknown stays NA.

    Columns: ``confirmed`` (new confirmed, conversions included), ``conversions``,
    ``asymptomatic``, ``confirmed_excl_conversions``, ``infections`` (= confirmed excluding
    conversions + asymptomatic; NA unless all three parts are known), ``cum_confirmed``,
    ``cum_asymptomatic``, ``confirmed_basis`` (reported / derived / differenced / NA), ``flags``
    and ``sources``. Rows flagged ``window_not_0_24h`` are left out (they are not daily counts).

    Cumulative-basis cities (:data:`SERIES_BASIS`): ``confirmed`` is the first difference of the
    cumulative count between consecutive days; a negative difference (a correction) is set to NA,
    and the first day has no difference. The bulletins' own daily counts stay in
    ``bulletin_confirmed`` and ``asymptomatic``.
    """
    if city not in SERIES_BASIS:
        raise ValueError(f"no daily series for {city!r}; cities with one: {', '.join(SERIES_BASIS)}")
    rows = cases[(cases["city"] == city) & ~cases["flag"].fillna("").str.contains("window_not_0_24h")]
    if rows.empty:
        raise ValueError(f"daily_cases has no rows for {city!r}")
    grid = pd.date_range(rows["date"].min(), rows["date"].max(), freq="D", name="date")
    out = pd.DataFrame(index=grid)

    def first_value(col: str, sub: pd.DataFrame | None = None) -> pd.Series:
        src = rows if sub is None else sub
        s = src.dropna(subset=[col]).groupby("date")[col].first().astype("Float64")
        return s.reindex(grid)

    # cumulative-only rows (the repository's): a cumulative count and no daily count
    daily_cols = ["new_confirmed", "new_confirmed_from_asymptomatic", "new_asymptomatic"]
    is_repo = rows[daily_cols].isna().all(axis=1) & rows["cum_confirmed"].notna()
    basis = SERIES_BASIS[city]
    out["cum_confirmed"] = first_value("cum_confirmed")
    out["cum_asymptomatic"] = first_value("cum_asymptomatic")
    out["conversions"] = first_value("new_confirmed_from_asymptomatic")
    out["asymptomatic"] = first_value("new_asymptomatic")
    if basis == "daily":
        out["confirmed"] = first_value("new_confirmed")
        status = rows.dropna(subset=["new_confirmed"]).groupby("date")["status"].first().reindex(grid)
        out["confirmed_basis"] = status.astype("string")
        out["bulletin_confirmed"] = out["confirmed"]
    else:
        repo_cum = first_value("cum_confirmed", rows[is_repo])
        diff = repo_cum - repo_cum.shift(1)
        diff = diff.mask(diff < 0)
        out["confirmed"] = diff
        out["confirmed_basis"] = pd.Series(np.where(diff.notna(), "differenced", pd.NA), index=grid, dtype="string")
        out["bulletin_confirmed"] = first_value("new_confirmed", rows[~is_repo])
    out["confirmed_excl_conversions"] = out["confirmed"] - out["conversions"]
    if basis == "cumulative":
        out["confirmed_excl_conversions"] = pd.Series(pd.NA, index=grid, dtype="Float64")
    out["infections"] = out["confirmed_excl_conversions"] + out["asymptomatic"]
    out["flags"] = rows.groupby("date")["flag"].apply(lambda s: ";".join(sorted({f for v in s.dropna() for f in v.split(";")}))).reindex(grid).fillna("")
    out["sources"] = rows.groupby("date")["source_id"].apply(lambda s: ";".join(s)).reindex(grid).fillna("")
    out["day"] = (grid - pd.Timestamp(DAY_ZERO[city].date)).days
    out.insert(0, "city", city)
    return out


@dataclass(frozen=True)
class GapBlock:
    """Unknown days between two cumulative anchors (or outside any), with their derived total."""

    days: tuple            # the unknown days (Timestamps), not necessarily consecutive
    total: float | None    # derived sum over these days, or None when no anchors bound them
    arithmetic: str

    @property
    def n_days(self) -> int:
        return len(self.days)


def gap_blocks(series: pd.DataFrame, column: str = "confirmed") -> list[GapBlock]:
    """The unknown days of ``series[column]``, grouped by the cumulative anchors around them.

    For consecutive cumulative confirmed values at A and B with unknown days in (A, B]:
    total = cum(B) - cum(A) - sum(known days in (A, B]), a DERIVED number whose arithmetic is
    returned; a negative result (anchors on different bases) gives None. Unknown days before the
    first or after the last anchor form blocks with total None. Meaningful for ``confirmed`` on
    daily-basis series.
    """
    s = series[column]
    cum = series["cum_confirmed"].dropna()
    missing = s[s.isna()].index
    blocks, used = [], set()
    for a, b in zip(cum.index[:-1], cum.index[1:]):
        span = s.loc[(s.index > a) & (s.index <= b)]
        days = tuple(span[span.isna()].index)
        if not days:
            continue
        known = float(span.dropna().sum())
        t = float(cum[b] - cum[a]) - known
        arith = (f"{int(cum[b])} ({b:%m-%d}) - {int(cum[a])} ({a:%m-%d}) - {known:g} (known days) = {t:g}")
        blocks.append(GapBlock(days, t if t >= 0 else None, arith))
        used.update(days)
    rest = [d for d in missing if d not in used]
    run: list = []
    for d in rest + [None]:
        if run and (d is None or d - run[-1] != pd.Timedelta(days=1)):
            blocks.append(GapBlock(tuple(run), None, "no cumulative anchors on both sides"))
            run = []
        if d is not None:
            run.append(d)
    return sorted(blocks, key=lambda g: g.days[0])


def anchor_residuals(series: pd.DataFrame, column: str = "confirmed") -> pd.DataFrame:
    """Consistency of daily counts with cumulative anchors where no day between them is missing.

    For consecutive anchors A < B with every day in (A, B] known: residual =
    cum(B) - cum(A) - sum(daily). Zero means the daily and cumulative figures agree.
    """
    cum = series["cum_confirmed"].dropna()
    rows = []
    for a, b in zip(cum.index[:-1], cum.index[1:]):
        span = series.loc[(series.index > a) & (series.index <= b), column]
        if span.notna().all():
            rows.append({"from": a.date(), "to": b.date(), "cum_from": int(cum[a]), "cum_to": int(cum[b]),
                         "sum_daily": float(span.sum()), "residual": float(cum[b] - cum[a] - span.sum())})
    return pd.DataFrame(rows, columns=["from", "to", "cum_from", "cum_to", "sum_daily", "residual"])


def fill_gaps(series: pd.DataFrame, column: str = "confirmed") -> pd.DataFrame:
    """The series with unknown days imputed, for Rt only; ``imputed`` marks every filled day.

    Rule: each unknown day between two known days is filled by log-linear interpolation between
    its known neighbours; where cumulative anchors give the total of the unknown days between them
    (:func:`gap_blocks`), the interpolated values are rescaled to that total. Leading or trailing unknown days are not
    filled (they are dropped). Reported values are never changed.
    """
    s = series[column].astype("float64")
    known = s.notna()
    if known.sum() < 2:
        raise EstimationError(f"{column}: fewer than two known days, nothing to interpolate between")
    first, last = s[known].index[0], s[known].index[-1]
    s = s.loc[first:last]
    pos = np.arange(len(s))
    logv = np.log(np.maximum(s.to_numpy(), 0.5))
    k = ~np.isnan(s.to_numpy())
    interp = np.exp(np.interp(pos, pos[k], logv[k]))
    filled = s.to_numpy().copy()
    filled[~k] = interp[~k]
    for block in gap_blocks(series.loc[first:last], column):
        if block.total is None:
            continue
        m = s.index.isin(block.days)
        shape = interp[m]
        filled[m] = block.total * shape / shape.sum() if shape.sum() > 0 else block.total / m.sum()
    return pd.DataFrame({"value": filled, "imputed": ~k, "day": series.loc[first:last, "day"].to_numpy()}, index=s.index)


# --------------------------------------------------------------------------------------
# Growth rates

@dataclass
class GrowthResult:
    """Exponential growth rate r (per day) over a window, with doubling or halving time.

    When the data cannot support an estimate, every number is None and ``reason`` says why.
    ``intercept`` is the log expected count on the window's first day. ``doubling_*`` are ln 2 / |r|
    in days: a doubling time when r > 0, a halving time when r < 0
    (``time_kind``); None when the interval of r includes 0.
    """

    r: float | None = None
    intercept: float | None = None
    r_lower: float | None = None
    r_upper: float | None = None
    doubling_time: float | None = None
    doubling_lower: float | None = None
    doubling_upper: float | None = None
    time_kind: str | None = None
    n_days: int = 0
    n_cases: float = 0.0
    dispersion: float | None = None
    start: str | None = None
    end: str | None = None
    reason: str | None = None
    method: str = ("Poisson GLM of daily counts on day, log link (statsmodels); quasi-Poisson scale = Pearson "
                   "chi2 / df (floored at 1); 95% CI r +/- t(df) * se")

    def as_dict(self) -> dict:
        return asdict(self)


#: Minimum data for a growth-rate fit (one set, from growth_models): observed days, total cases, days with a case.
MIN_DAYS, MIN_CASES, MIN_NONZERO_DAYS = growth_models.MIN_DAYS, growth_models.MIN_CASES, growth_models.MIN_NONZERO_DAYS


def growth_rate(dates: Sequence, counts: Sequence, start=None, end=None, *, level: float = 0.95,
                min_days: int = MIN_DAYS, min_cases: float = MIN_CASES,
                min_nonzero_days: int = MIN_NONZERO_DAYS) -> GrowthResult:
    """Daily growth rate r of ``counts`` over ``[start, end]`` (inclusive).

    ``dates`` are dates (or day numbers); ``counts`` may hold NA for unknown days, which are left
    out (never read as 0). Model: counts_t ~ Poisson(exp(a + r t)), fitted by statsmodels' GLM;
    the variance is inflated by the quasi-Poisson scale (Pearson chi2 / residual df, floored at 1
    so that the interval is never narrower than Poisson), and the interval uses Student's t with
    the residual df. Windows with fewer than ``min_days`` observed days, fewer than ``min_cases``
    cases or fewer than ``min_nonzero_days`` days with a case get a ``reason`` instead of numbers.

    Raises ValueError for malformed input (lengths differ, negative counts, start after end).
    """
    dates = list(dates)
    counts = pd.to_numeric(pd.Series(list(counts), dtype="object"), errors="coerce").astype(float)
    if len(dates) != len(counts):
        raise ValueError(f"dates ({len(dates)}) and counts ({len(counts)}) differ in length")
    if (counts < 0).any():
        raise ValueError("counts must not be negative")
    if not 0 < level < 1:
        raise ValueError("level must lie between 0 and 1")
    numeric = len(dates) > 0 and pd.api.types.is_numeric_dtype(pd.Series(dates))
    conv = (lambda v: float(v)) if numeric else (lambda v: pd.Timestamp(v))
    d = pd.Series([conv(v) for v in dates]) if dates else pd.Series([], dtype=float)
    lo = conv(start) if start is not None else (d.min() if len(d) else None)
    hi = conv(end) if end is not None else (d.max() if len(d) else None)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"window start {start} is after its end {end}")
    res = GrowthResult(start=None if lo is None else str(lo)[:10], end=None if hi is None else str(hi)[:10])
    if not len(d):
        res.reason = "no data: the series is empty"
        return res
    keep = (d >= lo) & (d <= hi) & counts.notna().to_numpy()
    y = counts[keep.to_numpy()].to_numpy()
    x = d[keep]
    t = (x - lo).to_numpy(dtype=float) if numeric else ((x - lo).dt.days).to_numpy(dtype=float)
    res.n_days, res.n_cases = int(len(y)), float(y.sum())
    if res.n_days < min_days:
        res.reason = f"window too short: {res.n_days} observed day(s), at least {min_days} needed"
    elif res.n_cases < min_cases:
        res.reason = f"too sparse: {res.n_cases:g} case(s) in the window, at least {min_cases:g} needed"
    elif int((y > 0).sum()) < min_nonzero_days:
        res.reason = f"too sparse: {int((y > 0).sum())} day(s) with cases, at least {min_nonzero_days} needed"
    if res.reason:
        return res
    glm = growth_models.quasi_poisson_glm(t, y, level)
    r, se = glm["r"], glm["se"]
    res.r, res.r_lower, res.r_upper, res.dispersion = r, glm["r_lower"], glm["r_upper"], glm["dispersion"]
    res.intercept = glm["intercept"]
    if not np.isfinite([r, se]).all():
        res.r = res.r_lower = res.r_upper = None
        res.reason = "fit did not converge to finite values"
        return res
    if res.r_lower > 0 or res.r_upper < 0:
        res.time_kind = "doubling" if r > 0 else "halving"
        ln2 = math.log(2)
        res.doubling_time = ln2 / abs(r)
        a, b = ln2 / abs(res.r_lower), ln2 / abs(res.r_upper)
        res.doubling_lower, res.doubling_upper = min(a, b), max(a, b)
    return res


def doubling_limits(r, r_lower, r_upper) -> tuple[str | None, float | None, float | None, float | None]:
    """(kind, time, lower, upper): the doubling (r > 0) or halving (r < 0) time ln 2 / |r| in days,
    its limits derived from the limits of r. When r's interval includes 0 the time is not bounded
    above: ``upper`` is None (the other end of r's interval is a rate of the opposite sign). All None
    when r is missing or 0."""
    if any(v is None or pd.isna(v) for v in (r, r_lower, r_upper)) or r == 0:
        return None, None, None, None
    ln2, sign = math.log(2), 1 if r > 0 else -1
    near, far = (r_upper, r_lower) if r > 0 else (r_lower, r_upper)  # near: the limit farther from 0
    upper = ln2 / abs(far) if sign * far > 0 else None
    return "doubling" if r > 0 else "halving", ln2 / abs(r), ln2 / abs(near), upper


def window_sensitivity(dates: Sequence, counts: Sequence, start, end, shifts: Iterable[int] = range(-3, 4),
                       model: str = "robust") -> pd.DataFrame:
    """Growth rate under ``model`` (a name of ``growth_models.FITS``; the headline ``robust`` by default)
    for every window with start and end moved by ``shifts`` days (dates). Windows the model cannot
    fit have no numbers and a ``reason``."""
    if model not in growth_models.FITS:
        raise ValueError(f"model must be one of {sorted(growth_models.FITS)}, not {model!r}")
    counts = pd.Series(list(counts), index=pd.DatetimeIndex(dates))
    rows = []
    s0, e0 = pd.Timestamp(start), pd.Timestamp(end)
    for ds in shifts:
        for de in shifts:
            s, e = s0 + pd.Timedelta(days=ds), e0 + pd.Timedelta(days=de)
            if s >= e:
                continue
            part = counts.loc[s:e]
            g = growth_models.FITS[model](part.index, part)
            rows.append({"start_shift": ds, "end_shift": de, "start": s.date(), "end": e.date(), "model": model,
                         "r": g.r, "r_lower": g.r_lower, "r_upper": g.r_upper, "n_days": g.n_days, "reason": g.reason})
    return pd.DataFrame(rows)


def fitted_trend(dates: Sequence, counts: Sequence, start, end, model: str = "robust",
                 level: float = 0.95) -> pd.DataFrame:
    """The fitted trend of ``counts`` over ``[start, end]`` with its pointwise ``level`` interval.

    One row per calendar day: ``date``, ``fit``, ``lower``, ``upper`` (expected counts).
    ``robust``: the log-linear AR(1) model of ``growth_models.fit_robust``, fitted to log(count + 0.5),
    so the trend is exp(a + r t) - 0.5 (values at or below 0 are left empty), its interval from the
    GLS covariance of (a, r) and t(n-4). ``quasi_poisson``: exp(a + r t) of the Poisson GLM, its
    interval from the covariance scaled by the quasi-Poisson dispersion and t(df). An empty frame
    when the model cannot be fitted (its ``reason`` in ``attrs``).
    """
    if model not in ("robust", "quasi_poisson"):
        raise ValueError(f"model must be 'robust' or 'quasi_poisson', not {model!r}")
    part = pd.Series(list(counts), index=pd.DatetimeIndex(dates)).loc[pd.Timestamp(start):pd.Timestamp(end)]
    fit = growth_models.FITS[model](part.index, part, level=level)
    grid = pd.date_range(start, end, name="date")
    if fit.reason is not None:
        out = pd.DataFrame(columns=["date", "fit", "lower", "upper"])
        out.attrs["reason"] = fit.reason
        return out
    observed = part.dropna()
    if model == "robust":
        d = fit.details
        x = (grid - observed.index[0]).days.to_numpy(dtype=float) - d["centre"]
        eta, cov, q, shift = d["level"] + fit.r * x, np.asarray(d["cov"]), d["q"], 0.5
    else:
        t = (observed.index - observed.index[0]).days.to_numpy(dtype=float)
        glm = growth_models.quasi_poisson_glm(t, observed.to_numpy(dtype=float), level)
        x = (grid - observed.index[0]).days.to_numpy(dtype=float)
        eta, cov, q, shift = glm["intercept"] + glm["r"] * x, np.asarray(glm["cov"]), glm["q"], 0.0
    se = np.sqrt(cov[0, 0] + 2 * x * cov[0, 1] + x * x * cov[1, 1])

    def scale(v):
        v = np.exp(v) - shift
        return np.where(v > 0, v, np.nan)

    return pd.DataFrame({"date": grid, "fit": scale(eta), "lower": scale(eta - q * se), "upper": scale(eta + q * se)})


# --------------------------------------------------------------------------------------
# Every city and every declared window

def all_series(cases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`city_series` for every city with rows in ``cases`` (:func:`series_cities`)."""
    return {city: city_series(cases, city) for city in series_cities(cases)}


def report_points(facts: pd.DataFrame) -> pd.DataFrame:
    """Dated case counts stated by the Yushu and Dongxing reports themselves (facts.csv), on the day axis."""
    keep = facts[(facts["report"].isin(["yushu", "dongxing"])) & (facts["topic"] == "cases")
                 & facts["value"].notna() & facts["as_of"].notna() & (facts["status"] == "reported")
                 & facts["metric"].isin(["positives_found", "new_confirmed", "cum_confirmed"])]
    out = keep[["fact_id", "report", "metric", "value", "as_of", "quote"]].copy()
    out["date"] = pd.to_datetime(out["as_of"].str[:10])
    out["day"] = [(d - pd.Timestamp(DAY_ZERO[r].date)).days for d, r in zip(out["date"], out["report"])]
    return out.reset_index(drop=True)


def fit_all(series: dict[str, pd.DataFrame], windows: Iterable[FitWindow] = FIT_WINDOWS) -> dict[str, GrowthResult]:
    """Growth rate for every declared window."""
    out = {}
    for w in windows:
        s = series[w.city]
        out[w.key] = growth_rate(s.index, s[w.series], w.start, w.end)
    return out


def sensitivity_all(series: dict[str, pd.DataFrame], keys: Iterable[str] = ("changchun/confirmed/growth",
                                                                            "changchun/confirmed/decline"),
                    model: str = "robust") -> dict[str, pd.DataFrame]:
    """:func:`window_sensitivity` under ``model`` (the headline robust model by default) for the named declared windows."""
    out = {}
    for w in FIT_WINDOWS:
        if w.key in keys:
            s = series[w.city]
            out[w.key] = window_sensitivity(s.index, s[w.series], w.start, w.end, model=model)
    return out


# --------------------------------------------------------------------------------------
# Headline rates: sensitivity across models, residual diagnostics, the interval the book reports

@dataclass
class HeadlineRate:
    """A declared window's rate under every model, its residual diagnostics and the headline choice.

    ``headline`` is ``robust`` (log-linear AR(1), REML) where it can be fitted, else ``quasi_poisson``
    with ``why`` saying why the robust model was not fitted.
    """

    window: FitWindow
    comparison: pd.DataFrame
    diagnostics: pd.DataFrame
    headline: str
    why: str

    @property
    def row(self) -> dict:
        """The headline model's row of :attr:`comparison`."""
        return self.comparison.set_index("model").loc[self.headline].to_dict()

    @property
    def flagged(self) -> list[str]:
        """The diagnostics that flag a broken assumption."""
        return [c for c, f in zip(self.diagnostics["check"], self.diagnostics["flagged"]) if f is True]


def headline_rates(series: dict[str, pd.DataFrame], windows: Iterable[FitWindow] = FIT_WINDOWS) -> dict[str, HeadlineRate]:
    """:func:`growth_models.growth_model_comparison` and :func:`growth_models.residual_diagnostics` for every
    declared window, with the headline interval: the robust one where it can be fitted."""
    out = {}
    for w in windows:
        s = series[w.city].loc[w.start:w.end, w.series]
        comp = growth_models.growth_model_comparison(s.index, s)
        diag = growth_models.residual_diagnostics(s.index, s)
        robust = comp.set_index("model").loc["robust"]
        ok = robust["reason"] is None
        why = ("autocorrelation-robust interval (log-linear AR(1), REML)" if ok else
               f"quasi-Poisson interval: the robust model was not fitted ({robust['reason']}), so the interval "
               "assumes independent days")
        out[w.key] = HeadlineRate(w, comp, diag, "robust" if ok else "quasi_poisson", why)
    return out
