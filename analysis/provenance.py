"""From any number to the sentence behind it: coverage, conflicts and tracing.

Functions used by the "Data and provenance" chapter: how many quantities each report states,
how many were stripped, derived or restored from outside sources; which rows contradict each
other; and, for one fact, its quote shown inside the surrounding text.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import REPORT_KEYS
from . import sources as src
from .plotting import bilingual

STATUSES = ("reported", "derived", "stripped", "supplemented")
STATUS_COLOURS = {"reported": "#0072B2", "derived": "#56B4E9", "stripped": "#BBBBBB", "supplemented": "#E69F00"}


def status_counts(facts: pd.DataFrame) -> pd.DataFrame:
    """Rows per report and status (reports in book order, all four statuses as columns)."""
    counts = pd.crosstab(facts["report"], facts["status"])
    counts = counts.reindex(index=[r for r in REPORT_KEYS if r in counts.index], columns=list(STATUSES), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts


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


def conflicts_table(table: pd.DataFrame, id_col: str) -> pd.DataFrame:
    """One row per conflicting pair (each pair once), with both values or times and quotes."""
    by_id = table.set_index(id_col)
    pairs = []
    for own, targets in table[[id_col, "conflicts_with"]].dropna().itertuples(index=False):
        for other in str(targets).split(";"):
            a, b = sorted((own, other))
            if (a, b) not in pairs:
                pairs.append((a, b))
    shown = "value" if "value" in table.columns else "start"
    rows = []
    for a, b in pairs:
        ra, rb = by_id.loc[a], by_id.loc[b]
        rows.append({
            "report": ra["report"], "a": a, f"{shown}_a": ra[shown], "quote_a": ra["quote"],
            "b": b, f"{shown}_b": rb[shown], "quote_b": rb["quote"],
            "what": ra.get("metric", ra.get("event_type")),
        })
    return pd.DataFrame(rows)


def trace(fact_id: str, facts: pd.DataFrame, supplementary: pd.DataFrame | None = None,
          context: int = 30, data_dir=None) -> dict:
    """Where a fact comes from: its quote inside the text around it, or its outside source."""
    row = facts.set_index("fact_id").loc[fact_id]
    out = {"fact_id": fact_id, "report": row["report"], "metric": row["metric"], "value": row["value"],
           "unit": row["unit"], "status": row["status"], "quote": row["quote"]}
    if row["status"] == "supplemented":
        if supplementary is not None:
            s = supplementary.set_index("source_id").loc[row["source_id"]]
            out.update(source_id=row["source_id"], url=s["url"], trust=s["trust"])
        return out
    text = src.normalised_text(row["report"], data_dir)
    i = text.find(row["quote"])
    out["offset"] = i
    out["in_context"] = (text[max(0, i - context):i] + "【" + row["quote"] + "】"
                         + text[i + len(row["quote"]):i + len(row["quote"]) + context]).replace("\n", " ")
    return out


def conflicts_display(table: pd.DataFrame, id_col: str, from_page: str = "book/provenance"):
    """:func:`conflicts_table` with each side's value and quote linked to its sentence (annotated sources)."""
    from .synthesis import linked_columns

    pairs = conflicts_table(table, id_col)
    sides = {col: list(pairs[side]) for side in ("a", "b") for col in pairs.columns if col.endswith(f"_{side}")}
    return linked_columns(pairs, sides, from_page)
