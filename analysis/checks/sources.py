"""Rules for ``data/sources.csv``, the report registry: files, hashes, periods, normalisation rules."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.tables import Problem, register_check, sibling_table
from ..core.texts import RULES, normalised_text


@register_check("sources")
def check_sources(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Each report's text exists with its recorded SHA-256, its rules exist, its period quotes are in it."""
    for i, row in enumerate(df.itertuples(index=False)):
        line = i + 2
        rules = [] if not isinstance(row.normalisation, str) else row.normalisation.split(";")
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            yield Problem(file, line, "normalisation", f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
            continue
        path = base / "sources" / row.source_file
        if not path.exists():
            yield Problem(file, line, "source_file", f"{path} does not exist")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != row.sha256:
            yield Problem(file, line, "sha256", f"file {row.source_file} has SHA-256 {digest}, not the recorded one")
        if row.period_end < row.period_start:
            yield Problem(file, line, "period_end", "period ends before it starts")
        if row.period_source == "report":
            text, where = normalised_text(row.report, base), "the normalised text"
        else:
            supp = sibling_table(base, "supplementary")
            match = None if supp is None else supp[supp["source_id"] == row.period_source]
            if match is None or match.empty:
                yield Problem(file, line, "period_source", f"{row.period_source} is not in sources/supplementary.csv")
                continue
            text, where = match["quote"].iloc[0], f"the supplementary quote {row.period_source}"
        for quote in str(row.period_quote).split("|"):
            if quote not in text:
                yield Problem(file, line, "period_quote", f"quote not found in {where}: {quote!r}")
        if isinstance(row.published_quote, str) and row.published_quote not in normalised_text(row.report, base):
            yield Problem(file, line, "published_quote", f"quote not found in the normalised text: {row.published_quote!r}")

