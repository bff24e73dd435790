"""The reports at a glance: an overview table and a timeline of the periods they cover."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..core.registry import bilingual, report_colours
from ..methods.reports import period_days, report_profiles
from .tables import ReaderTable, reader_table

OVERVIEW_COLUMNS = {
    "city": "City",
    "province": "Province",
    "period": "Period covered",
    "days": "Days",
    "published": "Published",
    "document_kind": "Kind of document",
    "script": "Script",
    "defects": "Known defects",
}


def overview_frame(sources: pd.DataFrame) -> pd.DataFrame:
    """One row per report, with bilingual names and readable periods, indexed by report key."""
    out = pd.DataFrame(index=sources["report"].values)
    out.index.name = "report"
    out["city"] = [bilingual(e, z) for e, z in zip(sources["city_en"], sources["city_zh"])]
    out["province"] = [bilingual(e, z) for e, z in zip(sources["province_en"], sources["province_zh"])]
    out["period"] = [f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in zip(sources["period_start"], sources["period_end"])]
    out["days"] = period_days(sources).values
    out["published"] = sources["published"].fillna("not stated").str.replace("T", " ").values
    for col in ("document_kind", "script", "defects"):
        out[col] = sources[col].values
    return out.rename(columns=OVERVIEW_COLUMNS)


def overview_table(sources: pd.DataFrame) -> ReaderTable:
    """:func:`overview_frame` as the book's reader table (the city names the rows)."""
    return reader_table(overview_frame(sources).reset_index(drop=True))


def profiles_table(sources: pd.DataFrame, facts: pd.DataFrame, events: pd.DataFrame) -> ReaderTable:
    """:func:`analysis.methods.reports.report_profiles` for readers: one row per measure, one
    column per report headed by its bilingual city name (the periods are in :func:`overview_table`)."""
    profiles = report_profiles(sources, facts, events)
    frame = profiles.drop(index=["city", "period"])
    frame.columns = list(profiles.loc["city"])
    return reader_table(frame.reset_index(names="what the report gives"))


def checksum_table(sources: pd.DataFrame) -> ReaderTable:
    """Each report's text file in ``data/sources/`` and its SHA-256, as recorded in ``sources.csv``."""
    frame = pd.DataFrame({
        "report": [bilingual(e, z) for e, z in zip(sources["city_en"], sources["city_zh"])],
        "file in data/sources/": sources["source_file"].values,
        "SHA-256": sources["sha256"].values,
    })
    return reader_table(frame)


def outbreak_timeline(sources: pd.DataFrame) -> go.Figure:
    """Horizontal bars: the period each report covers, on a shared calendar axis.

    A period is drawn from the start of its first day to the end of its last day, so a
    one-day period still shows as a bar.
    """
    colours = report_colours()
    fig = go.Figure()
    ordered = sources.sort_values("period_start")
    for row in ordered.itertuples(index=False):
        start = row.period_start
        end = row.period_end + pd.Timedelta(days=1)
        label = bilingual(row.city_en, row.city_zh)
        days = (row.period_end - row.period_start).days + 1
        fig.add_trace(go.Bar(
            x=[(end - start).total_seconds() * 1000],
            base=[start.isoformat()],
            y=[label],
            orientation="h",
            name=label,
            marker_color=colours[row.report],
            hovertemplate=(f"{label}<br>{row.period_start:%Y-%m-%d} to {row.period_end:%Y-%m-%d}"
                           f" ({days} days)<extra></extra>"),
            showlegend=False,
        ))
        # A marker at the start keeps week-long periods visible on a multi-year axis.
        fig.add_trace(go.Scatter(
            x=[start.isoformat()], y=[label], mode="markers",
            marker=dict(symbol="diamond", size=11, color=colours[row.report]),
            hoverinfo="skip", showlegend=False,
        ))
    fig.update_layout(
        title="Periods covered by the five reports",
        xaxis=dict(type="date", title="Date"),
        yaxis=dict(title="", autorange="reversed"),
        height=320,
        bargap=0.35,
    )
    return fig
