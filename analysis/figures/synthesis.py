"""The five cities side by side: the linked comparison table, the consistency table and the summary figure.

Every cell of the comparison table is built from a curated row and keeps that row's id, so the
chapter links each cell to its sentence on the annotated-sources page. Nothing here types a
number or a report: the reports are the rows of ``data/sources.csv``, and what stands for each
in the comparison is declared in ``data/comparison.csv``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.ids import first_fact_id, split_ids
from ..core.registry import city_label, report_colours
from ..methods.speed import row_role
from .fmt import fmt_estimate, fmt_hours, fmt_rate, interval_range
from .links import LinkedTable, link_points, linked_columns
from .style import STATUS_COLOURS
from .tables import fmt_cell


def _number(v) -> str:
    """A count as a reader reads it (``1,234``); empty when missing."""
    return fmt_cell(v)


def _sources_text(ids) -> str:
    return ", ".join(split_ids(ids)) if isinstance(ids, str) and ids else ""


def consistency_display(table: pd.DataFrame, from_page: str) -> LinkedTable:
    """The consistency table for a chapter (a reader table): the report's value links to its sentence."""
    values = pd.DataFrame({
        "check": range(1, len(table) + 1),
        "city": [city_label(r) for r in table["report"]],
        "quantity": list(table["quantity"]),
        "report says": [f"{_number(v)} ({s})" if _number(v) else f"not stated ({s})"
                        for v, s in zip(table["report_value"], table["report_status"])],
        "independent source says": [
            (f"{_number(v)} ({b}; sources {_sources_text(s)})" if _number(v) else f"unknown ({b or 'no value'})")
            for v, b, s in zip(table["independent_value"], table["independent_basis"], table["independent_sources"])],
        "test": list(table["comparison"].map({"equal": "equal", "at_most": "report ≤ bulletin"})),
        "agree": list(table["agree"]),
    })
    return linked_columns(values, {"report says": list(table["fact_id"])}, from_page)


# --------------------------------------------------------------------------------------
# The comparison table: the cities side by side

#: Response milestones shown in the table (keys of analysis.methods.speed.MILESTONES).
SPEED_COLUMNS = {"detection_to_lockdown": "detection → lockdown",
                 "detection_to_round1_start": "detection → first mass-testing round"}


def _fact_text(row: pd.Series) -> str:
    what = row["metric"].replace("_", " ")
    if pd.isna(row["value"]):
        return f"{what}: stripped" if row["status"] == "stripped" else f"{what}: not stated"
    qualifier = {"more_than": "more than ", "about": "about ", "at_least": "at least ", "nearly": "nearly "}.get(
        row["qualifier"], "")
    return f"{what}: {qualifier}{fmt_cell(row['value'])} ({row['status']})"


def _window_days(lower, upper) -> str:
    """``49–50 days``: how long a window ran after the start, from hours."""
    lo, hi = fmt_hours(lower / 24), fmt_hours(upper / 24)
    return f"{lo} days" if lo == hi else f"{lo}–{hi} days"


def interval_cell_text(row) -> str:
    """One interval row in the response chapter's words, by its role (:func:`analysis.methods.speed.row_role`).

    ``0–30 h``; a conflicting reading adds ``(conflicting)``; one dated before its trigger says so
    (it is shown, never read as a time); a step that did not happen says so with the window's
    length (not a censored time); one that cannot be told gives the reason.
    """
    role = row_role(row.status, row.upper_hours)
    if role == "did not happen":
        return f"did not happen in the report's window (which ends {_window_days(row.window_lower_hours, row.window_upper_hours)} after the start)"
    if role == "cannot tell":
        return f"cannot tell ({row.reason})" if isinstance(row.reason, str) and row.reason else "cannot tell"
    text = interval_range(row.lower_hours, row.upper_hours, row.status)
    notes = (["conflicting"] if row.status == "conflicting" else []) + \
        (["dated before its trigger: not a time"] if role == "dated before its trigger" else [])
    return f"{text} ({'; '.join(notes)})" if notes else text


def _interval_text(rows: pd.DataFrame) -> tuple[str, str]:
    """The response chapter's own wording of each interval (:func:`interval_cell_text`), and its events."""
    parts, ids = [], []
    for r in rows.itertuples(index=False):
        parts.append(interval_cell_text(r))
        ids += [e for e in (r.start_event, r.end_event) if isinstance(e, str) and e]
    return "; ".join(dict.fromkeys(parts)), ";".join(dict.fromkeys(ids))


#: The interval methods of :func:`analysis.methods.yields.screening_yield` in words.
INTERVAL_METHODS = {"beta": "exact Clopper–Pearson", "wilson": "Wilson score", "jeffreys": "Jeffreys"}


