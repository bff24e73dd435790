"""Pooled testing as the chapter shows it: the figure of expected tests per person against
prevalence, one curve per pool size and assumed assay, and the reader tables and sentence.

The arithmetic (Dorfman two-stage pooling, break-even and crossover prevalences, the imperfect
assay) is in :mod:`analysis.methods.pooling`.  Every table names the sensitivity and specificity
it assumes in a column or its caption; assumed parameters are printed as they were set, pooling
numbers (arithmetic on assumptions, no interval) with at most three significant digits, and the
observed yield a row starts from with the digits its interval supports (:func:`yield_texts`).
Pool sizes are series, not cities: their colours are :data:`analysis.figures.style.SERIES_COLOURS`.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown

from ..methods.pooling import (
    PER_10K, SourcedNumber, break_even_prevalence, crossover_prevalence, dorfman_tests_per_person, optimal_pool_size,
)
from .fmt import fmt_number, fmt_rate, interval_decimals
from .style import SERIES_COLOURS, figure_table
from .tables import ReaderTable, reader_table


def fmt_cell(v) -> str:
    """One number of a pooling table: at most three significant digits (:func:`fmt_rate`), "" if missing."""
    if v is None or pd.isna(v):
        return ""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return str(v)
    if isinstance(v, (int, np.integer)) or float(v).is_integer() and abs(v) >= 1:
        return f"{int(v):,}"
    return fmt_rate(float(f"{float(v):.3g}"))  # round first: 0.99955 is 1.00, not 1.000


def fmt_assumed(v) -> str:
    """An assumed parameter as it was set (``0.95``, ``0.999``, ``1``), "" if missing."""
    if v is None or pd.isna(v):
        return ""
    return f"{float(v):g}"


def pooling_display(table: pd.DataFrame) -> pd.DataFrame:
    """A numeric pooling table (:mod:`analysis.methods.pooling`) as the chapter prints it: every number
    with at most three significant digits, the assumed sensitivity and specificity kept as columns
    (written as they were set: ``0.95``, ``0.999``)."""
    assumed = [c for c in table.columns if "(assumed)" in c]
    if not assumed:
        raise ValueError("a pooling table must say which sensitivity and specificity it assumes")
    if not len(table):
        return table.astype(str)
    return pd.DataFrame({c: table[c].map(fmt_assumed if c in assumed else fmt_cell) for c in table.columns})


def yield_texts(marks: pd.DataFrame) -> dict[str, str]:
    """The observed yield per 10,000 of each mark (by ``label`` and by ``city``), printed with the
    digits its interval supports (:func:`~analysis.figures.fmt.interval_decimals`): ``0.29``, ``1.9``."""
    out = {}
    for _, m in marks.iterrows():
        d = interval_decimals(PER_10K * m["lower"], PER_10K * m["upper"])
        out[m["label"]] = out[m["city"]] = fmt_number(PER_10K * m["prevalence"], d)
    return out


def _missed_text(missed: float, label: str, se: float, marks: pd.DataFrame) -> str:
    """Missed per 10,000: the yield times (1 - Se), its digits from the yield's interval times (1 - Se)."""
    if missed == 0:
        return "0"
    row = marks[marks["label"] == label]
    if row.empty:  # a threshold, not an estimate
        return fmt_cell(missed)
    width = PER_10K * (row["upper"].iloc[0] - row["lower"].iloc[0]) * (1 - se)
    return fmt_number(missed, interval_decimals(0, width))


def break_even_reader(table: pd.DataFrame, reported_sizes, report: str = "Changchun 长春") -> ReaderTable:
    """:func:`analysis.methods.pooling.break_even_table` for readers, its assumptions in columns and
    the caption (which pool sizes the report states)."""
    shown = pooling_display(table)
    sizes = " and ".join(f"{k}-in-1" for k in reported_sizes)
    sps = sorted(set(table["specificity (assumed)"]))
    return reader_table(shown, columns={"pool size": "pool size (specimens per tube)"},
                        caption=f"Break-even prevalence by pool size: {sizes} are the pools {report} states; "
                                f"specificity {', '.join(fmt_assumed(v) for v in sps)} (assumed)")


def scenarios_reader(table: pd.DataFrame, marks: pd.DataFrame) -> ReaderTable:
    """:func:`analysis.methods.pooling.pooling_scenarios` for readers: one row per assumed pool
    sensitivity and prevalence, the assay in the first two columns; the yield used printed with the
    digits its interval supports, the missed infections likewise; tests per person with three
    significant digits."""
    if not {"pool sensitivity (assumed)", "specificity (assumed)"} <= set(table.columns):
        raise ValueError("a pooling table must say which sensitivity and specificity it assumes")
    shown = pooling_display(table)
    texts = yield_texts(marks)
    shown["per 10,000"] = [texts.get(lab, fmt_cell(v)) for lab, v in zip(table["prevalence"], table["per 10,000"])]
    shown["missed per 10,000 screened"] = [
        _missed_text(m, lab, se, marks) for m, lab, se in
        zip(table["missed per 10,000 screened"], table["prevalence"], table["pool sensitivity (assumed)"])]
    return reader_table(shown, columns={"prevalence": "prevalence: observed yield (unit) or threshold",
                                        "per 10,000": "prevalence per 10,000"})


