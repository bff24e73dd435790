"""Response speed: response intervals between points of an outbreak response, and their Kaplan-Meier summary.

How fast each city moved is the reports' main boast and the hardest thing to measure fairly: the
texts give times to different precisions (see :mod:`analysis.methods.event_times`) and sometimes
contradict each other. This module turns ``data/events.csv`` into intervals that carry that
uncertainty:

* :func:`response_intervals`: for a start and an end point (see :data:`POINTS`), one row per report
  (and one per alternative where sources conflict) with ``lower_hours``, ``upper_hours`` and a
  ``status``: ``observed``; ``censored`` (the milestone never happened in the report's window, a
  declared fact, see :data:`NEVER_HAPPENED`); ``conflicting`` (alternative intervals, never
  averaged); or ``cannot_tell`` (the texts do not date it; the ``reason`` says what is missing);
* :data:`MILESTONES` and :func:`all_intervals`: the intervals the book reports (the keys of
  :data:`MILESTONES` are the ``milestone`` enum of ``data/schemas/benchmarks.schema.yaml``);
* :func:`point_candidates` / :func:`choose_alternatives`: the dated events that stand for a point;
* :func:`km_bounds`: a Kaplan-Meier summary (statsmodels ``SurvfuncRight``) run once on the lower
  and once on the upper bounds. Five cities are not a sample: it is descriptive only.

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

STATUSES = ("observed", "censored", "conflicting", "cannot_tell")


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
                    "end_source_id", "stated_fact", "stated_quote"]


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

    ``censored``: the end never happened in the report's window (``never``, default
    :data:`NEVER_HAPPENED`, keyed by (end_type, report)); bounds are the time from the start to
    the window's end (``windows``: report -> end instant, default from ``sources.csv``).
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
        base.update(report=report, alternative="", lower_hours=np.nan, upper_hours=np.nan)
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
                        lower_hours=to_hours(end - s.upper), upper_hours=to_hours(end - s.lower), status="censored",
                        basis=join_notes("censored at the end of the report's window "
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
            reasons = [r for r in g["reason"] if not is_blank(r)]
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
