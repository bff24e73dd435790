"""The five reports at a glance: an overview table and a timeline of the periods they cover."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .plotting import REPORT_COLOURS, bilingual

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


def period_days(sources: pd.DataFrame) -> pd.Series:
    """Length of each report's period in days, both ends included."""
    return (sources["period_end"] - sources["period_start"]).dt.days + 1


def overview_table(sources: pd.DataFrame) -> pd.DataFrame:
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


def outbreak_timeline(sources: pd.DataFrame) -> go.Figure:
    """Horizontal bars: the period each report covers, on a shared calendar axis.

    A period is drawn from the start of its first day to the end of its last day, so a
    one-day period still shows as a bar.
    """
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
            marker_color=REPORT_COLOURS[row.report],
            hovertemplate=(f"{label}<br>{row.period_start:%Y-%m-%d} to {row.period_end:%Y-%m-%d}"
                           f" ({days} days)<extra></extra>"),
            showlegend=False,
        ))
        # A marker at the start keeps week-long periods visible on a multi-year axis.
        fig.add_trace(go.Scatter(
            x=[start.isoformat()], y=[label], mode="markers",
            marker=dict(symbol="diamond", size=11, color=REPORT_COLOURS[row.report]),
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


def report_profile(report: str, sources: pd.DataFrame, facts: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """What one report gives the book: its period, and how many quantities and events it yields."""
    src_row = sources.set_index("report").loc[report]
    f = facts[facts["report"] == report]
    e = events[events["report"] == report]
    counts = f["status"].value_counts()
    dated = e["start"].notna()
    return pd.Series({
        "city": bilingual(src_row["city_en"], src_row["city_zh"]),
        "period": f"{src_row['period_start']:%Y-%m-%d} to {src_row['period_end']:%Y-%m-%d}",
        "quantities (facts rows)": len(f),
        "stated in the text": int(counts.get("reported", 0)),
        "stripped (digits lost)": int(counts.get("stripped", 0)),
        "restored from outside sources": int(counts.get("supplemented", 0)),
        "derived": int(counts.get("derived", 0)),
        "conflicting facts": int(f["conflicts_with"].notna().sum()),
        "events": len(e),
        "events with a date": int(dated.sum()),
    }, name=report)


def report_profiles(sources: pd.DataFrame, facts: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """:func:`report_profile` for every report, one column each."""
    return pd.concat([report_profile(r, sources, facts, events) for r in sources["report"]], axis=1)
