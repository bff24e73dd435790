"""Checks shared by the tables whose rows quote a report: quotes found, conflicts that point back."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.tables import Problem, is_blank, iter_rows
from ..core.texts import normalised_text


def check_conflicts(df: pd.DataFrame, id_col: str, file: str) -> Iterable[Problem]:
    ids = set(df[id_col])
    links = {}
    for line, row in iter_rows(df):
        raw = getattr(row, "conflicts_with")
        targets = [] if is_blank(raw) else str(raw).split(";")
        links[getattr(row, id_col)] = (line, targets)
    for own, (line, targets) in links.items():
        for t in targets:
            if t not in ids:
                yield Problem(file, line, "conflicts_with", f"{t} does not exist")
            elif own not in links[t][1]:
                yield Problem(file, line, "conflicts_with", f"{t} does not point back at {own}")
            if t == own:
                yield Problem(file, line, "conflicts_with", "a row cannot conflict with itself")


def check_quote(row, line: int, file: str, base: Path, supp: pd.DataFrame | None) -> Iterable[Problem]:
    if row.status == "supplemented":
        if is_blank(row.source_id):
            yield Problem(file, line, "source_id", "a supplemented row needs a source_id")
        elif supp is not None:
            match = supp[supp["source_id"] == row.source_id]
            if match.empty:
                yield Problem(file, line, "source_id", f"{row.source_id} is not in sources/supplementary.csv")
            elif row.quote not in match["quote"].iloc[0]:
                yield Problem(file, line, "quote", f"quote not found in the supplementary excerpt {row.source_id}")
    else:
        if row.quote not in normalised_text(row.report, base):
            yield Problem(file, line, "quote", f"quote not found in the normalised {row.report} text: {row.quote[:40]!r}")

