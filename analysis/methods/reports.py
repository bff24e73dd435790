"""The reports at a glance: how long a period each covers and what each gives the book."""

from __future__ import annotations

import pandas as pd

from ..core.registry import bilingual


def period_days(sources: pd.DataFrame) -> pd.Series:
    """Length of each report's period in days, both ends included."""
    return (sources["period_end"] - sources["period_start"]).dt.days + 1


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
