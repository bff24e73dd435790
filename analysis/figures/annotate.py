"""The report texts as annotated pages: every curated number highlighted and anchored.

Each fact's quote is highlighted in the normalised text and carries an anchor
``fact-<fact_id>`` (e.g. ``#fact-yushu-012``), each event's quote ``event-<event_id>``, so
that a reader goes from any number in the book to its sentence in one click.  Stripped
numbers are marked differently from stated ones, so the gaps in a copy are visible.  All
text from the sources and the tables is HTML-escaped.
"""

from __future__ import annotations

import html

import pandas as pd

from ..checks.translations import GAP_MARK
from ..core import registry
from ..core.ids import anchor_id
from ..core.texts import normalised_text

#: CSS class by status; the page's stylesheet lives in _static/annotate.css.
STATUS_CLASS = {"reported": "fr-reported", "derived": "fr-derived", "stripped": "fr-stripped", "event": "fr-event"}


def quote_spans(text: str, rows: pd.DataFrame, id_col: str) -> list[tuple[int, int, str, str]]:
    """(start, end, id, status) of each row's quote in ``text`` (its first occurrence)."""
    spans = []
    for row in rows.itertuples(index=False):
        quote = getattr(row, "quote")
        i = text.find(quote)
        if i >= 0:
            spans.append((i, i + len(quote), getattr(row, id_col), getattr(row, "status")))
    return spans


def annotated_html(report: str, facts: pd.DataFrame, events: pd.DataFrame, data_dir=None,
                   translations: pd.DataFrame | None = None) -> str:
    """The normalised text of ``report`` as HTML with highlighted, anchored quotes.

    Supplemented rows are not in the text: their anchor sits on the stripped sentence they
    restore when that sentence is found (same quote as a stripped row), else they are listed
    after the text with their outside source.

    With ``translations`` (``data/translations.csv``), every sentence is followed by the project's
    English translation of it (``[gap]`` marks a stripped number there too).
    """
    text = normalised_text(report, data_dir)
    f = facts[facts["report"] == report]
    e = events[events["report"] == report]
    fact_spans = quote_spans(text, f[f["status"] != "supplemented"], "fact_id")
    event_spans = [(a, b, i, "event") for a, b, i, _ in quote_spans(text, e[e["status"] != "supplemented"], "event_id")]
    spans = fact_spans + event_spans

    # per character: which statuses cover it (stripped wins over reported for the colour)
    cover: list[set[str]] = [set() for _ in text]
    starts: dict[int, list[str]] = {}
    for a, b, row_id, status in spans:
        for k in range(a, b):
            cover[k].add(status)
        kind = "event" if status == "event" else "fact"
        starts.setdefault(a, []).append(anchor_id(kind, row_id))

    def css(statuses: set[str]) -> str:
        for s in ("stripped", "reported", "derived", "event"):
            if s in statuses:
                return STATUS_CLASS[s]
        return ""

    tr = None if translations is None else translations[translations["report"] == report]
    if tr is not None and "".join(tr["zh"]) != text:
        tr = None  # not aligned with this text (the validator reports it): show the Chinese alone
    boundaries = set()
    if tr is not None:
        pos = 0
        for zh in tr["zh"]:
            boundaries.add(pos)
            pos += len(zh)
    sentence_starts: list[int] = []  # index into out where each sentence starts
    out, run, run_cls = [], [], None

    def flush():
        if run:
            chunk = html.escape("".join(run))
            out.append(f'<mark class="{run_cls}">{chunk}</mark>' if run_cls else chunk)
            run.clear()

    for k, ch in enumerate(text):
        cls = css(cover[k]) or None
        if k in boundaries:
            flush()
            sentence_starts.append(len(out))
        if k in starts or cls != run_cls:
            flush()
            run_cls = cls
        for aid in starts.get(k, []):
            out.append(f'<span class="fr-anchor" id="{aid}"></span>')
        run.append(ch)
    flush()
    if tr is None:
        body = "".join(out).replace("\n", "<br/>\n")
        return f'<div class="fr-source" lang="zh">{body}</div>'
    pairs = []
    ends = sentence_starts[1:] + [len(out)]
    for (a, b), en, note in zip(zip(sentence_starts, ends), tr["en"], tr["note"]):
        zh_html = "".join(out[a:b]).rstrip("\n").replace("\n", "<br/>\n")
        en_html = english_html(en)
        title = "" if not isinstance(note, str) or not note else f' title="{html.escape(note)}"'
        pairs.append(f'<div class="fr-pair"><div class="fr-zh" lang="zh">{zh_html}</div>'
                     f'<div class="fr-en" lang="en"{title}>{en_html}</div></div>')
    return f'<div class="fr-source fr-bilingual">{"".join(pairs)}</div>'


