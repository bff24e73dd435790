"""Case curves on the page: the figures of daily and cumulative counts, growth fits and Rt, and the
tables of declarations and estimates (numbers formatted for reading).

The numbers come from :mod:`analysis.methods.curves` (series, growth rates) and
:mod:`analysis.methods.rt` (serial intervals, Rt); city names and colours from the report registry.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.registry import city_label, report_colours
from ..methods.curves import (DAY_ZERO, FIT_WINDOWS, EstimationError, GrowthResult, HeadlineRate, fit_all,
                              growth_rate, headline_rates, series_cities)
from ..methods.rt import (MAIN_SI, RT_CAVEATS, RT_REFUSED, SI_SCENARIOS, SI_UNCERTAINTY, pooled_rt,
                          pooled_rt_uncertainty, r_to_R, rt_by_report_date)
from .fmt import fmt_estimate
from .links import link_points

#: Colours of the components of a daily bar (not cities: one series each).
_COMPONENT_COLOURS = {"confirmed": "#D55E00", "confirmed_unsplit": "#E69F00", "conversions": "#0072B2",
                      "asymptomatic": "#56B4E9", "missing": "#777777"}


# --------------------------------------------------------------------------------------
# Tables: declarations

def day_zero_table() -> pd.DataFrame:
    """The declared day zero of each city and its basis."""
    return pd.DataFrame([{"city": city_label(d.city), "day zero": d.date, "basis": d.basis}
                         for d in DAY_ZERO.values()])


def windows_table() -> pd.DataFrame:
    """The declared fit windows."""
    return pd.DataFrame([{"city": city_label(w.city), "series": w.series, "phase": w.phase,
                          "start": w.start, "end": w.end, "rationale": w.rationale} for w in FIT_WINDOWS])


def si_table() -> pd.DataFrame:
    """The serial-interval scenarios."""
    return pd.DataFrame([{"key": k, "scenario": s.name, "mean (d)": round(s.mean, 2), "sd (d)": round(s.sd, 2),
                          "source": s.source} for k, s in SI_SCENARIOS.items()])


# --------------------------------------------------------------------------------------
# Tables: estimates, with their intervals or the reason they are not given

def _interval(v, lo, hi):
    return "" if v is None else fmt_estimate(v, lo, hi)


def _time(row) -> str:
    """``doubling 7 (4–40)``: a doubling or halving time in days with the precision rule, or ""."""
    if row.get("doubling_time") is None:
        return ""
    return f"{row['time_kind']} {fmt_estimate(row['doubling_time'], row['doubling_lower'], row['doubling_upper'])}"


_MODEL_NAMES = {"quasi_poisson": "quasi-Poisson", "nb2": "NB2", "robust": "robust AR(1)"}


def growth_r_before(heads: dict[str, HeadlineRate], city: str) -> float | None:
    """The headline r of ``city``'s confirmed growth window: the rate carried back before its series starts."""
    h = heads.get(f"{city}/confirmed/growth")
    return None if h is None or h.row["r"] is None else float(h.row["r"])


def estimates_table(series: dict[str, pd.DataFrame], fits: dict[str, GrowthResult] | None = None,
                    heads: dict[str, HeadlineRate] | None = None) -> pd.DataFrame:
    """One row per declared window: the headline r (robust where it can be fitted), doubling/halving
    time and Rt over the same window (Poisson-only and with serial-interval uncertainty), with
    intervals, or the reason why a number is not given."""
    heads = heads or headline_rates(series)
    rows = []
    for w in FIT_WINDOWS:
        h = heads[w.key]
        g = h.row
        row = {"city": city_label(w.city), "series": w.series, "phase": w.phase,
               "window": f"{w.start} to {w.end}", "days observed": g["n_days"], "cases": int(g["n_cases"]),
               "model": _MODEL_NAMES[h.headline],
               "r per day (95% CI)": _interval(g["r"], g["r_lower"], g["r_upper"]),
               "doubling / halving time, days (95% CI)": _time(g),
               "Rt, Poisson only (95% CrI)": "", "Rt, with SI uncertainty (95% CrI)": "",
               "note": "; ".join(x for x in (g["reason"], None if h.headline == "robust" else h.why) if x)}
        if g["reason"] is None and g["doubling_time"] is None:
            row["note"] = "; ".join(x for x in (row["note"], "interval of r includes 0: no doubling or halving time") if x)
        rt_text = ""
        if w.city in RT_REFUSED:
            rt_text = "Rt: " + RT_REFUSED[w.city]
        elif w.series != "confirmed":
            known = series[w.city].loc[w.start:w.end, w.series].notna().sum()
            rt_text = f"Rt: {w.series} known on {known} of {len(series[w.city].loc[w.start:w.end])} days, too many gaps to fill"
        else:
            si = SI_SCENARIOS[MAIN_SI[w.city]]
            try:
                rt = pooled_rt_uncertainty(series[w.city], w.start, w.end, si, growth_r_before(heads, w.city))
                few = "" if rt["reliable"] else " (fewer than 11 cases)"
                row["Rt, Poisson only (95% CrI)"] = fmt_estimate(rt["mean"], rt["lower"], rt["upper"]) + few
                row["Rt, with SI uncertainty (95% CrI)"] = fmt_estimate(rt["si_estimate"], rt["si_lower"], rt["si_upper"]) + few
                rt_text = "; ".join(x for x in (f"Rt with SI {si.name}, {rt['start_date']} to {rt['end_date']}"
                                                + (f", {rt['imputed_days']} imputed day(s)" if rt["imputed_days"] else ""),
                                                RT_CAVEATS.get(w.key, "")) if x)
            except EstimationError as exc:
                rt_text = f"Rt: {exc}"
        if not row["Rt, Poisson only (95% CrI)"]:
            row["Rt, Poisson only (95% CrI)"] = row["Rt, with SI uncertainty (95% CrI)"] = "not estimated"
        row["note"] = "; ".join(x for x in (row["note"], rt_text) if x)
        rows.append(row)
    return pd.DataFrame(rows)


