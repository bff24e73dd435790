"""Response speed against protocol benchmarks: limits in hours, judgements, whether a rule was in force.

``data/benchmarks.csv`` holds protocol deadlines, each with its verbatim quote and trust grade
(loaded by :func:`analysis.core.loaders.load_benchmarks`, checked by
:mod:`analysis.checks.benchmarks`). The intervals come from :mod:`analysis.methods.speed`.

* :func:`judge`: met if the upper bound is within the limit, not met if the lower bound exceeds it,
  cannot tell otherwise;
* :func:`in_force`: whether a rule was in force when the interval started;
* :func:`compare_benchmarks` and :func:`verdicts`: every benchmark against every interval of its
  milestone, and one judgement per benchmark and report.
"""

from __future__ import annotations

import math

import pandas as pd

from ..core.tables import is_blank
from .event_times import UNIT_HOURS, instant_bounds
from .speed import join_notes, row_role

JUDGEMENTS = ("met", "not met", "cannot tell")


def limit_hours(benchmarks: pd.DataFrame) -> pd.Series:
    """Each benchmark's limit in hours."""
    return benchmarks["limit"].astype(float) * benchmarks["limit_unit"].map(UNIT_HOURS)


def judge(lower: float, upper: float, limit: float, kind: str = "deadline") -> str:
    """Compare an interval ``[lower, upper]`` (hours) with a limit.

    ``deadline`` (the step must be done within ``limit``): met if ``upper <= limit``, not met if
    ``lower > limit``, cannot tell otherwise. ``minimum`` (the state must last at least
    ``limit``): met if ``lower >= limit``, not met if ``upper < limit``. A missing bound counts as
    unknown (``math.inf`` for a step later than a window). An interval whose upper bound is below zero
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
    if is_blank(value):
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
    if not is_blank(benchmark.get("superseded_by")):
        nxt = benchmarks[benchmarks["benchmark_id"] == benchmark["superseded_by"]]
        if len(nxt):
            until_lo, until_hi = _period_bounds(nxt["in_force_from"].iloc[0])
    if not pd.isna(until_lo) and when >= until_hi:
        return "superseded"
    if when >= hi and (pd.isna(until_lo) or when < until_lo):
        return "yes"
    return "unknown"


COMPARISON_COLUMNS = ["benchmark_id", "milestone", "rule", "applies_when", "limit_hours", "limit_kind", "report",
                      "alternative", "lower_hours", "upper_hours", "status", "judgement", "in_force", "reason",
                      "window_lower_hours", "window_upper_hours"]


def compare_benchmarks(intervals: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Every benchmark against every interval of its milestone: one row per (benchmark, interval row).

    ``judgement`` from :func:`judge`, by the row's role (:func:`analysis.methods.speed.row_role`):
    a milestone that did not happen in the window counts as "later than the window"
    (``window_lower_hours``), so it can only fail a deadline; a ``cannot_tell`` interval, or one
    dated before its trigger (upper bound below zero), cannot be judged. ``in_force`` from
    :func:`in_force` at the start instant of the interval.
    """
    rows = []
    limits = limit_hours(benchmarks)
    for (_, b), lim in zip(benchmarks.iterrows(), limits):
        sel = intervals[intervals["milestone"] == b["milestone"]]
        for _, iv in sel.iterrows():
            role = row_role(iv["status"], iv["upper_hours"])
            if role == "cannot tell":
                verdict, reason = "cannot tell", iv["reason"]
            elif role == "did not happen":
                # it never happened in a window of at least window_lower_hours: later than that, if ever
                verdict = judge(iv["window_lower_hours"], math.inf, lim, b["limit_kind"])
                reason = "" if is_blank(iv["reason"]) else iv["reason"]
            elif role == "dated before its trigger":
                verdict = "cannot tell"
                reason = join_notes("dated before its trigger: the interval is self-contradictory", iv["reason"])
            else:
                verdict = judge(iv["lower_hours"], iv["upper_hours"], lim, b["limit_kind"])
                reason = "" if is_blank(iv["reason"]) else iv["reason"]
            rows.append({"benchmark_id": b["benchmark_id"], "milestone": b["milestone"], "rule": b["rule"],
                         "applies_when": b["applies_when"], "limit_hours": lim, "limit_kind": b["limit_kind"],
                         "report": iv["report"], "alternative": iv["alternative"],
                         "lower_hours": iv["lower_hours"], "upper_hours": iv["upper_hours"], "status": iv["status"],
                         "judgement": verdict, "in_force": in_force(b, iv["start_at"], benchmarks), "reason": reason,
                         "window_lower_hours": iv.get("window_lower_hours", math.nan),
                         "window_upper_hours": iv.get("window_upper_hours", math.nan)})
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
