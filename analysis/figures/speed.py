"""Response speed on the page: city labels, the tables and text of the chapter, the timelines and interval figures.

The numbers come from :mod:`analysis.methods.event_times` (bounds of written times),
:mod:`analysis.methods.speed` (points, milestones, response intervals) and
:mod:`analysis.methods.benchmarks` (limits and judgements); city names and colours from the
report registry. Hours are written by :mod:`analysis.figures.fmt`. Every table the chapter shows is
a :class:`analysis.figures.tables.ReaderTable` (headers in words, statuses and milestones in words,
bilingual city names, nothing empty printed as NaN); the plain frames (:func:`interval_table`,
:func:`timeline_table`) are the data under the figures.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.loaders import load_facts
from ..core.registry import bilingual, city_names, report_colours, report_keys
from ..core.tables import is_blank
from ..methods.benchmarks import limit_hours, verdicts
from ..methods.event_times import PART_WORDS, PARTS_OF_DAY, event_bounds, to_hours
from ..methods.speed import (BOUND_MILESTONES, MILESTONES, PLANNED, POINTS, STATED_DURATIONS, STATUS_WORDS,
                             choose_alternatives, distribution_inputs, empirical_bounds, join_notes, median_range,
                             point_candidates, stated_hours)
from .fmt import fmt_hours, interval_range
from .links import LinkedTable, linked_columns
from .tables import ReaderTable, reader_table


def city(report: str) -> str:
    """The bilingual city label of a report (``Changchun 长春``); the key itself for a report the registry lacks."""
    return bilingual(*city_names().get(report, (report, "")))


# --------------------------------------------------------------------------------------
# Tables and text for the chapter

def parts_of_day_table() -> ReaderTable:
    """The declared hours of each part of the day (an end past 24:00 runs into the next day)."""
    return reader_table(pd.DataFrame([{"part of the day": p.replace("_", " "), "words in the texts": PART_WORDS.get(p, ""),
                                       "from": f"{a:02d}:00", "to": f"{b % 24:02d}:00" + (" next day" if b > 24 else "")}
                                      for p, (a, b) in PARTS_OF_DAY.items()]))


def _written(x: pd.Series, side: str) -> str:
    """A time as the events table writes it, its precision in words: ``2021-12-20 (part of day: evening)``."""
    precision = str(x[f"{side}_precision"]).replace("_", " ")
    part = x.get(f"{side}_part")
    return f"{x[side]} ({precision}{': ' + str(part) if not is_blank(part) else ''})"


def _width_text(hours: float) -> str:
    """A range's width: ``24 h``; below an hour in minutes (``1 min``), never a bare ``0``."""
    return f"{fmt_hours(hours)} h" if hours >= 1 else f"{round(hours * 60):g} min"


def bounds_table(events: pd.DataFrame, types: Iterable[str] | None = None,
                 from_page: str = "book/speed") -> ReaderTable:
    """Dated events as written and the instants they allow: earliest, latest (exclusive), width in hours.

    Each event links to its sentence on the annotated-sources page.
    """
    b = event_bounds(events)
    e = events.set_index("event_id")
    b = b[b["lower"].notna()]
    if types is not None:
        b = b[b["event_type"].isin(list(types))]
    rows = []
    for r in b.itertuples(index=False):
        x = e.loc[r.event_id]
        written = _written(x, "start") + ("" if is_blank(x["end"]) else f" to {_written(x, 'end')}")
        rows.append({"event": r.event_id, "city": city(x["report"]), "type": r.event_type.replace("_", " "),
                     "as written": written, "earliest instant": f"{r.lower:%Y-%m-%d %H:%M}",
                     "latest instant (not included)": f"{r.upper:%Y-%m-%d %H:%M}",
                     "width": _width_text(to_hours(r.upper - r.lower))})
    frame = pd.DataFrame(rows, columns=["event", "city", "type", "as written", "earliest instant",
                                        "latest instant (not included)", "width"])
    links = pd.DataFrame({"event": frame["event"]})
    return reader_table(frame, links=links, from_page=from_page)


