"""Rules for ``data/districts.csv``: adcodes by kind, counts equal to their facts."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table


@register_check("districts")
def _districts_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    facts = sibling_table(base, "facts")
    if facts is None:
        return
    by_id = facts.set_index("fact_id")
    for line, row in iter_rows(df):
        if (row.kind == "development_zone") != is_blank(row.adcode):
            yield Problem(file, line, "adcode", "development zones have no adcode; every other unit has one")
        for col, fcol in (("new_confirmed", "confirmed_fact_id"), ("new_asymptomatic", "asymptomatic_fact_id"),
                          ("new_confirmed_supplemented", "supplemented_fact_id")):
            fid, v = getattr(row, fcol), getattr(row, col)
            if is_blank(fid):
                if not is_blank(v):
                    yield Problem(file, line, fcol, f"{col} has a value but no fact behind it")
                continue
            if fid not in by_id.index:
                yield Problem(file, line, fcol, f"{fid} does not exist in facts.csv")
                continue
            fv = by_id.loc[fid, "value"]
            if is_blank(v) != is_blank(fv) or (not is_blank(v) and float(v) != float(fv)):
                yield Problem(file, line, col, f"{v} differs from {fid}'s value {fv}")

