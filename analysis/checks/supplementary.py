"""Rules for ``data/sources/supplementary.csv``: a URL or the words "no URL recorded"; never an excluded site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.rules import EXCLUDED_SITES
from ..core.tables import Problem, is_blank, iter_rows, register_check


@register_check("supplementary")
def _supplementary_sites(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    for line, row in iter_rows(df):
        if is_blank(row.url):
            if is_blank(row.note) or "no url recorded" not in row.note.lower():
                yield Problem(file, line, "url", 'a source without a URL must say "no URL recorded" in its note')
            continue
        host = re.sub(r"^https?://", "", row.url).split("/")[0].lower()
        if any(host == s or host.endswith("." + s) for s in EXCLUDED_SITES):
            yield Problem(file, line, "url", f"{host} is an excluded (grade X) site")