def window_text(window_lower, window_upper) -> str:
    """A milestone that did not happen, with its window: ``… (which ends 49–50 days, 1176–1200 h, after the start)``."""
    if window_lower is None or pd.isna(window_lower):
        return "did not happen in the report's window"
    days = f"{fmt_hours(window_lower / 24)}" + ("" if window_upper == window_lower else
                                                 f"–{fmt_hours(window_upper / 24)}")
    return (f"did not happen in the report's window (which ends {days} days, "
            f"{fmt_hours(window_lower)}–{fmt_hours(window_upper)} h, after the start)")


def range_text(lower, upper, status, window_lower=np.nan, window_upper=np.nan) -> str:
    """An interval in words: ``0–48 h``; a milestone that did not happen says so, with its window."""
    if status == "did_not_happen":
        return window_text(window_lower, window_upper)
    return interval_range(lower, upper, status)


def _ranges(t: pd.DataFrame) -> list[str]:
    wl = t["window_lower_hours"] if "window_lower_hours" in t else pd.Series(np.nan, index=t.index)
    wu = t["window_upper_hours"] if "window_upper_hours" in t else pd.Series(np.nan, index=t.index)
    return [range_text(*x) for x in zip(t["lower_hours"], t["upper_hours"], t["status"], wl, wu)]


def interval_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """The intervals as data (the CSV under the interval figure): milestone, city, alternative, range, bounds, status, why."""
    t = intervals.copy()
    t["city"] = t["report"].map(city)
    t["range"] = _ranges(t)
    t["why"] = [join_notes(r, b) for r, b in zip(t["reason"], t["basis"])]
    return t[["milestone", "city", "alternative", "range", "lower_hours", "upper_hours", "status", "why"]]


def linked_interval_table(intervals: pd.DataFrame, from_page: str = "book/speed") -> LinkedTable:
    """The intervals as the chapter shows them, in words; each interval links to the events (start and end) behind it."""
    ids = [";".join(e for e in pair if isinstance(e, str) and e)
           for pair in zip(intervals["start_event"], intervals["end_event"])]
    t = interval_table(intervals)
    shown = pd.DataFrame({"milestone": [MILESTONES[k].label for k in t["milestone"]], "city": list(t["city"]),
                          "alternative": list(t["alternative"]), "interval": list(t["range"]),
                          "status": [STATUS_WORDS[x] for x in t["status"]], "why": list(t["why"])})
    return linked_columns(shown, {"interval": ids}, from_page)


def _limit_text(limit_hours_: float, kind: str) -> str:
    return f"{'≤' if kind == 'deadline' else '≥'} {fmt_hours(limit_hours_)} h"


def benchmark_comparison_table(comparison: pd.DataFrame) -> ReaderTable:
    """Benchmarks against intervals, one row per benchmark and interval (the rows given: the chapter shows the judged ones)."""
    t = comparison
    return reader_table(pd.DataFrame({
        "benchmark": list(t["benchmark_id"]), "city": [city(r) for r in t["report"]],
        "alternative": list(t["alternative"]), "interval": _ranges(t),
        "limit": [_limit_text(v, k) for v, k in zip(t["limit_hours"], t["limit_kind"])],
        "judgement": list(t["judgement"]), "rule in force": list(t["in_force"])}))


def verdict_table(comparison: pd.DataFrame) -> ReaderTable:
    """One verdict per benchmark (rows) and city (columns): met, not met or cannot tell."""
    v = verdicts(comparison)
    order = [r for r in report_keys() if r in set(v["report"])] + \
        [r for r in dict.fromkeys(v["report"]) if r not in report_keys()]
    pivot = v.pivot(index="benchmark_id", columns="report", values="judgement")
    pivot = pivot.reindex(index=list(dict.fromkeys(v["benchmark_id"])), columns=order)
    milestone = comparison.drop_duplicates("benchmark_id").set_index("benchmark_id")["milestone"]
    frame = pd.DataFrame({"benchmark": list(pivot.index),
                          "milestone": [MILESTONES[milestone[b]].label for b in pivot.index]})
    for r in order:
        frame[city(r)] = list(pivot[r])
    return reader_table(frame)


