"""The report texts as annotated pages: every curated number highlighted and anchored.

Each fact's quote is highlighted in the normalised text and carries an anchor
``fact-<fact_id>`` (e.g. ``#fact-yushu-012``), each event's quote ``event-<event_id>``, so
that a reader goes from any number in the book to its sentence in one click.  Stripped
numbers are marked differently from stated ones, so the gaps in a copy are visible.  All
text from the sources and the tables is HTML-escaped.

With the project's English translation (``data/translations.csv``) every Chinese sentence has its
English beside it, and the curated numbers are highlighted there too: the value as the English
writes it (found by :func:`english_number_spans`, the same forms the validator accepts), or the
visible gap mark ``[gap]`` for a stripped one, each linking to the row's anchor in the Chinese.
Hard terms (:data:`GLOSSARY_TERMS`) link to their glossary entry, once per sentence and language.
"""

from __future__ import annotations

import html
import re
from itertools import groupby

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..checks.translations import GAP_MARK, english_forms, sentence_spans
from ..core import registry
from ..core.ids import anchor_id
from ..core.texts import normalised_text

#: CSS class by status; the page's stylesheet lives in _static/annotate.css.
STATUS_CLASS = {"reported": "fr-reported", "derived": "fr-derived", "stripped": "fr-stripped", "event": "fr-event"}

#: The glossary page, relative to the annotated page (both in ``book/``), and its anchors'
#: prefix: each entry of ``book/glossary.md`` carries a label ``(glossary-<key>)=``.
GLOSSARY_PAGE = "glossary.html"
GLOSSARY_PREFIX = "glossary-"

#: Hard terms: glossary key -> (Chinese forms as the texts write them, simplified and traditional;
#: English forms as the translation writes them, matched whole-word and case-insensitively, with an
#: optional plural). Where forms overlap the longest wins (次密接 over 密接).
GLOSSARY_TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "static-management": (("静态管理", "靜態管理"), ("static management",)),
    "mass-testing": (("全员核酸检测", "全員核酸檢測", "全民核酸检测", "全民核酸"),
                     ("mass testing", "mass nucleic-acid screening", "mass screening")),
    "pooled-testing": (("混检", "混檢", "混采", "10混1", "20混1"), ("pooled testing", "pooled sampling", "pooled tube")),
    "single-testing": (("单检", "單檢"), ("single testing",)),
    "close-contact": (("密接", "密切接触者", "密切接觸者"), ("close contact",)),
    "secondary-contact": (("次密接",), ("secondary contact",)),
    "asymptomatic": (("无症状感染者", "無症狀感染者", "無癥狀感染者"), ("asymptomatic infection", "asymptomatic")),
    "converted-to-confirmed": (("转为确诊", "轉為確診"), ("converted to confirmed",)),
    "epidemiological-investigation": (("流调", "流調", "流行病学调查", "流行病學調查"),
                                      ("epidemiological investigation",)),
    "2-4-24": (("2+4+24",), ("2+4+24",)),
    "makeshift-hospital": (("方舱医院", "方艙醫院", "方舱", "方艙"), ("makeshift hospital", "makeshift")),
    "sealed-area": (("封控区", "管控区", "封控區", "管控區"), ("sealed area", "controlled area")),
    "test-everyone": (("应检尽检", "應檢盡檢"), ("test everyone who should be tested",)),
    "dynamic-zero": (("动态清零", "動態清零", "社会面清零"), ("dynamic zero-COVID", "zero community")),
}

_GAP_PAIR = re.compile(re.escape(GAP_MARK) + "/" + re.escape(GAP_MARK))
_GAP = re.compile(re.escape(GAP_MARK))
_NO_PAIR = 1e6  # cost of a pair that may not be made


def glossary_href(key: str) -> str:
    """Link from the annotated page to a term's glossary entry."""
    return f"{GLOSSARY_PAGE}#{GLOSSARY_PREFIX}{key}"


def quote_spans(text: str, rows: pd.DataFrame, id_col: str) -> list[tuple[int, int, str, str]]:
    """(start, end, id, status) of each row's quote in ``text`` (its first occurrence)."""
    spans = []
    for row in rows.itertuples(index=False):
        quote = getattr(row, "quote")
        i = text.find(quote)
        if i >= 0:
            spans.append((i, i + len(quote), getattr(row, id_col), getattr(row, "status")))
    return spans


