"""Rules for ``data/screening.csv``: ids, units, and every number traced to a fact or a cited quote."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.numerals import find_numbers
from ..core.rules import NEGATIVE_WORDS, quote_supports
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table
from ..core.texts import normalised_text


@register_check("screening")
def _screening_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Units, ids and where each number comes from.

    A number (tested, positives) must be the value of a linked fact; a supplemented row with a
    ``source_id`` and no linked facts (an external anchor) must instead have the number stated in
    its supplementary quote (numeral matching as :func:`quote_supports`: ``9,899,828``,
    ``30.49萬``, ``4.74 million``; zero also by 阴性).
    """
    facts = sibling_table(base, "facts")
    supp = sibling_table(base, "supplementary")
    fact_values = {} if facts is None else dict(zip(facts["fact_id"], facts["value"]))
    fact_quotes = {} if facts is None else dict(zip(facts["fact_id"], facts["quote"]))
    supp_quotes = None if supp is None else dict(zip(supp["source_id"], supp["quote"]))
    for line, row in iter_rows(df):
        anchor = row.screening_id.startswith("anchor-")
        if is_blank(row.report):
            if not anchor:
                yield Problem(file, line, "screening_id", "a row without a report is an external anchor: its id is anchor-sNN")
        elif anchor or not row.screening_id.startswith(row.report + "-"):
            yield Problem(file, line, "screening_id", f"id does not start with its report key {row.report}")
        if anchor and row.status != "supplemented":
            yield Problem(file, line, "status", "an external anchor comes from an outside source: status supplemented")
        if not is_blank(row.tested) and is_blank(row.tested_unit):
            yield Problem(file, line, "tested_unit", "a number tested needs its unit (persons, person_tests or samples)")
        if not is_blank(row.tested) and is_blank(row.tested_qualifier):
            yield Problem(file, line, "tested_qualifier", "a number tested needs a qualifier (exact, about, ...)")
        if not is_blank(row.tested) and not is_blank(row.positives) and row.positives > row.tested:
            yield Problem(file, line, "positives", f"{row.positives:g} positives exceed {row.tested:g} tested")
        linked = [] if is_blank(row.fact_ids) else str(row.fact_ids).split(";")
        for fid in linked:
            if facts is not None and fid not in fact_values:
                yield Problem(file, line, "fact_ids", f"{fid} does not exist in facts.csv")
        if row.status == "supplemented" and is_blank(row.source_id):
            yield Problem(file, line, "source_id", "a supplemented row needs a source_id")
        quote = None
        if not is_blank(row.source_id) and supp_quotes is not None:
            quote = supp_quotes.get(row.source_id)
            if quote is None:
                yield Problem(file, line, "source_id", f"{row.source_id} is not in sources/supplementary.csv")
        if row.status == "supplemented" and not is_blank(row.source_id) and not linked:
            # an outside anchor: the number must be stated in the cited excerpt itself
            for col in ("tested", "positives"):
                v = getattr(row, col)
                if not is_blank(v) and quote is not None and not quote_supports(v, quote):
                    yield Problem(file, line, col, f"{v:g} is not stated in the quote of {row.source_id}")
            continue
        linked_values = {float(fact_values[f]) for f in linked if f in fact_values and not is_blank(fact_values[f])}
        says_negative = any(w in fact_quotes.get(f, "") for f in linked for w in NEGATIVE_WORDS)
        for col in ("tested", "positives"):
            v = getattr(row, col)
            if is_blank(v) or facts is None:
                continue
            # zero positives may rest on a linked quote that says all results were negative (全部阴性)
            if float(v) not in linked_values and not (col == "positives" and float(v) == 0 and says_negative):
                yield Problem(file, line, col, f"{v:g} is not the value of any linked fact ({';'.join(linked) or 'none linked'})")


# ------------------------------------------------------------------ units and statuses (issue 17, item 4)

#: The codebook units a linked fact may have when its value is a screening row's ``tested``.
TESTED_UNITS = {"persons": ("persons",), "person_tests": ("person_tests",), "samples": ("samples", "items")}
#: What the unit word written after the number says was counted (人次 of arrivals is caught by the codebook unit).
_UNIT_WORDS = (("人次", "person_tests"), ("人份", "person_tests"), ("人", "persons"), ("名", "persons"),
               ("件", "samples"), ("份", "samples"))
#: Words that say the sentence is about testing: a number tested must come from such a sentence.
TEST_WORDS = ("检测", "檢測", "筛查", "篩查", "采样", "採樣", "核酸", "落地检", "落地檢")
_RANK = {"reported": 0, "derived": 1, "supplemented": 2}


