"""Case curves on the page, tables and sentences: every table of the chapter as a reader table
(:func:`analysis.figures.tables.reader_table`), every estimate printed by the book's precision rule
(:func:`analysis.figures.fmt.fmt_estimate`).

The numbers come from :mod:`analysis.methods.curves` (series, growth rates, headline rates) and
:mod:`analysis.methods.rt` (serial intervals, Rt). The figures are in :mod:`analysis.figures.curves`.
"""

from __future__ import annotations

import pandas as pd

from ..core.registry import city_label
from ..methods.curves import (DAY_ZERO, FIT_WINDOWS, EstimationError, FitWindow, HeadlineRate, anchor_residuals,
                              doubling_limits, gap_blocks, headline_rates)
from ..methods.growth_models import MODEL_LABELS
from ..methods.rt import (MAIN_SI, RT_CAVEATS, RT_REFUSED, SI_SCENARIOS, pooled_rt, pooled_rt_uncertainty, r_to_R,
                          rt_by_report_date)
from .fmt import fmt_estimate, fmt_number, interval_decimals
from .tables import Prose, ReaderTable, reader_table

PAGE = "book/curves"
R_HEADER = "r per day (95 % interval)"
TIME_HEADER = "doubling or halving time, days (95 % interval)"
#: The residual checks of ``growth_models.residual_diagnostics`` as column headers.
CHECK_NAMES = {"lag1_autocorrelation": "lag-1 autocorrelation", "ljung_box": "Ljung–Box test",
               "weekday": "day-of-week pattern", "second_peak": "second peak"}


# --------------------------------------------------------------------------------------
# Formatting of estimates

def fmt_r(r, lower, upper) -> str:
    """A growth rate with its interval by the precision rule, or "" (never NaN)."""
    return "" if r is None or pd.isna(r) else fmt_estimate(r, lower, upper)


def fmt_time(r, lower, upper) -> str:
    """``halving 7.0 (5.3–10.3)``: the doubling or halving time in days, its limits derived from the
    limits of r (:func:`analysis.methods.curves.doubling_limits`), digits by the precision rule.

    When r's interval includes 0 the time has no upper limit: ``doubling 7 (3 to not bounded)``;
    the interval's width is then infinite, so the time is given in whole days. "" without r.
    """
    kind, time, lo, hi = doubling_limits(r, lower, upper)
    if kind is None:
        return ""
    if hi is None:
        return f"{kind} {fmt_number(time, 0)} ({fmt_number(lo, 0)} to not bounded)"
    return f"{kind} {fmt_estimate(time, lo, hi)}"


def window_place(w: FitWindow) -> dict:
    """The leading cells of a row about a declared window: place (bilingual), series, phase."""
    return {"place": city_label(w.city), "series": w.series, "phase": w.phase}


# --------------------------------------------------------------------------------------
# Tables: what the sources give, and the declarations

def sources_table(cases: pd.DataFrame, series: dict[str, pd.DataFrame]) -> ReaderTable:
    """Per city: source rows, first and last date, days spanned, days with a count, trust grades."""
    rows = []
    for city, grp in cases.groupby("city", sort=True):
        grades = grp["trust"].value_counts().sort_index()
        rows.append({"place": city_label(city), "source rows": len(grp), "first date": grp["date"].min(),
                     "last date": grp["date"].max(), "days spanned": len(series[city]),
                     "days with a count of new confirmed": int(series[city]["confirmed"].notna().sum()),
                     "trust grades (rows)": ", ".join(f"{k} {v}" for k, v in grades.items())})
    return reader_table(pd.DataFrame(rows), from_page=PAGE)


def flags_table(cases: pd.DataFrame) -> ReaderTable:
    """Every flagged row of ``daily_cases.csv`` with its full note (paged and filterable on the page)."""
    f = cases[cases["flag"].notna()]
    frame = pd.DataFrame({"place": [city_label(c) for c in f["city"]], "date": f["date"].to_numpy(),
                          "flags": f["flag"].str.replace(";", "; ", regex=False).to_numpy(),
                          "trust grade": f["trust"].to_numpy(), "note": f["note"].to_numpy()})
    return reader_table(frame, from_page=PAGE)