_FORCE = {"yes": "The rule was in force.", "not yet": "The rule was not yet issued: a yardstick, not an obligation.",
          "superseded": "The rule had been replaced by a later one.", "unknown": "Whether the rule was in force is unknown."}


def _quoted(event_id, quote, source_id, trust: dict) -> str:
    extra = f" ({source_id}, trust {trust.get(source_id, '?')})" if not is_blank(source_id) else ""
    return f"{event_id} 「{quote}」{extra}"


def explain(comparison: pd.DataFrame, intervals: pd.DataFrame, benchmarks: pd.DataFrame,
            supplementary: pd.DataFrame) -> str:
    """Markdown: each judgement with the quotes behind it (all quotes and numbers from the data).

    One paragraph per benchmark: the rule and its quote, then one line per city whose interval has
    bounds (judgement, interval, the quotes of its start and end events and of a stated duration,
    how the bounds were set, whether the rule was in force), then the cities that cannot be
    judged with the reason.
    """
    trust = dict(zip(supplementary["source_id"], supplementary["trust"]))
    url = dict(zip(supplementary["source_id"], supplementary["url"]))
    lines = []
    for (_, b), lim in zip(benchmarks.iterrows(), limit_hours(benchmarks)):
        m = MILESTONES[b["milestone"]]
        src_note = f"{b['source_id']}, trust {b['trust']}" + ("" if not is_blank(url.get(b["source_id"])) else ", no URL recorded")
        when = "" if is_blank(b["applies_when"]) else f" ({b['applies_when']})"
        sign = "≤" if b["limit_kind"] == "deadline" else "≥"
        lines.append(f"**{b['benchmark_id']}: {b['rule']}{when}.** Limit {sign} {fmt_hours(lim)} h on *{m.label}*; "
                     f"quote 「{b['quote']}」 ({src_note}).")
        cmp_b = comparison[comparison["benchmark_id"] == b["benchmark_id"]]
        judged = cmp_b[cmp_b["status"] != "cannot_tell"]
        for _, c in judged.iterrows():
            iv = intervals[(intervals["milestone"] == c["milestone"]) & (intervals["report"] == c["report"])
                           & (intervals["alternative"] == c["alternative"])].iloc[0]
            alt = f" (alternative {c['alternative']})" if c["alternative"] else ""
            quotes = []
            if iv["start_event"] == iv["end_event"]:
                quotes.append("start and end " + _quoted(iv["start_event"], iv["start_quote"], iv["start_source_id"], trust))
            else:
                if not is_blank(iv["start_quote"]):
                    quotes.append("start " + _quoted(iv["start_event"], iv["start_quote"], iv["start_source_id"], trust))
                if not is_blank(iv["end_quote"]):
                    quotes.append("end " + _quoted(iv["end_event"], iv["end_quote"], iv["end_source_id"], trust))
            if not is_blank(iv["stated_quote"]):
                quotes.append(f"stated duration {iv['stated_fact']} 「{iv['stated_quote']}」")
            how = join_notes(iv["basis"], iv["reason"])
            lines.append(f"- {city(c['report'])}{alt}: **{c['judgement']}**, interval "
                         f"{range_text(c['lower_hours'], c['upper_hours'], c['status'], c.get('window_lower_hours'), c.get('window_upper_hours'))} ({STATUS_WORDS[c['status']]}) "
                         f"against {sign} {fmt_hours(lim)} h; {'; '.join(quotes)}. {how[:1].upper() + how[1:]}. "
                         f"{_FORCE[c['in_force']]}")
        rest = cmp_b[cmp_b["status"] == "cannot_tell"]
        if len(rest):
            reasons = list(dict.fromkeys(rest["reason"]))
            who = "any city" if judged.empty and len(rest) == len(cmp_b) else None
            if len(reasons) == 1:
                names = who or ", ".join(city(r) for r in rest["report"])
                lines.append(f"- Cannot tell for {names}: {reasons[0]}.")
            else:
                lines.append("- Cannot tell: " + "; ".join(f"{city(r['report'])} ({r['reason']})"
                                                            for _, r in rest.iterrows()) + ".")
        lines.append("")
    return "\n".join(lines)


