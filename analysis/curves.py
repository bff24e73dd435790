"""Case curves: daily series with their gaps, growth rates, doubling times and Rt.

Data: ``data/daily_cases.csv`` (one row per city, date and source; see its schema). This module

* loads and cross-checks the table (:func:`load_daily_cases`, the ``@cross_check("daily_cases")``
  function :func:`check_daily_cases`);
* builds one daily series per city on a complete date grid (:func:`city_series`), keeping unknown
  days as NA, differencing cumulative-only sources in code, and deriving the sum of the missing
  days between two cumulative anchors (:func:`gap_blocks`);
* defines the series the book models: *confirmed* (new confirmed, conversions included),
  *confirmed excluding conversions*, *asymptomatic* and *infections* = confirmed excluding
  conversions + asymptomatic (the definition of ``methods_notes.md`` section 9);
* estimates exponential growth rates with a Poisson GLM and a quasi-Poisson scale
  (:func:`growth_rate`) and the reproduction number with the analytic posterior of Cori et al.
  (2013) as in EpiEstim (:func:`reproduction_number`, :func:`discr_si`);
* declares, in one place, the day zero of each city (:data:`DAY_ZERO`), the fit windows
  (:data:`FIT_WINDOWS`) and the serial-interval scenarios (:data:`SI_SCENARIOS`).

Every estimate comes with its interval; where the data cannot support one the functions return a
``reason`` (growth rates) or raise :class:`EstimationError` with a plain message (Rt).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .data import Problem, _blank, _rows, _sibling, cross_check, load_table
from .numerals import numbers_in
from . import plotting as _plotting

#: Cities with a daily or cumulative series, in the book's order.
CITIES = ("changchun", "dongxing", "mudanjiang", "suining")
CITY_NAMES = _plotting.CITY_NAMES  # English and Chinese names: one table for the whole book
COUNT_COLUMNS = ("new_confirmed", "new_confirmed_from_asymptomatic", "new_asymptomatic",
                 "cum_confirmed", "cum_asymptomatic")

#: How each city's daily confirmed series is built. "daily": from the bulletins' daily counts
#: (cumulative anchors only fill gaps); "cumulative": first differences of the repository's
#: cumulative counts (the bulletins' scattered daily counts are kept beside it, not mixed in,
#: because the repository's crawl dates lag the bulletins by about a day).
SERIES_BASIS = {"changchun": "daily", "dongxing": "daily", "mudanjiang": "cumulative", "suining": "cumulative"}


# --------------------------------------------------------------------------------------
# Declarations: day zero, fit windows, serial intervals (set before any fitting)

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
# Loading and cross-checking data/daily_cases.csv

def _quote_numbers(quote: str) -> set[float]:
    """Numbers stated in a quote: Chinese text, or a CSV data row (split on commas)."""
    found = set(numbers_in(quote))
    for part in re.split(r"[,;]", quote):
        found |= set(numbers_in(part))
    return found


@cross_check("daily_cases")
def check_daily_cases(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Cross-table rules for ``daily_cases.csv`` (registered with ``@cross_check``).

    * (city, date, source_id) is unique;
    * the source exists (``sources/supplementary.csv`` or ``facts.csv``), belongs to the same city,
      and its trust grade is copied exactly ("report" for facts); a source without URL needs the
      ``no_url`` flag;
    * every count of a *reported* row is stated in the source's quote (so a 0 must be stated);
      a *derived* row shows its arithmetic in the note and holds no 0;
    * a row with no count at all carries a flag saying why (explicit NA);
    * conversions never exceed new confirmed;
    * cumulative confirmed never decreases within a city; two 0-24 h rows of one day never disagree.
    """
    supp = _sibling(base, "supplementary")
    facts = _sibling(base, "facts")
    sup_by_id = {} if supp is None else {r.source_id: r for r in supp.itertuples(index=False)}
    fact_by_id = {} if facts is None else {r.fact_id: r for r in facts.itertuples(index=False)}
    seen: dict[tuple, int] = {}
    for line, row in _rows(df):
        key = (row.city, row.date, row.source_id)
        if key in seen:
            yield Problem(file, line, "source_id", f"duplicate (city, date, source_id); first on line {seen[key]}")
        seen.setdefault(key, line)
        flags = set() if _blank(row.flag) else set(str(row.flag).split(";"))
        values = {c: getattr(row, c) for c in COUNT_COLUMNS if not _blank(getattr(row, c))}
        if not values and not flags:
            yield Problem(file, line, None, "a row with no count needs a flag saying why (explicit NA)")
        sid = row.source_id
        if sid.startswith("sup-"):
            src = sup_by_id.get(sid)
            if supp is None:
                continue
            if src is None:
                yield Problem(file, line, "source_id", f"{sid} is not in sources/supplementary.csv")
                continue
            if src.report != row.city:
                yield Problem(file, line, "source_id", f"{sid} belongs to {src.report}, not {row.city}")
            if src.trust != row.trust:
                yield Problem(file, line, "trust", f"{row.trust!r} differs from the trust {src.trust!r} of {sid}")
            if _blank(src.url) and "no_url" not in flags:
                yield Problem(file, line, "flag", f"{sid} has no URL: the row needs the no_url flag")
            quote = src.quote
        else:
            if facts is None:
                continue
            src = fact_by_id.get(sid)
            if src is None:
                yield Problem(file, line, "source_id", f"{sid} is not in facts.csv")
                continue
            if src.report != row.city:
                yield Problem(file, line, "source_id", f"{sid} belongs to {src.report}, not {row.city}")
            if row.trust != "report":
                yield Problem(file, line, "trust", "a row citing a report fact has trust 'report'")
            quote = src.quote
        if row.status == "reported":
            stated = _quote_numbers(str(quote))
            for col, v in values.items():
                if float(v) not in stated:
                    yield Problem(file, line, col, f"{v} is not stated in the quote of {sid}")
        else:
            if _blank(row.note) or "=" not in str(row.note):
                yield Problem(file, line, "note", "a derived row shows its arithmetic in the note")
            for col, v in values.items():
                if float(v) == 0:
                    yield Problem(file, line, col, "a derived row may not hold a 0 (unknown stays empty)")
        conv, new = values.get("new_confirmed_from_asymptomatic"), values.get("new_confirmed")
        if conv is not None and new is not None and conv > new:
            yield Problem(file, line, "new_confirmed_from_asymptomatic", f"{conv} conversions exceed {new} new confirmed")
    # cumulative confirmed never decreases; 0-24 h rows of one day agree
    lines = {i: i + 2 for i in range(len(df))}
    for city, grp in df.groupby("city", sort=False):
        cum = grp[grp["cum_confirmed"].notna()].sort_values("date", kind="stable")
        prev_val, prev_date = None, None
        for idx, r in cum.iterrows():
            if prev_val is not None and r["cum_confirmed"] < prev_val:
                yield Problem(file, lines[idx], "cum_confirmed",
                              f"cumulative confirmed falls from {prev_val} ({prev_date}) to {r['cum_confirmed']}")
            prev_val, prev_date = r["cum_confirmed"], r["date"]
        full_day = grp[~grp["flag"].fillna("").str.contains("window_not_0_24h")]
        for (date,), day in full_day.groupby(["date"]):
            for col in COUNT_COLUMNS:
                vals = day[col].dropna().unique()
                if len(vals) > 1:
                    yield Problem(file, lines[day.index[0]], col, f"{city} {date}: sources disagree ({', '.join(map(str, vals))})")


