"""Rules for ``data/screening.csv``: ids, units, and every number traced to a fact or a cited quote."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.rules import ZERO_WORDS, quote_supports
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table


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
        says_negative = any(w in fact_quotes.get(f, "") for f in linked for w in ZERO_WORDS)
        for col in ("tested", "positives"):
            v = getattr(row, col)
            if is_blank(v) or facts is None:
                continue
            # zero positives may rest on a linked quote that says all results were negative (全部阴性)
            if float(v) not in linked_values and not (col == "positives" and float(v) == 0 and says_negative):
                yield Problem(file, line, col, f"{v:g} is not the value of any linked fact ({';'.join(linked) or 'none linked'})")