def distribution_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """One milestone's empirical bounds as words: hours, cities known to have reached it, cities that may have.

    Counts out of the cities with an interval (:func:`analysis.methods.speed.empirical_bounds`);
    hours by :func:`analysis.figures.fmt.fmt_hours`. No standard error: there is no sample.
    """
    b = empirical_bounds(intervals)
    return pd.DataFrame({"by (hours)": [fmt_hours(h) for h in b["hours"]],
                         "known to have reached it": [f"{k} of {n}" for k, n in zip(b["known"], b["cities"])],
                         "may have reached it": [f"{p} of {n}" for p, n in zip(b["possible"], b["cities"])]})


def distribution_tables(intervals: pd.DataFrame, keys: Iterable[str] = BOUND_MILESTONES) -> ReaderTable:
    """:func:`distribution_table` of each milestone of ``keys``, one table with the milestone in words first."""
    parts = [distribution_table(intervals[intervals["milestone"] == k]).assign(milestone=MILESTONES[k].label)
             for k in keys]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["by (hours)", "known to have reached it", "may have reached it", "milestone"])
    return reader_table(frame[["milestone", "by (hours)", "known to have reached it", "may have reached it"]])


def distribution_text(intervals: pd.DataFrame) -> str:
    """Markdown: who is in one milestone's distribution (with its alternatives), who is not and why, the median.

    Cities where the milestone did not happen are named in words with their window, never counted
    as late; the median is a range (:func:`analysis.methods.speed.median_range`) or the reason
    there is none.
    """
    inp = distribution_inputs(intervals)
    alts = intervals.set_index(["report", "alternative"])
    lines = []
    inside = inp[inp["role"] == "in distribution"]
    for r in inside.itertuples(index=False):
        what = f"{fmt_hours(r.lower)}–{fmt_hours(r.upper)} h"
        if r.alternatives:
            parts = [f"{a}: {interval_range(alts.loc[(r.report, a), 'lower_hours'], alts.loc[(r.report, a), 'upper_hours'], 'conflicting')}"
                     for a in r.alternatives.split("; ")]
            what += (f" (from the earliest lower to the latest upper bound of the alternatives, each shown as it is: "
                     f"{'; '.join(parts)})" if len(parts) > 1 else f" (alternative {parts[0]})")
        extra = f"; {r.reason}" if r.reason else ""
        lines.append(f"- {city(r.report)}: {what}{extra}")
    for r in inp[inp["role"] == "did not happen"].itertuples(index=False):
        lines.append(f"- {city(r.report)}: {window_text(r.window_lower, r.window_upper)}; not in the distribution "
                     f"(not a late time, not a censored one). {r.reason[:1].upper() + r.reason[1:]}.")
    for role in ("dated before its trigger", "cannot tell"):
        for r in inp[inp["role"] == role].itertuples(index=False):
            lines.append(f"- {city(r.report)}: {role}, left out ({r.reason})")
    med = median_range(intervals)
    if pd.isna(med["lower"]):
        lines.append(f"- Median: {med['note']}.")
    else:
        lines.append(f"- Median: between {fmt_hours(med['lower'])} and {fmt_hours(med['upper'])} h "
                     f"({med['cities']} cities).")
    return "\n".join(lines)


