"""The provenance chapter's figure and reader tables (coverage, conflicts, outside sources, tracing, codebook)."""

from __future__ import annotations

from urllib.parse import urlparse

import pandas as pd
import plotly.graph_objects as go

from ..core import registry
from ..core.registry import bilingual
from ..methods.provenance import STATUSES, conflicts_table, status_counts, trace
from .links import LinkedTable, linked_columns
from .style import STATUS_COLOURS
from .tables import ReaderTable, reader_table


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


def report_name(key, data_dir=None) -> str:
    """``Changchun 长春`` for a report key; empty for a row of no report (a benchmark source)."""
    return registry.city_label(key, data_dir) if isinstance(key, str) and key else ""


def words(name) -> str:
    """A code name as words: ``secondary_contacts`` -> ``secondary contacts``."""
    return str(name).replace("_", " ") if isinstance(name, str) else ""


def status_table(facts: pd.DataFrame) -> ReaderTable:
    """:func:`status_counts` for readers: one row per report (bilingual), counts per status."""
    counts = status_counts(facts)
    frame = counts.reset_index(names="report")
    frame["report"] = [report_name(r) for r in frame["report"]]
    return reader_table(frame, columns={"total": "rows in all"})


def conflicts_display(table: pd.DataFrame, id_col: str, from_page: str = "book/provenance") -> LinkedTable:
    """:func:`conflicts_table` with each side's value and quote linked to its sentence (annotated sources).

    Headers in words (``value, first row``); the report bilingual; an event time as
    ``2022-10-28 10:00``; the metric or event type in words.
    """
    pairs = conflicts_table(table, id_col)
    shown = "value" if "value_a" in pairs.columns else "start"
    ids = {f"{col} ({side})": list(pairs[side]) for side, col in
           (("a", shown), ("a", "quote"), ("b", shown), ("b", "quote"))}
    values = pd.DataFrame({
        "report": [report_name(r) for r in pairs["report"]],
        "what": [words(w) for w in pairs["what"]],
        "row (a)": pairs["a"],
        f"{shown} (a)": [v.replace("T", " ") if isinstance(v, str) else v for v in pairs[f"{shown}_a"]],
        "quote (a)": pairs["quote_a"],
        "row (b)": pairs["b"],
        f"{shown} (b)": [v.replace("T", " ") if isinstance(v, str) else v for v in pairs[f"{shown}_b"]],
        "quote (b)": pairs["quote_b"],
    })
    return linked_columns(values, ids, from_page)


def supplementary_table(supplementary: pd.DataFrame) -> ReaderTable:
    """The outside sources (``supplementary.csv``): report, outlet, trust grade, verbatim quote (in
    quotation marks: a quote that ends with the curator's "..." must not read as a cut cell) and
    the web page, whose site name links to the URL ("no URL recorded" when there is none)."""
    urls = [u if isinstance(u, str) and u.startswith(("http://", "https://")) else None for u in supplementary["url"]]
    frame = pd.DataFrame({
        "source": supplementary["source_id"].values,
        "report": [report_name(r) for r in supplementary["report"]],
        "outlet": supplementary["outlet"].values,
        "trust grade": supplementary["trust"].values,
        "evidence": [words(s).lower() for s in supplementary["evidence_status"]],
        "quote": [f"“{q}”" for q in supplementary["quote"]],
        "web page": [urlparse(u).netloc if u else "no URL recorded" for u in urls],
    })
    links = pd.DataFrame({"web page": urls})
    return reader_table(frame, links=links, from_page="book/provenance")


def traced_table(fact_ids, facts: pd.DataFrame, supplementary: pd.DataFrame | None = None,
                 from_page: str = "book/provenance") -> ReaderTable:
    """:func:`trace` of each fact, one row each: the value with its unit, its status, and where it
    comes from (the quote between 【 】 inside its text, or the outside source and its trust grade).
    The fact id links to its sentence; an outside source links to its URL."""
    rows, links = [], []
    for fact_id in fact_ids:
        t = trace(fact_id, facts, supplementary)
        value = "" if pd.isna(t["value"]) else f"{t['value']:,.0f} {words(t['unit'])}".strip()
        if "in_context" in t:
            where = f"in the text, at character {t['offset']:,}: {t['in_context']}"
        else:
            where = f"outside source {t.get('source_id', '')} (trust {t.get('trust', '')}): {t['quote']}"
        rows.append({"fact": fact_id, "report": report_name(t["report"]), "metric": words(t["metric"]),
                     "value": value, "status": t["status"], "where it comes from": where})
        links.append({"fact": fact_id, "where it comes from": t.get("url") if isinstance(t.get("url"), str) else None})
    return reader_table(pd.DataFrame(rows), links=pd.DataFrame(links), from_page=from_page)


def codebook_table(codebook: pd.DataFrame) -> ReaderTable:
    """Every metric of ``facts.csv`` with its unit (in words) and definition; paged by the renderer."""
    frame = pd.DataFrame({"metric": codebook["metric"].values, "unit": [words(u) for u in codebook["unit"]],
                          "definition": codebook["definition"].values})
    return reader_table(frame, caption=f"{len(frame)} metrics")


def uncovered_table(numbers) -> ReaderTable:
    """``(offset, number)`` pairs of :func:`analysis.checks.coverage.uncovered_numbers` as a table."""
    frame = pd.DataFrame(list(numbers), columns=["character offset in the text", "number no row explains"])
    return reader_table(frame, formats={"character offset in the text": str})


def registry_table(data_dir=None) -> ReaderTable:
    """The reports the registry knows (in book order): key and bilingual city name."""
    keys = registry.report_keys(data_dir)
    return reader_table(pd.DataFrame({"report key": keys, "city": [report_name(k, data_dir) for k in keys]}))
