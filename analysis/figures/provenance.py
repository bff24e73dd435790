"""The provenance chapter's figure and linked tables."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..core.registry import bilingual
from ..methods.provenance import STATUSES, conflicts_table, status_counts
from .links import LinkedTable, linked_columns
from .style import STATUS_COLOURS


def status_figure(facts: pd.DataFrame, sources: pd.DataFrame) -> go.Figure:
    """Stacked bars: how each report's quantities reach the book."""
    counts = status_counts(facts)
    names = {r.report: bilingual(r.city_en, r.city_zh) for r in sources.itertuples()}
    fig = go.Figure()
    for status in STATUSES:
        fig.add_trace(go.Bar(
            y=[names[r] for r in counts.index], x=counts[status], name=status, orientation="h",
            marker_color=STATUS_COLOURS[status],
            hovertemplate="%{y}: %{x} " + status + "<extra></extra>",
        ))
    fig.update_layout(barmode="stack", title="Quantities per report, by how they reach the book",
                      xaxis_title="rows in data/facts.csv", yaxis=dict(autorange="reversed"), height=340,
                      legend=dict(orientation="h", y=-0.25))
    return fig


def conflicts_display(table: pd.DataFrame, id_col: str, from_page: str = "book/provenance") -> LinkedTable:
    """:func:`conflicts_table` with each side's value and quote linked to its sentence (annotated sources)."""
    pairs = conflicts_table(table, id_col)
    sides = {col: list(pairs[side]) for side in ("a", "b") for col in pairs.columns if col.endswith(f"_{side}")}
    return linked_columns(pairs, sides, from_page)