def distribution_texts(intervals: pd.DataFrame, keys: Iterable[str] = BOUND_MILESTONES) -> str:
    """Markdown: :func:`distribution_text` of each milestone of ``keys``, under the milestone's name in bold."""
    return "\n\n".join(f"**{MILESTONES[k].label}**\n\n" + distribution_text(intervals[intervals["milestone"] == k])
                         for k in keys)


def benchmark_table(benchmarks: pd.DataFrame, supplementary: pd.DataFrame | None = None) -> ReaderTable:
    """The benchmarks as the chapter shows them: rule, milestone, limit, when in force; source, quote and caveat in one cell.

    With ``supplementary``, the source cell links to the source's URL where one is recorded.
    """
    b = benchmarks
    limits = limit_hours(b)
    unit = [str(u) for u in b["limit_unit"]]
    force = [join_notes("" if is_blank(f) else f"from {f}", "" if is_blank(by) else f"superseded by {by}")
             for f, by in zip(b["in_force_from"], b["superseded_by"])]
    frame = pd.DataFrame({
        "benchmark": list(b["benchmark_id"]), "rule": list(b["rule"]),
        "milestone": [MILESTONES[m].label for m in b["milestone"]],
        "limit": [f"{'≤' if k == 'deadline' else '≥'} {fmt_hours(v)} {u}" + ("" if u == "hours" else f" ({fmt_hours(h)} h)")
                  for v, u, k, h in zip(b["limit"], unit, b["limit_kind"], limits)],
        "applies to": list(b["applies_when"]), "in force": [f or "date unknown" for f in force],
        "source, its quote and caveat": [f"{d}; {s} (trust {t})\n「{q}」\n{c}" for d, s, t, q, c in
                                         zip(b["document"], b["source_id"], b["trust"], b["quote"], b["caveat"])]})
    links = None
    if supplementary is not None:
        url = {k: v for k, v in zip(supplementary["source_id"], supplementary["url"]) if not is_blank(v)}
        links = pd.DataFrame({"source, its quote and caveat": [url.get(s) for s in b["source_id"]]})
    return reader_table(frame, links=links, from_page="book/speed")


# --------------------------------------------------------------------------------------
# Timelines and figures

#: Event types drawn on the timelines (the response, not the surrounding context).
TIMELINE_TYPES = ("first_detection", "first_case", "static_management_start", "closed_management_start",
                  "home_isolation_start", "mass_testing_round_start", "mass_testing_round_end",
                  "mass_testing_round", "press_conference", "alert_received", "site_sealed",
                  "response_activated", "border_measure", "risk_area_designation", "quarantine_start",
                  "investigation_completed")


#: Window after an alert whose events get a panel of their own (the Suining cold-chain incident).
INCIDENT_WINDOW = pd.Timedelta(hours=48)
INCIDENT_TYPES = ("alert_received", "response_activated", "site_sealed")
TIMELINE_COLUMNS = ["panel", "report", "city", "event_id", "event_type", "label", "start_lo", "start_hi", "end_lo",
                    "end_hi", "flags", "origin", "origin_basis", "quote"]


