"""Event times with the precision the texts give: the earliest and latest instant a written time allows.

The texts say "当即" (at once), "12月20日晚" (the evening of 20 December), "2小時" or "24小時内".
``data/events.csv`` writes each time with its precision (a minute, an hour, a part of the day, a
day, a month); this module turns it into the range ``[lower, upper)`` of instants consistent with it:

* :func:`instant_bounds`: one written time;
* :func:`bounds_vector`: whole columns at once (same results, same errors);
* :func:`event_bounds`: the start, end and whole span of every event of an events table.

All times are local (Beijing) time as the texts give them; no time zone is attached.
"""

from __future__ import annotations

import pandas as pd

from ..core.rules import PRECISION_FORMAT
from ..core.tables import is_blank

HOUR = pd.Timedelta(hours=1)
#: Hours in one unit of a stated duration or of a benchmark limit.
UNIT_HOURS = {"hours": 1.0, "days": 24.0}

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


def to_hours(td) -> float:
    """A time difference (``Timedelta``, or a Series of them) in hours."""
    return td / HOUR


def instant_bounds(when, precision, part=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Earliest and latest instant ``[lower, upper)`` consistent with ``when`` at ``precision``.

    ``minute``: that minute; ``hour``: that hour; ``part_of_day``: the part (see
    :data:`PARTS_OF_DAY`) of the stated date; ``day``: the whole day; ``month``: the whole month.
    A blank ``when`` gives ``(NaT, NaT)``. Raises ``ValueError`` for an unknown precision or part,
    or a value not written to its precision.
    """
    if is_blank(when):
        return pd.NaT, pd.NaT
    when = str(when)
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (one of {', '.join(PRECISIONS)})")
    if not PRECISION_FORMAT[precision].fullmatch(when):   # the events.csv format of each precision
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
    text = when.where(~when.map(is_blank), None)
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
        wrong = ~w.str.fullmatch(PRECISION_FORMAT[prec].pattern)
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
