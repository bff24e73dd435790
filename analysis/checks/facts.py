"""Rules for ``data/facts.csv``: quotes, values stated in them, derived formulas, codebook units, conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.numerals import find_numbers, implied_qualifier
from ..core.rules import evaluate_formula, matches_derived, quote_supports
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table
from .common import check_conflicts, check_quote


@register_check("facts")
def _facts_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    supp = sibling_table(base, "supplementary")
    codebook = sibling_table(base, "codebook")
    values = dict(zip(df["fact_id"], df["value"]))
    units = {} if codebook is None else dict(zip(codebook["metric"], codebook["unit"]))
    for line, row in iter_rows(df):
        if not row.fact_id.startswith(row.report + "-"):
            yield Problem(file, line, "fact_id", f"id does not start with its report key {row.report}")
        yield from check_quote(row, line, file, base, supp)
        has_value = not is_blank(row.value)
        if row.status == "stripped" and has_value:
            yield Problem(file, line, "value", "a stripped row must have no value")
        if row.status in ("reported", "supplemented"):
            if not has_value:
                yield Problem(file, line, "value", f"a {row.status} row needs a value")
            elif not quote_supports(row.value, row.quote):
                yield Problem(file, line, "value", f"{row.value:g} is not stated in its quote")
            if is_blank(row.qualifier):
                yield Problem(file, line, "qualifier", "a stated number needs a qualifier")
        if row.status != "supplemented" and not is_blank(row.source_id):
            yield Problem(file, line, "source_id", "only supplemented rows cite a supplementary source")
        if row.status == "derived":
            if is_blank(row.formula):
                yield Problem(file, line, "formula", "a derived row needs a formula")
            elif not has_value:
                yield Problem(file, line, "value", "a derived row needs a value")
            else:
                try:
                    computed = evaluate_formula(row.formula, values)
                except KeyError as exc:
                    yield Problem(file, line, "formula", f"refers to {exc.args[0]}, which does not exist or has no value")
                except (ValueError, SyntaxError, ZeroDivisionError) as exc:
                    yield Problem(file, line, "formula", f"cannot evaluate: {exc}")
                else:
                    if not matches_derived(row.value, computed):
                        yield Problem(file, line, "value", f"{row.value:g} does not match its formula ({computed:g})")
        elif not is_blank(row.formula):
            yield Problem(file, line, "formula", "only derived rows have a formula")
        if units and row.metric not in units:
            yield Problem(file, line, "metric", f"{row.metric!r} is not defined in codebook.csv")
        elif units and units[row.metric] != row.unit:
            yield Problem(file, line, "unit", f"{row.unit!r} differs from the codebook unit {units[row.metric]!r} of {row.metric}")
    yield from check_conflicts(df, "fact_id", file)



#: Markers whose qualifier a stripped quote decides although its number is gone (其中以上为...).
_STRIPPED_MARKERS = (("以上", "at_least"), ("以下", "at_most"), ("以内", "at_most"), ("以內", "at_most"))


@register_check("facts")
def _qualifier_matches_quote(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Qualifiers say what the quote says (data/README.md, "Qualifiers"); a stripped value is never exact.

    Reported rows: where the words around the stated value imply a qualifier (以上 at_least,
    以下 at_most, 余/多 more_than, 近 nearly, 约/左右 about, a 万 figure about), the row must carry
    it.  Stripped rows: never ``exact``; a 以上/以下/以内 in the quote decides the qualifier.
    """
    for line, row in iter_rows(df):
        if row.status == "stripped":
            if row.qualifier == "exact":
                yield Problem(file, line, "qualifier", "a stripped value is unknown and cannot be exact")
                continue
            implied = {q for w, q in _STRIPPED_MARKERS if w in row.quote}
            if len(implied) == 1 and row.qualifier not in implied:
                yield Problem(file, line, "qualifier",
                              f"the quote implies {implied.pop()}, not {row.qualifier or 'no qualifier'}")
        elif row.status == "reported" and not is_blank(row.value):
            mentions = [m for m in find_numbers(row.quote) if m.value == row.value]
            implied = implied_qualifier(row.quote, mentions[0]) if mentions else None
            if implied is not None and row.qualifier != implied:
                yield Problem(file, line, "qualifier", f"the quote implies {implied}, not {row.qualifier}")