def timeline_table(events: pd.DataFrame, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The events of each city's timeline, in hours since the earliest instant of its first detection.

    When no first detection is dated, the first case stands in for it (as in
    :func:`analysis.methods.speed.response_intervals`) and ``origin_basis`` says so.

    One row per drawn event and panel: ``start_lo``/``start_hi`` (range of possible start
    instants), ``end_lo``/``end_hi`` for lasting events, in hours from the panel's origin. A city
    with no dated first detection is drawn from its earliest dated event (``origin_basis`` says
    which). An undated event with a stated duration
    (:data:`analysis.methods.speed.STATED_DURATIONS`) is drawn over the range it allows. A dated
    alert gets a second panel on its own axis (hours since the alert), with the events of
    :data:`INCIDENT_TYPES` in the following :data:`INCIDENT_WINDOW`.
    """
    b = events.merge(event_bounds(events).drop(columns=["report", "event_type", "sequence"]), on="event_id")
    rows: list[dict] = []
    order = report_keys()
    for report in [r for r in order if r in set(events["report"])] + \
            [r for r in dict.fromkeys(events["report"]) if r not in order]:
        ev = b[(b["report"] == report) & b["event_type"].isin(TIMELINE_TYPES)]
        found, _ = point_candidates(b, report, POINTS["first_detection"])
        first = choose_alternatives(found, POINTS["first_detection"])[0] if found else None
        if first is not None:
            what = "first case (no dated first detection)" if first.fallback else "first detection"
            origin, basis = first.lower, f"hours since the earliest instant of {what} ({first.event_id})"
        elif ev["start_lower"].notna().any():
            i = ev["start_lower"].idxmin()
            origin = ev.loc[i, "start_lower"]
            basis = f"no dated first detection: hours since the earliest dated event ({ev.loc[i, 'event_id']})"
        else:
            continue
        facts = _timeline_rows(rows, city(report), report, ev, origin, basis, first, facts)
        alerts, _ = point_candidates(b, report, POINTS["alert"])
        if alerts:
            alert = choose_alternatives(alerts, POINTS["alert"])[0]
            inc = ev[ev["event_type"].isin(INCIDENT_TYPES) & (ev["start_upper"] > alert.lower)
                     & (ev["start_lower"] < alert.upper + INCIDENT_WINDOW)]
            _timeline_rows(rows, f"{city(report)}, alert", report, inc, alert.lower,
                           f"hours since the alert ({alert.event_id})", None, facts)
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def _timeline_rows(rows, panel, report, ev, origin, basis, first, facts):
    """Append one panel's rows (sorted by start) to ``rows``; returns ``facts`` (loaded if needed)."""
    out = []
    for r in ev.itertuples(index=False):
        sd = next((d for d in STATED_DURATIONS if d.end_event == r.event_id), None)
        if pd.isna(r.start_lower) and sd is not None and first is not None:
            if facts is None:
                facts = load_facts()
            limit, _ = stated_hours(sd, facts)
            s_lo, s_hi = to_hours(first.lower - origin), to_hours(first.upper - origin) + limit
            label_extra = f" [stated ≤ {fmt_hours(limit)} h]"
        elif pd.isna(r.start_lower):
            continue
        else:
            s_lo, s_hi = to_hours(r.start_lower - origin), to_hours(r.start_upper - origin)
            label_extra = ""
        e_lo = e_hi = np.nan
        if not pd.isna(r.end_lower):
            e_lo, e_hi = to_hours(r.end_lower - origin), to_hours(r.end_upper - origin)
        flags = []
        if r.event_id in PLANNED:
            flags.append("announced")
        if not is_blank(r.conflicts_with):
            flags.append(f"conflicts with {r.conflicts_with}")
        if r.status == "supplemented":
            flags.append(f"outside source {r.source_id}")
        out.append({"panel": panel, "report": report, "city": city(report), "event_id": r.event_id,
                    "event_type": r.event_type, "label": f"{r.event_id}: {_short(r.description)}{label_extra}",
                    "start_lo": s_lo, "start_hi": s_hi, "end_lo": e_lo, "end_hi": e_hi, "flags": "; ".join(flags),
                    "origin": origin, "origin_basis": basis, "quote": r.quote})
    rows.extend(sorted(out, key=lambda d: (d["start_lo"], d["event_id"])))
    return facts


def _short(text: str, n: int = 42) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1].rstrip(" ,;:(") + "…"


_RANGE_COLOUR = "#444444"