# --------------------------------------------------------------------------------------
# Hard terms

def chinese_term_spans(text: str, segments: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, key) of the first occurrence of each glossary term in each segment of ``text``
    (longest form first where forms overlap)."""
    forms = sorted(((f, key) for key, (zh, _) in GLOSSARY_TERMS.items() for f in zh), key=lambda p: -len(p[0]))
    out = []
    for a, b in segments:
        seen, k = set(), a
        while k < b:
            hit = next(((f, key) for f, key in forms if text.startswith(f, k) and k + len(f) <= b), None)
            if hit is None:
                k += 1
                continue
            f, key = hit
            if key not in seen:
                seen.add(key)
                out.append((k, k + len(f), key))
            k += len(f)
    return out


def english_term_spans(english: str, taken: list[tuple[int, int]] = ()) -> list[tuple[int, int, str]]:
    """(start, end, key) of the first occurrence of each glossary term in one English sentence that
    overlaps none of the ``taken`` spans (the highlighted numbers) nor another term."""
    found: list[tuple[int, int, str]] = []
    for key, (_, forms) in GLOSSARY_TERMS.items():
        hits = []
        for f in forms:
            pattern = r"(?<![\w+])" + re.escape(f) + r"(?:s|es)?(?![\w+])"
            hits += [(m.start(), m.end()) for m in re.finditer(pattern, english, re.I)]
        for a, b in sorted(hits):
            if all(b <= c or a >= d for c, d in list(taken) + [(s, e) for s, e, _ in found]):
                found.append((a, b, key))
                break
    return sorted(found)


# --------------------------------------------------------------------------------------
# Curated numbers in the English

def number_occurrences(value: float, english: str) -> list[tuple[int, int]]:
    """Where ``english`` writes ``value`` (digits not part of a longer number, or a whole word)."""
    spans = set()
    for form in english_forms(value):
        if form.isalpha():
            pattern = r"\b" + re.escape(form) + r"\b"
        else:
            pattern = r"(?<![\d.,])" + re.escape(form) + r"(?![\d]|[.,]\d)"
        spans |= {(m.start(), m.end()) for m in re.finditer(pattern, english, re.I)}
    return sorted(s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans))


def gap_occurrences(english: str, pairs: bool) -> list[tuple[int, int]]:
    """The gap marks of ``english``: the ``[gap]/[gap]`` pairs (a stripped month/day) or the single ones."""
    paired = [(m.start(), m.end()) for m in _GAP_PAIR.finditer(english)]
    if pairs:
        return paired
    return [(m.start(), m.end()) for m in _GAP.finditer(english)
            if not any(a <= m.start() < b for a, b in paired)]


#: Words that may follow a number of a unit in the English (within a few words): they tell two gaps
#: or two equal numbers of one sentence apart when the English orders them differently from the Chinese.
UNIT_WORDS = {
    "persons": r"people|persons?|staff|officials|workers|crew|drivers|police|residents|contacts?",
    "cases": r"cases?|infections?|positives?|patients?|asymptomatic",
    "person_tests": r"person-tests?|person-times?|ten-thousand",
    "person_times": r"person-times?|ten-thousand",
    "tests_per_day": r"person-tests?|ten-thousand",
    "per_10k": r"per 10,000",
    "percent": r"per ?cent",
    "sites": r"sites?|places?|points?",
    "samples": r"samples?",
}


def unit_follows(unit, english: str, end: int) -> bool:
    """Whether a word of ``unit`` follows position ``end`` of ``english`` within four words."""
    if not isinstance(unit, str) or not unit:
        return False
    words = UNIT_WORDS.get(unit, re.escape(unit.rstrip("s")) + r"s?")
    after = " ".join(english[end:end + 60].split()[:4])
    if unit == "percent" and after.startswith("%"):
        return True
    return re.search(r"(?<![\w-])(?:" + words + r")(?![\w-])", after, re.I) is not None


def english_number_spans(group: pd.DataFrame, text: str, rows: pd.DataFrame) -> list[list[tuple[int, int, list[str], str]]]:
    """Per sentence of one report's translation, the highlighted spans of its English:
    (start, end, anchors, status), in order and not overlapping.

    ``rows`` are the report's facts and events (columns ``anchor``, ``quote``, ``status``, ``value``,
    ``unit``). A ``reported`` or ``derived`` fact is its value as the English writes it; a ``stripped``
    fact a single gap mark, a stripped event a ``[gap]/[gap]`` date (either kind falls back to the
    other). Rows and candidates are paired at the least total cost (``linear_sum_assignment``), so
    that rows keep the order of the Chinese where their units do not tell them apart: the cost is the distance between the relative position of the row's number in the Chinese and of
    the candidate in the English, plus one when the candidate is not followed by a word of the row's
    unit (:func:`unit_follows`). Facts that the text states or strips are paired first, and one left
    without a free candidate shares its cheapest one; derived facts and stripped events are paired
    with what is left, never shared (a derived value is the book's, not the text's: the English
    writes it only where the translator did, as "(0.25)"). A value the English does
    not write gets no highlight (the validator requires it for every reported fact).
    """
    spans = sentence_spans(group)
    english = ["" if not isinstance(en, str) else en for en in group["en"]]
    claimed: list[dict[tuple[int, int], list[str]]] = [{} for _ in english]
    status_of: dict[str, str] = {}
    stages: list[list] = [[], []]
    for row in rows.itertuples(index=False):
        i = text.find(row.quote)
        if i < 0 or row.status not in ("reported", "derived", "stripped"):
            continue
        j = i + len(row.quote)
        first = next(k for k, (a, b) in enumerate(spans) if b > i)
        last = max(k for k, (a, b) in enumerate(spans) if a < j)
        where = i + len(row.quote) / 2
        if row.status != "stripped" and pd.notna(row.value):
            for form in sorted(english_forms(row.value), key=len, reverse=True):
                if form in row.quote:
                    where = i + row.quote.index(form) + len(form) / 2
                    break
        zh_a, zh_b = spans[first][0], spans[last][1]
        rel = (where - zh_a) / max(zh_b - zh_a, 1)
        candidates = []  # (cost, sentence, start, end)
        total = sum(len(english[k]) + 1 for k in range(first, last + 1))
        offset = 0
        is_event = row.anchor.startswith("event-")
        for k in range(first, last + 1):
            en = english[k]
            if row.status == "stripped":
                found = gap_occurrences(en, pairs=is_event) or gap_occurrences(en, pairs=not is_event)
            elif pd.isna(row.value):
                found = []
            else:
                found = number_occurrences(row.value, en)
            for a, b in found:
                cost = abs((offset + (a + b) / 2) / max(total, 1) - rel)
                cost += 0 if unit_follows(getattr(row, "unit", None), en, b) else 1
                candidates.append((cost, k, a, b))
            offset += len(en) + 1
        if candidates:
            stages[1 if row.status == "derived" or is_event else 0].append((row, candidates))
    for shares, stage in zip((True, False), stages):
        taken = {(k, a, b) for k, c in enumerate(claimed) for a, b in c}
        keys = sorted({(k, a, b) for _, cands in stage for _, k, a, b in cands} - taken)
        col = {key: n for n, key in enumerate(keys)}
        done: set[int] = set()
        if keys:
            cost = np.full((len(stage), len(keys)), _NO_PAIR)
            for n, (_, cands) in enumerate(stage):
                for c, k, a, b in cands:
                    if (k, a, b) in col:
                        cost[n, col[(k, a, b)]] = c
            for n, m in zip(*linear_sum_assignment(cost)):
                if cost[n, m] < _NO_PAIR:
                    k, a, b = keys[m]
                    claimed[k][(a, b)] = [stage[n][0].anchor]
                    status_of[stage[n][0].anchor] = stage[n][0].status
                    done.add(n)
        for n, (row, cands) in enumerate(stage):  # a stated fact with no free candidate shares the cheapest
            if shares and n not in done:
                for _, k, a, b in sorted(cands):
                    if (a, b) in claimed[k]:
                        claimed[k][(a, b)].append(row.anchor)
                        break
    return [sorted((a, b, anchors, status_of[anchors[0]]) for (a, b), anchors in c.items()) for c in claimed]


def english_html(english, marks: list[tuple[int, int, list[str], str]] = (), terms: bool = False) -> str:
    """The English of a sentence, escaped; each gap mark shown as a visible gap; the ``marks``
    (from :func:`english_number_spans`) highlighted and linked to their rows' anchors; with ``terms``,
    the first occurrence of each hard term linked to the glossary."""
    text = "" if not isinstance(english, str) else english
    marks = list(marks)
    links = [(a, b, "num", m) for a, b, *m in marks]
    if terms:
        links += [(a, b, "term", key) for a, b, key in english_term_spans(text, [(a, b) for a, b, *_ in marks])]
    out, pos = [], 0
    for a, b, kind, extra in sorted(links, key=lambda t: t[0]):
        out.append(_gaps(html.escape(text[pos:a])))
        chunk = html.escape(text[a:b])
        if kind == "term":
            out.append(f'<a class="fr-term" href="{glossary_href(extra)}">{chunk}</a>')
        else:
            anchors, status = extra
            rows = " ".join(anchors)
            inner = _gaps(chunk) if GAP_MARK in text[a:b] else f'<mark class="{STATUS_CLASS[status]}">{chunk}</mark>'
            out.append(f'<a class="fr-num" href="#{anchors[0]}" data-rows="{rows}">{inner}</a>')
        pos = b
    out.append(_gaps(html.escape(text[pos:])))
    return "".join(out)


def _gaps(escaped: str) -> str:
    return escaped.replace(html.escape(GAP_MARK), '<span class="fr-gap" title="number stripped from the copy">[gap]</span>')


# --------------------------------------------------------------------------------------
# The annotated text

def annotated_html(report: str, facts: pd.DataFrame, events: pd.DataFrame, data_dir=None,
                   translations: pd.DataFrame | None = None) -> str:
    """The normalised text of ``report`` as HTML with highlighted, anchored quotes.

    Supplemented rows are not in the text: their anchor sits on the stripped sentence they
    restore when that sentence is found (same quote as a stripped row), else they are listed
    after the text with their outside source.

    With ``translations`` (``data/translations.csv``), every sentence is followed by the project's
    English translation of it, with its curated numbers highlighted and linked to their anchors
    (``[gap]`` marks a stripped number there too), and hard terms link to the glossary in both
    languages, once per sentence.
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
    segments = sentence_spans(tr) if tr is not None else [(0, len(text))]
    boundaries = {a for a, _ in segments} if tr is not None else set()
    term: list[str | None] = [None] * len(text)
    for a, b, key in chinese_term_spans(text, segments):
        term[a:b] = [key] * (b - a)
    sentence_starts: list[int] = []  # index into out where each sentence starts
    out, run, run_cls = [], [], None  # run: (character, glossary key) pairs of one highlight class

    def flush():
        if run:
            parts = []
            for key, chars in groupby(run, key=lambda p: p[1]):
                chunk = html.escape("".join(c for c, _ in chars))
                parts.append(f'<a class="fr-term" href="{glossary_href(key)}">{chunk}</a>' if key else chunk)
            chunk = "".join(parts)
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
        run.append((ch, term[k]))
    flush()
    if tr is None:
        body = "".join(out).replace("\n", "<br/>\n")
        return f'<div class="fr-source" lang="zh">{body}</div>'
    rows = pd.concat([
        pd.DataFrame({"anchor": [anchor_id("fact", i) for i in f["fact_id"]], "quote": f["quote"].values,
                      "status": f["status"].values, "value": f["value"].values,
                      "unit": f["unit"].values}),
        pd.DataFrame({"anchor": [anchor_id("event", i) for i in e["event_id"]], "quote": e["quote"].values,
                      "status": e["status"].values, "value": [float("nan")] * len(e),
                      "unit": [""] * len(e)}),
    ], ignore_index=True)
    marks = english_number_spans(tr, text, rows)
    pairs = []
    ends = sentence_starts[1:] + [len(out)]
    for (a, b), en, note, m in zip(zip(sentence_starts, ends), tr["en"], tr["note"], marks):
        zh_html = "".join(out[a:b]).rstrip("\n").replace("\n", "<br/>\n")
        en_html = english_html(en, m, terms=True)
        title = "" if not isinstance(note, str) or not note else f' title="{html.escape(note)}"'
        pairs.append(f'<div class="fr-pair"><div class="fr-zh" lang="zh">{zh_html}</div>'
                     f'<div class="fr-en" lang="en"{title}>{en_html}</div></div>')
    return f'<div class="fr-source fr-bilingual">{"".join(pairs)}</div>'


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