def load_daily_cases(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/daily_cases.csv``, validated (schema and cross-checks); ``date`` parsed."""
    df = load_table("daily_cases", data_dir)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


# --------------------------------------------------------------------------------------
# Daily series on a complete date grid

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


#: Minimum data for a growth-rate fit: observed days, total cases, days with at least one case.
MIN_DAYS, MIN_CASES, MIN_NONZERO_DAYS = 5, 10, 3


def _as_day_numbers(dates: Sequence) -> np.ndarray:
    arr = pd.Series(list(dates))
    if pd.api.types.is_numeric_dtype(arr):
        return arr.to_numpy(dtype=float)
    ts = pd.to_datetime(arr)
    return ((ts - ts.min()).dt.days).to_numpy(dtype=float) if len(ts) else np.array([])


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
    import statsmodels.api as sm

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
    X = sm.add_constant(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    df_resid = fit.df_resid
    pearson = float(np.sum(fit.resid_pearson ** 2) / df_resid)
    scale = max(1.0, pearson)
    se = float(fit.bse[1]) * math.sqrt(scale)
    q = stats.t.ppf(0.5 + level / 2, df_resid)
    r = float(fit.params[1])
    res.r, res.r_lower, res.r_upper, res.dispersion = r, float(r - q * se), float(r + q * se), pearson
    res.intercept = float(fit.params[0])
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


def window_sensitivity(dates: Sequence, counts: Sequence, start, end, shifts: Iterable[int] = range(-3, 4)) -> pd.DataFrame:
    """Growth rate for every window with start and end moved by ``shifts`` days (dates)."""
    rows = []
    s0, e0 = pd.Timestamp(start), pd.Timestamp(end)
    for ds in shifts:
        for de in shifts:
            s, e = s0 + pd.Timedelta(days=ds), e0 + pd.Timedelta(days=de)
            if s >= e:
                continue
            g = growth_rate(dates, counts, s, e)
            rows.append({"start_shift": ds, "end_shift": de, "start": s.date(), "end": e.date(), "r": g.r,
                         "r_lower": g.r_lower, "r_upper": g.r_upper, "n_days": g.n_days, "reason": g.reason})
    return pd.DataFrame(rows)


def r_to_R(r: float, si_mean: float, si_sd: float) -> float:
    """Wallinga & Lipsitch (2007): R = (1 + r sd^2/mean)^(mean^2/sd^2) for a gamma generation interval."""
    return (1 + r * si_sd ** 2 / si_mean) ** (si_mean ** 2 / si_sd ** 2)


# --------------------------------------------------------------------------------------
# Rt: Cori et al. (2013), as in EpiEstim

class EstimationError(ValueError):
    """The data cannot support the requested estimate; the message says why."""


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


# --------------------------------------------------------------------------------------
# What the chapter shows: all series, estimate tables, refusals, figures

#: Cities whose Rt is not estimated at all, and why (declared, not computed).
RT_REFUSED = {
    "suining": "the series does not separate imported from local cases, so Rt would count importations as local "
               "transmission; 16 cases over 25 days",
    "mudanjiang": "the repository's crawl dates batch the cluster's confirmed cases into 3 days, and its "
                  "asymptomatic infections have no day-by-day series",
    "yushu": "no daily series: only the report's cumulative 61 positives and 3 positives on 29 Oct",
}


#: Caveats attached to Rt estimates that are computed.
RT_CAVEATS = {
    "changchun/confirmed/growth": "early windows miss the infectivity of the 130 cases reported before 12 Mar and "
                                  "include the mid-March backlog, so Rt is biased upwards",
    "dongxing/confirmed/growth": "infections before the first detection are missing from the infectivity, so Rt is "
                                 "biased upwards (the early over-estimation EpiEstim's back-imputation addresses)",
}


def all_series(cases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`city_series` for every city with data."""
    return {city: city_series(cases, city) for city in CITIES if (cases["city"] == city).any()}


def report_points(facts: pd.DataFrame) -> pd.DataFrame:
    """Dated case counts stated by the Yushu and Dongxing reports themselves (facts.csv), on the day axis."""
    keep = facts[(facts["report"].isin(["yushu", "dongxing"])) & (facts["topic"] == "cases")
                 & facts["value"].notna() & facts["as_of"].notna() & (facts["status"] == "reported")
                 & facts["metric"].isin(["positives_found", "new_confirmed", "cum_confirmed"])]
    out = keep[["fact_id", "report", "metric", "value", "as_of", "quote"]].copy()
    out["date"] = pd.to_datetime(out["as_of"].str[:10])
    out["day"] = [(d - pd.Timestamp(DAY_ZERO[r].date)).days for d, r in zip(out["date"], out["report"])]
    return out.reset_index(drop=True)


def _fmt(v, nd=3):
    return "" if v is None or (isinstance(v, float) and not np.isfinite(v)) else f"{v:.{nd}f}"


def _interval(v, lo, hi, nd=3):
    return "" if v is None else f"{v:.{nd}f} ({lo:.{nd}f} to {hi:.{nd}f})"


def fit_all(series: dict[str, pd.DataFrame], windows: Iterable[FitWindow] = FIT_WINDOWS) -> dict[str, GrowthResult]:
    """Growth rate for every declared window."""
    out = {}
    for w in windows:
        s = series[w.city]
        out[w.key] = growth_rate(s.index, s[w.series], w.start, w.end)
    return out


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


def estimates_table(series: dict[str, pd.DataFrame], fits: dict[str, GrowthResult] | None = None) -> pd.DataFrame:
    """One row per declared window: r, doubling/halving time and Rt over the same window, with intervals,
    or the reason why a number is not given."""
    fits = fits or fit_all(series)
    rows = []
    for w in FIT_WINDOWS:
        g = fits[w.key]
        row = {"city": " ".join(CITY_NAMES[w.city]), "series": w.series, "phase": w.phase,
               "window": f"{w.start} to {w.end}", "days observed": g.n_days, "cases": int(g.n_cases),
               "r per day (95% CI)": _interval(g.r, g.r_lower, g.r_upper),
               "doubling / halving time, days (95% CI)": "" if g.doubling_time is None else
               f"{g.time_kind} {g.doubling_time:.1f} ({g.doubling_lower:.1f} to {g.doubling_upper:.1f})",
               "Rt over window (95% CrI)": "", "note": g.reason or ""}
        if g.reason is None and g.doubling_time is None:
            row["note"] = "interval of r includes 0: no doubling or halving time"
        if w.city in RT_REFUSED:
            row["Rt over window (95% CrI)"] = "not estimated"
            row["note"] = "; ".join(x for x in (row["note"], "Rt: " + RT_REFUSED[w.city]) if x)
        elif w.series != "confirmed":
            known = series[w.city].loc[w.start:w.end, w.series].notna().sum()
            total = len(series[w.city].loc[w.start:w.end])
            row["Rt over window (95% CrI)"] = "not estimated"
            row["note"] = "; ".join(x for x in (row["note"], f"Rt: {w.series} known on {known} of {total} days, too many gaps to fill") if x)
        else:
            si = SI_SCENARIOS[MAIN_SI[w.city]]
            try:
                rt = pooled_rt(series[w.city], w.start, w.end, si)
                row["Rt over window (95% CrI)"] = _interval(rt["mean"], rt["lower"], rt["upper"], 2) + \
                    ("" if rt["reliable"] else " (fewer than 11 cases)")
                row["note"] = "; ".join(x for x in (row["note"], f"Rt with SI {si.name}, {rt['start_date']} to {rt['end_date']}"
                                                     + (f", {rt['imputed_days']} imputed day(s)" if rt["imputed_days"] else ""),
                                                     RT_CAVEATS.get(w.key, "")) if x)
            except EstimationError as exc:
                row["Rt over window (95% CrI)"] = "not estimated"
                row["note"] = "; ".join(x for x in (row["note"], f"Rt: {exc}") if x)
        rows.append(row)
    return pd.DataFrame(rows)


def si_sensitivity(series: pd.DataFrame, city: str = "changchun") -> pd.DataFrame:
    """Rt over each declared confirmed-series window of ``city`` under every serial-interval scenario."""
    rows = []
    for w in FIT_WINDOWS:
        if w.city != city or w.series != "confirmed":
            continue
        g = growth_rate(series.index, series[w.series], w.start, w.end)
        for key, si in SI_SCENARIOS.items():
            rt = pooled_rt(series, w.start, w.end, si)
            wl = "" if g.r is None else _interval(r_to_R(g.r, si.mean, si.sd), r_to_R(g.r_lower, si.mean, si.sd),
                                                  r_to_R(g.r_upper, si.mean, si.sd), 2)
            rows.append({"window": f"{w.phase} ({w.start} to {w.end})", "serial interval": si.name,
                         "SI mean (d)": round(si.mean, 2), "SI sd (d)": round(si.sd, 2),
                         "Rt, Cori (95% CrI)": _interval(rt["mean"], rt["lower"], rt["upper"], 2),
                         "R from r, Wallinga-Lipsitch (95% CI)": wl})
    return pd.DataFrame(rows)


def rt_sliding(series: pd.DataFrame, scenarios: Iterable[str] = ("ba2", "omicron_short", "omicron_long")) -> pd.DataFrame:
    """Sliding 7-day Rt by report date for several serial-interval scenarios, stacked."""
    return pd.concat([rt_by_report_date(series, SI_SCENARIOS[k]).assign(scenario=k) for k in scenarios], ignore_index=True)


def rt_refusals(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Sliding-window Rt per city: estimated, or the reason it is refused."""
    rows = []
    for city in list(CITIES) + ["yushu"]:
        if city in RT_REFUSED:
            rows.append({"city": " ".join(CITY_NAMES[city]), "sliding 7-day Rt": "refused", "reason": RT_REFUSED[city]})
            continue
        si = SI_SCENARIOS[MAIN_SI[city]]
        try:
            rt = rt_by_report_date(series[city], si)
        except EstimationError as exc:
            rows.append({"city": " ".join(CITY_NAMES[city]), "sliding 7-day Rt": "refused", "reason": str(exc)})
            continue
        n_rel = int(rt["reliable"].sum())
        rows.append({"city": " ".join(CITY_NAMES[city]), "sliding 7-day Rt": f"{len(rt)} windows",
                     "reason": f"{n_rel} reach 11 cases; {int((rt['imputed_days'] > 0).sum())} contain imputed days; "
                               f"{int((rt['artefact_days'] > 0).sum())} touch the mid-March artefact period"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Figures (plotly)

_COMPONENT_COLOURS = {"confirmed": "#D55E00", "confirmed_unsplit": "#E69F00", "conversions": "#0072B2",
                      "asymptomatic": "#56B4E9", "missing": "#777777"}


def fig_daily(series: dict[str, pd.DataFrame], points: pd.DataFrame):
    """Daily bars per city on a shared axis of days since day zero (one panel per city, own y scale).

    Stacked bars: new confirmed excluding conversions (where conversions are stated), new confirmed
    with conversions not stated, conversions, asymptomatic. Grey crosses mark days with no count.
    Yushu's and Dongxing's own report counts are diamonds.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .plotting import bilingual, link_points

    order = [c for c in CITIES if c in series] + ["yushu"]
    fig = make_subplots(rows=len(order), cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        subplot_titles=[bilingual(*CITY_NAMES[c]) for c in order])
    legend_done = set()

    def add(trace, row, key):
        trace.showlegend = key not in legend_done
        legend_done.add(key)
        fig.add_trace(trace, row=row, col=1)

    for i, city in enumerate(order, start=1):
        if city in series:
            s = series[city]
            split = s["conversions"].notna()
            excl = s["confirmed"].where(split) - s["conversions"].where(split)
            add(go.Bar(x=s["day"], y=excl, name="new confirmed, excl. conversions", legendgroup="c",
                       marker_color=_COMPONENT_COLOURS["confirmed"]), i, "c")
            add(go.Bar(x=s["day"], y=s["confirmed"].where(~split), name="new confirmed (conversions not stated)",
                       legendgroup="u", marker_color=_COMPONENT_COLOURS["confirmed_unsplit"]), i, "u")
            add(go.Bar(x=s["day"], y=s["conversions"], name="conversions (asymptomatic to confirmed)",
                       legendgroup="v", marker_color=_COMPONENT_COLOURS["conversions"]), i, "v")
            add(go.Bar(x=s["day"], y=s["asymptomatic"], name="new asymptomatic", legendgroup="a",
                       marker_color=_COMPONENT_COLOURS["asymptomatic"]), i, "a")
            miss = s[s["confirmed"].isna()]
            add(go.Scatter(x=miss["day"], y=[0] * len(miss), mode="markers", name="no count that day",
                           legendgroup="m", marker=dict(symbol="x", color=_COMPONENT_COLOURS["missing"], size=7)), i, "m")
        p = points[points["report"] == city]
        if len(p):
            add(link_points(go.Scatter(x=p["day"], y=p["value"], mode="markers", name="count stated by the report",
                                       legendgroup="r", marker=dict(symbol="diamond", size=10, color="#000"),
                                       text=p["metric"] + ": " + p["quote"] + " (click: the sentence)",
                                       hoverinfo="text+x+y"), p["fact_id"], "book/curves"), i, "r")
    fig.update_layout(barmode="stack", height=190 * len(order) + 80, bargap=0.1,
                      legend=dict(orientation="h", y=-0.06), margin=dict(t=40))
    fig.update_xaxes(title_text="days since day zero (see table of day zeros)", row=len(order), col=1)
    return fig


def fig_cumulative(cases: pd.DataFrame, facts: pd.DataFrame):
    """Cumulative confirmed counts as stated by the sources (log scale, days since day zero).

    Solid markers: 24:00 cumulatives; open markers: counts to another time of day (window rows).
    For Yushu only the undated cumulative 61 exists: it is named in the legend, not plotted.
    """
    import plotly.graph_objects as go

    from .plotting import REPORT_COLOURS, bilingual

    fig = go.Figure()
    cum = cases[cases["cum_confirmed"].notna()].sort_values("date")
    for city in CITIES:
        c = cum[cum["city"] == city]
        if c.empty:
            continue
        day = (c["date"] - pd.Timestamp(DAY_ZERO[city].date)).dt.days
        window = c["flag"].fillna("").str.contains("window_not_0_24h")
        fig.add_trace(go.Scatter(x=day, y=c["cum_confirmed"], mode="lines+markers", name=bilingual(*CITY_NAMES[city]),
                                 line=dict(color=REPORT_COLOURS[city], shape="hv"),
                                 marker=dict(symbol=np.where(window, "circle-open", "circle"), size=7)))
    y61 = facts[(facts["fact_id"] == "yushu-003")]
    if len(y61):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(color=REPORT_COLOURS["yushu"]),
                                 name=f"{bilingual(*CITY_NAMES['yushu'])}: {int(y61['value'].iloc[0])} positives, undated"))
    fig.update_yaxes(type="log", title_text="cumulative confirmed (log scale)")
    fig.update_xaxes(title_text="days since day zero")
    fig.update_layout(height=420)
    return fig