def imperfect_assay_reader(table: pd.DataFrame, value: str, marks: pd.DataFrame, caption: str = "") -> ReaderTable:
    """:func:`imperfect_assay_display` for readers: a row per assumed assay, a column per observed
    yield (headed with the city and the yield per 10,000 used); the caption names the value and the
    assumed sensitivity of an individual test."""
    grid = imperfect_assay_display(table, value).reset_index()
    texts = yield_texts(marks)
    cities = [c for c in grid.columns if c in texts]
    individual = sorted(set(table["individual sensitivity (assumed)"]))
    rename = {c: f"{c} ({texts[c]} per 10,000)" for c in cities}
    rename["pool sensitivity"] = "pool sensitivity (from the assumed dilution)"
    shown = caption or value
    return reader_table(grid, columns=rename,
                        caption=f"{shown}; individual-test sensitivity {', '.join(fmt_assumed(v) for v in individual)} "
                                f"(assumed)")


def guidance_text(small: int, large: int, nhc: SourcedNumber, max_size: int = 50) -> Markdown:
    """Changchun's two pool sizes against each other and the national guidance, as a sentence: the
    crossover prevalence, the NHC threshold with its source, and the cheapest pool size at that
    threshold, all for a perfect assay (said in the sentence)."""
    cross = crossover_prevalence(small, large)
    where = f"`{nhc.source}`, trust {nhc.trust}" + ("" if nhc.url else ", no URL recorded")
    first = (f"With a perfect assay (sensitivity 1 and specificity 1, assumed), {small}-in-1 pools need fewer "
             f"tests than {large}-in-1 pools above a prevalence of {100 * cross:.2g} %"
             if cross is not None else
             f"With a perfect assay (sensitivity 1 and specificity 1, assumed), {large}-in-1 pools never need "
             f"more tests than {small}-in-1 pools")
    best = optimal_pool_size(nhc.value, max_size)
    return Markdown(f"{first}. The national guidance ({where}) says pooling suits overall positivity below "
                    f"{100 * nhc.value:g} % (「{nhc.quote}」); at that prevalence, with the same perfect assay, the "
                    f"cheapest pool size from 1 to {max_size} is {best}.")


def assay_dash(se: float, sp: float) -> str:
    """The line style of an assumed assay: solid for the perfect one, dashed for a lower pool
    sensitivity, dotted for a lower specificity, dash-dotted for both."""
    return {(False, False): "solid", (True, False): "dash", (False, True): "dot", (True, True): "dashdot"}[(se < 1, sp < 1)]


def _assay(se: float, sp: float) -> str:
    return f"Se {se:g}, Sp {sp:g}"


