"""Rules for ``data/comparison.csv``: every id names a curated row of the same report."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.ids import row_kind, split_ids
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table


@register_check("comparison")
def check_comparison(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """A programme or a reason (not both); ids exist and belong to the row's report."""
    facts, screening, events = (sibling_table(base, n) for n in ("facts", "screening", "events"))
    owner = {}
    for table, col in ((facts, "fact_id"), (events, "event_id"), (screening, "screening_id")):
        if table is not None:
            owner.update(zip(table[col], table["report"]))
    for line, row in iter_rows(df):
        if is_blank(row.main_screening_id) == is_blank(row.main_screening_reason):
            yield Problem(file, line, "main_screening_id", "give a screening programme or the reason there is none, not both")
        ids = split_ids(row.case_fact_ids) + split_ids(row.main_screening_id) + split_ids(row.variant_ids)
        for i in ids:
            try:
                kind = row_kind(i)
            except ValueError:
                kind = "screening" if i in owner else None
            if kind == "report":
                if i != f"report-{row.report}":
                    yield Problem(file, line, None, f"{i} is another report's section")
                continue
            if i not in owner:
                if owner:
                    yield Problem(file, line, None, f"{i} is not a row of facts, events or screening")
            elif owner[i] != row.report:
                yield Problem(file, line, None, f"{i} belongs to {owner[i]}, not {row.report}")
