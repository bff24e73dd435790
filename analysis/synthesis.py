"""The five cities side by side, and the checks of the reports against independent bulletins.

Every cell of the comparison table is built from a curated row and keeps that row's id, so the
chapter can link each cell to its sentence on the annotated-sources page
(:func:`linked_table_html`).  Nothing here types a number: each value is read from
``data/`` through the loaders and the analysis modules.
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass

import pandas as pd

from .annotate import ANNOTATED_PAGE, anchor_href

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
    links = " ".join(f'<a class="fr-source-link" href="{html.escape(source_href(i, from_page))}" '
                     f'title="source: {html.escape(i)}">[{k + 1}]</a>' for k, i in enumerate(ids))
    return f"{shown} <sup>{links}</sup>"


def linked_table_html(values: pd.DataFrame, links: pd.DataFrame, from_page: str) -> str:
    """An HTML table of ``values`` whose cells link to the rows named in the same cell of ``links``.

    ``links`` has the same rows (by position) and columns as ``values``; each cell holds the
    semicolon-separated ids (``yushu-012``, ``dongxing-e03``) of the curated rows behind the
    value, or nothing.  Text is HTML-escaped; the links go to the anchors of the
    annotated-sources page, relative to ``from_page`` (e.g. ``book/synthesis``).
    """
    links = links.reindex(columns=values.columns)
    if len(links) != len(values):
        raise ValueError(f"links has {len(links)} rows, values {len(values)}")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in values.columns)
    index_name = html.escape(str(values.index.name or ""))
    rows = []
    for k, idx in enumerate(values.index):  # by position: the index need not be unique
        cells = "".join(f"<td>{_cell_html(values.iat[k, j], links.iat[k, j], from_page)}</td>"
                        for j in range(values.shape[1]))
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


def linked_columns(values: pd.DataFrame, column_ids: dict, from_page: str) -> LinkedTable:
    """A :class:`LinkedTable` in which only the named columns link: ``{column: ids, one per row}``."""
    links = pd.DataFrame(None, index=values.index, columns=values.columns, dtype=object)
    for col, ids in column_ids.items():
        links[col] = [i if isinstance(i, str) and i else None for i in ids]
    return LinkedTable(values, links, from_page)


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
    return linked_columns(values, {"report says": list(table["fact_id"])}, from_page)


# --------------------------------------------------------------------------------------
# The comparison table: five cities side by side

#: The screening programme that stands for each report in the comparison (``data/screening.csv``),
#: or None with the reason no programme can: declared here, once, so the choice is visible.
MAIN_SCREENING = {
    "mudanjiang": ("mudanjiang-s03", None),
    "suining": (None, "no mass screening: arrivals and cold-chain goods only, with no positives stated"),
    "yushu": ("yushu-s06", None),
    "changchun": (None, "the press conference gives no number tested and no positives for a round"),
    "dongxing": ("dongxing-s04", None),
}

#: Case counts shown per report: fact ids, in order (values and statuses come from facts.csv).
CASE_FACTS = {
    "mudanjiang": ("mudanjiang-015", "mudanjiang-034"),
    "suining": ("suining-001", "suining-008"),
    "yushu": ("yushu-003", "yushu-004"),
    "changchun": ("changchun-078", "changchun-082"),
    "dongxing": ("dongxing-014",),
}

#: What is known of the virus, by report: (text, ids behind it). Only what a source states.
VARIANT = {
    "mudanjiang": ("a European lineage, closest to the cases imported through Suifenhe (the lineage letter is "
                   "stripped from our copy)", "report-mudanjiang"),
    "suining": ("not stated in the report", "report-suining"),
    "yushu": ("not stated in the report", "report-yushu"),
    "changchun": ("not stated in the report", "report-changchun"),
    "dongxing": ("not stated in the report; a LOW-trust repost (no URL recorded, sup-dongxing-07) calls the "
                 "first case a Delta clade (德尔塔进化分支)", "report-dongxing"),
}

#: Response milestones shown in the table (keys of analysis.speed.MILESTONES).
SPEED_COLUMNS = {"detection_to_lockdown": "detection → lockdown",
                 "detection_to_round1_start": "detection → first mass-testing round"}

_SECTION = {"mudanjiang": "mudanjiang-000", "suining": "suining-001", "yushu": "yushu-002",
            "changchun": "changchun-003", "dongxing": "dongxing-004"}


def source_href(row_id: str, from_page: str) -> str:
    """Link to a fact, an event, or (``report-<key>``) a report's section of the annotated page."""
    if row_id.startswith("report-"):
        page = posixpath.relpath(f"{ANNOTATED_PAGE}.html", posixpath.dirname(from_page) or ".")
        return f"{page}#{_SECTION[row_id.removeprefix('report-')]}"
    return anchor_href(row_id, from_page)