def day_zero_table() -> ReaderTable:
    """The declared day zero of each city and its basis (full text)."""
    return reader_table(pd.DataFrame([{"place": city_label(d.city), "day zero": pd.Timestamp(d.date), "basis": d.basis}
                                      for d in DAY_ZERO.values()]), from_page=PAGE)


def gap_table(series: pd.DataFrame) -> ReaderTable:
    """The unknown days of a city's confirmed series, with the total the cumulative counts give (derived)."""
    rows = [{"unknown days": ", ".join(f"{d:%d %b}" for d in b.days), "derived total (cases)": b.total,
             "arithmetic": b.arithmetic} for b in gap_blocks(series)]
    return reader_table(pd.DataFrame(rows, columns=["unknown days", "derived total (cases)", "arithmetic"]),
                        from_page=PAGE)


def anchor_table(series: pd.DataFrame) -> ReaderTable:
    """Daily counts against the cumulative counts where no day between two of them is missing."""
    return reader_table(anchor_residuals(series), from_page=PAGE, columns={
        "from": "from", "to": "to", "cum_from": "cumulative confirmed at start", "cum_to": "cumulative confirmed at end",
        "sum_daily": "sum of the daily counts", "residual": "residual (cases)"})


def windows_table() -> ReaderTable:
    """The declared fit windows with their rationale (full text)."""
    return reader_table(pd.DataFrame([{**window_place(w), "first day": pd.Timestamp(w.start),
                                       "last day": pd.Timestamp(w.end), "rationale": w.rationale}
                                      for w in FIT_WINDOWS]), from_page=PAGE)


def si_table() -> ReaderTable:
    """The serial-interval scenarios."""
    return reader_table(pd.DataFrame([{"scenario": s.name, "mean (days)": fmt_number(s.mean, 2),
                                       "sd (days)": fmt_number(s.sd, 2), "source": s.source}
                                      for s in SI_SCENARIOS.values()]), from_page=PAGE)


# --------------------------------------------------------------------------------------
# Tables: growth rates

def other_models(h: HeadlineRate) -> str:
    """The window's rate under the models other than the headline: ``quasi-Poisson 0.10 (0.02–0.19); NB2 ...``."""
    out = []
    for _, m in h.comparison.iterrows():
        if m["model"] == h.headline:
            continue
        label = MODEL_LABELS[m["model"]]
        out.append(f"{label}: not fitted ({m['reason']})" if m["reason"] else f"{label} {fmt_r(m['r'], m['r_lower'], m['r_upper'])}")
    return "; ".join(out)


def estimates_table(series: dict[str, pd.DataFrame], heads: dict[str, HeadlineRate] | None = None) -> ReaderTable:
    """One row per declared window: the headline r (robust where it can be fitted) and the doubling or
    halving time derived from it, with their intervals; r under the other two models beside it; a note
    says why a number is not given or what the headline interval assumes."""
    heads = heads or headline_rates(series)
    rows = []
    for w in FIT_WINDOWS:
        h = heads[w.key]
        g = h.row
        notes = [g["reason"], None if h.headline == "robust" else h.why]
        if g["reason"] is None and g["r_lower"] <= 0 <= g["r_upper"]:
            notes.append("the interval of r includes 0: the time is not bounded above")
        rows.append({**window_place(w), "window": f"{w.start} to {w.end}", "days with a count": g["n_days"],
                     "cases in the window": int(g["n_cases"]), "headline model": MODEL_LABELS[h.headline],
                     R_HEADER: fmt_r(g["r"], g["r_lower"], g["r_upper"]),
                     TIME_HEADER: fmt_time(g["r"], g["r_lower"], g["r_upper"]),
                     "r per day under the other models (95 % interval)": other_models(h),
                     "note": "; ".join(x for x in notes if x)})
    return reader_table(pd.DataFrame(rows), from_page=PAGE)


def diagnostics_table(heads: dict[str, HeadlineRate]) -> ReaderTable:
    """Residual diagnostics per declared window: one column per check, a verdict in each cell
    (flagged checks start with "FLAG:")."""
    rows = []
    for h in heads.values():
        row = window_place(h.window)
        for _, d in h.diagnostics.iterrows():
            row[CHECK_NAMES.get(d["check"], d["check"].replace("_", " "))] = ("FLAG: " if d["flagged"] is True else "") + d["verdict"]
        rows.append(row)
    return reader_table(pd.DataFrame(rows), from_page=PAGE)