def model_sensitivity_table(heads: dict[str, HeadlineRate]) -> pd.DataFrame:
    """Every declared window under each growth model (quasi-Poisson, NB2, robust AR(1)): r and
    doubling/halving time with the precision rule; the headline model marked."""
    rows = []
    for key, h in heads.items():
        for _, m in h.comparison.iterrows():
            rows.append({"window": key, "model": _MODEL_NAMES[m["model"]] + (" (headline)" if m["model"] == h.headline else ""),
                         "r per day (95% CI)": _interval(m["r"], m["r_lower"], m["r_upper"]),
                         "doubling / halving time, days (95% CI)": _time(m.to_dict()),
                         "detail": "" if m["reason"] is None else m["reason"]})
    return pd.DataFrame(rows)


def diagnostics_table(heads: dict[str, HeadlineRate]) -> pd.DataFrame:
    """Residual diagnostics per declared window: one column per check, a verdict in each cell
    (flagged checks start with "FLAG:")."""
    rows = []
    for key, h in heads.items():
        row = {"window": key}
        for _, d in h.diagnostics.iterrows():
            row[d["check"].replace("_", " ")] = ("FLAG: " if d["flagged"] is True else "") + d["verdict"]
        rows.append(row)
    return pd.DataFrame(rows)


def headline_lines(heads: dict[str, HeadlineRate]) -> list[str]:
    """One printed line per declared window: the headline r, doubling/halving time, model and flags."""
    out = []
    for key, h in heads.items():
        g = h.row
        text = "refused: " + g["reason"] if g["reason"] else _interval(g["r"], g["r_lower"], g["r_upper"])
        time = _time(g)
        out.append(f"{key} r = {text}" + (f" | {time} d" if time else "") + f" [{_MODEL_NAMES[h.headline]}]"
                   + (f" flags: {', '.join(h.flagged)}" if h.flagged else ""))
    return out


def rt_uncertainty_table(series: dict[str, pd.DataFrame], heads: dict[str, HeadlineRate] | None = None) -> pd.DataFrame:
    """Rt over each declared confirmed window that is estimated: Poisson-only posterior, the posterior
    mixed over serial-interval uncertainty, the estimate with the cases before the series back-projected
    at the city's growth rate, and the upward bias (without minus with back-projection)."""
    heads = heads or headline_rates(series)
    rows = []
    for w in FIT_WINDOWS:
        if w.city in RT_REFUSED or w.series != "confirmed":
            continue
        si, r_b = SI_SCENARIOS[MAIN_SI[w.city]], growth_r_before(heads, w.city)
        rt = pooled_rt_uncertainty(series[w.city], w.start, w.end, si, r_b)
        rows.append({"window": w.key, "SI": si.name,
                     "Rt, Poisson only": fmt_estimate(rt["mean"], rt["lower"], rt["upper"]),
                     "Rt, with SI uncertainty": fmt_estimate(rt["si_estimate"], rt["si_lower"], rt["si_upper"]),
                     "Rt, earlier cases back-projected": fmt_estimate(rt["bp_mean"], rt["bp_lower"], rt["bp_upper"]),
                     "upward bias": f"{rt['bias']:.2f}", "back-projected cases": f"{rt['n_before']:,.0f}",
                     "back-projection rate r": f"{r_b:.3f}", "caveat": RT_CAVEATS.get(w.key, "")})
    out = pd.DataFrame(rows)
    out.attrs["si_uncertainty"] = SI_UNCERTAINTY
    return out