def fig_timelines(table: pd.DataFrame):
    """Gantt-style timelines, one panel per city (and one per alert), hours since first detection.

    Dark bars: the range of instants each event's stated precision allows (a marker at its
    middle keeps minute-precise events visible: a cross for a conflicting source, an open circle
    for an announced plan); light bars: the span of a lasting event from its earliest start to its
    latest end. Hover text gives the quote and the flags.
    """
    colour_of = report_colours()
    panels = list(dict.fromkeys(table["panel"]))
    heights = [max(2, int((table["panel"] == p).sum())) for p in panels]
    titles = [f"{p}: {table.loc[table['panel'] == p, 'origin_basis'].iloc[0]}" for p in panels]
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=False, vertical_spacing=0.35 / len(panels),
                        row_heights=heights, subplot_titles=titles)
    for name, colour, opacity in (("range of possible instants", _RANGE_COLOUR, 1.0),
                                  ("span of a lasting event", _RANGE_COLOUR, 0.25)):
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", marker=dict(color=colour, opacity=opacity),
                             name=name, showlegend=True), row=1, col=1)
    for symbol, name in (("diamond", "middle of the range"), ("x", "conflicting source"), ("circle-open", "announced (planned)")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(symbol=symbol, color="#000", size=8),
                                 name=name, showlegend=True), row=1, col=1)
    for i, p in enumerate(panels, start=1):
        t = table[table["panel"] == p]
        colour = colour_of.get(t["report"].iloc[0], _RANGE_COLOUR)
        hover = [f"{lab}<br>{q}<br>{fl}" for lab, q, fl in zip(t["label"], t["quote"], t["flags"])]
        span = t[t["end_hi"].notna()]
        if len(span):
            fig.add_trace(go.Bar(y=span["label"], x=span["end_hi"] - span["start_lo"], base=span["start_lo"],
                                 orientation="h", marker=dict(color=colour, opacity=0.25), name=f"{p}: span",
                                 showlegend=False, hoverinfo="skip"), row=i, col=1)
            fig.add_trace(go.Bar(y=span["label"], x=span["end_hi"] - span["end_lo"], base=span["end_lo"],
                                 orientation="h", marker=dict(color=colour), name=f"{p}: end range",
                                 showlegend=False, hoverinfo="skip"), row=i, col=1)
        fig.add_trace(go.Bar(y=t["label"], x=t["start_hi"] - t["start_lo"], base=t["start_lo"], orientation="h",
                             marker=dict(color=colour), name=f"{p}: start range", showlegend=False,
                             hovertext=hover, hoverinfo="text"), row=i, col=1)
        mid = (t["start_lo"] + t["start_hi"]) / 2
        symbols = ["x" if "conflicts" in f else "circle-open" if "announced" in f else "diamond" for f in t["flags"]]
        fig.add_trace(go.Scatter(y=t["label"], x=mid, mode="markers", marker=dict(symbol=symbols, color="#000", size=8),
                                 name=f"{p}: middle", showlegend=False, hovertext=hover, hoverinfo="text"), row=i, col=1)
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(t["label"])[::-1], row=i, col=1,
                         tickfont=dict(size=10))
        fig.update_xaxes(title_text="hours", title_standoff=4, row=i, col=1)
    fig.update_layout(barmode="overlay", height=int(34 * sum(heights) + 120 * len(panels) + 80),
                      legend=dict(orientation="h", y=-0.03, x=0), margin=dict(l=330, t=40, r=20))
    fig.update_annotations(font_size=12)
    return fig


