"""The reports checked against independent bulletins: where both state the same quantity, do they agree?"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ConsistencyCheck:
    """One quantity stated both by a report and by an independent source."""

    report: str
    quantity: str
    fact_id: str
    #: How the independent value is made from ``data/daily_cases.csv`` (see :func:`independent_value`).
    rule: str


#: Quantities for which a report and an independent bulletin state the same thing.
CONSISTENCY_CHECKS = (
    ConsistencyCheck("changchun", "new asymptomatic infections, 27 Mar 2022 (report: sum of its district figures)",
                     "changchun-082", "daily:changchun:2022-03-27:asymptomatic"),
    ConsistencyCheck("changchun", "new confirmed excluding Jiutai, 27 Mar 2022 (report: sum of 14 printed districts) "
                     "must not exceed the city total",
                     "changchun-083", "at_most_daily:changchun:2022-03-27:bulletin_confirmed"),
    ConsistencyCheck("dongxing", "cumulative local confirmed cases by 26 Dec 2021 (bulletins: sum of daily new confirmed "
                     "from 21 Dec)", "dongxing-014", "sum_daily:dongxing:2021-12-21:2021-12-26:confirmed"),
    ConsistencyCheck("suining", "cumulative confirmed cases of 2020 (repository: last cumulative count of the "
                     "January–March series)", "suining-001", "last_cum:suining:cum_confirmed"),
)


def independent_basis(window: pd.DataFrame) -> str:
    """How the independent days were obtained: ``reported`` or e.g. ``3 reported, 3 derived``."""
    counts = window["confirmed_basis"].fillna("unknown").value_counts()
    if len(counts) == 1:
        return str(counts.index[0])
    return ", ".join(f"{n} {b}" for b, n in sorted(counts.items()))


def independent_value(rule: str, series: dict[str, pd.DataFrame]) -> tuple[float | None, str, str, str]:
    """(value, comparison, source ids, basis) of the independent side of a check."""
    kind, city, *args = rule.split(":")
    s = series[city]
    if kind in ("daily", "at_most_daily"):
        day, col = pd.Timestamp(args[0]), args[1]
        if day not in s.index or pd.isna(s.at[day, col]):
            return None, "equal", "", ""
        how = "at_most" if kind == "at_most_daily" else "equal"
        return float(s.at[day, col]), how, s.at[day, "sources"], "reported"
    if kind == "sum_daily":
        window = s.loc[pd.Timestamp(args[0]):pd.Timestamp(args[1])]
        values = window[args[2]]
        sources = ";".join(window["sources"])
        if values.isna().any() or len(window) != (pd.Timestamp(args[1]) - pd.Timestamp(args[0])).days + 1:
            return None, "equal", sources, "incomplete"
        return float(values.sum()), "equal", sources, independent_basis(window)
    if kind == "last_cum":
        col = args[0]
        known = s[s[col].notna()]
        if known.empty:
            return None, "equal", "", ""
        return float(known[col].iloc[-1]), "equal", known["sources"].iloc[-1], "reported, cumulative"
    raise ValueError(f"unknown consistency rule {rule!r}")


def consistency_table(facts: pd.DataFrame, series: dict[str, pd.DataFrame],
                      checks=CONSISTENCY_CHECKS) -> pd.DataFrame:
    """A row per check: the report's value, the independent value, and whether they agree.

    ``agree`` is ``"yes"``, ``"no"`` or ``"cannot tell"`` (a side is missing); for an
    ``at_most`` check the report's partial sum must not exceed the independent total.
    """
    by_id = facts.set_index("fact_id")
    rows = []
    for c in checks:
        fact = by_id.loc[c.fact_id]
        report_value = None if pd.isna(fact["value"]) else float(fact["value"])
        indep, how, sources, basis = independent_value(c.rule, series)
        if report_value is None or indep is None:
            agree = "cannot tell"
        elif how == "at_most":
            agree = "yes" if report_value <= indep else "no"
        else:
            agree = "yes" if report_value == indep else "no"
        rows.append({"report": c.report, "quantity": c.quantity, "report_value": report_value,
                     "report_status": fact["status"], "fact_id": c.fact_id, "independent_value": indep,
                     "comparison": how, "independent_basis": basis, "independent_sources": sources,
                     "agree": agree})
    return pd.DataFrame(rows)