def si_sensitivity(series: pd.DataFrame, city: str = "changchun") -> pd.DataFrame:
    """Rt over each declared confirmed-series window of ``city`` under every serial-interval scenario."""
    rows = []
    for w in FIT_WINDOWS:
        if w.city != city or w.series != "confirmed":
            continue
        g = growth_rate(series.index, series[w.series], w.start, w.end)
        for key, si in SI_SCENARIOS.items():
            rt = pooled_rt(series, w.start, w.end, si)
            try:
                wl = "" if g.r is None else _interval(*(r_to_R(v, si.mean, si.sd) for v in (g.r, g.r_lower, g.r_upper)))
            except ValueError as exc:
                wl = f"undefined ({exc})"
            rows.append({"window": f"{w.phase} ({w.start} to {w.end})", "serial interval": si.name,
                         "SI mean (d)": round(si.mean, 2), "SI sd (d)": round(si.sd, 2),
                         "Rt, Cori (95% CrI)": _interval(rt["mean"], rt["lower"], rt["upper"]),
                         "R from r, Wallinga-Lipsitch (95% CI)": wl})
    return pd.DataFrame(rows)


def rt_refusals(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Sliding-window Rt per city: estimated, or the reason it is refused.

    One row per city of ``series``, then one per city refused in :data:`~analysis.methods.rt.RT_REFUSED`
    that has no series.
    """
    rows = []
    for city in list(series) + [k for k in RT_REFUSED if k not in series]:
        if city in RT_REFUSED:
            rows.append({"city": city_label(city), "sliding 7-day Rt": "refused", "reason": RT_REFUSED[city]})
            continue
        si = SI_SCENARIOS[MAIN_SI[city]]
        try:
            rt = rt_by_report_date(series[city], si)
        except EstimationError as exc:
            caveat = RT_CAVEATS.get(f"{city}/confirmed/growth", "")
            rows.append({"city": city_label(city), "sliding 7-day Rt": "refused",
                         "reason": "; ".join(x for x in (str(exc), caveat and "the single pooled window: " + caveat) if x)})
            continue
        n_rel = int(rt["reliable"].sum())
        rows.append({"city": city_label(city), "sliding 7-day Rt": f"{len(rt)} windows",
                     "reason": f"{n_rel} reach 11 cases; {int((rt['imputed_days'] > 0).sum())} contain imputed days; "
                               f"{int((rt['artefact_days'] > 0).sum())} touch the mid-March artefact period"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Figures (plotly)

def fig_daily(series: dict[str, pd.DataFrame], points: pd.DataFrame):
    """Daily bars per city on a shared axis of days since day zero (one panel per city, own y scale).

    Stacked bars: new confirmed excluding conversions (where conversions are stated), new confirmed
    with conversions not stated, conversions, asymptomatic. Grey crosses mark days with no count.
    Yushu's and Dongxing's own report counts are diamonds. One panel per city of ``series``, then
    one per report of ``points`` without a series.
    """
    order = list(series) + [r for r in pd.unique(points["report"]) if r not in series]
    fig = make_subplots(rows=len(order), cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        subplot_titles=[city_label(c) for c in order])
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
    fig = go.Figure()
    cum = cases[cases["cum_confirmed"].notna()].sort_values("date")
    colours = report_colours()
    for city in series_cities(cases):
        c = cum[cum["city"] == city]
        if c.empty:
            continue
        day = (c["date"] - pd.Timestamp(DAY_ZERO[city].date)).dt.days
        window = c["flag"].fillna("").str.contains("window_not_0_24h")
        fig.add_trace(go.Scatter(x=day, y=c["cum_confirmed"], mode="lines+markers", name=city_label(city),
                                 line=dict(color=colours[city], shape="hv"),
                                 marker=dict(symbol=np.where(window, "circle-open", "circle"), size=7)))
    y61 = facts[(facts["fact_id"] == "yushu-003")]
    if len(y61):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(color=colours["yushu"]),
                                 name=f"{city_label('yushu')}: {int(y61['value'].iloc[0])} positives, undated"))
    fig.update_yaxes(type="log", title_text="cumulative confirmed (log scale)")
    fig.update_xaxes(title_text="days since day zero")
    fig.update_layout(height=420)
    return fig


def fig_growth(series: dict[str, pd.DataFrame], fits: dict[str, GrowthResult]):
    """Observed counts in each declared window with the fitted exponential and its 95 % band (log scale)."""
    wins = list(FIT_WINDOWS)
    colours = report_colours()
    titles = [f"{city_label(w.city)}: {w.series}, {w.phase}" for w in wins]
    fig = make_subplots(rows=math.ceil(len(wins) / 2), cols=2, subplot_titles=titles, vertical_spacing=0.09)
    for i, w in enumerate(wins):
        row, col = i // 2 + 1, i % 2 + 1
        s = series[w.city]
        span = s.loc[pd.Timestamp(w.start) - pd.Timedelta(days=3): pd.Timestamp(w.end) + pd.Timedelta(days=3)]
        inside = (span.index >= pd.Timestamp(w.start)) & (span.index <= pd.Timestamp(w.end))
        colour = colours[w.city]
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


