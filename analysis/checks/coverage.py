"""Coverage: every number in a report text is a curated row or a listed uncounted number."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.numerals import chinese_count_mentions
from ..core.paths import DATA_DIR
from ..core.tables import load_table
from ..core.texts import normalised_text


def uncovered_numbers(report: str, data_dir: Path | str | None = None) -> list[tuple[int, str]]:
    """Numbers of a normalised text covered by no quote and no uncounted_numbers row.

    Numbers are Arabic-digit runs and Chinese numerals that count something
    (:func:`analysis.core.numerals.chinese_count_mentions`: 两级, 三轮, 第九版, 四分之一, “四早”).
    Returns ``(offset, characters)`` pairs in text order; the coverage test asserts the list is empty.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    text = normalised_text(report, base)
    spans: list[tuple[int, int]] = []

    def cover(snippet: str) -> None:
        i = text.find(snippet)
        while i >= 0 and snippet:
            spans.append((i, i + len(snippet)))
            i = text.find(snippet, i + 1)

    for name in ("facts", "events"):
        df = load_table(name, base)
        for row in df[(df["report"] == report) & (df["status"] != "supplemented")].itertuples():
            cover(row.quote)
    sources_df = load_table("sources", base)
    for row in sources_df[sources_df["report"] == report].itertuples():
        if row.period_source == "report":
            for q in row.period_quote.split("|"):
                cover(q)
        if isinstance(row.published_quote, str):
            cover(row.published_quote)
    unc = load_table("uncounted_numbers", base)
    for row in unc[unc["report"] == report].itertuples():
        cover(row.context)
    hits = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\d+", text)]
    hits += [(n.start, n.end, n.text) for n in chinese_count_mentions(text)]
    return [(start, token) for start, end, token in sorted(hits)
            if not any(a <= start and end <= b for a, b in spans)]

