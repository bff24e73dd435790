"""From any number to the sentence behind it: coverage, conflicts and tracing.

Used by the "Data and provenance" chapter: how many quantities each report states, how many were
stripped, derived or restored from outside sources; which rows contradict each other; and, for
one fact, its quote shown inside the surrounding text.
"""

from __future__ import annotations

import pandas as pd

from ..core import registry
from ..core.texts import normalised_text

STATUSES = ("reported", "derived", "stripped", "supplemented")


def status_counts(facts: pd.DataFrame) -> pd.DataFrame:
    """Rows per report and status (reports in book order, all four statuses as columns)."""
    counts = pd.crosstab(facts["report"], facts["status"])
    counts = counts.reindex(index=[r for r in registry.report_keys() if r in counts.index], columns=list(STATUSES), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts


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
    text = normalised_text(row["report"], data_dir)
    i = text.find(row["quote"])
    out["offset"] = i
    out["in_context"] = (text[max(0, i - context):i] + "【" + row["quote"] + "】"
                         + text[i + len(row["quote"]):i + len(row["quote"]) + context]).replace("\n", " ")
    return out
