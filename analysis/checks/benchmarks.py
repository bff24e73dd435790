"""Rules for ``data/benchmarks.csv``: each protocol limit stated in its cited quote, with its trust grade."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.rules import quote_supports
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table


@register_check("benchmarks")
def check_benchmarks(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Rules for ``benchmarks.csv`` (the milestone keys are the schema's enum).

    * the source is a ``sources/supplementary.csv`` row; the quote is found in its quote, and the
      limit is one of the numbers the quote states; the trust grade is copied exactly;
    * ``in_force_from`` equals the source's ``published`` date where both are given;
    * ``superseded_by`` names another benchmark of the
      same milestone;
    * a source without URL, or a LOW-trust one, needs a caveat saying so.
    """
    supp = sibling_table(base, "supplementary")
    by_id = {} if supp is None else {r.source_id: r for r in supp.itertuples(index=False)}
    milestones = dict(zip(df["benchmark_id"], df["milestone"]))
    for line, row in iter_rows(df):
        if not is_blank(row.superseded_by):
            if row.superseded_by not in milestones:
                yield Problem(file, line, "superseded_by", f"{row.superseded_by} does not exist")
            elif milestones[row.superseded_by] != row.milestone:
                yield Problem(file, line, "superseded_by", f"{row.superseded_by} is about another milestone")
            elif row.superseded_by == row.benchmark_id:
                yield Problem(file, line, "superseded_by", "a benchmark cannot supersede itself")
        if supp is None:
            continue
        source = by_id.get(row.source_id)
        if source is None:
            yield Problem(file, line, "source_id", f"{row.source_id} is not in sources/supplementary.csv")
            continue
        if row.quote not in source.quote:
            yield Problem(file, line, "quote", f"quote not found in the supplementary excerpt {row.source_id}")
        elif not quote_supports(row.limit, row.quote):
            yield Problem(file, line, "limit", f"{row.limit:g} is not stated in the quote")
        if row.trust != source.trust:
            yield Problem(file, line, "trust", f"{row.trust!r} differs from the trust {source.trust!r} of {row.source_id}")
        if not is_blank(row.in_force_from) and not is_blank(source.published) and row.in_force_from != source.published:
            yield Problem(file, line, "in_force_from",
                          f"{row.in_force_from} differs from the published date {source.published} of {row.source_id}")
        caveat = "" if is_blank(row.caveat) else str(row.caveat).lower()
        if is_blank(source.url) and "no url recorded" not in caveat:
            yield Problem(file, line, "caveat", f'{row.source_id} has no URL: the caveat must say "no URL recorded"')
        if "LOW" in str(row.trust) and not caveat:
            yield Problem(file, line, "caveat", "a low-trust benchmark needs a caveat")

