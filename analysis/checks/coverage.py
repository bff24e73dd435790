"""Coverage: every number in a report text is a curated row or a listed uncounted number."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.numerals import chinese_count_mentions
from ..core.paths import DATA_DIR
from ..core.rules import ZERO_WORDS
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


def chinese_numeral_hits(report: str, data_dir: Path | str | None = None) -> list[dict]:
    """Every Chinese-numeral hit of a report text and how it is resolved (for the closing note of issue 17).

    One dict per hit of :func:`analysis.core.numerals.chinese_count_mentions`: ``offset``,
    ``numeral``, ``value`` and ``resolution``: ``row`` (a facts quote that holds it and whose row
    carries its value: ``ids``), ``context`` (inside a facts quote whose row counts another number,
    or an events quote), ``uncounted`` (a row of uncounted_numbers.csv: ``reason_class``), or
    ``uncovered``.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    text = normalised_text(report, base)

    def spans(snippet: str) -> list[tuple[int, int]]:
        out, i = [], text.find(snippet) if snippet else -1
        while i >= 0:
            out.append((i, i + len(snippet)))
            i = text.find(snippet, i + 1)
        return out

    facts = load_table("facts", base)
    facts = facts[(facts["report"] == report) & (facts["status"] != "supplemented")]
    events = load_table("events", base)
    events = events[(events["report"] == report) & (events["status"] != "supplemented")]
    unc = load_table("uncounted_numbers", base)
    unc = unc[unc["report"] == report]
    hits = []
    for n in chinese_count_mentions(text):
        inside = lambda a, b: a <= n.start and n.end <= b  # noqa: E731
        zero = any(w in text[max(0, n.start - 3):n.end + 3] and n.text in w for w in ZERO_WORDS)  # 无一例
        same = [r.fact_id for r in facts.itertuples() if any(inside(a, b) for a, b in spans(r.quote))
                and r.value == r.value and float(r.value) in (n.value, 0.0 if zero else n.value)]
        quoted = [r.fact_id for r in facts.itertuples() if any(inside(a, b) for a, b in spans(r.quote))]
        quoted += [r.event_id for r in events.itertuples() if any(inside(a, b) for a, b in spans(r.quote))]
        listed = [r.reason_class for r in unc.itertuples() if r.number == n.text
                  and any(a + r.context.find(r.number) <= n.start < b for a, b in spans(r.context))]
        hit = {"offset": n.start, "numeral": n.text, "value": n.value, "ids": "", "reason_class": ""}
        if same:
            hit.update(resolution="row", ids=";".join(same))
        elif listed:
            hit.update(resolution="uncounted", reason_class=listed[0])
        elif quoted:
            hit.update(resolution="context", ids=";".join(quoted))
        else:
            hit.update(resolution="uncovered")
        hits.append(hit)
    return hits


#: Zero words that state a count of zero (the words of ZERO_WORDS less 阴性 and 零, which also name
#: test results and slogans such as 动态清零): every occurrence must be the quote of a value-0 row.
COUNT_ZERO_WORDS = tuple(w for w in ZERO_WORDS if w not in ("阴性", "陰性", "零"))


def uncurated_zeros(report: str, data_dir: Path | str | None = None) -> list[tuple[int, str]]:
    """Stated zeros (无一例, 未发现, 无新增, 未出现...) of a text that no value-0 facts row quotes.

    Returns ``(offset, word)`` pairs; the stated-zero test asserts the list is empty.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    text = normalised_text(report, base)
    facts = load_table("facts", base)
    zeros = facts[(facts["report"] == report) & (facts["value"] == 0) & (facts["status"] != "supplemented")]
    spans = []
    for quote in zeros["quote"]:
        i = text.find(quote)
        while i >= 0:
            spans.append((i, i + len(quote)))
            i = text.find(quote, i + 1)
    out = []
    for word in COUNT_ZERO_WORDS:
        i = text.find(word)
        while i >= 0:
            if not any(a <= i and i + len(word) <= b for a, b in spans):
                out.append((i, word))
            i = text.find(word, i + 1)
    return sorted(out)
