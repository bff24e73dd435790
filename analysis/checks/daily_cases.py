"""Rules for ``data/daily_cases.csv``: sources that exist and state each count, explicit NA, monotone totals."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.numerals import numbers_in
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table

#: The count columns of ``daily_cases.csv``.
COUNT_COLUMNS = ("new_confirmed", "new_confirmed_from_asymptomatic", "new_asymptomatic",
                 "cum_confirmed", "cum_asymptomatic")


# Loading and cross-checking data/daily_cases.csv

def _quote_numbers(quote: str) -> set[float]:
    """Numbers stated in a quote: Chinese text, or a CSV data row (split on commas)."""
    found = set(numbers_in(quote))
    for part in re.split(r"[,;]", quote):
        found |= set(numbers_in(part))
    return found


@register_check("daily_cases")
def check_daily_cases(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Cross-table rules for ``daily_cases.csv``.

    * (city, date, source_id) is unique;
    * the source exists (``sources/supplementary.csv`` or ``facts.csv``), belongs to the same city,
      and its trust grade is copied exactly ("report" for facts); a source without URL needs the
      ``no_url`` flag;
    * every count of a *reported* row is stated in the source's quote (so a 0 must be stated);
      a *derived* row shows its arithmetic in the note and holds no 0;
    * a row with no count at all carries a flag saying why (explicit NA);
    * conversions never exceed new confirmed;
    * cumulative confirmed never decreases within a city; two 0-24 h rows of one day never disagree.
    """
    supp = sibling_table(base, "supplementary")
    facts = sibling_table(base, "facts")
    sup_by_id = {} if supp is None else {r.source_id: r for r in supp.itertuples(index=False)}
    fact_by_id = {} if facts is None else {r.fact_id: r for r in facts.itertuples(index=False)}
    seen: dict[tuple, int] = {}
    for line, row in iter_rows(df):
        key = (row.city, row.date, row.source_id)
        if key in seen:
            yield Problem(file, line, "source_id", f"duplicate (city, date, source_id); first on line {seen[key]}")
        seen.setdefault(key, line)
        flags = set() if is_blank(row.flag) else set(str(row.flag).split(";"))
        values = {c: getattr(row, c) for c in COUNT_COLUMNS if not is_blank(getattr(row, c))}
        if not values and not flags:
            yield Problem(file, line, None, "a row with no count needs a flag saying why (explicit NA)")
        sid = row.source_id
        if sid.startswith("sup-"):
            source = sup_by_id.get(sid)
            if supp is None:
                continue
            if source is None:
                yield Problem(file, line, "source_id", f"{sid} is not in sources/supplementary.csv")
                continue
            if source.report != row.city:
                yield Problem(file, line, "source_id", f"{sid} belongs to {source.report}, not {row.city}")
            if source.trust != row.trust:
                yield Problem(file, line, "trust", f"{row.trust!r} differs from the trust {source.trust!r} of {sid}")
            if is_blank(source.url) and "no_url" not in flags:
                yield Problem(file, line, "flag", f"{sid} has no URL: the row needs the no_url flag")
            quote = source.quote
        else:
            if facts is None:
                continue
            source = fact_by_id.get(sid)
            if source is None:
                yield Problem(file, line, "source_id", f"{sid} is not in facts.csv")
                continue
            if source.report != row.city:
                yield Problem(file, line, "source_id", f"{sid} belongs to {source.report}, not {row.city}")
            if row.trust != "report":
                yield Problem(file, line, "trust", "a row citing a report fact has trust 'report'")
            quote = source.quote
        if row.status == "reported":
            stated = _quote_numbers(str(quote))
            for col, v in values.items():
                if float(v) not in stated:
                    yield Problem(file, line, col, f"{v} is not stated in the quote of {sid}")
        else:
            if is_blank(row.note) or "=" not in str(row.note):
                yield Problem(file, line, "note", "a derived row shows its arithmetic in the note")
            for col, v in values.items():
                if float(v) == 0:
                    yield Problem(file, line, col, "a derived row may not hold a 0 (unknown stays empty)")
        conv, new = values.get("new_confirmed_from_asymptomatic"), values.get("new_confirmed")
        if conv is not None and new is not None and conv > new:
            yield Problem(file, line, "new_confirmed_from_asymptomatic", f"{conv} conversions exceed {new} new confirmed")
    # cumulative confirmed never decreases; 0-24 h rows of one day agree
    lines = {i: i + 2 for i in range(len(df))}
    for city, grp in df.groupby("city", sort=False):
        cum = grp[grp["cum_confirmed"].notna()].sort_values("date", kind="stable")
        prev_val, prev_date = None, None
        for idx, r in cum.iterrows():
            if prev_val is not None and r["cum_confirmed"] < prev_val:
                yield Problem(file, lines[idx], "cum_confirmed",
                              f"cumulative confirmed falls from {prev_val} ({prev_date}) to {r['cum_confirmed']}")
            prev_val, prev_date = r["cum_confirmed"], r["date"]
        full_day = grp[~grp["flag"].fillna("").str.contains("window_not_0_24h")]
        distinct = full_day.groupby("date")[list(COUNT_COLUMNS)].nunique()  # NA not counted
        for date in distinct.index[distinct.gt(1).any(axis=1)]:  # only the days whose sources differ
            day = full_day[full_day["date"] == date]
            for col in COUNT_COLUMNS:
                vals = day[col].dropna().unique()
                if len(vals) > 1:
                    yield Problem(file, lines[day.index[0]], col, f"{city} {date}: sources disagree ({', '.join(map(str, vals))})")