def fig_pooling(pool_sizes: Sequence[int], marks: pd.DataFrame | None = None,
                threshold: float | None = None, pool_sensitivities: Sequence[float] = (1.0, 0.90),
                prevalence_range: tuple[float, float] = (1e-6, 0.5), specificities: Sequence[float] = (1.0,)):
    """Expected tests per person against prevalence (log axis) for each of ``pool_sizes``.

    The sizes are the caller's (the chapter's come from the facts:
    :func:`analysis.methods.pooling.pool_sizes_from_facts`); each size has a series colour.

    One curve per pool size, pool sensitivity and specificity (all assumed; each curve's name
    says which, e.g. ``10-in-1, Se 0.9, Sp 0.99 (assumed)``; the legend keys colour to pool
    size and line style to assay, :func:`assay_dash`).  Solid lines: perfect assay
    (sensitivity 1, specificity 1); dashed: a lower pool sensitivity; dotted: a lower specificity;
    dash-dotted: both.  The horizontal line
    is individual testing (1 test per person), crosses mark the break-even prevalences, diamonds
    the prevalence above which the next smaller pool size needs fewer tests,
    ``threshold`` (the NHC guidance) is a vertical line and ``marks`` (columns ``label``,
    ``prevalence``) are drawn as ticks along the bottom: the observed yields.
    """
    if len(pool_sizes) == 0:
        raise ValueError("fig_pooling needs the pool sizes to draw (e.g. pool_sizes_from_facts)")
    p = np.logspace(math.log10(prevalence_range[0]), math.log10(prevalence_range[1]), 241)
    fig = go.Figure()
    assays = [(se, sp) for sp in specificities for se in pool_sensitivities]
    for i, k in enumerate(pool_sizes):
        c = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        # the legend keys colour to pool size (clicking it toggles that size's curves) ...
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=c, width=3),
                                 name=f"{k}-in-1 pools", legendgroup=f"{k}-in-1", hoverinfo="skip"))
        for se, sp in assays:
            perfect = se == 1 and sp == 1
            fig.add_trace(go.Scatter(
                x=p, y=dorfman_tests_per_person(p, k, se, sp), mode="lines",
                line=dict(color=c, width=2, dash=assay_dash(se, sp)), legendgroup=f"{k}-in-1", showlegend=False,
                name=f"{k}-in-1" + (" (perfect assay)" if perfect else f", {_assay(se, sp)} (assumed)"),
                hovertemplate=f"{k}-in-1, {_assay(se, sp)}<br>p = %{{x:.2g}}<br>%{{y:.3g}} tests per person<extra></extra>"))
    # ... and line style to the assumed assay
    for se, sp in assays:
        perfect = se == 1 and sp == 1
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color="#666", width=2, dash=assay_dash(se, sp)),
                                 name="perfect assay (Se 1, Sp 1)" if perfect else f"{_assay(se, sp)} (assumed)",
                                 hoverinfo="skip"))
    be = [(k, break_even_prevalence(k)) for k in pool_sizes]
    fig.add_trace(go.Scatter(x=[b for _, b in be], y=[1.0] * len(be), mode="markers",
                             marker=dict(symbol="x", size=10, color="#222"), name="break-even (perfect assay)",
                             text=[f"{k}-in-1" for k, _ in be],
                             hovertemplate="%{text}: break-even p = %{x:.3g}<extra></extra>"))
    pairs = [(a, b) for a, b in zip(pool_sizes, pool_sizes[1:])]
    cross = [(a, b, crossover_prevalence(a, b)) for a, b in pairs]
    cross = [(a, b, c) for a, b, c in cross if c is not None]
    if cross:
        fig.add_trace(go.Scatter(x=[c for *_, c in cross], y=[dorfman_tests_per_person(c, a) for a, _, c in cross],
                                 mode="markers", marker=dict(symbol="diamond", size=10, color="#222"),
                                 name="crossover: the smaller pool becomes cheaper",
                                 text=[f"{a}-in-1 vs {b}-in-1" for a, b, _ in cross],
                                 hovertemplate="%{text}: p = %{x:.3g}<extra></extra>"))
    fig.add_hline(y=1.0, line=dict(color="#888", width=1), annotation_text="individual testing",
                  annotation_position="top left")
    if threshold is not None:
        fig.add_trace(go.Scatter(x=[threshold, threshold], y=[0, 1.25], mode="lines",
                                 line=dict(color="#555", dash="longdash", width=1), name=f"NHC guidance: pooling suits p < {100 * threshold:g} %",
                                 hoverinfo="skip"))
    if marks is not None and not marks.empty:
        fig.add_trace(go.Scatter(x=marks["prevalence"], y=[0.02] * len(marks), mode="markers",
                                 marker=dict(symbol="line-ns-open", size=16, color="#222", line=dict(width=2)),
                                 text=marks["label"], name="observed yields (as prevalence)",
                                 hovertemplate="%{text}<br>%{x:.2g}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="prevalence p (log scale)",
                     exponentformat="power")
    fig.update_yaxes(title_text="expected tests per person", range=[0, 1.25])
    # the legend below the plot, so that on a phone the plot keeps the screen's width
    fig.update_layout(height=620, legend=dict(orientation="h", x=0, xanchor="left", y=-0.32, yanchor="top"),
                      margin=dict(l=60, r=20, t=80),
                      title=dict(text="Dorfman pooling: expected tests per person<br><sup>Se = pool sensitivity, "
                                      "Sp = specificity,<br>both assumed (not sourced)</sup>",
                                 font=dict(size=13)))
    return fig


def figure_data(fig) -> pd.DataFrame:
    """The CSV behind :func:`fig_pooling`: every plotted point (:func:`~analysis.figures.style.figure_table`)
    without the legend keys, which have no points."""
    table = figure_table(fig)
    return table[table["x"].notna() | table["y"].notna()].reset_index(drop=True)


def imperfect_assay_display(table: pd.DataFrame, value: str = "tests per person") -> pd.DataFrame:
    """One column of :func:`analysis.methods.pooling.imperfect_assay_table` (``value``) as a grid:
    a row per assumed assay (specificity, dilution loss, pool size and the pool sensitivity it
    gives), a column per prevalence, numbers with at most three significant digits."""
    keys = ["specificity (assumed)", "dilution loss per doubling (assumed)", "pool size", "pool sensitivity"]
    if value not in table.columns or not set(keys) <= set(table.columns):
        raise ValueError(f"need the columns {keys + [value]} of imperfect_assay_table")
    order = list(dict.fromkeys(table["prevalence"]))
    grid = table.pivot_table(index=keys, columns="prevalence", values=value, sort=False)[order]
    grid = grid.reset_index()
    grid.columns.name = None
    return pooling_display(grid).set_index(keys[:3])
