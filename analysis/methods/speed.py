"""Response speed: response intervals between points of an outbreak response, and the bounds they put on its distribution.

How fast each city moved is the reports' main boast and the hardest thing to measure fairly: the
texts give times to different precisions (see :mod:`analysis.methods.event_times`) and sometimes
contradict each other. This module turns ``data/events.csv`` into intervals that carry that
uncertainty:

* :func:`response_intervals`: for a start and an end point (see :data:`POINTS`), one row per report
  (and one per alternative where sources conflict) with ``lower_hours``, ``upper_hours`` and a
  ``status``: ``observed``; ``did_not_happen`` (the milestone never happened in the report's
  window, a declared fact, see :data:`NEVER_HAPPENED`: no time at all, the window's length is
  context, not a bound); ``conflicting`` (alternative intervals, never averaged); or
  ``cannot_tell`` (the texts do not date it; the ``reason`` says what is missing);
* :data:`MILESTONES` and :func:`all_milestone_intervals`: the intervals the book reports (the keys
  of :data:`MILESTONES` are the ``milestone`` enum of ``data/schemas/benchmarks.schema.yaml``);
* :func:`row_role`: the one rule, shared by the distribution, the benchmarks and the side-by-side
  table, for what an interval row can support (an interval, "did not happen", "dated before its
  trigger", "cannot tell");
* :func:`point_candidates` / :func:`choose_alternatives`: the dated events that stand for a point;
* :func:`distribution_inputs`, :func:`empirical_bounds`, :func:`median_range`: the intervals as
  bounds on the empirical distribution of a milestone's times (the share of cities known to have
  reached it by t, and the share that may have). No standard errors and no survival estimate: a
  handful of cities is not a sample, and "did not happen" is kept out of the distribution.

The benchmarks the intervals are judged against are in :mod:`analysis.methods.benchmarks`.
All times are local (Beijing) time as the texts give them; no time zone is attached.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from ..core.loaders import load_facts, load_sources
from ..core.registry import report_keys
from ..core.tables import is_blank, read_table_schema
from .event_times import UNIT_HOURS, event_bounds, to_hours

STATUSES = ("observed", "did_not_happen", "conflicting", "cannot_tell")
#: The statuses in words, as every table and sentence of the book writes them.
STATUS_WORDS = {"observed": "observed", "did_not_happen": "did not happen", "conflicting": "conflicting",
                "cannot_tell": "cannot tell"}


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

#: Milestones that never happened in a report's window, keyed by (end point, report): status
#: ``did_not_happen``, with the time from the start to the end of the window (``sources.csv``
#: ``period_end``) as context. Not censoring: nothing says the milestone came later. Declared,
#: with the evidence; absence from a text alone is never taken as "never happened".
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
class Candidate:
    """A dated event that may stand for a point: its instants ``[lower, upper)`` and what the row says."""

    event_id: str
    lower: pd.Timestamp
    upper: pd.Timestamp
    sequence: object
    quote: str
    source_id: object
    status: str
    conflicts: tuple[str, ...]
    fallback: bool


def point_candidates(ev: pd.DataFrame, report: str, point: Point) -> tuple[list[Candidate], list[str]]:
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
                conflicts = () if is_blank(r.conflicts_with) else tuple(str(r.conflicts_with).split(";"))
                found.append(Candidate(r.event_id, lo, hi, r.sequence, r.quote, r.source_id, r.status,
                                       conflicts, fallback))
        if found:
            return found, undated
    return [], undated


def choose_alternatives(found: list[Candidate], point: Point) -> list[Candidate]:
    """The earliest candidate (lowest ordinal for a series) and the dated events it conflicts with."""
    def key(c):
        seq = math.inf if pd.isna(c.sequence) else float(c.sequence)
        return (seq, c.lower) if point.first_of_series else (c.lower,)
    first = min(found, key=key)
    alts = [first] + [c for c in found if c.event_id in first.conflicts and c is not first]
    return sorted(alts, key=lambda c: c.event_id)


def _windows(data_dir=None) -> dict[str, pd.Timestamp]:
    """End of each report's window: the end of the ``period_end`` day of ``sources.csv``."""
    s = load_sources(data_dir)
    return {r: d + pd.Timedelta(days=1) for r, d in zip(s["report"], s["period_end"])}