# --------------------------------------------------------------------------------------
# Rt

def growth_r_before(heads: dict[str, HeadlineRate], city: str) -> float | None:
    """The headline r of ``city``'s confirmed growth window: the rate carried back before its series starts."""
    h = heads.get(f"{city}/confirmed/growth")
    return None if h is None or h.row["r"] is None else float(h.row["r"])


def rt_windows_prose(rt: pd.DataFrame, main: str = "ba2") -> Prose:
    """What the sliding-window Rt of one city shows, in two sentences (numbers from ``rt``)."""
    m = rt[rt["scenario"] == main]
    below = m[m["upper"] < 1]
    clean = m[m["artefact_days"] == 0]["mean"]
    first = (f"the first window whose whole 95 % interval lies below 1 ends on {pd.Timestamp(below['end_date'].iloc[0]):%-d %B %Y}"
             if len(below) else "no window has its whole 95 % interval below 1")
    return Prose(f"Under the {SI_SCENARIOS[main].name} serial interval there are {len(m)} sliding windows; "
                 f"{int(m['reliable'].sum())} reach 11 cases and {int((m['imputed_days'] > 0).sum())} contain imputed days. "
                 f"By report date, {first}. Over the windows without artefact days the posterior mean of Rt runs from "
                 f"{clean.min():.2f} to {clean.max():.2f}.")


def rt_uncertainty_table(series: dict[str, pd.DataFrame], heads: dict[str, HeadlineRate] | None = None) -> ReaderTable:
    """Rt over each declared window: the Poisson-only posterior, the posterior mixed over serial-interval
    uncertainty, the estimate with the cases before the series back-projected at the city's headline
    growth rate, and the upward bias (without minus with back-projection); or why it is not estimated."""
    heads = heads or headline_rates(series)
    rows = []
    for w in FIT_WINDOWS:
        row = {**window_place(w), "serial interval": "", "Rt, Poisson-only posterior (95 % credible interval)": "",
               "Rt with serial-interval uncertainty (95 % credible interval)": "",
               "Rt with earlier cases back-projected (95 % credible interval)": "", "upward bias": "",
               "back-projected cases": "", "back-projection rate r per day (95 % interval)": "", "note": ""}
        if w.city in RT_REFUSED:
            row["note"] = "not estimated: " + RT_REFUSED[w.city]
        elif w.series != "confirmed":
            known = series[w.city].loc[w.start:w.end, w.series].notna().sum()
            row["note"] = (f"not estimated: {w.series} known on {known} of {len(series[w.city].loc[w.start:w.end])} "
                           "days, too many gaps to fill")
        else:
            si, r_b = SI_SCENARIOS[MAIN_SI[w.city]], growth_r_before(heads, w.city)
            try:
                rt = pooled_rt_uncertainty(series[w.city], w.start, w.end, si, r_b)
            except EstimationError as exc:
                row["note"] = f"not estimated: {exc}"
            else:
                g = heads[f"{w.city}/confirmed/growth"].row
                row.update({"serial interval": si.name,
                            "Rt, Poisson-only posterior (95 % credible interval)": fmt_estimate(rt["mean"], rt["lower"], rt["upper"]),
                            "Rt with serial-interval uncertainty (95 % credible interval)":
                                fmt_estimate(rt["si_estimate"], rt["si_lower"], rt["si_upper"]),
                            "Rt with earlier cases back-projected (95 % credible interval)":
                                fmt_estimate(rt["bp_mean"], rt["bp_lower"], rt["bp_upper"]),
                            "upward bias": "" if rt["bias"] is None else fmt_number(rt["bias"], 2),
                            "back-projected cases": "" if pd.isna(rt["n_before"]) else fmt_number(rt["n_before"], 0),
                            "back-projection rate r per day (95 % interval)": fmt_r(g["r"], g["r_lower"], g["r_upper"]),
                            "note": "; ".join(x for x in (
                                f"days {rt['start_date']} to {rt['end_date']}"
                                + (f", {rt['imputed_days']} imputed day(s)" if rt["imputed_days"] else ""),
                                "" if rt["reliable"] else "fewer than 11 cases", RT_CAVEATS.get(w.key, "")) if x)})
        rows.append(row)
    return reader_table(pd.DataFrame(rows), from_page=PAGE)


