"""The five cities side by side, and the checks of the reports against independent bulletins.

Every cell of the comparison table is built from a curated row and keeps that row's id, so the
chapter can link each cell to its sentence on the annotated-sources page
(:func:`linked_table_html`).  Nothing here types a number: each value is read from
``data/`` through the loaders and the analysis modules.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from .annotate import anchor_href

REPORTS = ("mudanjiang", "suining", "yushu", "changchun", "dongxing")


# --------------------------------------------------------------------------------------
# Linked HTML tables


def _cell_html(value, row_ids, from_page: str) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    ids = [] if row_ids is None or (isinstance(row_ids, float) and pd.isna(row_ids)) else \
        [i for i in str(row_ids).split(";") if i]
    shown = html.escape(text).replace("\n", "<br/>")
    if not ids:
        return shown
    links = " ".join(f'<a class="fr-source-link" href="{html.escape(anchor_href(i, from_page))}" '
                     f'title="source: {html.escape(i)}">[{k + 1}]</a>' for k, i in enumerate(ids))
    return f"{shown} <sup>{links}</sup>"


def linked_table_html(values: pd.DataFrame, links: pd.DataFrame, from_page: str) -> str:
    """An HTML table of ``values`` whose cells link to the rows named in the same cell of ``links``.

    ``links`` has the same shape (index and columns) as ``values``; each cell holds the
    semicolon-separated ids (``yushu-012``, ``dongxing-e03``) of the curated rows behind the
    value, or nothing.  Text is HTML-escaped; the links go to the anchors of the
    annotated-sources page, relative to ``from_page`` (e.g. ``book/synthesis``).
    """
    links = links.reindex(index=values.index, columns=values.columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in values.columns)
    index_name = html.escape(str(values.index.name or ""))
    rows = []
    for idx in values.index:
        cells = "".join(f"<td>{_cell_html(values.at[idx, c], links.at[idx, c], from_page)}</td>"
                        for c in values.columns)
        rows.append(f"<tr><th>{html.escape(str(idx))}</th>{cells}</tr>")
    return (f'<table class="fr-linked-table"><thead><tr><th>{index_name}</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


class LinkedTable:
    """What a chapter cell returns: renders as a linked HTML table, prints as plain text."""

    def __init__(self, values: pd.DataFrame, links: pd.DataFrame, from_page: str):
        self.values, self.links, self.from_page = values, links, from_page

    def _repr_html_(self) -> str:
        return linked_table_html(self.values, self.links, self.from_page)

    def __repr__(self) -> str:
        return self.values.to_string()


# --------------------------------------------------------------------------------------
# Consistency of the reports with independent bulletins


@dataclass(frozen=True)
class ConsistencyCheck:
    """One quantity stated both by a report and by an independent source."""

    report: str
    quantity: str
    fact_id: str
    #: How the independent value is made from ``data/daily_cases.csv`` (see :func:`_independent`).
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


def _basis(window: pd.DataFrame) -> str:
    """How the independent days were obtained: ``reported`` or e.g. ``3 reported, 3 derived``."""
    counts = window["confirmed_basis"].fillna("unknown").value_counts()
    if len(counts) == 1:
        return str(counts.index[0])
    return ", ".join(f"{n} {b}" for b, n in sorted(counts.items()))


def _independent(rule: str, series: dict[str, pd.DataFrame]) -> tuple[float | None, str, str, str]:
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
        return float(values.sum()), "equal", sources, _basis(window)
    if kind == "last_cum":
        col = args[0]
        known = s[s[col].notna()]
        if known.empty:
            return None, "equal", "", ""
        return float(known[col].iloc[-1]), "equal", known["sources"].iloc[-1], "reported (cumulative)"
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
        indep, how, sources, basis = _independent(c.rule, series)
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


def _number(v) -> str:
    return "" if v is None or pd.isna(v) else f"{v:g}"


def consistency_display(table: pd.DataFrame, from_page: str) -> LinkedTable:
    """The consistency table for a chapter: the report's value links to its sentence."""
    values = pd.DataFrame({
        "report": table["report"],
        "quantity": table["quantity"],
        "report says": [f"{_number(v)} ({s})" for v, s in zip(table["report_value"], table["report_status"])],
        "independent source says": [f"{_number(v)} ({b}; {s})" if not pd.isna(v) else f"unknown ({b})"
                                    for v, b, s in zip(table["independent_value"], table["independent_basis"],
                                                       table["independent_sources"])],
        "test": table["comparison"].map({"equal": "equal", "at_most": "report ≤ bulletin"}),
        "agree": table["agree"],
    })
    values.index = pd.RangeIndex(1, len(values) + 1, name="check")
    links = pd.DataFrame(index=values.index, columns=values.columns, dtype=object)
    links["report says"] = list(table["fact_id"])
    return LinkedTable(values, links, from_page)
