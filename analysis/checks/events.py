"""Rules for ``data/events.csv``: quotes, times written to their precision, conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.rules import PRECISION_FORMAT
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table
from .common import check_conflicts, check_quote


@register_check("events")
def _events_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    supp = sibling_table(base, "supplementary")
    for line, row in iter_rows(df):
        if not row.event_id.startswith(row.report + "-"):
            yield Problem(file, line, "event_id", f"id does not start with its report key {row.report}")
        yield from check_quote(row, line, file, base, supp)
        if row.status != "supplemented" and not is_blank(row.source_id):
            # a row's status says where its time comes from: a time from an outside source is supplemented
            yield Problem(file, line, "source_id", "only supplemented rows cite a supplementary source")
        for end in ("start", "end"):
            when, precision, part = getattr(row, end), getattr(row, f"{end}_precision"), getattr(row, f"{end}_part")
            if is_blank(when):
                if not is_blank(precision) or not is_blank(part):
                    yield Problem(file, line, f"{end}_precision", f"precision given without a {end}")
                continue
            if is_blank(precision):
                yield Problem(file, line, f"{end}_precision", f"{end} needs a precision")
                continue
            if not PRECISION_FORMAT[precision].fullmatch(when):
                yield Problem(file, line, end, f"{when!r} is not written to {precision} precision")
            if (precision == "part_of_day") != (not is_blank(part)):
                yield Problem(file, line, f"{end}_part", "a part of the day goes with part_of_day precision, and only with it")
        if row.status == "stripped" and not is_blank(row.start):
            yield Problem(file, line, "start", "a stripped event has no start")
        if not is_blank(row.start) and not is_blank(row.end) and str(row.end)[:10] < str(row.start)[:10]:
            yield Problem(file, line, "end", "event ends before it starts")
    yield from check_conflicts(df, "event_id", file)

