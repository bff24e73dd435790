"""The pooled-testing figure: expected tests per person against prevalence, one curve per pool size.

The arithmetic (Dorfman two-stage pooling, break-even and crossover prevalences) is in
:mod:`analysis.methods.pooling`.  Pool sizes are series, not cities: their colours are
:data:`analysis.figures.style.SERIES_COLOURS`.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..methods.pooling import break_even_prevalence, crossover_prevalence, dorfman_tests_per_person
from .fmt import fmt_rate
from .style import SERIES_COLOURS


def fmt_cell(v) -> str:
    """One number of a pooling table: at most three significant digits (:func:`fmt_rate`), "" if missing."""
    if v is None or pd.isna(v):
        return ""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return str(v)
    if isinstance(v, (int, np.integer)) or float(v).is_integer() and abs(v) >= 1:
        return f"{int(v):,}"
    return fmt_rate(float(f"{float(v):.3g}"))  # round first: 0.99955 is 1.00, not 1.000


def pooling_display(table: pd.DataFrame) -> pd.DataFrame:
    """A numeric pooling table (:mod:`analysis.methods.pooling`) as the chapter prints it: every number
    with at most three significant digits, the assumed sensitivity and specificity kept as columns."""
    assumed = [c for c in table.columns if "(assumed)" in c]
    if not assumed:
        raise ValueError("a pooling table must say which sensitivity and specificity it assumes")
    return table.apply(lambda col: col.map(fmt_cell)) if len(table) else table.astype(str)


def _assay(se: float, sp: float) -> str:
    return f"Se {se:g}, Sp {sp:g}"


def fig_pooling(pool_sizes: Sequence[int], marks: pd.DataFrame | None = None,
                threshold: float | None = None, pool_sensitivities: Sequence[float] = (1.0, 0.90),
                prevalence_range: tuple[float, float] = (1e-6, 0.5), specificities: Sequence[float] = (1.0,)):
    """Expected tests per person against prevalence (log axis) for each of ``pool_sizes``.

    The sizes are the caller's (the chapter's come from the facts:
    :func:`analysis.methods.pooling.pool_sizes_from_facts`); each size has a series colour.

    One curve per pool size, pool sensitivity and specificity (all assumed; each curve's name
    says which, e.g. ``10-in-1, Se 0.9, Sp 0.99 (assumed)``).  Solid lines: perfect assay
    (sensitivity 1, specificity 1); dashed: a lower pool sensitivity; dotted: a lower specificity.
    The horizontal line
    is individual testing (1 test per person), crosses mark the break-even prevalences, diamonds
    the prevalence above which the next smaller pool size needs fewer tests,
    ``threshold`` (the NHC guidance) is a vertical line and ``marks`` (columns ``label``,
    ``prevalence``) are drawn as ticks along the bottom: the observed yields.
    """
    if len(pool_sizes) == 0:
        raise ValueError("fig_pooling needs the pool sizes to draw (e.g. pool_sizes_from_facts)")
    p = np.logspace(math.log10(prevalence_range[0]), math.log10(prevalence_range[1]), 241)
    fig = go.Figure()
    for i, k in enumerate(pool_sizes):
        c = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        for sp in specificities:
            for se in pool_sensitivities:
                perfect = se == 1 and sp == 1
                fig.add_trace(go.Scatter(
                    x=p, y=dorfman_tests_per_person(p, k, se, sp), mode="lines",
                    line=dict(color=c, width=2, dash="solid" if perfect else "dot" if sp < 1 else "dash"),
                    name=f"{k}-in-1" + (" (perfect assay)" if perfect else f", {_assay(se, sp)} (assumed)"),
                    hovertemplate=f"{k}-in-1, {_assay(se, sp)}<br>p = %{{x:.2g}}<br>%{{y:.3g}} tests per person<extra></extra>"))
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
                                 line=dict(color="#555", dash="dot"), name=f"NHC guidance: pooling suits p < {100 * threshold:g} %",
                                 hoverinfo="skip"))
    if marks is not None and not marks.empty:
        fig.add_trace(go.Scatter(x=marks["prevalence"], y=[0.02] * len(marks), mode="markers",
                                 marker=dict(symbol="line-ns-open", size=16, color="#222", line=dict(width=2)),
                                 text=marks["label"], name="observed yields (as prevalence)",
                                 hovertemplate="%{text}<br>%{x:.2g}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="prevalence among specimens tested, p (log scale)",
                     exponentformat="power")
    fig.update_yaxes(title_text="expected tests per person", range=[0, 1.25])
    fig.update_layout(height=480, legend=dict(orientation="v", x=1.02, y=1),
                      title=dict(text="Dorfman pooling; Se = pool sensitivity, Sp = specificity (assumed, not sourced); "
                                      "markers: perfect assay", font=dict(size=13)))
    return fig


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
