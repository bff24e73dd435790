"""Response speed: event times with the precision the texts give, response intervals, benchmarks.

How fast each city moved is the reports' main boast and the hardest thing to measure fairly: the
texts say "当即" (at once), "12月20日晚" (the evening of 20 December), "2小時" or "24小時内", and
sometimes contradict each other. This module turns ``data/events.csv`` into intervals that carry
that uncertainty:

* :func:`instant_bounds` / :func:`event_bounds`: the earliest and latest instant consistent with a
  time written to a given precision (a minute, an hour, a part of the day, a day, a month);
* :func:`response_intervals`: for a start and an end point (see :data:`POINTS`), one row per report
  (and one per alternative where sources conflict) with ``lower_hours``, ``upper_hours`` and a
  ``status``: ``observed``; ``censored`` (the milestone never happened in the report's window, a
  declared fact, see :data:`NEVER_HAPPENED`); ``conflicting`` (alternative intervals, never
  averaged); or ``cannot_tell`` (the texts do not date it; the ``reason`` says what is missing);
* :data:`MILESTONES` and :func:`all_intervals`: the intervals the book reports;
* :func:`load_benchmarks` and the ``@cross_check("benchmarks")`` rules of ``data/benchmarks.csv``
  (protocol deadlines, each with its verbatim quote and trust grade);
* :func:`judge` and :func:`compare_benchmarks`: met if the upper bound is within the limit, not met
  if the lower bound exceeds it, cannot tell otherwise;
* :func:`km_bounds`: a Kaplan-Meier summary (statsmodels ``SurvfuncRight``) run once on the lower
  and once on the upper bounds. Five cities are not a sample: it is descriptive only.

All times are local (Beijing) time as the texts give them; no time zone is attached.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import REPORT_KEYS
from .data import (_PRECISION_FORMAT, Problem, _blank, _rows, _sibling, cross_check, load_table, quote_supports,
                   read_table_schema)
from . import plotting as _plotting

#: Reports in the book's order.
REPORTS = REPORT_KEYS
CITY_NAMES = _plotting.CITY_NAMES  # English and Chinese names: one table for the whole book
STATUSES = ("observed", "censored", "conflicting", "cannot_tell")
JUDGEMENTS = ("met", "not met", "cannot tell")
HOUR = pd.Timedelta(hours=1)


# --------------------------------------------------------------------------------------
# Bounds of a time written to a precision

#: Parts of the day as hours after midnight of the stated date: [start, end). An end above 24
#: runs into the next day. "evening" (晚) is 18:00-24:00 as the issue defines it; the others are
#: the book's declared conventions, kept wide rather than guessed narrow (深夜 "late night" may
#: run past midnight).
PARTS_OF_DAY = {
    "early_morning": (0, 6),    # 凌晨
    "morning": (6, 12),         # 上午, 早上
    "noon": (11, 13),           # 中午
    "afternoon": (12, 18),      # 下午
    "evening": (18, 24),        # 晚
    "night": (21, 29),          # 深夜, 夜间: 21:00 to 05:00 the next day
}
PRECISIONS = ("minute", "hour", "part_of_day", "day", "month")
#: The words each part of the day stands for in the texts.
PART_WORDS = {"early_morning": "凌晨", "morning": "上午, 早上", "noon": "中午", "afternoon": "下午",
              "evening": "晚", "night": "深夜, 夜间"}


def parts_of_day_table() -> pd.DataFrame:
    """The declared hours of each part of the day (an end past 24:00 runs into the next day)."""
    return pd.DataFrame([{"part": p, "words": PART_WORDS.get(p, ""), "from": f"{a:02d}:00",
                          "to": f"{b % 24:02d}:00" + (" next day" if b > 24 else "")}
                         for p, (a, b) in PARTS_OF_DAY.items()]).set_index("part")


def instant_bounds(when, precision, part=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Earliest and latest instant ``[lower, upper)`` consistent with ``when`` at ``precision``.

    ``minute``: that minute; ``hour``: that hour; ``part_of_day``: the part (see
    :data:`PARTS_OF_DAY`) of the stated date; ``day``: the whole day; ``month``: the whole month.
    A blank ``when`` gives ``(NaT, NaT)``. Raises ``ValueError`` for an unknown precision or part,
    or a value not written to its precision.
    """
    if _blank(when):
        return pd.NaT, pd.NaT
    when = str(when)
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (one of {', '.join(PRECISIONS)})")
    if not _PRECISION_FORMAT[precision].fullmatch(when):   # the events.csv format of each precision
        raise ValueError(f"{when!r} is not written to {precision} precision")
    if precision == "minute":
        t = pd.Timestamp(when)
        return t, t + pd.Timedelta(minutes=1)
    if precision == "hour":
        t = pd.Timestamp(when)
        return t, t + HOUR
    if precision == "month":
        t = pd.Timestamp(when + "-01")
        return t, t + pd.DateOffset(months=1)
    day = pd.Timestamp(when)
    if precision == "day":
        return day, day + pd.Timedelta(days=1)
    if part not in PARTS_OF_DAY:
        raise ValueError(f"unknown part of the day {part!r} (one of {', '.join(PARTS_OF_DAY)})")
    a, b = PARTS_OF_DAY[part]
    return day + a * HOUR, day + b * HOUR


def bounds_table(events: pd.DataFrame, types: Iterable[str] | None = None) -> pd.DataFrame:
    """Dated events as written and the instants they allow: earliest, latest, width in hours."""
    b = event_bounds(events)
    e = events.set_index("event_id")
    b = b[b["lower"].notna()]
    if types is not None:
        b = b[b["event_type"].isin(list(types))]
    rows = []
    for r in b.itertuples(index=False):
        x = e.loc[r.event_id]
        written = f"{x['start']} ({x['start_precision']}{', ' + x['start_part'] if not _blank(x['start_part']) else ''})"
        if not _blank(x["end"]):
            written += f" to {x['end']} ({x['end_precision']})"
        rows.append({"event_id": r.event_id, "type": r.event_type, "as written": written,
                     "earliest": r.lower, "latest": r.upper, "width (h)": _hours(r.upper - r.lower)})
    return pd.DataFrame(rows).set_index("event_id")