def si_sensitivity(series: pd.DataFrame, heads: dict[str, HeadlineRate], city: str = "changchun") -> ReaderTable:
    """Rt over each declared confirmed-series window of ``city`` under every serial-interval scenario,
    beside R implied by the window's headline growth rate (Wallinga-Lipsitch)."""
    rows = []
    for w in FIT_WINDOWS:
        if w.city != city or w.series != "confirmed":
            continue
        g = heads[w.key].row
        for si in SI_SCENARIOS.values():
            rt = pooled_rt(series, w.start, w.end, si)
            try:
                wl = "" if g["r"] is None else fmt_r(*(r_to_R(v, si.mean, si.sd) for v in (g["r"], g["r_lower"], g["r_upper"])))
            except ValueError as exc:
                wl = f"undefined ({exc})"
            rows.append({"window": f"{w.phase}, {w.start} to {w.end}", "serial interval": si.name,
                         "mean (days)": fmt_number(si.mean, 2), "sd (days)": fmt_number(si.sd, 2),
                         "Rt, Cori (95 % credible interval)": fmt_r(rt["mean"], rt["lower"], rt["upper"]),
                         "R from the headline r, Wallinga–Lipsitch (95 % interval)": wl})
    return reader_table(pd.DataFrame(rows), from_page=PAGE)


def rt_refusals(series: dict[str, pd.DataFrame]) -> ReaderTable:
    """Sliding-window Rt per city: estimated, or the reason it is refused.

    One row per city of ``series``, then one per city refused in :data:`~analysis.methods.rt.RT_REFUSED`
    that has no series.
    """
    rows = []
    for city in list(series) + [k for k in RT_REFUSED if k not in series]:
        if city in RT_REFUSED:
            rows.append({"place": city_label(city), "sliding 7-day Rt": "refused", "reason": RT_REFUSED[city]})
            continue
        si = SI_SCENARIOS[MAIN_SI[city]]
        try:
            rt = rt_by_report_date(series[city], si)
        except EstimationError as exc:
            caveat = RT_CAVEATS.get(f"{city}/confirmed/growth", "")
            rows.append({"place": city_label(city), "sliding 7-day Rt": "refused",
                         "reason": "; ".join(x for x in (str(exc), caveat and "the single pooled window: " + caveat) if x)})
            continue
        n_rel = int(rt["reliable"].sum())
        rows.append({"place": city_label(city), "sliding 7-day Rt": f"{len(rt)} windows",
                     "reason": f"{n_rel} reach 11 cases; {int((rt['imputed_days'] > 0).sum())} contain imputed days; "
                               f"{int((rt['artefact_days'] > 0).sum())} touch the mid-March artefact period"})
    return reader_table(pd.DataFrame(rows), from_page=PAGE)


def window_sensitivity_prose(sens: dict[str, pd.DataFrame]) -> Prose:
    """How much each window's rate moves when its ends move (:func:`analysis.methods.curves.sensitivity_all`):
    the range of r over the shifted windows the model can fit, and how many intervals exclude 0."""
    out = []
    for key, frame in sens.items():
        w = next(w for w in FIT_WINDOWS if w.key == key)
        ok = frame[frame["r"].notna()]
        if ok.empty:
            out.append(f"{city_label(w.city)}, {w.series} {w.phase} window: no shifted window can be fitted.")
            continue
        lo, hi = ok["r"].astype(float).min(), ok["r"].astype(float).max()
        d = max(interval_decimals(a, b) for a, b in zip(ok["r_lower"], ok["r_upper"]))
        excl = int(((ok["r_lower"] > 0) | (ok["r_upper"] < 0)).sum())
        blank = len(frame) - len(ok)
        out.append(f"{city_label(w.city)}, {w.series} {w.phase} window: r runs from {fmt_number(lo, d)} to "
                   f"{fmt_number(hi, d)} per day over the {len(ok)} shifted windows the {MODEL_LABELS[ok['model'].iloc[0]]} "
                   "model can fit" + (f" ({blank} more are too short for it)" if blank else "")
                   + f"; its interval excludes 0 in {excl} of them.")
    return Prose(" ".join(out))