def _fact_text(row: pd.Series) -> str:
    what = row["metric"].replace("_", " ")
    if pd.isna(row["value"]):
        return f"{what}: stripped" if row["status"] == "stripped" else f"{what}: not stated"
    qualifier = {"more_than": "more than ", "about": "about ", "at_least": "at least ", "nearly": "nearly "}.get(
        row["qualifier"], "")
    return f"{what}: {qualifier}{row['value']:g} ({row['status']})"


def _interval_text(rows: pd.DataFrame) -> tuple[str, str]:
    """The response chapter's own wording of each interval (``speed.interval_range``), and its events."""
    from .speed import interval_range

    parts, ids = [], []
    for r in rows.itertuples(index=False):
        text = interval_range(r.lower_hours, r.upper_hours, r.status)
        parts.append(f"{text} (conflicting)" if r.status == "conflicting" else text)
        ids += [e for e in (r.start_event, r.end_event) if isinstance(e, str) and e]
    return "; ".join(dict.fromkeys(parts)), ";".join(dict.fromkeys(ids))


def _yield_text(y: pd.Series) -> str:
    from .yields import fmt_rate

    unit = str(y["unit"]).replace("_", "-")
    tested = f"{'about ' if y['tested_qualifier'] == 'about' else ''}{y['tested']:,.0f} {unit}"
    if y["positives"] == 0:
        return (f"0 positives in {tested}: fewer than {fmt_rate(y['one_sided_bound_per_10k'])} per 10,000 "
                f"(exact one-sided {100 * y['level']:g} % bound)")
    return (f"{y['positives']:g} positives in {tested}: {fmt_rate(y['rate_per_10k'])} per 10,000 "
            f"({100 * y['level']:g} % CI {fmt_rate(y['lower_per_10k'])}–{fmt_rate(y['upper_per_10k'])}, {y['method']})")


