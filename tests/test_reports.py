"""The overview of the five reports."""

from __future__ import annotations

import pandas as pd

from analysis.core.loaders import load_events, load_facts, load_sources
from analysis.figures.reports import outbreak_timeline, overview_table
from analysis.methods.reports import period_days, report_profiles


def test_period_days_counts_both_ends():
    s = pd.DataFrame({"period_start": pd.to_datetime(["2020-06-01", "2021-12-20"]),
                      "period_end": pd.to_datetime(["2020-06-07", "2021-12-20"])})
    assert list(period_days(s)) == [7, 1]


def test_overview_has_bilingual_names_and_all_reports():
    table = overview_table(load_sources())
    assert list(table.index) == ["mudanjiang", "suining", "yushu", "changchun", "dongxing"]
    assert table.loc["changchun", "City"] == "Changchun 长春"
    assert table.loc["suining", "Published"] == "not stated"


def test_timeline_has_one_bar_per_report_spanning_its_period():
    sources = load_sources()
    fig = outbreak_timeline(sources)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == len(sources)
    mdj = next(b for b in bars if b.name.startswith("Mudanjiang"))
    assert mdj.x[0] == 7 * 24 * 3600 * 1000  # 1-7 June inclusive, in milliseconds


def test_profiles_add_up():
    facts, events = load_facts(), load_events()
    profiles = report_profiles(load_sources(), facts, events)
    parts = ["stated in the text", "stripped (digits lost)", "restored from outside sources", "derived"]
    assert (profiles.loc[parts].sum() == profiles.loc["quantities (facts rows)"]).all()
    assert profiles.loc["quantities (facts rows)"].sum() == len(facts)


def test_every_data_chapter_offers_its_tables_for_download():
    """Each chapter that shows curated data ends with download links to the tables behind it."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name in ("reports", "maps", "curves", "yields", "speed", "synthesis", "annotated"):
        nb = json.loads((root / "book" / f"{name}.ipynb").read_text(encoding="utf-8"))
        text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        assert "## Data behind this chapter" in text, name
        targets = re.findall(r"\{download\}`[^<`]*<\.\./(data/[^>]+)>`", text)
        assert targets, name
        for t in targets:
            assert (root / t).is_file(), f"{name}: {t} does not exist"