def fig_growth(series: dict[str, pd.DataFrame], fits: dict[str, GrowthResult]):
    """Observed counts in each declared window with the fitted exponential and its 95 % band (log scale)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .plotting import REPORT_COLOURS, bilingual

    wins = list(FIT_WINDOWS)
    titles = [f"{bilingual(*CITY_NAMES[w.city])}: {w.series}, {w.phase}" for w in wins]
    fig = make_subplots(rows=math.ceil(len(wins) / 2), cols=2, subplot_titles=titles, vertical_spacing=0.09)
    for i, w in enumerate(wins):
        row, col = i // 2 + 1, i % 2 + 1
        s = series[w.city]
        span = s.loc[pd.Timestamp(w.start) - pd.Timedelta(days=3): pd.Timestamp(w.end) + pd.Timedelta(days=3)]
        inside = (span.index >= pd.Timestamp(w.start)) & (span.index <= pd.Timestamp(w.end))
        colour = REPORT_COLOURS[w.city]
        fig.add_trace(go.Scatter(x=span.index, y=span[w.series].where(inside), mode="markers", showlegend=False,
                                 marker=dict(color=colour, size=6)), row=row, col=col)
        fig.add_trace(go.Scatter(x=span.index, y=span[w.series].where(~inside), mode="markers", showlegend=False,
                                 marker=dict(color=colour, size=6, symbol="circle-open")), row=row, col=col)
        g = fits[w.key]
        if g.r is not None:
            t = np.arange((pd.Timestamp(w.end) - pd.Timestamp(w.start)).days + 1)
            x = pd.date_range(w.start, w.end)
            fig.add_trace(go.Scatter(x=x, y=np.exp(g.intercept + g.r * t), mode="lines", showlegend=False,
                                     line=dict(color="#222")), row=row, col=col)
            mid = t.mean()  # band: slope interval pivoting on the window's centre
            for r_b in (g.r_lower, g.r_upper):
                fig.add_trace(go.Scatter(x=x, y=np.exp(g.intercept + g.r * mid + r_b * (t - mid)), mode="lines",
                                         showlegend=False, line=dict(color="#222", dash="dot", width=1)), row=row, col=col)
        fig.update_yaxes(type="log", row=row, col=col)
    fig.update_layout(height=260 * math.ceil(len(wins) / 2), margin=dict(t=50))
    return fig


def fig_rt(rt: pd.DataFrame, main: str = "ba2"):
    """Sliding 7-day Rt by report date (window end date) for the SI scenarios in ``rt`` (main one with its
    95 % band). Open markers: windows containing imputed days; shaded: mid-March artefact windows."""
    import plotly.graph_objects as go

    fig = go.Figure()
    colours = {"ba2": "#D55E00", "omicron_short": "#0072B2", "omicron_long": "#009E73",
               "delta_early": "#CC79A7", "delta_late": "#999999"}
    m = rt[rt["scenario"] == main]
    x = pd.to_datetime(m["end_date"])
    fig.add_trace(go.Scatter(x=list(x) + list(x[::-1]), y=list(m["upper"]) + list(m["lower"][::-1]), fill="toself",
                             fillcolor="rgba(213,94,0,0.2)", line=dict(width=0), name="95% CrI (Poisson only)",
                             hoverinfo="skip"))
    for key, grp in rt.groupby("scenario", sort=False):
        xx = pd.to_datetime(grp["end_date"])
        fig.add_trace(go.Scatter(x=xx, y=grp["mean"], mode="lines+markers", name=SI_SCENARIOS[key].name,
                                 line=dict(color=colours.get(key, "#444"), width=2.5 if key == main else 1.2),
                                 marker=dict(symbol=np.where(grp["imputed_days"] > 0, "circle-open", "circle"), size=6)))
    art = m[m["artefact_days"] > 0]
    if len(art):
        fig.add_vrect(x0=pd.Timestamp(art["end_date"].min()) - pd.Timedelta(hours=12),
                      x1=pd.Timestamp(art["end_date"].max()) + pd.Timedelta(hours=12),
                      fillcolor="#bbbbbb", opacity=0.25, line_width=0,
                      annotation_text="windows touching the mid-March artefacts", annotation_position="top left")
    fig.add_hline(y=1, line_dash="dash", line_color="#444")
    fig.update_yaxes(title_text="Rt by report date (7-day window ending on the date)")
    fig.update_layout(height=420, legend=dict(orientation="h", y=-0.15))
    return fig


def fig_window_sensitivity(sens: dict[str, pd.DataFrame]):
    """r for windows whose start and end are moved by -3..+3 days, one heatmap per declared window."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    keys = list(sens)
    fig = make_subplots(rows=1, cols=len(keys), subplot_titles=keys, horizontal_spacing=0.12)
    for i, k in enumerate(keys, start=1):
        d = sens[k].pivot(index="end_shift", columns="start_shift", values="r")
        fig.add_trace(go.Heatmap(z=d.to_numpy(), x=list(d.columns), y=list(d.index), coloraxis="coloraxis",
                                 text=np.round(d.to_numpy(), 3), texttemplate="%{text}", hoverinfo="z"), row=1, col=i)
        fig.update_xaxes(title_text="start shift (days)", row=1, col=i)
        fig.update_yaxes(title_text="end shift (days)", row=1, col=i)
    fig.update_layout(height=380, coloraxis=dict(colorscale="RdBu_r", cmid=0, colorbar=dict(title="r per day")))
    return fig


