"""The overview of the five reports."""

from __future__ import annotations

import pandas as pd

from analysis.core.loaders import load_events, load_facts, load_sources
from analysis.figures.reports import checksum_table, outbreak_timeline, overview_frame, overview_table, profiles_table
from analysis.methods.reports import period_days, report_profiles


def test_period_days_counts_both_ends():
    s = pd.DataFrame({"period_start": pd.to_datetime(["2020-06-01", "2021-12-20"]),
                      "period_end": pd.to_datetime(["2020-06-07", "2021-12-20"])})
    assert list(period_days(s)) == [7, 1]


def test_overview_has_bilingual_names_and_all_reports():
    table = overview_frame(load_sources())
    assert list(table.index) == ["mudanjiang", "suining", "yushu", "changchun", "dongxing"]
    assert table.loc["changchun", "City"] == "Changchun 长春"
    assert table.loc["suining", "Published"] == "not stated"


def assert_readable(table):
    """Words for headers, no empty-value spelling in any cell, nothing cut with an ellipsis."""
    import re

    assert all("_" not in str(c) for c in table.text.columns), list(table.text.columns)
    cells = [str(v).strip() for v in table.text.to_numpy().ravel()]
    assert not [v for v in cells if re.fullmatch(r"nan|NaN|None|NaT|<NA>", v) or v.endswith(("…", "..."))]


def test_reader_tables_of_the_chapter():
    sources, facts, events = load_sources(), load_facts(), load_events()
    overview = overview_table(sources)
    assert_readable(overview)
    assert overview.text["City"].tolist()[3] == "Changchun 长春"
    profiles = profiles_table(sources, facts, events)
    assert_readable(profiles)
    assert list(profiles.text.columns)[1:] == overview.text["City"].tolist()  # one column per report, bilingual
    # no result twice: the periods are the overview's, not repeated in the profiles
    assert "period" not in profiles.text.iloc[:, 0].tolist()
    row = profiles.text.set_index("what the report gives").loc["quantities (facts rows)"]
    assert sum(int(v.replace(",", "")) for v in row) == len(facts)
    sums = checksum_table(sources)
    assert_readable(sums)
    assert sums.text["SHA-256"].tolist() == sources["sha256"].tolist()  # never cut
    assert all(len(h) == 64 for h in sums.text["SHA-256"])


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
        # the provenance README through the published data package, not {download}: a download
        # makes Sphinx re-read the chapter whenever the README's prose changes
        assert "{data-package}`data/README.md <README.md>`" in text, name
        assert "<../data/README.md>" not in text, name


def test_no_chapter_downloads_prose_from_data():
    """A {download} link makes its file a Sphinx dependency of the page: the page is re-read at every
    edit of that file. Prose under data/ (the README) is linked through the data-package role."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offending = {}
    for path in sorted((root / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        found = re.findall(r"\{download\}`[^`]*<\.\./data/[^>]+\.md>`", text)
        if found:
            offending[path.name] = found
    assert offending == {}