def _sentence_of(quote: str, text: str) -> str:
    """The sentence of ``text`` that holds ``quote`` (the quote itself if it is not found)."""
    i = text.find(quote)
    if i < 0:
        return quote
    start = max(text.rfind(p, 0, i) for p in "。！？\n") + 1
    ends = [j for j in (text.find(p, i + len(quote)) for p in "。！？\n") if j >= 0]
    return text[start:min(ends) + 1 if ends else len(text)]


@register_check("screening")
def _units_and_status(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """A number tested is a count of tests in its unit, and a row's status says where its numbers come from.

    ``tested`` must be the value of a linked fact whose codebook unit fits ``tested_unit``
    (:data:`TESTED_UNITS`: 人次 of arrivals, ``person_times``, is not ``person_tests``), whose unit
    word after the number agrees (人次/人份 person_tests, 人/名 persons, 件/份 samples) and whose
    sentence speaks of testing (:data:`TEST_WORDS`; a count of visits or arrivals is not a test).
    ``positives`` is the value of a linked fact whose metric counts positives, or a zero that a linked
    quote states as negative results (阴性): a zero of cases (无一例境外输入性病例) is not a zero of positives.
    Status: only a ``supplemented`` row cites a supplementary source (a date or number from an
    outside source makes the row supplemented, or stays out of it); a row's status is the weakest
    source of its numbers (reported < derived < supplemented), so a ``reported`` row's numbers are
    all values of reported facts.  External anchors (no linked facts) are checked by the rules above.
    """
    facts = sibling_table(base, "facts")
    if facts is None:
        return
    by_id = {r.fact_id: r for r in facts.itertuples()}
    supp = sibling_table(base, "supplementary")
    supp_quotes = {} if supp is None else dict(zip(supp["source_id"], supp["quote"]))
    for line, row in iter_rows(df):
        if row.status != "supplemented" and not is_blank(row.source_id):
            yield Problem(file, line, "source_id",
                          f"a {row.status} row cites no outside source: a value from {row.source_id} makes the row "
                          "supplemented, or belongs in a supplemented row or event")
        linked = [by_id[f] for f in ([] if is_blank(row.fact_ids) else str(row.fact_ids).split(";")) if f in by_id]
        if not linked:
            continue
        if not is_blank(row.tested):
            sources = [f for f in linked if not is_blank(f.value) and float(f.value) == float(row.tested)]
            fitting = [f for f in sources if f.unit in TESTED_UNITS.get(row.tested_unit, ())]
            if sources and not fitting:
                yield Problem(file, line, "tested_unit",
                              f"tested {row.tested:g} is {sources[0].fact_id}, counted in {sources[0].unit}: "
                              f"not a count of tests in {row.tested_unit or 'no unit'}")
            for f in fitting:
                quote = supp_quotes.get(f.source_id, f.quote) if f.status == "supplemented" else f.quote
                text = quote if f.status == "supplemented" else normalised_text(f.report, base)
                if not any(w in _sentence_of(f.quote, text) for w in TEST_WORDS):
                    yield Problem(file, line, "tested",
                                  f"{f.fact_id}'s sentence speaks of no test (检测, 筛查, 采样): a count that is not "
                                  "a test does not enter tested")
                for m in find_numbers(f.quote):
                    if m.value != float(row.tested):
                        continue
                    word = next((u for w, u in _UNIT_WORDS if f.quote[m.end:].startswith(w)), None)
                    if word is not None and word != row.tested_unit:
                        yield Problem(file, line, "tested_unit",
                                      f"{f.fact_id} writes {f.quote[m.start:m.end + 2]!r}: {word}, not {row.tested_unit}")
        if not is_blank(row.positives):
            v = float(row.positives)
            counted = [f for f in linked if not is_blank(f.value) and float(f.value) == v and "positive" in f.metric]
            negative = v == 0 and any(w in f.quote for f in linked for w in NEGATIVE_WORDS)
            if not counted and not negative:
                yield Problem(file, line, "positives",
                              f"{v:g} is not a count of positives: no linked fact with a positives metric has it "
                              "(and no linked quote says the results were negative)")
        if row.status == "stripped":
            continue
        ranks = []
        for col in ("tested", "positives"):
            v = getattr(row, col)
            if is_blank(v):
                continue
            cands = [f for f in linked if not is_blank(f.value) and float(f.value) == float(v)]
            if col == "positives" and float(v) == 0:
                cands += [f for f in linked if any(w in f.quote for w in NEGATIVE_WORDS)]
            known = [_RANK[f.status] for f in cands if f.status in _RANK]
            if known:
                ranks.append(min(known))
        if ranks and row.status in _RANK and _RANK[row.status] != max(ranks):
            expected = next(k for k, r in _RANK.items() if r == max(ranks))
            yield Problem(file, line, "status",
                          f"the row's numbers come from {expected} facts: status {expected}, not {row.status}")