def sensitivity_all(series: dict[str, pd.DataFrame], keys: Iterable[str] = ("changchun/confirmed/growth",
                                                                            "changchun/confirmed/decline")) -> dict[str, pd.DataFrame]:
    """:func:`window_sensitivity` for the named declared windows."""
    out = {}
    for w in FIT_WINDOWS:
        if w.key in keys:
            s = series[w.city]
            out[w.key] = window_sensitivity(s.index, s[w.series], w.start, w.end)
    return out


def day_zero_table() -> pd.DataFrame:
    """The declared day zero of each city and its basis."""
    return pd.DataFrame([{"city": " ".join(CITY_NAMES[d.city]), "day zero": d.date, "basis": d.basis}
                         for d in DAY_ZERO.values()])


def windows_table() -> pd.DataFrame:
    """The declared fit windows."""
    return pd.DataFrame([{"city": " ".join(CITY_NAMES[w.city]), "series": w.series, "phase": w.phase,
                          "start": w.start, "end": w.end, "rationale": w.rationale} for w in FIT_WINDOWS])


def si_table() -> pd.DataFrame:
    """The serial-interval scenarios."""
    return pd.DataFrame([{"key": k, "scenario": s.name, "mean (d)": round(s.mean, 2), "sd (d)": round(s.sd, 2),
                          "source": s.source} for k, s in SI_SCENARIOS.items()])