def bounds_vector(when: pd.Series, precision: pd.Series, part: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`instant_bounds` over whole columns at once (same results, same errors).

    Vectorised by precision so that a table of a million events takes seconds, not minutes; a
    test checks it against :func:`instant_bounds` value by value.
    """
    when = pd.Series(when, dtype=object).reset_index(drop=True)
    precision = pd.Series(precision, dtype=object).reset_index(drop=True)
    part = pd.Series(part, dtype=object).reset_index(drop=True)
    lo = pd.Series(pd.NaT, index=when.index, dtype="datetime64[ns]")
    hi = lo.copy()
    text = when.where(~when.map(_blank), None)
    dated = text.notna()
    unknown = dated & ~precision.isin(PRECISIONS)
    if unknown.any():
        raise ValueError(f"unknown precision {precision[unknown].iloc[0]!r} (one of {', '.join(PRECISIONS)})")
    formats = {"minute": "%Y-%m-%dT%H:%M", "hour": "%Y-%m-%dT%H:%M", "part_of_day": "%Y-%m-%d", "day": "%Y-%m-%d",
               "month": "%Y-%m"}
    for prec in PRECISIONS:
        m = dated & (precision == prec)
        if not m.any():
            continue
        w = text[m].astype(str)
        wrong = ~w.str.fullmatch(_PRECISION_FORMAT[prec].pattern)
        if wrong.any():
            raise ValueError(f"{w[wrong].iloc[0]!r} is not written to {prec} precision")
        t = pd.to_datetime(w, format=formats[prec]).astype("datetime64[ns]")
        if prec == "minute":
            lo[m], hi[m] = t, t + pd.Timedelta(minutes=1)
        elif prec == "hour":
            lo[m], hi[m] = t, t + HOUR
        elif prec == "month":
            lo[m], hi[m] = t, (t.dt.to_period("M") + 1).dt.to_timestamp().astype("datetime64[ns]")
        elif prec == "day":
            lo[m], hi[m] = t, t + pd.Timedelta(days=1)
        else:
            p_ = part[m]
            bad = ~p_.isin(list(PARTS_OF_DAY))
            if bad.any():
                raise ValueError(f"unknown part of the day {p_[bad].iloc[0]!r} (one of {', '.join(PARTS_OF_DAY)})")
            a = p_.map(lambda k: PARTS_OF_DAY[k][0]).astype(float)
            b = p_.map(lambda k: PARTS_OF_DAY[k][1]).astype(float)
            lo[m], hi[m] = t + pd.to_timedelta(a, unit="h"), t + pd.to_timedelta(b, unit="h")
    return lo, hi


def event_bounds(events: pd.DataFrame) -> pd.DataFrame:
    """For each event, the earliest and latest instants consistent with its stated precision.

    Columns: ``event_id``, ``report``, ``event_type``, ``sequence``, ``start_lower``,
    ``start_upper``, ``end_lower``, ``end_upper`` (the start and the end of a lasting event, each
    ``[lower, upper)``), and ``lower`` / ``upper``: the earliest and latest instant of the whole
    event (start lower bound; end upper bound when the event lasts, else start upper bound).
    Undated events have NaT bounds.
    """
    e = events.reset_index(drop=True)
    s_lo, s_hi = bounds_vector(e["start"], e["start_precision"], e["start_part"])
    e_lo, e_hi = bounds_vector(e["end"], e["end_precision"], e["end_part"])
    out = pd.DataFrame({"event_id": e["event_id"], "report": e["report"], "event_type": e["event_type"],
                        "sequence": e["sequence"], "start_lower": s_lo, "start_upper": s_hi,
                        "end_lower": e_lo, "end_upper": e_hi, "lower": s_lo, "upper": e_hi.where(e_hi.notna(), s_hi)})
    out["sequence"] = pd.to_numeric(out["sequence"], errors="coerce").astype("Int64")
    return out


# --------------------------------------------------------------------------------------
# Points (what starts or ends an interval) and declarations

@dataclass(frozen=True)
class Point:
    """A point in an outbreak response, read from events.

    ``sides``: (event_type, side) pairs, side ``start`` or ``end`` of the event. ``sequence``:
    only events with that ordinal (round 1). ``fallback``: pairs used when no event of ``sides`` is
    dated. ``first_of_series``: the point is the first of a numbered series (press conferences):
    when only a later one is dated, it bounds the first from above only.
    """

    label: str
    sides: tuple[tuple[str, str], ...]
    sequence: int | None = None
    fallback: tuple[tuple[str, str], ...] = ()
    first_of_series: bool = False


POINTS = {
    "first_detection": Point("first detection", (("first_detection", "start"),),
                             fallback=(("first_case", "start"),)),
    "lockdown": Point("static / closed management or citywide home isolation",
                      (("static_management_start", "start"), ("closed_management_start", "start"),
                       ("home_isolation_start", "start"))),
    "round1_start": Point("start of mass-testing round 1",
                          (("mass_testing_round", "start"), ("mass_testing_round_start", "start")), sequence=1),
    "round1_end": Point("end of mass-testing round 1",
                        (("mass_testing_round", "end"), ("mass_testing_round_end", "start")), sequence=1),
    "press_conference": Point("first press conference", (("press_conference", "start"),), first_of_series=True),
    "alert": Point("alert received", (("alert_received", "start"),)),
    "site_sealed": Point("site sealed", (("site_sealed", "start"),)),
    "investigation": Point("epidemiological investigation completed", (("investigation_completed", "start"),)),
    "contact_quarantine": Point("contacts put in quarantine", (("quarantine_start", "start"),)),
}


@dataclass(frozen=True)
class Milestone:
    """An interval the book times: from ``start`` to ``end`` (keys of :data:`POINTS`).

    A milestone with no points is one that no event type records (the protocol steps the
    benchmarks name but no report dates); its intervals are all ``cannot_tell``.
    """

    key: str
    label: str
    start: str | None
    end: str | None


MILESTONES = {m.key: m for m in (
    Milestone("detection_to_lockdown", "first detection → static / closed management or home isolation",
              "first_detection", "lockdown"),
    Milestone("detection_to_round1_start", "first detection → start of mass-testing round 1",
              "first_detection", "round1_start"),
    Milestone("round1_duration", "mass-testing round 1, start → end", "round1_start", "round1_end"),
    Milestone("detection_to_press_conference", "first detection → first press conference",
              "first_detection", "press_conference"),
    Milestone("alert_to_sealing", "cold-chain alert → site sealed", "alert", "site_sealed"),
    Milestone("detection_to_investigation", "first detection → epidemiological investigation completed",
              "first_detection", "investigation"),
    Milestone("detection_to_contact_quarantine", "first detection → contacts in quarantine",
              "first_detection", "contact_quarantine"),
    Milestone("detection_to_online_report", "positive result → online direct report", None, None),
    Milestone("detection_to_trajectory_survey", "positive result → case movement survey", None, None),
    Milestone("close_contact_quarantine", "close contacts: length of centralised quarantine", None, None),
    Milestone("secondary_contact_quarantine", "contacts of close contacts: length of home quarantine", None, None),
    Milestone("high_risk_downgrade", "high-risk area: days without new infections before downgrade", None, None),
    Milestone("medium_risk_downgrade", "medium-risk area: days without new infections before downgrade", None, None),
)}

#: Milestones that some event type records (the others are all ``cannot_tell``).
RECORDED = tuple(k for k, m in MILESTONES.items() if m.start is not None)

#: Milestones that never happened in a report's window, keyed by (end point, report): the
#: interval is censored at the end of the window (``sources.csv`` ``period_end``). Declared, with
#: the evidence; absence from a text alone is never taken as "never happened".
NEVER_HAPPENED = {
    ("lockdown", "suining"): (
        "Suining had no static management (supplementary_evidence.md, 001: 'Suining had no mass screening and "
        "no static management'); the year summary names none"),
    ("lockdown", "mudanjiang"): (
        "no static management in Mudanjiang (supplementary_evidence.md, 000 (b)): the city screened without a "
        "lockdown"),
    ("round1_start", "suining"): (
        "Suining had no mass screening (supplementary_evidence.md, 001); the year summary names none"),
}

#: Events announced as plans, not reported as done: never used as observed milestones.
PLANNED = {
    "changchun-e06": "announced at the press conference (各开展一轮); its completion is not reported",
    "changchun-e07": "announced at the press conference (各开展一轮); its completion is not reported",
}


@dataclass(frozen=True)
class StatedDuration:
    """A duration the report states for an interval (``facts.csv`` row ``fact_id``).

    It is read as an upper bound: the end was reached no later than the stated hours after the
    start (the text's 当即 "at once" adds no lower bound beyond zero). It narrows the calendar
    interval ending at ``end_event``, or gives the only interval when that event is undated.
    """

    report: str
    start: str
    end: str
    end_event: str
    fact_id: str


STATED_DURATIONS = (
    StatedDuration("yushu", "first_detection", "lockdown", "yushu-e03", "yushu-002"),
    StatedDuration("dongxing", "first_detection", "investigation", "dongxing-e18", "dongxing-008"),
)

_UNIT_HOURS = {"hours": 1.0, "days": 24.0}


def _event_types(data_dir=None) -> tuple[str, ...]:
    schema = read_table_schema("events", data_dir)
    field = next(f for f in schema["fields"] if f["name"] == "event_type")
    return tuple(field["constraints"]["enum"])


def _point(spec) -> Point:
    if isinstance(spec, Point):
        return spec
    if spec in POINTS:
        return POINTS[spec]
    if spec in _event_types():
        return Point(spec.replace("_", " "), ((spec, "start"),))
    raise KeyError(f"{spec!r} is neither a point ({', '.join(POINTS)}) nor an event type")


# --------------------------------------------------------------------------------------
# Resolving points to events

@dataclass
class _Candidate:
    event_id: str
    lower: pd.Timestamp
    upper: pd.Timestamp
    sequence: object
    quote: str
    source_id: object
    status: str
    conflicts: tuple[str, ...]
    fallback: bool


def _candidates(ev: pd.DataFrame, report: str, point: Point) -> tuple[list[_Candidate], list[str]]:
    """Dated candidates for ``point`` in ``report`` (after the fallback, if needed) and undated ids."""
    undated: list[str] = []
    for fallback, sides in ((False, point.sides), (True, point.fallback)):
        found = []
        for etype, side in sides:
            sel = ev[(ev["report"] == report) & (ev["event_type"] == etype)]
            if point.sequence is not None:
                sel = sel[sel["sequence"].fillna(-1) == point.sequence]
            for r in sel.itertuples(index=False):
                if r.event_id in PLANNED:
                    undated.append(f"{r.event_id} (planned)")
                    continue
                lo, hi = getattr(r, f"{side}_lower"), getattr(r, f"{side}_upper")
                if pd.isna(lo):
                    undated.append(r.event_id)
                    continue
                conflicts = () if _blank(r.conflicts_with) else tuple(str(r.conflicts_with).split(";"))
                found.append(_Candidate(r.event_id, lo, hi, r.sequence, r.quote, r.source_id, r.status,
                                        conflicts, fallback))
        if found:
            return found, undated
    return [], undated


def _choose(found: list[_Candidate], point: Point) -> list[_Candidate]:
    """The earliest candidate (lowest ordinal for a series) and the dated events it conflicts with."""
    def key(c):
        seq = math.inf if pd.isna(c.sequence) else float(c.sequence)
        return (seq, c.lower) if point.first_of_series else (c.lower,)
    first = min(found, key=key)
    alts = [first] + [c for c in found if c.event_id in first.conflicts and c is not first]
    return sorted(alts, key=lambda c: c.event_id)


def _windows(data_dir=None) -> dict[str, pd.Timestamp]:
    """End of each report's window: the end of the ``period_end`` day of ``sources.csv``."""
    from .data import load_sources

    s = load_sources(data_dir)
    return {r: d + pd.Timedelta(days=1) for r, d in zip(s["report"], s["period_end"])}


def _stated_hours(sd: StatedDuration, facts: pd.DataFrame) -> tuple[float, str]:
    row = facts[facts["fact_id"] == sd.fact_id]
    if row.empty or _blank(row["value"].iloc[0]):
        raise KeyError(f"stated duration {sd.fact_id} is not a fact with a value")
    r = row.iloc[0]
    if r["unit"] not in _UNIT_HOURS or r["qualifier"] not in ("exact", "at_most"):
        raise ValueError(f"{sd.fact_id}: a stated duration needs unit hours/days and qualifier exact/at_most")
    return float(r["value"]) * _UNIT_HOURS[r["unit"]], r["quote"]


def _hours(td) -> float:
    return td / HOUR


INTERVAL_COLUMNS = ["report", "alternative", "lower_hours", "upper_hours", "status", "basis", "reason",
                    "start_event", "end_event", "start_at", "start_quote", "end_quote", "start_source_id",
                    "end_source_id", "stated_fact", "stated_quote"]


def response_intervals(events: pd.DataFrame, start_type, end_type, *, reports: Iterable[str] | None = None,
                       never: dict | None = None, stated: Iterable[StatedDuration] | None = None,
                       windows: dict | None = None, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hours from ``start_type`` to ``end_type`` per report, with bounds and a status.

    ``start_type`` / ``end_type``: keys of :data:`POINTS` or event types. One row per report (in
    ``reports``, default all five plus any other in ``events``) and, where the dated candidates
    conflict (``conflicts_with``), one row per alternative with status ``conflicting``.

    Bounds: ``lower = end.lower - start.upper`` and ``upper = end.upper - start.lower``. A
    response does not precede its trigger, so a lower bound below zero is set to zero, unless the
    whole interval is negative: then the sources date the end before the start, and the negative
    interval is kept and flagged. A numbered series dated only by a later member (the 6th press
    conference) bounds its first member from above only (lower 0). Stated durations
    (:data:`STATED_DURATIONS`, values from ``facts``) narrow the upper bound.

    ``censored``: the end never happened in the report's window (``never``, default
    :data:`NEVER_HAPPENED`, keyed by (end_type, report)); bounds are the time from the start to
    the window's end (``windows``: report -> end instant, default from ``sources.csv``).
    ``cannot_tell``: no dated start or end; ``reason`` names what is missing.
    """
    sp, ep = _point(start_type), _point(end_type)
    never = NEVER_HAPPENED if never is None else never
    stated = STATED_DURATIONS if stated is None else tuple(stated)
    ev = events.merge(event_bounds(events).drop(columns=["report", "event_type", "sequence"]), on="event_id")
    order = list(REPORTS if reports is None else reports)
    if reports is None:
        order += [r for r in dict.fromkeys(events["report"]) if r not in order]
    rows = []

    def row(report, **kw):
        base = dict.fromkeys(INTERVAL_COLUMNS, None)
        base.update(report=report, alternative="", lower_hours=np.nan, upper_hours=np.nan)
        base.update(kw)
        rows.append(base)

    for report in order:
        s_found, s_undated = _candidates(ev, report, sp)
        e_found, e_undated = _candidates(ev, report, ep)
        here = [sd for sd in stated if sd.report == report and sd.start == start_type and sd.end == end_type]
        if not s_found:
            row(report, status="cannot_tell", reason=_missing(sp.label, s_undated))
            continue
        s_alts = _choose(s_found, sp)
        s_basis = "first case used: no dated first detection" if s_alts[0].fallback else ""
        if not e_found:
            sd = next((d for d in here if d.end_event in e_undated), None)
            key = (end_type if isinstance(end_type, str) else ep.label, report)
            if sd is not None:
                if facts is None:
                    from .data import load_facts
                    facts = load_facts()
                limit, quote = _stated_hours(sd, facts)
                end_quote = ev.loc[ev["event_id"] == sd.end_event, "quote"].iloc[0]
                for s in s_alts:
                    row(report, alternative=s.event_id if len(s_alts) > 1 else "", lower_hours=0.0,
                        upper_hours=limit, status="observed" if len(s_alts) == 1 else "conflicting",
                        basis=_join("stated duration only: the end event is undated", s_basis),
                        reason=f"self-reported duration ({sd.fact_id}); the text does not date {sd.end_event}",
                        start_event=s.event_id, end_event=sd.end_event, start_at=s.lower, start_quote=s.quote,
                        start_source_id=_sid(s), end_quote=end_quote, stated_fact=sd.fact_id, stated_quote=quote)
            elif key in never:
                windows = _windows() if windows is None else windows
                end = windows.get(report)
                if end is None:
                    row(report, status="cannot_tell", reason=f"{never[key]}, but the report's window is unknown")
                    continue
                for s in s_alts:
                    row(report, alternative=s.event_id if len(s_alts) > 1 else "",
                        lower_hours=_hours(end - s.upper), upper_hours=_hours(end - s.lower), status="censored",
                        basis=_join("censored at the end of the report's window "
                                    f"({(end - pd.Timedelta(days=1)).date()})", s_basis),
                        reason=never[key], start_event=s.event_id, start_at=s.lower, start_quote=s.quote,
                        start_source_id=_sid(s))
            else:
                row(report, status="cannot_tell", reason=_missing(ep.label, e_undated), start_event=s_alts[0].event_id,
                    start_at=s_alts[0].lower, start_quote=s_alts[0].quote,
                    start_source_id=_sid(s_alts[0]))
            continue
        e_alts = _choose(e_found, ep)
        pairs = list(itertools.product(s_alts, e_alts))
        for s, e in pairs:
            lo, hi = _hours(e.lower - s.upper), _hours(e.upper - s.lower)
            notes, reason = [], ""
            if hi < 0:
                reason = f"ends before it starts: {e.event_id} is dated before {s.event_id}"
            elif lo < 0:
                lo = 0.0
                notes.append("lower bound set to 0 (a response follows its trigger)")
            if ep.first_of_series and (pd.isna(e.sequence) or int(e.sequence) != 1) and hi >= 0:
                lo = 0.0
                no = "not numbered" if pd.isna(e.sequence) else f"no. {int(e.sequence)}"
                notes.append(f"upper bound only: the dated conference is {no}, an earlier one may have been held")
            sd = next((d for d in here if d.end_event == e.event_id), None)
            stated_fact = stated_quote = None
            if sd is not None:
                if facts is None:
                    from .data import load_facts
                    facts = load_facts()
                limit, stated_quote = _stated_hours(sd, facts)
                stated_fact = sd.fact_id
                if hi < 0:
                    reason = _join(reason, f"the stated duration ({sd.fact_id}) is not applied: the dates put the "
                                           "end before the start")
                elif limit < lo:
                    reason = _join(reason, f"the stated duration ({sd.fact_id}) contradicts the dates; dates kept")
                else:
                    lo, hi = max(lo, 0.0), min(hi, limit)
                    notes.append(f"narrowed by the stated duration ({sd.fact_id})")
            alt = "" if len(pairs) == 1 else (e.event_id if len(s_alts) == 1 else f"{s.event_id}→{e.event_id}")
            row(report, alternative=alt, lower_hours=lo, upper_hours=hi,
                status="observed" if len(pairs) == 1 else "conflicting",
                basis=_join("calendar bounds", s_basis, *notes),
                reason=_join(reason, f"sources conflict ({', '.join(c.event_id for c in e_alts)})"
                             if len(e_alts) > 1 else ""),
                start_event=s.event_id, end_event=e.event_id, start_at=s.lower, start_quote=s.quote,
                start_source_id=_sid(s), end_quote=e.quote, end_source_id=_sid(e),
                stated_fact=stated_fact, stated_quote=stated_quote)
    out = pd.DataFrame(rows, columns=INTERVAL_COLUMNS)
    out["lower_hours"] = out["lower_hours"].astype(float)
    out["upper_hours"] = out["upper_hours"].astype(float)
    out["start_at"] = pd.to_datetime(out["start_at"])
    return out


def _sid(c: _Candidate):
    return None if _blank(c.source_id) else c.source_id


def _missing(label: str, undated: list[str]) -> str:
    if undated:
        return f"no dated {label} ({', '.join(undated)} undated)"
    return f"no {label} event in the data"


def _join(*parts) -> str:
    """Join the non-blank parts with "; " (None, NaN and "" are skipped)."""
    return "; ".join(str(p) for p in parts if not _blank(p))


def milestone_intervals(events: pd.DataFrame, key: str, **kw) -> pd.DataFrame:
    """:func:`response_intervals` for milestone ``key`` (a column ``milestone`` is added first).

    A milestone that no event type records gives ``cannot_tell`` rows for every report.
    """
    m = MILESTONES[key]
    if m.start is None:
        reports = list(kw.get("reports") or REPORTS)
        out = pd.DataFrame([{**dict.fromkeys(INTERVAL_COLUMNS, None), "report": r, "alternative": "",
                             "lower_hours": np.nan, "upper_hours": np.nan, "status": "cannot_tell",
                             "reason": "no event type records this step, and none of the five texts dates it"}
                            for r in reports], columns=INTERVAL_COLUMNS)
        out["start_at"] = pd.to_datetime(out["start_at"])
    else:
        out = response_intervals(events, m.start, m.end, **kw)
    out.insert(0, "milestone", key)
    return out


def all_intervals(events: pd.DataFrame, keys: Iterable[str] | None = None, **kw) -> pd.DataFrame:
    """:func:`milestone_intervals` for every milestone (or ``keys``), stacked."""
    keys = list(MILESTONES) if keys is None else list(keys)
    return pd.concat([milestone_intervals(events, k, **kw) for k in keys], ignore_index=True)


# --------------------------------------------------------------------------------------
# Benchmarks: data/benchmarks.csv

def load_benchmarks(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/benchmarks.csv``, validated (schema and the cross-checks below)."""
    return load_table("benchmarks", data_dir)


@cross_check("benchmarks")
def check_benchmarks(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Rules for ``benchmarks.csv`` (registered with ``@cross_check``).

    * the source is a ``sources/supplementary.csv`` row; the quote is found in its quote, and the
      limit is one of the numbers the quote states; the trust grade is copied exactly;
    * ``in_force_from`` equals the source's ``published`` date where both are given;
    * the milestone is one of :data:`MILESTONES`; ``superseded_by`` names another benchmark of the
      same milestone;
    * a source without URL, or a LOW-trust one, needs a caveat saying so.
    """
    supp = _sibling(base, "supplementary")
    by_id = {} if supp is None else {r.source_id: r for r in supp.itertuples(index=False)}
    milestones = dict(zip(df["benchmark_id"], df["milestone"]))
    for line, row in _rows(df):
        if row.milestone not in MILESTONES:
            yield Problem(file, line, "milestone", f"{row.milestone!r} is not a milestone of analysis.speed")
        if not _blank(row.superseded_by):
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
        if not _blank(row.in_force_from) and not _blank(source.published) and row.in_force_from != source.published:
            yield Problem(file, line, "in_force_from",
                          f"{row.in_force_from} differs from the published date {source.published} of {row.source_id}")
        caveat = "" if _blank(row.caveat) else str(row.caveat).lower()
        if _blank(source.url) and "no url recorded" not in caveat:
            yield Problem(file, line, "caveat", f'{row.source_id} has no URL: the caveat must say "no URL recorded"')
        if "LOW" in str(row.trust) and not caveat:
            yield Problem(file, line, "caveat", "a low-trust benchmark needs a caveat")


def limit_hours(benchmarks: pd.DataFrame) -> pd.Series:
    """Each benchmark's limit in hours."""
    return benchmarks["limit"].astype(float) * benchmarks["limit_unit"].map(_UNIT_HOURS)


def judge(lower: float, upper: float, limit: float, kind: str = "deadline") -> str:
    """Compare an interval ``[lower, upper]`` (hours) with a limit.

    ``deadline`` (the step must be done within ``limit``): met if ``upper <= limit``, not met if
    ``lower > limit``, cannot tell otherwise. ``minimum`` (the state must last at least
    ``limit``): met if ``lower >= limit``, not met if ``upper < limit``. A missing bound counts as
    unknown (a censored interval has no upper bound). An interval whose upper bound is below zero
    (the end dated before its trigger) is self-contradictory: cannot tell.
    """
    if kind not in ("deadline", "minimum"):
        raise ValueError(f"unknown limit kind {kind!r}")
    lo = -math.inf if lower is None or pd.isna(lower) else float(lower)
    hi = math.inf if upper is None or pd.isna(upper) else float(upper)
    if lo > hi:
        raise ValueError(f"lower bound {lo} exceeds upper bound {hi}")
    if hi < 0:
        return "cannot tell"
    if kind == "deadline":
        return "met" if hi <= limit else "not met" if lo > limit else "cannot tell"
    return "met" if lo >= limit else "not met" if hi < limit else "cannot tell"


def _period_bounds(value) -> tuple[pd.Timestamp, pd.Timestamp]:
    if _blank(value):
        return pd.NaT, pd.NaT
    value = str(value)
    precision = {7: "month", 10: "day", 16: "minute"}.get(len(value))
    if precision is None:
        raise ValueError(f"unreadable date {value!r}")
    return instant_bounds(value, precision)


def in_force(benchmark: pd.Series, when, benchmarks: pd.DataFrame) -> str:
    """Whether the rule was in force at ``when``: ``yes``, ``not yet``, ``superseded`` or ``unknown``.

    In force from ``in_force_from`` (a date written to the month counts from the month's last
    instant for "yes" and from its first for "not yet") until the ``in_force_from`` of the
    benchmark that supersedes it. Unknown without a date, or when ``when`` falls inside the
    imprecise month.
    """
    if when is None or pd.isna(when):
        return "unknown"
    lo, hi = _period_bounds(benchmark["in_force_from"])
    if pd.isna(lo):
        return "unknown"
    if when < lo:
        return "not yet"
    until_lo = until_hi = pd.NaT
    if not _blank(benchmark.get("superseded_by")):
        nxt = benchmarks[benchmarks["benchmark_id"] == benchmark["superseded_by"]]
        if len(nxt):
            until_lo, until_hi = _period_bounds(nxt["in_force_from"].iloc[0])
    if not pd.isna(until_lo) and when >= until_hi:
        return "superseded"
    if when >= hi and (pd.isna(until_lo) or when < until_lo):
        return "yes"
    return "unknown"


COMPARISON_COLUMNS = ["benchmark_id", "milestone", "rule", "applies_when", "limit_hours", "limit_kind", "report",
                      "alternative", "lower_hours", "upper_hours", "status", "judgement", "in_force", "reason"]


def compare_benchmarks(intervals: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Every benchmark against every interval of its milestone: one row per (benchmark, interval row).

    ``judgement`` from :func:`judge` (a censored interval counts as "later than its lower
    bound"; a ``cannot_tell`` interval, or one dated before its trigger (upper bound below zero),
    cannot be judged); ``in_force`` from :func:`in_force` at
    the start instant of the interval.
    """
    rows = []
    limits = limit_hours(benchmarks)
    for (_, b), lim in zip(benchmarks.iterrows(), limits):
        sel = intervals[intervals["milestone"] == b["milestone"]]
        for _, iv in sel.iterrows():
            if iv["status"] == "cannot_tell":
                verdict, reason = "cannot tell", iv["reason"]
            elif iv["status"] != "censored" and iv["upper_hours"] < 0:
                verdict = "cannot tell"
                reason = _join("dated before its trigger: the interval is self-contradictory", iv["reason"])
            else:
                upper = math.inf if iv["status"] == "censored" else iv["upper_hours"]
                verdict = judge(iv["lower_hours"], upper, lim, b["limit_kind"])
                reason = "" if _blank(iv["reason"]) else iv["reason"]
            rows.append({"benchmark_id": b["benchmark_id"], "milestone": b["milestone"], "rule": b["rule"],
                         "applies_when": b["applies_when"], "limit_hours": lim, "limit_kind": b["limit_kind"],
                         "report": iv["report"], "alternative": iv["alternative"],
                         "lower_hours": iv["lower_hours"], "upper_hours": iv["upper_hours"], "status": iv["status"],
                         "judgement": verdict, "in_force": in_force(b, iv["start_at"], benchmarks), "reason": reason})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def verdicts(comparison: pd.DataFrame) -> pd.DataFrame:
    """One judgement per (benchmark, report): the alternatives' common judgement, else cannot tell."""
    def combine(g):
        js = set(g["judgement"])
        return pd.Series({"judgement": js.pop() if len(js) == 1 else "cannot tell",
                          "alternatives": int((g["alternative"] != "").sum()),
                          "in_force": ", ".join(sorted(set(g["in_force"])))})
    return (comparison.groupby(["benchmark_id", "report"], sort=False)[["judgement", "alternative", "in_force"]]
            .apply(combine).reset_index())


# --------------------------------------------------------------------------------------
# Kaplan-Meier (descriptive)

def km_inputs(intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per report for a Kaplan-Meier run: time on the lower and on the upper bound, event flag.

    Observed: event at its bounds. Conflicting: the earliest lower and the latest upper bound over
    the alternatives (so the two runs bracket every alternative). Censored: censored at its bounds.
    ``cannot_tell`` reports are left out (listed with ``used`` False and their reason), and so are
    intervals dated before their trigger (upper bound below zero: self-contradictory, no evidence).
    """
    rows = []
    for report, g in intervals.groupby("report", sort=False):
        contradictory = (g["status"] != "censored") & (g["upper_hours"] < 0)
        usable = g[(g["status"] != "cannot_tell") & ~contradictory]
        if usable.empty:
            reasons = [r for r in g["reason"] if not _blank(r)]
            if contradictory.any():
                reasons.append("dated before its trigger")
            rows.append({"report": report, "lower": np.nan, "upper": np.nan, "event": np.nan, "used": False,
                         "reason": "; ".join(reasons)})
            continue
        censored = (usable["status"] == "censored").all()
        rows.append({"report": report, "lower": usable["lower_hours"].min(), "upper": usable["upper_hours"].max(),
                     "event": 0 if censored else 1, "used": True,
                     "reason": "censored" if censored else ", ".join(sorted(set(usable["status"])))})
    return pd.DataFrame(rows, columns=["report", "lower", "upper", "event", "used", "reason"])


def km_bounds(intervals: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier survival (share of cities not yet at the milestone) on lower and on upper bounds.

    statsmodels ``SurvfuncRight`` with censored reports as censored. One row per event time and
    bound, columns ``bound``, ``hours``, ``n_risk``, ``n_events``, ``surv_prob``, ``surv_prob_se``.
    Descriptive only: five cities are not a sample. Empty when no report is usable.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    data = km_inputs(intervals)
    data = data[data["used"]]
    frames = []
    if data.empty or not (data["event"] == 1).any():
        return pd.DataFrame(columns=["bound", "hours", "n_risk", "n_events", "surv_prob", "surv_prob_se"])
    for bound in ("lower", "upper"):
        sf = SurvfuncRight(data[bound].to_numpy(float), data["event"].to_numpy(int), title=bound)
        frames.append(pd.DataFrame({"bound": bound, "hours": sf.surv_times, "n_risk": sf.n_risk,
                                    "n_events": sf.n_events, "surv_prob": sf.surv_prob,
                                    "surv_prob_se": sf.surv_prob_se}))
    return pd.concat(frames, ignore_index=True)


def km_medians(intervals: pd.DataFrame) -> pd.DataFrame:
    """Median time to the milestone on lower and upper bounds, or the reason there is none.

    statsmodels' convention (as SAS): the first time at which survival falls strictly below 0.5.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    data = km_inputs(intervals)
    data = data[data["used"]]
    out = []
    for bound in ("lower", "upper"):
        if data.empty or not (data["event"] == 1).any():
            out.append({"bound": bound, "median_hours": np.nan, "n": len(data), "note": "no observed event"})
            continue
        sf = SurvfuncRight(data[bound].to_numpy(float), data["event"].to_numpy(int))
        med = sf.quantile(0.5)
        note = "" if not np.isnan(med) else "not reached: survival never falls below one half"
        out.append({"bound": bound, "median_hours": med, "n": len(data), "note": note})
    return pd.DataFrame(out)


#: Milestones summarised by Kaplan-Meier: those timed from both ends for several cities. The press
#: conference is bounded from above only (its lower bounds are all 0 by construction), and the
#: other recorded milestones have at most one city with an interval.
KM_MILESTONES = ("detection_to_lockdown", "detection_to_round1_start", "round1_duration")


def km_summary(intervals: pd.DataFrame, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Per milestone and bound: cities used, events, censored, the KM median (or why there is none).

    Descriptive only (five cities are not a sample). Default milestones: :data:`KM_MILESTONES`.
    A milestone with fewer than two usable cities, or no observed event, gets a note instead of a
    median.
    """
    rows = []
    for key in (KM_MILESTONES if keys is None else keys):
        iv = intervals[intervals["milestone"] == key]
        inp = km_inputs(iv)
        used = inp[inp["used"]]
        meds = km_medians(iv).set_index("bound")
        for bound in ("lower", "upper"):
            median, note = meds.loc[bound, "median_hours"], meds.loc[bound, "note"]
            if len(used) < 2:
                median, note = np.nan, "fewer than two cities with an interval: not summarised"
            rows.append({"milestone": key, "bound": bound, "cities used": len(used),
                         "events": int((used["event"] == 1).sum()), "censored": int((used["event"] == 0).sum()),
                         "left out (cannot tell)": int((~inp["used"]).sum()), "median (h)": median, "note": note})
    return pd.DataFrame(rows).set_index(["milestone", "bound"])


# --------------------------------------------------------------------------------------
# Tables and text for the chapter

def city(report: str) -> str:
    from .plotting import bilingual

    return bilingual(*CITY_NAMES.get(report, (report, "")))


def _fmt_hours(v) -> str:
    if v is None or pd.isna(v):
        return "?"
    return f"{v:.1f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:.0f}"


def interval_range(lower, upper, status: str) -> str:
    """``0–48 h``; censored intervals read ``> L h`` (the milestone had not happened by then)."""
    if status == "cannot_tell":
        return "cannot tell"
    if status == "censored":
        return f"> {_fmt_hours(lower)} h (censored)"
    if lower < 0:
        return f"{_fmt_hours(lower)} to {_fmt_hours(upper)} h"
    return f"{_fmt_hours(lower)}–{_fmt_hours(upper)} h"


def interval_table(intervals: pd.DataFrame) -> pd.DataFrame:
    """The intervals as the chapter shows them: milestone, city, alternative, range, status, reason."""
    t = intervals.copy()
    t["city"] = t["report"].map(city)
    t["range"] = [interval_range(a, b, s) for a, b, s in zip(t["lower_hours"], t["upper_hours"], t["status"])]
    t["why"] = [_join(r, b) for r, b in zip(t["reason"], t["basis"])]
    return t[["milestone", "city", "alternative", "range", "lower_hours", "upper_hours", "status", "why"]]


def linked_interval_table(intervals: pd.DataFrame, from_page: str = "book/speed"):
    """:func:`interval_table` whose range cells link to the events (start and end) behind them."""
    from .synthesis import linked_columns

    ids = [";".join(e for e in pair if isinstance(e, str) and e)
           for pair in zip(intervals["start_event"], intervals["end_event"])]
    return linked_columns(interval_table(intervals).set_index("milestone"), {"range": ids}, from_page)


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Benchmarks against intervals, for display (recorded milestones only)."""
    t = comparison.copy()
    t["city"] = t["report"].map(city)
    t["interval"] = [interval_range(a, b, s) for a, b, s in zip(t["lower_hours"], t["upper_hours"], t["status"])]
    t["limit"] = [f"{'≤' if k == 'deadline' else '≥'} {_fmt_hours(v)} h" for v, k in zip(t["limit_hours"], t["limit_kind"])]
    return t[["benchmark_id", "city", "alternative", "interval", "limit", "judgement", "in_force"]]


_FORCE = {"yes": "The rule was in force.", "not yet": "The rule was not yet issued: a yardstick, not an obligation.",
          "superseded": "The rule had been replaced by a later one.", "unknown": "Whether the rule was in force is unknown."}


def _quoted(event_id, quote, source_id, trust: dict) -> str:
    extra = f" ({source_id}, trust {trust.get(source_id, '?')})" if not _blank(source_id) else ""
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
        src_note = f"{b['source_id']}, trust {b['trust']}" + ("" if not _blank(url.get(b["source_id"])) else ", no URL recorded")
        when = "" if _blank(b["applies_when"]) else f" ({b['applies_when']})"
        sign = "≤" if b["limit_kind"] == "deadline" else "≥"
        lines.append(f"**{b['benchmark_id']}: {b['rule']}{when}.** Limit {sign} {_fmt_hours(lim)} h on *{m.label}*; "
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
                if not _blank(iv["start_quote"]):
                    quotes.append("start " + _quoted(iv["start_event"], iv["start_quote"], iv["start_source_id"], trust))
                if not _blank(iv["end_quote"]):
                    quotes.append("end " + _quoted(iv["end_event"], iv["end_quote"], iv["end_source_id"], trust))
            if not _blank(iv["stated_quote"]):
                quotes.append(f"stated duration {iv['stated_fact']} 「{iv['stated_quote']}」")
            how = _join(iv["basis"], iv["reason"])
            lines.append(f"- {city(c['report'])}{alt}: **{c['judgement']}**, interval "
                         f"{interval_range(c['lower_hours'], c['upper_hours'], c['status'])} ({c['status']}) "
                         f"against {sign} {_fmt_hours(lim)} h; {'; '.join(quotes)}. {how[:1].upper() + how[1:]}. "
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


def verdict_summary(comparison: pd.DataFrame) -> str:
    """Markdown: which cities met or did not meet which benchmarks (the rest cannot be told)."""
    v = verdicts(comparison)
    force = comparison.groupby(["benchmark_id", "report"])["in_force"].agg(lambda s: set(s))
    lines = []
    for verdict in ("met", "not met"):
        sel = v[v["judgement"] == verdict]
        for report, g in sel.groupby("report", sort=False):
            parts = []
            for bid in g["benchmark_id"]:
                state = force.loc[(bid, report)]
                parts.append(bid + ("" if state == {"yes"} else f" (rule in force: {', '.join(sorted(state))})"))
            lines.append(f"- **{verdict}**: {city(report)}, {', '.join(parts)}")
    n = int((v["judgement"] == "cannot tell").sum())
    lines.append(f"- **cannot tell**: the other {n} of {len(v)} benchmark–city pairs")
    return "\n".join(lines)


def benchmark_table(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The benchmarks as the chapter shows them."""
    t = benchmarks.copy()
    t["limit_h"] = limit_hours(benchmarks)
    return t[["benchmark_id", "rule", "milestone", "limit", "limit_unit", "limit_kind", "applies_when",
              "in_force_from", "superseded_by", "source_id", "trust", "quote", "caveat"]]


# --------------------------------------------------------------------------------------
# Figures

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
    :func:`response_intervals`) and ``origin_basis`` says so.

    One row per drawn event and panel: ``start_lo``/``start_hi`` (range of possible start
    instants), ``end_lo``/``end_hi`` for lasting events, in hours from the panel's origin. A city
    with no dated first detection is drawn from its earliest dated event (``origin_basis`` says
    which). An undated event with a stated duration (:data:`STATED_DURATIONS`) is drawn over the
    range it allows. A dated alert gets a second panel on its own axis (hours since the alert), with
    the events of :data:`INCIDENT_TYPES` in the following :data:`INCIDENT_WINDOW`.
    """
    b = events.merge(event_bounds(events).drop(columns=["report", "event_type", "sequence"]), on="event_id")
    rows: list[dict] = []
    for report in [r for r in REPORTS if r in set(events["report"])] + \
            [r for r in dict.fromkeys(events["report"]) if r not in REPORTS]:
        ev = b[(b["report"] == report) & b["event_type"].isin(TIMELINE_TYPES)]
        found, _ = _candidates(b, report, POINTS["first_detection"])
        first = _choose(found, POINTS["first_detection"])[0] if found else None
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
        alerts, _ = _candidates(b, report, POINTS["alert"])
        if alerts:
            alert = _choose(alerts, POINTS["alert"])[0]
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
                from .data import load_facts
                facts = load_facts()
            limit, _ = _stated_hours(sd, facts)
            s_lo, s_hi = _hours(first.lower - origin), _hours(first.upper - origin) + limit
            label_extra = f" [stated ≤ {_fmt_hours(limit)} h]"
        elif pd.isna(r.start_lower):
            continue
        else:
            s_lo, s_hi = _hours(r.start_lower - origin), _hours(r.start_upper - origin)
            label_extra = ""
        e_lo = e_hi = np.nan
        if not pd.isna(r.end_lower):
            e_lo, e_hi = _hours(r.end_lower - origin), _hours(r.end_upper - origin)
        flags = []
        if r.event_id in PLANNED:
            flags.append("announced")
        if not _blank(r.conflicts_with):
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


_RANGE = "#444444"


def fig_timelines(table: pd.DataFrame):
    """Gantt-style timelines, one panel per city (and one per alert), hours since first detection.

    Dark bars: the range of instants each event's stated precision allows (a marker at its
    middle keeps minute-precise events visible: a cross for a conflicting source, an open circle
    for an announced plan); light bars: the span of a lasting event from its earliest start to its
    latest end. Hover text gives the quote and the flags.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .plotting import REPORT_COLOURS

    panels = list(dict.fromkeys(table["panel"]))
    heights = [max(2, int((table["panel"] == p).sum())) for p in panels]
    titles = [f"{p}: {table.loc[table['panel'] == p, 'origin_basis'].iloc[0]}" for p in panels]
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=False, vertical_spacing=0.35 / len(panels),
                        row_heights=heights, subplot_titles=titles)
    for name, colour, opacity in (("range of possible instants", _RANGE, 1.0), ("span of a lasting event", _RANGE, 0.25)):
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", marker=dict(color=colour, opacity=opacity),
                             name=name, showlegend=True), row=1, col=1)
    for symbol, name in (("diamond", "middle of the range"), ("x", "conflicting source"), ("circle-open", "announced (planned)")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(symbol=symbol, color="#000", size=8),
                                 name=name, showlegend=True), row=1, col=1)
    for i, p in enumerate(panels, start=1):
        t = table[table["panel"] == p]
        colour = REPORT_COLOURS.get(t["report"].iloc[0], _RANGE)
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

    Bars span ``[lower, upper]`` hours, hatched for conflicting alternatives. A censored interval
    (the milestone came later, if at all) is drawn at the right of its panel, not to scale, with its
    bound written on it. Cities that cannot be told are left out (see the interval table). Each panel
    has its own scale.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from .plotting import REPORT_COLOURS

    bounded = intervals[intervals["status"] != "cannot_tell"]
    keys = [k for k in MILESTONES if k in set(bounded["milestone"])]
    fig = make_subplots(rows=len(keys), cols=1, vertical_spacing=0.5 / max(len(keys), 1),
                        subplot_titles=[MILESTONES[k].label for k in keys])
    fig.update_annotations(font_size=12)
    for i, k in enumerate(keys, start=1):
        t = bounded[bounded["milestone"] == k]
        labels = [city(r) + (f" ({a})" if a else "") for r, a in zip(t["report"], t["alternative"])]
        finite = t[t["status"] != "censored"]
        limits = [] if benchmarks is None else list(zip(benchmarks.loc[benchmarks["milestone"] == k, "benchmark_id"],
                                                         limit_hours(benchmarks)[benchmarks["milestone"] == k]))
        right = max([*finite["upper_hours"], *(lim for _, lim in limits), 1.0])
        cens = t[t["status"] == "censored"]
        if len(finite) == 0:
            right = max(right, cens["lower_hours"].max() * 1.2)
        beyond = bool((cens["lower_hours"] > right).any())
        edge = right * (1.6 if beyond else 1.15)
        left = min(0.0, t["lower_hours"].min()) - 0.03 * edge
        colours = [REPORT_COLOURS.get(r, _RANGE) for r in t["report"]]
        uppers = [min(edge, u) if s != "censored" else edge for u, s in zip(t["upper_hours"], t["status"])]
        # a censored bound beyond every other number of the panel is drawn past them, not to scale
        lowers = [right * 1.05 if st == "censored" and lo > right else lo
                  for lo, st in zip(t["lower_hours"], t["status"])]
        widths = [max(u - lo, edge * 0.004) for u, lo in zip(uppers, lowers)]
        text = [interval_range(lo, up, s) for lo, up, s in zip(t["lower_hours"], t["upper_hours"], t["status"])]
        censored = [st == "censored" for st in t["status"]]
        fig.add_trace(go.Bar(y=labels, x=widths, base=lowers, orientation="h", marker=dict(color=colours),
                             text=[f"{x}, not to scale →" if c else x for x, c in zip(text, censored)],
                             textposition=["inside" if c else "outside" for c in censored], insidetextanchor="start",
                             constraintext="none",
                             cliponaxis=False, hovertext=text, hoverinfo="text", name=MILESTONES[k].label,
                             showlegend=False,
                             marker_pattern_shape=["/" if st == "censored" else "x" if st == "conflicting" else ""
                                                   for st in t["status"]]), row=i, col=1)
        xref = "x" if i == 1 else f"x{i}"
        for j, (bid, lim) in enumerate(limits):
            fig.add_shape(type="line", x0=lim, x1=lim, y0=0, y1=1, xref=xref, yref=f"y{'' if i == 1 else i} domain",
                          line=dict(dash="dash", color="#333", width=1.5))
            fig.add_annotation(x=lim, y=1, xref=xref, yref=f"y{'' if i == 1 else i} domain", yanchor="top",
                               xanchor="left", xshift=3, yshift=-2 - 12 * j, text=f"{bid}: {_fmt_hours(lim)} h",
                               showarrow=False, bgcolor="rgba(255,255,255,0.7)",
                               font=dict(size=10, color="#333"))
        fig.update_xaxes(range=[left, edge * (1.02 if beyond else 1.25)], title_text="hours", row=i, col=1)
        fig.update_yaxes(autorange="reversed", row=i, col=1)
    fig.update_layout(height=170 * len(keys) + 40 * len(bounded) + 80, margin=dict(l=200, t=40))
    return fig
