"""Rules for ``data/uncounted_numbers.csv``: each context is in its text and holds its number."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.tables import Problem, iter_rows, register_check
from ..core.texts import normalised_text


@register_check("uncounted_numbers")
def _uncounted_in_text(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    for line, row in iter_rows(df):
        if row.context not in normalised_text(row.report, base):
            yield Problem(file, line, "context", "context not found in the normalised text")
        elif row.number not in row.context:
            yield Problem(file, line, "number", "number not in its context")