def comparison_table(sources: pd.DataFrame, facts: pd.DataFrame, events: pd.DataFrame, screening: pd.DataFrame,
                     yields: pd.DataFrame, intervals: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, links): one row per report, each cell with the ids of the rows behind it.

    ``yields`` is :func:`analysis.yields.programme_yields`; ``intervals`` is
    :func:`analysis.speed.all_intervals`.
    """
    src = sources.set_index("report")
    f = facts.set_index("fact_id")
    ev = events.set_index("event_id")
    scr = screening.set_index("screening_id")
    y = yields.set_index("screening_id")
    values, links = [], []
    for report in REPORTS:
        s = src.loc[report]
        v, l = {}, {}
        v["city"] = f"{s['city_en']} {s['city_zh']}, {s['province_en']} {s['province_zh']}"
        l["city"] = f"report-{report}"
        v["document"] = str(s["document_kind"])
        l["document"] = f"report-{report}"
        v["period"] = f"{pd.Timestamp(s['period_start']):%Y-%m-%d} to {pd.Timestamp(s['period_end']):%Y-%m-%d}"
        l["period"] = f"report-{report}"
        v["variant"], l["variant"] = VARIANT[report]
        first = events[(events["report"] == report) & (events["event_type"] == "first_detection")]
        if first.empty:
            first = events[(events["report"] == report) & (events["event_type"] == "first_case")]
        v["trigger of detection"] = "; ".join(first["description"]) if len(first) else "not stated in the report"
        l["trigger of detection"] = ";".join(first["event_id"]) if len(first) else f"report-{report}"
        sid, reason = MAIN_SCREENING[report]
        if sid is None:
            v["screening and its yield"], l["screening and its yield"] = reason, f"report-{report}"
        else:
            v["screening and its yield"] = f"{scr.loc[sid, 'programme']}: {_yield_text(y.loc[sid])}"
            l["screening and its yield"] = str(scr.loc[sid, "fact_ids"])
        for key, col in SPEED_COLUMNS.items():
            rows = intervals[(intervals["milestone"] == key) & (intervals["report"] == report)]
            v[col], ids = _interval_text(rows)
            l[col] = ids or f"report-{report}"  # nothing dated: the report's section says why
        ids = CASE_FACTS[report]
        v["case counts"] = "; ".join(_fact_text(f.loc[i]) for i in ids)
        l["case counts"] = ";".join(ids)
        stripped = int(((facts["report"] == report) & (facts["status"] == "stripped")).sum())
        total = int((facts["report"] == report).sum())
        v["what the copy leaves out"] = f"{stripped} of {total} quantities stripped; {s['defects']}"
        l["what the copy leaves out"] = f"report-{report}"
        values.append(v)
        links.append(l)
    index = pd.Index([src.loc[r, "city_en"] for r in REPORTS], name="report")
    return pd.DataFrame(values, index=index), pd.DataFrame(links, index=index)


def summary_figure(values_source: dict, yields: pd.DataFrame, intervals: pd.DataFrame, facts: pd.DataFrame):
    """Three panels, one row per city: screening yield (log), detection → lockdown, and how complete the copy is.

    ``values_source`` maps report keys to bilingual city labels (top to bottom).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .plotting import REPORT_COLOURS, link_points
    from .yields import _first_fact

    reports = list(values_source)
    labels = [values_source[r] for r in reports]
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("Screening yield per 10,000 (95 % CI; ▷ zero: upper bound)",
                                        "First detection → lockdown (days)",
                                        "Quantities in the copy, by status"))
    y = yields.set_index("screening_id")
    for report, label in zip(reports, labels):
        sid, _ = MAIN_SCREENING[report]
        if sid is None:
            continue
        row = y.loc[sid]
        colour = REPORT_COLOURS[report]
        if row["positives"] == 0:
            fig.add_trace(go.Scatter(x=[row["one_sided_bound_per_10k"]], y=[label], mode="markers",
                                     marker=dict(symbol="triangle-left", size=12, color=colour),
                                     name=f"{label}: zero found", showlegend=False,
                                     hovertext=[f"{label}: 0 / {row['tested']:,.0f} {row['unit']}; one-sided 95 % "
                                                f"bound {row['one_sided_bound_per_10k']:.3g} per 10,000"],
                                     hoverinfo="text"), row=1, col=1)
        else:
            fig.add_trace(go.Scatter(
                x=[row["rate_per_10k"]], y=[label], mode="markers", showlegend=False, name=label,
                marker=dict(size=10, color=colour, symbol="circle" if row["unit"] == "persons" else "square"),
                error_x=dict(type="data", symmetric=False, array=[row["upper_per_10k"] - row["rate_per_10k"]],
                             arrayminus=[row["rate_per_10k"] - row["lower_per_10k"]]),
                hovertext=[f"{label}: {row['positives']:g} / {row['tested']:,.0f} {row['unit']}"], hoverinfo="text+x"),
                row=1, col=1)
        link_points(fig.data[-1], [_first_fact(row["fact_ids"])], "book/synthesis")
    lock = intervals[intervals["milestone"] == "detection_to_lockdown"]
    observed = lock[lock["status"].isin(["observed", "conflicting"])]
    span = [min(0.0, observed["lower_hours"].min() / 24), max(1.0, observed["upper_hours"].max() / 24)]
    edge = span[1] + 0.25 * (span[1] - span[0])  # censored cities are drawn at the right edge
    for report, label in zip(reports, labels):
        for r in lock[lock["report"] == report].itertuples(index=False):
            if r.status == "cannot_tell" or pd.isna(r.lower_hours):
                continue
            colour = REPORT_COLOURS[report]
            if r.status == "censored":
                fig.add_trace(go.Scatter(
                    x=[edge], y=[label], mode="markers+text", marker=dict(symbol="triangle-right", size=12, color=colour),
                    text=[f"none in {r.lower_hours / 24:.0f} d"], textposition="middle left", showlegend=False,
                    name=f"{label} (censored)", hovertext=[f"{label}: no lockdown in the window: more than "
                                                           f"{r.lower_hours:g} h (censored)"], hoverinfo="text"),
                    row=1, col=2)
                continue
            fig.add_trace(go.Scatter(
                x=[r.lower_hours / 24, r.upper_hours / 24], y=[label, label], mode="lines+markers", showlegend=False,
                line=dict(color=colour, width=6), marker=dict(symbol="line-ns", size=12, line=dict(width=2, color=colour)),
                name=f"{label} ({r.status})",
                hovertext=[f"{label}: {r.lower_hours:g} to {r.upper_hours:g} h, {r.status}"] * 2, hoverinfo="text"),
                row=1, col=2)
            link_points(fig.data[-1], [r.start_event, r.end_event], "book/synthesis")
    fig.update_xaxes(range=[span[0] - 0.2, edge + 0.2], title_text="days (negative: dated before the detection)",
                     row=1, col=2)
    status_order = ("reported", "derived", "supplemented", "stripped")
    status_colour = {"reported": "#4d4d4d", "derived": "#56B4E9", "supplemented": "#F0E442", "stripped": "#D55E00"}
    for status in status_order:
        counts = [int(((facts["report"] == r) & (facts["status"] == status)).sum()) for r in reports]
        fig.add_trace(go.Bar(x=counts, y=labels, orientation="h", name=status, marker_color=status_colour[status],
                             legendgroup="status"), row=1, col=3)
    fig.update_layout(barmode="stack", height=380, width=1100, legend=dict(orientation="h", y=-0.28, x=0.68),
                      margin=dict(l=150, r=20, t=60, b=70))
    fig.update_xaxes(type="log", tickvals=[0.1, 0.2, 0.5, 1, 2, 5], title_text="per 10,000 (log scale)", row=1, col=1)
    fig.update_xaxes(title_text="rows of data/facts.csv", row=1, col=3)
    fig.update_xaxes(title_font_size=12)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    for ann in fig.layout.annotations:
        ann.font.size = 12
    return fig