def stated_hours(sd: StatedDuration, facts: pd.DataFrame) -> tuple[float, str]:
    """The hours a stated duration allows (its ``facts.csv`` value in hours) and the fact's quote."""
    row = facts[facts["fact_id"] == sd.fact_id]
    if row.empty or is_blank(row["value"].iloc[0]):
        raise KeyError(f"stated duration {sd.fact_id} is not a fact with a value")
    r = row.iloc[0]
    if r["unit"] not in UNIT_HOURS or r["qualifier"] not in ("exact", "at_most"):
        raise ValueError(f"{sd.fact_id}: a stated duration needs unit hours/days and qualifier exact/at_most")
    return float(r["value"]) * UNIT_HOURS[r["unit"]], r["quote"]


INTERVAL_COLUMNS = ["report", "alternative", "lower_hours", "upper_hours", "status", "basis", "reason",
                    "start_event", "end_event", "start_at", "start_quote", "end_quote", "start_source_id",
                    "end_source_id", "stated_fact", "stated_quote", "window_lower_hours", "window_upper_hours"]


def response_intervals(events: pd.DataFrame, start_type, end_type, *, reports: Iterable[str] | None = None,
                       never: dict | None = None, stated: Iterable[StatedDuration] | None = None,
                       windows: dict | None = None, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hours from ``start_type`` to ``end_type`` per report, with bounds and a status.

    ``start_type`` / ``end_type``: keys of :data:`POINTS` or event types. One row per report (in
    ``reports``, default every report of ``sources.csv`` plus any other in ``events``) and, where
    the dated candidates conflict (``conflicts_with``), one row per alternative with status
    ``conflicting``.

    Bounds: ``lower = end.lower - start.upper`` and ``upper = end.upper - start.lower``. A
    response does not precede its trigger, so a lower bound below zero is set to zero, unless the
    whole interval is negative: then the sources date the end before the start, and the negative
    interval is kept and flagged. A numbered series dated only by a later member (the 6th press
    conference) bounds its first member from above only (lower 0). Stated durations
    (:data:`STATED_DURATIONS`, values from ``facts``) narrow the upper bound.

    ``did_not_happen``: the end never happened in the report's window (``never``, default
    :data:`NEVER_HAPPENED`, keyed by (end_type, report)). It has no interval (``lower_hours`` and
    ``upper_hours`` are NaN); ``window_lower_hours`` / ``window_upper_hours`` give the time from
    the start to the window's end as context (``windows``: report -> end instant, default from
    ``sources.csv``).
    ``cannot_tell``: no dated start or end; ``reason`` names what is missing.
    """
    sp, ep = _point(start_type), _point(end_type)
    never = NEVER_HAPPENED if never is None else never
    stated = STATED_DURATIONS if stated is None else tuple(stated)
    ev = events.merge(event_bounds(events).drop(columns=["report", "event_type", "sequence"]), on="event_id")
    order = list(report_keys() if reports is None else reports)
    if reports is None:
        order += [r for r in dict.fromkeys(events["report"]) if r not in order]
    rows = []

    def row(report, **kw):
        base = dict.fromkeys(INTERVAL_COLUMNS, None)
        base.update(report=report, alternative="", lower_hours=np.nan, upper_hours=np.nan,
                    window_lower_hours=np.nan, window_upper_hours=np.nan)
        base.update(kw)
        rows.append(base)

    for report in order:
        s_found, s_undated = point_candidates(ev, report, sp)
        e_found, e_undated = point_candidates(ev, report, ep)
        here = [sd for sd in stated if sd.report == report and sd.start == start_type and sd.end == end_type]
        if not s_found:
            row(report, status="cannot_tell", reason=_missing(sp.label, s_undated))
            continue
        s_alts = choose_alternatives(s_found, sp)
        s_basis = "first case used: no dated first detection" if s_alts[0].fallback else ""
        if not e_found:
            sd = next((d for d in here if d.end_event in e_undated), None)
            key = (end_type if isinstance(end_type, str) else ep.label, report)
            if sd is not None:
                if facts is None:
                    facts = load_facts()
                limit, quote = stated_hours(sd, facts)
                end_quote = ev.loc[ev["event_id"] == sd.end_event, "quote"].iloc[0]
                for s in s_alts:
                    row(report, alternative=s.event_id if len(s_alts) > 1 else "", lower_hours=0.0,
                        upper_hours=limit, status="observed" if len(s_alts) == 1 else "conflicting",
                        basis=join_notes("stated duration only: the end event is undated", s_basis),
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
                        window_lower_hours=to_hours(end - s.upper), window_upper_hours=to_hours(end - s.lower),
                        status="did_not_happen",
                        basis=join_notes("did not happen by the end of the report's window "
                                         f"({(end - pd.Timedelta(days=1)).date()})", s_basis),
                        reason=never[key], start_event=s.event_id, start_at=s.lower, start_quote=s.quote,
                        start_source_id=_sid(s))
            else:
                row(report, status="cannot_tell", reason=_missing(ep.label, e_undated), start_event=s_alts[0].event_id,
                    start_at=s_alts[0].lower, start_quote=s_alts[0].quote,
                    start_source_id=_sid(s_alts[0]))
            continue
        e_alts = choose_alternatives(e_found, ep)
        pairs = list(itertools.product(s_alts, e_alts))
        for s, e in pairs:
            lo, hi = to_hours(e.lower - s.upper), to_hours(e.upper - s.lower)
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
                    facts = load_facts()
                limit, stated_quote = stated_hours(sd, facts)
                stated_fact = sd.fact_id
                if hi < 0:
                    reason = join_notes(reason, f"the stated duration ({sd.fact_id}) is not applied: the dates put the "
                                           "end before the start")
                elif limit < lo:
                    reason = join_notes(reason, f"the stated duration ({sd.fact_id}) contradicts the dates; dates kept")
                else:
                    lo, hi = max(lo, 0.0), min(hi, limit)
                    notes.append(f"narrowed by the stated duration ({sd.fact_id})")
            alt = "" if len(pairs) == 1 else (e.event_id if len(s_alts) == 1 else f"{s.event_id}→{e.event_id}")
            row(report, alternative=alt, lower_hours=lo, upper_hours=hi,
                status="observed" if len(pairs) == 1 else "conflicting",
                basis=join_notes("calendar bounds", s_basis, *notes),
                reason=join_notes(reason, f"sources conflict ({', '.join(c.event_id for c in e_alts)})"
                             if len(e_alts) > 1 else ""),
                start_event=s.event_id, end_event=e.event_id, start_at=s.lower, start_quote=s.quote,
                start_source_id=_sid(s), end_quote=e.quote, end_source_id=_sid(e),
                stated_fact=stated_fact, stated_quote=stated_quote)
    out = pd.DataFrame(rows, columns=INTERVAL_COLUMNS)
    out["lower_hours"] = out["lower_hours"].astype(float)
    out["upper_hours"] = out["upper_hours"].astype(float)
    out["window_lower_hours"] = out["window_lower_hours"].astype(float)
    out["window_upper_hours"] = out["window_upper_hours"].astype(float)
    out["start_at"] = pd.to_datetime(out["start_at"])
    return out


def _sid(c: Candidate):
    return None if is_blank(c.source_id) else c.source_id


def _missing(label: str, undated: list[str]) -> str:
    if undated:
        return f"no dated {label} ({', '.join(undated)} undated)"
    return f"no {label} event in the data"


def join_notes(*parts) -> str:
    """Join the non-blank parts with "; " (None, NaN and "" are skipped)."""
    return "; ".join(str(p) for p in parts if not is_blank(p))


def milestone_intervals(events: pd.DataFrame, key: str, **kw) -> pd.DataFrame:
    """:func:`response_intervals` for milestone ``key`` (a column ``milestone`` is added first).

    A milestone that no event type records gives ``cannot_tell`` rows for every report.
    """
    m = MILESTONES[key]
    if m.start is None:
        reports = list(kw.get("reports") or report_keys())
        out = pd.DataFrame([{**dict.fromkeys(INTERVAL_COLUMNS, None), "report": r, "alternative": "",
                             "lower_hours": np.nan, "upper_hours": np.nan, "window_lower_hours": np.nan,
                             "window_upper_hours": np.nan, "status": "cannot_tell",
                             "reason": "no event type records this step, and none of the five texts dates it"}
                            for r in reports], columns=INTERVAL_COLUMNS)
        out["start_at"] = pd.to_datetime(out["start_at"])
    else:
        out = response_intervals(events, m.start, m.end, **kw)
    out.insert(0, "milestone", key)
    return out


def all_milestone_intervals(events: pd.DataFrame, keys: Iterable[str] | None = None, **kw) -> pd.DataFrame:
    """:func:`milestone_intervals` for every milestone (or ``keys``), stacked (statuses of :data:`STATUSES`)."""
    keys = list(MILESTONES) if keys is None else list(keys)
    return pd.concat([milestone_intervals(events, k, **kw) for k in keys], ignore_index=True)


# --------------------------------------------------------------------------------------
# Bounds on the empirical distribution (no survival model, no standard errors)

#: Milestones whose distribution the chapter bounds: those timed from both ends for several
#: cities. The press conference is bounded from above only (its lower bounds are all 0 by
#: construction), and the other recorded milestones have an interval for one city at most.
BOUND_MILESTONES = ("detection_to_lockdown", "detection_to_round1_start", "round1_duration")

#: Fewest cities with an interval for which a median is stated at all (as a range).
MEDIAN_MIN_CITIES = 3

#: What an interval row can support (:func:`row_role`).
ROLES = ("in distribution", "did not happen", "dated before its trigger", "cannot tell")


def row_role(status: str, upper_hours) -> str:
    """What one interval row can support, the same everywhere in the book (one of :data:`ROLES`).

    ``in distribution``: an observed or conflicting interval that does not end before it starts
    (it bounds a time, is judged against a benchmark, is shown as an interval); ``dated before its
    trigger``: the sources date the end before the start (kept as the contradiction it is, never
    judged, never in a distribution); ``did not happen``: the step never happened in the report's
    window (no time, not censoring); ``cannot tell``: not dated. Raises ``ValueError`` for any
    other status (``censored`` included: the book has no such status).
    """
    if status == "did_not_happen":
        return "did not happen"
    if status == "cannot_tell":
        return "cannot tell"
    if status in ("observed", "conflicting"):
        if upper_hours is None or pd.isna(upper_hours):
            raise ValueError(f"a {status} interval without an upper bound")
        return "dated before its trigger" if float(upper_hours) < 0 else "in distribution"
    raise ValueError(f"unknown interval status {status!r} (one of {', '.join(STATUSES)})")


INPUT_COLUMNS = ["report", "role", "lower", "upper", "alternatives", "window_lower", "window_upper", "reason"]


def distribution_inputs(intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per report of one milestone's intervals: its role in the distribution and its bounds.

    ``role``: ``in distribution`` (an observed interval, or conflicting alternatives: ``lower`` /
    ``upper`` are the earliest lower and the latest upper bound over them, so every alternative and
    every time inside it lies within; ``alternatives`` lists them, they are never averaged);
    ``did not happen`` (kept out; ``window_lower`` / ``window_upper`` say how long the window
    ran); ``dated before its trigger`` (every reading ends before it starts: no evidence); or
    ``cannot tell``. An alternative dated before its trigger is left out of the others' bounds
    (``reason`` says so).
    """
    rows = []
    for report, g in intervals.groupby("report", sort=False):
        base = {"report": report, "lower": np.nan, "upper": np.nan, "alternatives": "",
                "window_lower": np.nan, "window_upper": np.nan, "reason": ""}
        roles = [row_role(st, up) for st, up in zip(g["status"], g["upper_hours"])]
        never = g[[r == "did not happen" for r in roles]]
        timed = g[[r in ("in distribution", "dated before its trigger") for r in roles]]
        usable = g[[r == "in distribution" for r in roles]]
        if len(never):
            rows.append({**base, "role": "did not happen", "window_lower": never["window_lower_hours"].min(),
                         "window_upper": never["window_upper_hours"].max(), "reason": join_notes(*never["reason"])})
        elif len(usable):
            dropped = [a for a, r in zip(g["alternative"], roles) if r == "dated before its trigger"]
            rows.append({**base, "role": "in distribution", "lower": usable["lower_hours"].min(),
                         "upper": usable["upper_hours"].max(),
                         "alternatives": "; ".join(a for a in usable["alternative"] if a),
                         "reason": join_notes(*(f"{a} left out: dated before its trigger" for a in dropped))})
        elif len(timed):
            rows.append({**base, "role": "dated before its trigger",
                         "reason": "every reading ends before it starts: no evidence"})
        else:
            rows.append({**base, "role": "cannot tell", "reason": join_notes(*dict.fromkeys(g["reason"]))})
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


