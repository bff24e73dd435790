"""Rules for ``data/facts.csv``: quotes, values stated in them, derived formulas, codebook units, conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

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

