"""Case curves on the page, figures: daily and cumulative counts, growth fits (the headline
autocorrelation-robust model, quasi-Poisson as a comparison), the window-sensitivity heat map and Rt.

The numbers come from :mod:`analysis.methods.curves` (series, growth rates, fitted trends) and
:mod:`analysis.methods.rt` (serial intervals, Rt); city names and colours from the report registry.
Estimates printed in labels follow the book's precision rule (:mod:`analysis.figures.fmt`). The
chapter's tables are in :mod:`analysis.figures.curves_tables`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.registry import city_label, report_colours
from ..methods.curves import DAY_ZERO, FIT_WINDOWS, HeadlineRate, fitted_trend, series_cities
from ..methods.growth_models import MODEL_LABELS
from ..methods.rt import SI_SCENARIOS
from .fmt import fmt_estimate, fmt_number, interval_decimals
from .links import link_points

#: Colours of the components of a daily bar (not cities: one series each).
_COMPONENT_COLOURS = {"confirmed": "#D55E00", "confirmed_unsplit": "#E69F00", "conversions": "#0072B2",
                      "asymptomatic": "#56B4E9", "missing": "#777777"}


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


def fig_growth(series: dict[str, pd.DataFrame], heads: dict[str, HeadlineRate]):
    """Observed counts in each declared window with the headline model's fitted trend and its 95 %
    pointwise band (the robust AR(1) model; quasi-Poisson where the window is too short for it), the
    quasi-Poisson fit as a dashed comparison, log scale. Each panel's title gives the headline r."""
    wins = list(FIT_WINDOWS)
    colours = report_colours()
    titles = []
    for w in wins:
        g, label = heads[w.key].row, MODEL_LABELS[heads[w.key].headline]
        rate = "not fitted" if g["r"] is None else f"r {fmt_estimate(g['r'], g['r_lower'], g['r_upper'])} per day"
        titles.append(f"{city_label(w.city)}: {w.series}, {w.phase}<br><span style='font-size:12px'>{rate}, {label}</span>")
    fig = make_subplots(rows=math.ceil(len(wins) / 2), cols=2, subplot_titles=titles, vertical_spacing=0.1)
    shown = set()

    def add(trace, key, row, col):
        trace.showlegend, trace.legendgroup = key not in shown, key
        shown.add(key)
        fig.add_trace(trace, row=row, col=col)

    for i, w in enumerate(wins):
        row, col = i // 2 + 1, i % 2 + 1
        s = series[w.city]
        span = s.loc[pd.Timestamp(w.start) - pd.Timedelta(days=3): pd.Timestamp(w.end) + pd.Timedelta(days=3)]
        inside = (span.index >= pd.Timestamp(w.start)) & (span.index <= pd.Timestamp(w.end))
        colour = colours[w.city]
        headline = heads[w.key].headline
        trend = fitted_trend(s.index, s[w.series], w.start, w.end, model=headline)
        if len(trend):
            # a lower limit at or below 0 cannot be drawn on a log axis: the band is cut at the panel's floor
            # (half its smallest count or fitted value)
            positive = pd.concat([span[w.series].astype(float), trend["fit"]]).where(lambda v: v > 0).dropna()
            floor = 0.5 * float(positive.min())
            lower = trend["lower"].fillna(floor).clip(lower=floor)
            x = list(trend["date"]) + list(trend["date"][::-1])
            add(go.Scatter(x=x, y=list(trend["upper"]) + list(lower[::-1]), fill="toself", mode="lines",
                           fillcolor="rgba(34,34,34,0.15)", line=dict(width=0), hoverinfo="skip",
                           name="95 % interval of the headline trend"), "band", row, col)
            add(go.Scatter(x=trend["date"], y=trend["fit"], mode="lines", line=dict(color="#222", width=2),
                           name="headline trend: robust AR(1) (quasi-Poisson where marked)"), "fit", row, col)
        if headline != "quasi_poisson":
            qp = fitted_trend(s.index, s[w.series], w.start, w.end, model="quasi_poisson")
            if len(qp):
                add(go.Scatter(x=qp["date"], y=qp["fit"], mode="lines", line=dict(color="#0072B2", dash="dash", width=1.5),
                               name="quasi-Poisson fit (comparison)"), "qp", row, col)
        add(go.Scatter(x=span.index, y=span[w.series].where(inside), mode="markers", name="count in the window",
                       marker=dict(color=colour, size=6)), "in", row, col)
        add(go.Scatter(x=span.index, y=span[w.series].where(~inside), mode="markers",
                       name="count in the three days either side", marker=dict(color=colour, size=6, symbol="circle-open")),
            "out", row, col)
        fig.update_yaxes(type="log", row=row, col=col)
    fig.update_layout(height=280 * math.ceil(len(wins) / 2) + 60, margin=dict(t=70),
                      legend=dict(orientation="h", y=-0.04))
    return fig


def sensitivity_cells(sens: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(r, cell text, hover text) of a window-sensitivity frame, end shift by start shift. Cells the
    model cannot fit hold NaN in r and "" in the texts; r's digits follow its interval (precision rule)."""
    text = [("" if pd.isna(r) else fmt_number(r, interval_decimals(lo, hi))) for r, lo, hi in
            zip(sens["r"], sens["r_lower"], sens["r_upper"])]
    hover = [f"{st} to {en}: r {fmt_estimate(r, lo, hi)} per day" if not pd.isna(r) else f"{st} to {en}: {why}"
             for st, en, r, lo, hi, why in zip(sens["start"], sens["end"], sens["r"], sens["r_lower"], sens["r_upper"],
                                               sens["reason"])]
    frame = sens.assign(text=text, hover=hover, r=pd.to_numeric(sens["r"], errors="coerce"))
    piv = {c: frame.pivot(index="end_shift", columns="start_shift", values=c) for c in ("r", "text", "hover")}
    return piv["r"], piv["text"].fillna(""), piv["hover"].fillna("")


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
    """The headline (robust AR(1)) r for windows whose start and end are moved by -3..+3 days, one
    heat map per declared window; cells the model cannot fit (fewer than 8 observed days) are empty."""
    keys = list(sens)
    titles = []
    for k in keys:
        w = next(w for w in FIT_WINDOWS if w.key == k)
        titles.append(f"{city_label(w.city)}: {w.series}, {w.phase}")
    fig = make_subplots(rows=1, cols=len(keys), subplot_titles=titles, horizontal_spacing=0.12)
    for i, k in enumerate(keys, start=1):
        r, text, hover = sensitivity_cells(sens[k])
        fig.add_trace(go.Heatmap(z=r.to_numpy(dtype=float), x=list(r.columns), y=list(r.index), coloraxis="coloraxis",
                                 text=text.to_numpy(), texttemplate="%{text}", customdata=hover.to_numpy(),
                                 hovertemplate="%{customdata}<extra></extra>", name=k), row=1, col=i)
        fig.update_xaxes(title_text="start shift (days)", row=1, col=i)
        fig.update_yaxes(title_text="end shift (days)", row=1, col=i)
    fig.update_layout(height=400, coloraxis=dict(colorscale="RdBu_r", cmid=0,
                                                 colorbar=dict(title="r per day<br>(robust AR(1))")))
    return fig