def english_html(english) -> str:
    """The English of a sentence, escaped, with each stripped-number mark shown as a visible gap."""
    text = html.escape("" if not isinstance(english, str) else english)
    return text.replace(html.escape(GAP_MARK), '<span class="fr-gap" title="number stripped from the copy">[gap]</span>')


def source_link_html(s: pd.Series) -> str:
    url = s["url"] if isinstance(s["url"], str) else ""
    link = (f'<a href="{html.escape(url)}">{html.escape(url)}</a>' if url
            else "no URL recorded (the citation rule is not met)")
    return f'{link}, trust {html.escape(str(s["trust"]))}'


def supplemented_list_html(report: str, facts: pd.DataFrame, supplementary: pd.DataFrame,
                           events: pd.DataFrame | None = None) -> str:
    """Anchored list of the numbers and dates restored from outside sources for ``report``."""
    f = facts[(facts["report"] == report) & (facts["status"] == "supplemented")]
    e = (events[(events["report"] == report) & (events["status"] == "supplemented")]
         if events is not None else events)
    if f.empty and (e is None or e.empty):
        return "<p>Nothing in this report was restored from an outside source.</p>"
    sup = supplementary.set_index("source_id")
    items = []
    for row in f.itertuples(index=False):
        items.append(
            f'<li><span class="fr-anchor" id="{anchor_id("fact", row.fact_id)}"></span>'
            f'<code>{html.escape(row.fact_id)}</code> {html.escape(row.metric)} = <b>{row.value:g}</b> '
            f'({html.escape(row.unit)}): 「<mark class="fr-supplemented">{html.escape(row.quote)}</mark>」 '
            f'— {source_link_html(sup.loc[row.source_id])}</li>'
        )
    for row in ([] if e is None else e.itertuples(index=False)):
        items.append(
            f'<li><span class="fr-anchor" id="{anchor_id("event", row.event_id)}"></span>'
            f'<code>{html.escape(row.event_id)}</code> {html.escape(row.event_type)}: '
            f'<b>{html.escape(str(row.start) if isinstance(row.start, str) else "undated")}</b> '
            f'「<mark class="fr-supplemented">{html.escape(row.quote)}</mark>」 '
            f'— {source_link_html(sup.loc[row.source_id])}</li>'
        )
    return '<ul class="fr-supplemented-list">' + "".join(items) + "</ul>"


def annotated_page_html(facts: pd.DataFrame, events: pd.DataFrame, supplementary: pd.DataFrame,
                        data_dir=None, translations: pd.DataFrame | None = None) -> str:
    """Every report of the registry, in order: a section with its heading, its annotated text and
    the numbers restored from outside sources. A report added to ``sources.csv`` appears here.

    Each section's id is the report's :attr:`~analysis.core.registry.Report.section_anchor`
    (``changchun-003``), the target of ``report-<key>`` links.
    """
    parts = []
    for rep in registry.reports(data_dir):
        parts.append(
            f'<section class="fr-report" id="{html.escape(rep.section_anchor)}">'
            f'<h2>{html.escape(rep.label)} ({html.escape(rep.source_file[:3])})</h2>'
            f'{annotated_html(rep.key, facts, events, data_dir, translations)}'
            f'<p>Restored from outside sources:</p>'
            f'{supplemented_list_html(rep.key, facts, supplementary, events)}</section>')
    return "\n".join(parts)