BOUND_COLUMNS = ["hours", "cities", "known", "possible", "known_share", "possible_share"]


def empirical_bounds(intervals: pd.DataFrame) -> pd.DataFrame:
    """Lower and upper empirical distribution of one milestone's times, at every bound that occurs.

    Of the ``cities`` in the distribution (:func:`distribution_inputs`), ``known``: how many are
    known to have reached the milestone by ``hours`` (upper bound <= hours); ``possible``: how many
    may have (lower bound <= hours). For any choice of a time inside every interval (any
    alternative), the share reached by ``hours`` lies between the two shares. A city where the
    milestone did not happen is not in the distribution. Empty when no city is.
    """
    inp = distribution_inputs(intervals)
    inp = inp[inp["role"] == "in distribution"]
    if inp.empty:
        return pd.DataFrame(columns=BOUND_COLUMNS)
    lo, hi = inp["lower"].to_numpy(float), inp["upper"].to_numpy(float)
    grid = np.unique(np.concatenate([lo, hi]))
    known = np.array([(hi <= t).sum() for t in grid])
    possible = np.array([(lo <= t).sum() for t in grid])
    n = len(inp)
    return pd.DataFrame({"hours": grid, "cities": n, "known": known, "possible": possible,
                         "known_share": known / n, "possible_share": possible / n}, columns=BOUND_COLUMNS)


def median_range(intervals: pd.DataFrame, min_cities: int = MEDIAN_MIN_CITIES) -> dict:
    """The range the bounds allow for the median time: ``lower``, ``upper``, ``cities``, ``note``.

    The sample median never decreases when a time does, so the median of the lower bounds and the
    median of the upper bounds bracket the median of every completion. Stated only when at least
    ``min_cities`` cities are in the distribution and both bounds are finite; otherwise NaN, with
    the reason in ``note``.
    """
    inp = distribution_inputs(intervals)
    inp = inp[inp["role"] == "in distribution"]
    n = len(inp)
    out = {"lower": np.nan, "upper": np.nan, "cities": n, "note": ""}
    if n < min_cities:
        out["note"] = f"not stated: {n} {'city' if n == 1 else 'cities'} with an interval (fewer than {min_cities})"
        return out
    lo, hi = float(np.median(inp["lower"])), float(np.median(inp["upper"]))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        out["note"] = "not stated: the bounds do not determine it"
        return out
    out.update(lower=lo, upper=hi)
    return out