def _yield_text(y: pd.Series) -> str:
    """A programme's yield in words: the estimate and its interval by the book's precision rule."""
    unit = str(y["unit"]).replace("_", "-")
    tested = f"{'about ' if y['tested_qualifier'] == 'about' else ''}{y['tested']:,.0f} {unit}"
    level = f"{100 * y['level']:g} %"
    if y["positives"] == 0:
        return (f"0 positives in {tested}: fewer than {fmt_rate(y['one_sided_bound_per_10k'])} per 10,000 "
                f"(exact one-sided {level} bound)")
    return (f"{y['positives']:,.0f} positives in {tested}: "
            f"{fmt_estimate(y['rate_per_10k'], y['lower_per_10k'], y['upper_per_10k'])} per 10,000 "
            f"({level} interval, {INTERVAL_METHODS.get(y['method'], y['method'])})")


def side_by_side_table(sources: pd.DataFrame, facts: pd.DataFrame, events: pd.DataFrame, screening: pd.DataFrame,
                       yields: pd.DataFrame, intervals: pd.DataFrame, comparison: pd.DataFrame
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, links): one row per report of ``sources`` (in its order), each cell with the ids behind it.

    ``yields`` is :func:`analysis.methods.yields.programme_yields`; ``intervals`` is
    :func:`analysis.methods.speed.all_milestone_intervals` (``did_not_happen`` kept apart from
    any interval); ``comparison`` is ``data/comparison.csv`` (what
    stands for each report). A report with no row there is shown with what the tables hold and
    "not chosen" where a choice is needed.
    """
    src = sources.set_index("report")
    f = facts.set_index("fact_id")
    scr = screening.set_index("screening_id")
    y = yields.set_index("screening_id")
    choice = comparison.set_index("report")
    reports = list(sources["report"])
    values, links = [], []
    for report in reports:
        s = src.loc[report]
        c = choice.loc[report] if report in choice.index else None
        v, l = {}, {}
        v["city"] = f"{s['city_en']} {s['city_zh']}, {s['province_en']} {s['province_zh']}"
        l["city"] = f"report-{report}"
        v["document"] = str(s["document_kind"])
        l["document"] = f"report-{report}"
        v["period"] = f"{pd.Timestamp(s['period_start']):%Y-%m-%d} to {pd.Timestamp(s['period_end']):%Y-%m-%d}"
        l["period"] = f"report-{report}"
        if c is None:
            v["variant"], l["variant"] = "not chosen (no row in data/comparison.csv)", f"report-{report}"
        else:
            v["variant"], l["variant"] = c["variant"], c["variant_ids"]
        first = events[(events["report"] == report) & (events["event_type"] == "first_detection")]
        if first.empty:
            first = events[(events["report"] == report) & (events["event_type"] == "first_case")]
        v["trigger of detection"] = "; ".join(first["description"]) if len(first) else "not stated in the report"
        l["trigger of detection"] = ";".join(first["event_id"]) if len(first) else f"report-{report}"
        sid = None if c is None or pd.isna(c["main_screening_id"]) else c["main_screening_id"]
        if sid is None:
            reason = "not chosen (no row in data/comparison.csv)" if c is None else c["main_screening_reason"]
            v["screening and its yield"], l["screening and its yield"] = reason, f"report-{report}"
        else:
            v["screening and its yield"] = f"{scr.loc[sid, 'programme']}: {_yield_text(y.loc[sid])}"
            l["screening and its yield"] = str(scr.loc[sid, "fact_ids"])
        for key, col in SPEED_COLUMNS.items():
            rows = intervals[(intervals["milestone"] == key) & (intervals["report"] == report)]
            v[col], ids = _interval_text(rows)
            l[col] = ids or f"report-{report}"  # nothing dated: the report's section says why
        ids = [] if c is None else split_ids(c["case_fact_ids"])
        v["case counts"] = "; ".join(_fact_text(f.loc[i]) for i in ids) if ids else "not chosen"
        l["case counts"] = ";".join(ids) or f"report-{report}"
        stripped = int(((facts["report"] == report) & (facts["status"] == "stripped")).sum())
        total = int((facts["report"] == report).sum())
        v["what the copy leaves out"] = f"{stripped} of {total} quantities stripped; {s['defects']}"
        l["what the copy leaves out"] = f"report-{report}"
        values.append(v)
        links.append(l)
    index = pd.Index([src.loc[r, "city_en"] for r in reports], name="report")
    return pd.DataFrame(values, index=index), pd.DataFrame(links, index=index)


def side_by_side_display(values: pd.DataFrame, links: pd.DataFrame, sources: pd.DataFrame,
                         from_page: str = "book/synthesis") -> LinkedTable:
    """The side-by-side table as the chapter shows it: one column per city (bilingual), one row per aspect.

    ``values`` and ``links`` are :func:`side_by_side_table`'s; each cell links to the rows behind it.
    """
    names = {en: f"{en} {zh}" for en, zh in zip(sources["city_en"], sources["city_zh"])}
    shown, shown_links = values.T.copy(), links.T.copy()
    shown.columns = shown_links.columns = [names.get(c, c) for c in values.index]
    shown.index = shown_links.index = pd.Index(list(values.columns), name="")
    return LinkedTable(shown, shown_links, from_page)


def main_screening(comparison: pd.DataFrame) -> dict[str, str | None]:
    """Report key -> the screening programme that stands for it (None when none can)."""
    return {r: (None if pd.isna(s) else s) for r, s in zip(comparison["report"], comparison["main_screening_id"])}


def summary_figure(values_source: dict, yields: pd.DataFrame, intervals: pd.DataFrame, facts: pd.DataFrame,
                   comparison: pd.DataFrame) -> go.Figure:
    """Three panels, one row per city: screening yield (log), detection → lockdown, and how complete the copy is.

    ``values_source`` maps report keys to bilingual city labels (top to bottom).
    """
    colours = report_colours()
    chosen = main_screening(comparison)
    reports = list(values_source)
    labels = [values_source[r] for r in reports]
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("Screening yield per 10,000 (95 % CI; ▷ zero: upper bound)",
                                        "First detection → lockdown (days)",
                                        "Quantities in the copy, by status"))
    y = yields.set_index("screening_id")
    for report, label in zip(reports, labels):
        sid = chosen.get(report)
        if sid is None:
            continue
        row = y.loc[sid]
        colour = colours[report]
        if row["positives"] == 0:
            fig.add_trace(go.Scatter(x=[row["one_sided_bound_per_10k"]], y=[label], mode="markers",
                                     marker=dict(symbol="triangle-left", size=12, color=colour),
                                     name=f"{label}: zero found", showlegend=False,
                                     hovertext=[f"{label}: {_yield_text(row)}"],
                                     hoverinfo="text"), row=1, col=1)
        else:
            fig.add_trace(go.Scatter(
                x=[row["rate_per_10k"]], y=[label], mode="markers", showlegend=False, name=label,
                marker=dict(size=10, color=colour, symbol="circle" if row["unit"] == "persons" else "square"),
                error_x=dict(type="data", symmetric=False, array=[row["upper_per_10k"] - row["rate_per_10k"]],
                             arrayminus=[row["rate_per_10k"] - row["lower_per_10k"]]),
                hovertext=[f"{label}: {_yield_text(row)}"], hoverinfo="text"),
                row=1, col=1)
        link_points(fig.data[-1], [first_fact_id(row["fact_ids"])], "book/synthesis")
    lock = intervals[intervals["milestone"] == "detection_to_lockdown"]
    roles = pd.Series([row_role(st, up) for st, up in zip(lock["status"], lock["upper_hours"])], index=lock.index)
    timed = lock[roles.isin(["in distribution", "dated before its trigger"])]
    span = [min(0.0, timed["lower_hours"].min() / 24), max(1.0, timed["upper_hours"].max() / 24)]
    edge = span[1] + 0.25 * (span[1] - span[0])  # where the step did not happen: a mark at the right edge
    for report, label in zip(reports, labels):
        for r in lock[lock["report"] == report].itertuples():
            role = roles[r.Index]
            if role == "cannot tell":
                continue
            colour = colours[report]
            words = interval_cell_text(r)
            if role == "did not happen":
                fig.add_trace(go.Scatter(
                    x=[edge], y=[label], mode="markers+text", marker=dict(symbol="triangle-right", size=12, color=colour),
                    text=[f"none in {fmt_hours(r.window_lower_hours / 24)} d"], textposition="middle left",
                    showlegend=False, name=f"{label} (did not happen)", hovertext=[f"{label}: no lockdown: {words}"],
                    hoverinfo="text"), row=1, col=2)
                link_points(fig.data[-1], [r.start_event], "book/synthesis")
                continue
            fig.add_trace(go.Scatter(
                x=[r.lower_hours / 24, r.upper_hours / 24], y=[label, label], mode="lines+markers", showlegend=False,
                line=dict(color=colour, width=6), marker=dict(symbol="line-ns", size=12, line=dict(width=2, color=colour)),
                name=f"{label} ({r.status})", hovertext=[f"{label}: {words}"] * 2, hoverinfo="text"),
                row=1, col=2)
            link_points(fig.data[-1], [r.start_event, r.end_event], "book/synthesis")
    fig.update_xaxes(range=[span[0] - 0.2, edge + 0.2], title_text="days (negative: dated before the detection)",
                     row=1, col=2)
    status_order = ("reported", "derived", "supplemented", "stripped")
    for status in status_order:
        counts = [int(((facts["report"] == r) & (facts["status"] == status)).sum()) for r in reports]
        fig.add_trace(go.Bar(x=counts, y=labels, orientation="h", name=status, marker_color=STATUS_COLOURS[status],
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