def fig_intervals(intervals: pd.DataFrame, benchmarks: pd.DataFrame | None = None):
    """Each milestone's intervals per city (and alternative), benchmark limits as dashed lines.

    Bars span ``[lower, upper]`` hours, hatched for conflicting alternatives. A milestone that did
    not happen in the report's window is no interval: it is drawn at the right of its panel, not
    to scale, with the window written on it. Cities that cannot be told are left out (see the interval table). Each panel
    has its own scale.
    """
    colour_of = report_colours()
    bounded = intervals[intervals["status"] != "cannot_tell"].copy()
    never = bounded["status"] == "did_not_happen"   # drawn at the window's end
    bounded.loc[never, "lower_hours"] = bounded.loc[never, "window_lower_hours"]
    bounded.loc[never, "upper_hours"] = bounded.loc[never, "window_upper_hours"]
    keys = [k for k in MILESTONES if k in set(bounded["milestone"])]
    fig = make_subplots(rows=len(keys), cols=1, vertical_spacing=0.5 / max(len(keys), 1),
                        subplot_titles=[MILESTONES[k].label for k in keys])
    fig.update_annotations(font_size=12)
    for i, k in enumerate(keys, start=1):
        t = bounded[bounded["milestone"] == k]
        labels = [city(r) + (f" ({a})" if a else "") for r, a in zip(t["report"], t["alternative"])]
        finite = t[t["status"] != "did_not_happen"]
        limits = [] if benchmarks is None else list(zip(benchmarks.loc[benchmarks["milestone"] == k, "benchmark_id"],
                                                         limit_hours(benchmarks)[benchmarks["milestone"] == k]))
        right = max([*finite["upper_hours"], *(lim for _, lim in limits), 1.0])
        cens = t[t["status"] == "did_not_happen"]
        if len(finite) == 0:
            right = max(right, cens["lower_hours"].max() * 1.2)
        beyond = bool((cens["lower_hours"] > right).any())
        edge = right * (1.6 if beyond else 1.15)
        left = min(0.0, t["lower_hours"].min()) - 0.03 * edge
        colours = [colour_of.get(r, _RANGE_COLOUR) for r in t["report"]]
        uppers = [min(edge, u) if s != "did_not_happen" else edge for u, s in zip(t["upper_hours"], t["status"])]
        # a window beyond every other number of the panel is drawn past them, not to scale
        lowers = [right * 1.05 if st == "did_not_happen" and lo > right else lo
                  for lo, st in zip(t["lower_hours"], t["status"])]
        widths = [max(u - lo, edge * 0.004) for u, lo in zip(uppers, lowers)]
        text = [range_text(lo, up, s, lo, up) for lo, up, s in zip(t["lower_hours"], t["upper_hours"], t["status"])]
        absent = [st == "did_not_happen" for st in t["status"]]
        fig.add_trace(go.Bar(y=labels, x=widths, base=lowers, orientation="h", marker=dict(color=colours),
                             text=[f"{x}, not to scale →" if c else x for x, c in zip(text, absent)],
                             textposition=["inside" if c else "outside" for c in absent], insidetextanchor="start",
                             constraintext="none",
                             cliponaxis=False, hovertext=text, hoverinfo="text", name=MILESTONES[k].label,
                             showlegend=False,
                             marker_pattern_shape=["/" if st == "did_not_happen" else "x" if st == "conflicting" else ""
                                                   for st in t["status"]]), row=i, col=1)
        xref = "x" if i == 1 else f"x{i}"
        for j, (bid, lim) in enumerate(limits):
            fig.add_shape(type="line", x0=lim, x1=lim, y0=0, y1=1, xref=xref, yref=f"y{'' if i == 1 else i} domain",
                          line=dict(dash="dash", color="#333", width=1.5))
            fig.add_annotation(x=lim, y=1, xref=xref, yref=f"y{'' if i == 1 else i} domain", yanchor="top",
                               xanchor="left", xshift=3, yshift=-2 - 12 * j, text=f"{bid}: {fmt_hours(lim)} h",
                               showarrow=False, bgcolor="rgba(255,255,255,0.7)",
                               font=dict(size=10, color="#333"))
        fig.update_xaxes(range=[left, edge * (1.02 if beyond else 1.25)], title_text="hours", row=i, col=1)
        fig.update_yaxes(autorange="reversed", row=i, col=1)
    fig.update_layout(height=170 * len(keys) + 40 * len(bounded) + 80, margin=dict(l=200, t=40))
    return fig
