"""Response speed: bound arithmetic, intervals (did not happen, conflicts, stated durations), benchmarks.

The bounds on the empirical distribution are tested in tests/test_speed_distribution.py."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis.core.loaders import load_benchmarks, load_events, load_facts, load_supplementary
from analysis.core.numerals import numbers_in
from analysis.core.tables import check_table, read_table_schema
from analysis.figures import speed as speed_figures
from analysis.methods import benchmarks, event_times, speed

T = pd.Timestamp
H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)
EVENT_COLUMNS = ["event_id", "report", "event_type", "description", "sequence", "start", "start_precision",
                 "start_part", "end", "end_precision", "end_part", "quote", "status", "note", "source_id",
                 "conflicts_with"]


def events(*rows: dict) -> pd.DataFrame:
    """A synthetic events table: missing columns empty, as the loader returns them."""
    df = pd.DataFrame([{c: r.get(c, np.nan) for c in EVENT_COLUMNS} for r in rows], columns=EVENT_COLUMNS)
    df["sequence"] = df["sequence"].astype("Int64")
    for c in EVENT_COLUMNS:
        if c != "sequence":
            df[c] = df[c].astype(object)
    return df


def ev(event_id, etype, start=None, precision=None, part=None, **kw) -> dict:
    report = event_id.split("-e")[0]
    return {"event_id": event_id, "report": report, "event_type": etype, "description": etype, "start": start,
            "start_precision": precision, "start_part": part, "quote": f"quote of {event_id}", "status": "reported",
            **kw}


def hours(td) -> float:
    return td / H


# --------------------------------------------------------------------------------------
# instant_bounds: every precision kind, midnight and month ends

def test_minute_is_that_minute():
    lo, hi = event_times.instant_bounds("2020-11-16T00:30", "minute")
    assert lo == T("2020-11-16 00:30") and hi - lo == pd.Timedelta(minutes=1)


def test_hour_is_that_hour_and_must_be_on_the_hour():
    lo, hi = event_times.instant_bounds("2022-10-28T10:00", "hour")
    assert (lo, hi) == (T("2022-10-28 10:00"), T("2022-10-28 11:00"))
    with pytest.raises(ValueError):
        event_times.instant_bounds("2022-10-28T10:30", "hour")


def test_evening_is_six_to_midnight_not_midnight():
    lo, hi = event_times.instant_bounds("2021-12-20", "part_of_day", "evening")
    assert lo == T("2021-12-20 18:00") and hi == T("2021-12-21 00:00")


@pytest.mark.parametrize("part", sorted(event_times.PARTS_OF_DAY))
def test_every_part_of_day_starts_on_its_date_and_is_a_proper_range(part):
    lo, hi = event_times.instant_bounds("2021-12-31", "part_of_day", part)
    assert lo.date() == T("2021-12-31").date()
    assert lo < hi <= T("2021-12-31") + 2 * D


@pytest.mark.parametrize("part, start, end", [
    ("evening", "2021-12-20 18:00", "2021-12-21 00:00"),          # 晚: 18:00-24:00, as the issue defines it
    ("night", "2021-12-20 21:00", "2021-12-21 05:00"),            # 深夜: 21:00 to 05:00 the next day
    ("early_morning", "2021-12-20 00:00", "2021-12-20 06:00"),
    ("afternoon", "2021-12-20 12:00", "2021-12-20 18:00"),
])
def test_parts_of_day_have_the_declared_hours(part, start, end):
    assert event_times.instant_bounds("2021-12-20", "part_of_day", part) == (T(start), T(end))
    lo, hi = event_times.bounds_vector(pd.Series(["2021-12-20"]), pd.Series(["part_of_day"]), pd.Series([part]))
    assert (lo[0], hi[0]) == (T(start), T(end))


def test_late_night_crosses_midnight_and_the_year_end():
    lo, hi = event_times.instant_bounds("2021-12-31", "part_of_day", "night")
    assert lo.year == 2021 and hi.year == 2022 and hi.date() == T("2022-01-01").date()


@pytest.mark.parametrize("day, next_day", [("2021-12-31", "2022-01-01"), ("2020-02-29", "2020-03-01"),
                                           ("2021-02-28", "2021-03-01"), ("2022-10-31", "2022-11-01")])
def test_a_day_is_the_whole_day_across_month_ends(day, next_day):
    lo, hi = event_times.instant_bounds(day, "day")
    assert lo == T(day) and hi == T(next_day) and hi - lo == D


@pytest.mark.parametrize("month, days", [("2020-02", 29), ("2021-02", 28), ("2021-12", 31), ("2022-04", 30)])
def test_a_month_is_the_whole_month(month, days):
    lo, hi = event_times.instant_bounds(month, "month")
    assert lo == T(month + "-01") and (hi - lo).days == days and hi.day == 1


def test_blank_and_bad_input():
    assert all(pd.isna(v) for v in event_times.instant_bounds(None, None))
    assert all(pd.isna(v) for v in event_times.instant_bounds(np.nan, "day"))
    with pytest.raises(ValueError):
        event_times.instant_bounds("2021-12-20", "week")
    with pytest.raises(ValueError):
        event_times.instant_bounds("2021-12-20", "part_of_day", "dusk")
    with pytest.raises(ValueError):
        event_times.instant_bounds("2021-12-20T08:00", "day")      # written finer than its precision
    with pytest.raises(ValueError):
        event_times.instant_bounds("2021-12", "day")


def test_event_bounds_of_a_lasting_event_span_start_to_end():
    e = events(ev("a-e01", "mass_testing_round", "2021-12-24", "day", end="2021-12-25", end_precision="day"),
               ev("a-e02", "first_detection", "2021-12-20", "part_of_day", "evening"),
               ev("a-e03", "press_conference"))
    b = event_times.event_bounds(e).set_index("event_id")
    assert b.loc["a-e01", "lower"] == T("2021-12-24") and b.loc["a-e01", "upper"] == T("2021-12-26")
    assert b.loc["a-e02", "upper"] == b.loc["a-e02", "start_upper"] == T("2021-12-21")
    assert b.loc["a-e03", ["lower", "upper"]].isna().all()


def test_event_bounds_of_the_real_events_are_ordered():
    b = event_times.event_bounds(load_events())
    dated = b[b["lower"].notna()]
    assert (dated["lower"] < dated["upper"]).all()
    assert (dated["start_lower"] < dated["start_upper"]).all()
    both = dated[dated["end_lower"].notna()]
    assert (both["start_lower"] <= both["end_lower"]).all()


# --------------------------------------------------------------------------------------
# response_intervals: arithmetic, ordering, censoring, conflicts, missing cities

def _one(df, report="a"):
    rows = df[df["report"] == report]
    assert len(rows) == 1
    return rows.iloc[0]


def test_interval_across_midnight_from_an_evening_to_an_hour():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "part_of_day", "evening"),
               ev("a-e02", "home_isolation_start", "2021-12-22T08:00", "hour"))
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"]))
    assert r["status"] == "observed"
    assert r["lower_hours"] == hours(T("2021-12-22 08:00") - T("2021-12-21 00:00"))
    assert r["upper_hours"] == hours(T("2021-12-22 09:00") - T("2021-12-20 18:00"))


def test_interval_across_a_month_and_year_end():
    e = events(ev("a-e01", "first_detection", "2021-12-31", "day"),
               ev("a-e02", "mass_testing_round_start", "2022-01-01", "day", sequence=1))
    r = _one(speed.response_intervals(e, "first_detection", "round1_start", reports=["a"]))
    assert (r["lower_hours"], r["upper_hours"]) == (0.0, 48.0)


def test_same_day_response_cannot_be_negative_but_a_contradiction_stays_negative():
    e = events(ev("a-e01", "first_detection", "2022-10-29", "day"),
               ev("a-e02", "static_management_start", "2022-10-29", "day"),
               ev("b-e01", "first_detection", "2022-10-29", "day"),
               ev("b-e02", "static_management_start", "2022-10-28T10:00", "hour"))
    out = speed.response_intervals(e, "first_detection", "lockdown", reports=["a", "b"])
    a, b = _one(out, "a"), _one(out, "b")
    assert (a["lower_hours"], a["upper_hours"]) == (0.0, 24.0) and "set to 0" in a["basis"]
    assert b["upper_hours"] < 0 and b["lower_hours"] < b["upper_hours"]
    assert "ends before it starts" in b["reason"]


def test_round_duration_uses_start_and_end_of_the_same_event():
    e = events(ev("a-e01", "mass_testing_round", "2020-06-01", "day", end="2020-06-07", end_precision="day", sequence=1))
    r = _one(speed.response_intervals(e, "round1_start", "round1_end", reports=["a"]))
    assert r["lower_hours"] == hours(T("2020-06-07") - T("2020-06-02"))
    assert r["upper_hours"] == hours(T("2020-06-08") - T("2020-06-01"))


def test_only_round_one_counts_for_round_one():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "day"),
               ev("a-e02", "mass_testing_round_start", "2021-12-23", "day", sequence=2))
    r = _one(speed.response_intervals(e, "first_detection", "round1_start", reports=["a"], never={}))
    assert r["status"] == "cannot_tell" and np.isnan(r["lower_hours"])


def test_did_not_happen_when_the_milestone_never_happened_in_the_window():
    e = events(ev("a-e01", "first_case", "2020-01-23", "day"))
    window_end = T("2021-01-01")
    out = speed.response_intervals(e, "first_detection", "lockdown", reports=["a"],
                                   never={("lockdown", "a"): "no lockdown, by declaration"}, windows={"a": window_end})
    r = _one(out)
    assert r["status"] == "did_not_happen" and r["reason"] == "no lockdown, by declaration"
    # no interval (it is not censoring): the window's length is context only
    assert np.isnan(r["lower_hours"]) and np.isnan(r["upper_hours"])
    assert r["window_lower_hours"] == hours(window_end - T("2020-01-24"))
    assert r["window_upper_hours"] == hours(window_end - T("2020-01-23"))
    assert "first case used" in r["basis"]          # fallback when no first detection is dated


def test_absence_alone_is_not_censoring():
    e = events(ev("a-e01", "first_detection", "2020-01-23", "day"))
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"], never={}, windows={}))
    assert r["status"] == "cannot_tell" and "no static" in r["reason"]


def test_censoring_needs_a_window():
    e = events(ev("a-e01", "first_detection", "2020-01-23", "day"))
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"],
                                      never={("lockdown", "a"): "never"}, windows={}))
    assert r["status"] == "cannot_tell" and "window is unknown" in r["reason"]


def test_conflicting_sources_give_alternatives_not_an_average():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "part_of_day", "evening"),
               ev("a-e02", "home_isolation_start", "2021-12-22T08:00", "hour", conflicts_with="a-e03"),
               ev("a-e03", "home_isolation_start", "2021-12-21", "day", conflicts_with="a-e02"),
               ev("a-e04", "home_isolation_start"))                     # undated mention: ignored
    out = speed.response_intervals(e, "first_detection", "lockdown", reports=["a"])
    assert list(out["status"]) == ["conflicting", "conflicting"]
    assert set(out["alternative"]) == {"a-e02", "a-e03"}
    det_lo, det_hi = event_times.instant_bounds("2021-12-20", "part_of_day", "evening")
    for _, r in out.iterrows():
        row = e[e["event_id"] == r["end_event"]].iloc[0]
        lo, hi = event_times.instant_bounds(row["start"], row["start_precision"])
        assert r["upper_hours"] == hours(hi - det_lo)
        assert r["lower_hours"] == max(0.0, hours(lo - det_hi))


def test_non_conflicting_candidates_take_the_earliest():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "day"),
               ev("a-e02", "static_management_start", "2021-12-25", "day"),
               ev("a-e03", "closed_management_start", "2021-12-22", "day"))
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"]))
    assert r["status"] == "observed" and r["end_event"] == "a-e03"


def test_a_city_with_no_events():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "day"), ev("a-e02", "static_management_start", "2021-12-21", "day"))
    out = speed.response_intervals(e, "first_detection", "lockdown", reports=["a", "zz"])
    z = _one(out, "zz")
    assert z["status"] == "cannot_tell" and np.isnan(z["lower_hours"]) and np.isnan(z["upper_hours"])
    assert "first detection" in z["reason"]
    assert _one(out, "a")["status"] == "observed"


def test_empty_events_table():
    out = speed.response_intervals(events(), "first_detection", "lockdown", reports=["a"])
    assert list(out["status"]) == ["cannot_tell"]
    assert speed_figures.timeline_table(events()).empty


def test_a_later_numbered_conference_bounds_the_first_from_above_only():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "part_of_day", "evening"),
               ev("a-e02", "press_conference", "2021-12-26T21:00", "hour", sequence=6))
    r = _one(speed.response_intervals(e, "first_detection", "press_conference", reports=["a"]))
    assert r["lower_hours"] == 0.0 and "upper bound only" in r["basis"]
    assert r["upper_hours"] == hours(T("2021-12-26 22:00") - T("2021-12-20 18:00"))
    e.loc[1, "sequence"] = 1
    r1 = _one(speed.response_intervals(e, "first_detection", "press_conference", reports=["a"]))
    assert r1["lower_hours"] > 0


def test_planned_events_are_not_observations(monkeypatch):
    e = events(ev("a-e01", "first_detection", "2022-03-20", "day"),
               ev("a-e02", "mass_testing_round_start", "2022-03-28", "day", sequence=1))
    monkeypatch.setitem(speed.PLANNED, "a-e02", "announced only")
    r = _one(speed.response_intervals(e, "first_detection", "round1_start", reports=["a"]))
    assert r["status"] == "cannot_tell" and "planned" in r["reason"]


def _facts(value, unit="hours", qualifier="at_most", quote="within N hours"):
    return pd.DataFrame({"fact_id": ["a-001"], "value": [value], "unit": [unit], "qualifier": [qualifier], "quote": [quote]})


def test_stated_duration_narrows_the_calendar_bounds():
    e = events(ev("a-e01", "first_detection", "2022-10-29", "day"),
               ev("a-e02", "static_management_start", "2022-10-29", "day"))
    sd = [speed.StatedDuration("a", "first_detection", "lockdown", "a-e02", "a-001")]
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"], stated=sd, facts=_facts(2)))
    assert (r["lower_hours"], r["upper_hours"]) == (0.0, 2.0) and r["stated_fact"] == "a-001"
    days = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"], stated=sd,
                                         facts=_facts(0.5, unit="days")))
    assert days["upper_hours"] == 12.0


def test_stated_duration_alone_when_the_end_is_undated():
    e = events(ev("a-e01", "first_detection", "2021-12-20", "part_of_day", "evening"),
               ev("a-e02", "investigation_completed"))
    sd = [speed.StatedDuration("a", "first_detection", "investigation", "a-e02", "a-001")]
    r = _one(speed.response_intervals(e, "first_detection", "investigation", reports=["a"], stated=sd, facts=_facts(24)))
    assert (r["lower_hours"], r["upper_hours"], r["status"]) == (0.0, 24.0, "observed")
    assert "stated duration only" in r["basis"]
    none = _one(speed.response_intervals(e, "first_detection", "investigation", reports=["a"], stated=[]))
    assert none["status"] == "cannot_tell" and "a-e02 undated" in none["reason"]


def test_stated_duration_that_contradicts_the_dates_is_flagged_not_applied():
    e = events(ev("a-e01", "first_detection", "2022-10-27", "day"),
               ev("a-e02", "static_management_start", "2022-10-29", "day"))
    sd = [speed.StatedDuration("a", "first_detection", "lockdown", "a-e02", "a-001")]
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"], stated=sd, facts=_facts(2)))
    assert r["lower_hours"] == 24.0 and r["upper_hours"] == 72.0 and "contradicts" in r["reason"]


def test_stated_duration_does_not_narrow_an_interval_that_ends_before_it_starts():
    # detection on 29 October, lockdown dated 28 October 10:00: the calendar interval is -38 to -13 h;
    # narrowing it with "2 hours" used to give lower 0 > upper -13
    e = events(ev("a-e01", "first_detection", "2022-10-29", "day"),
               ev("a-e02", "static_management_start", "2022-10-28T10:00", "hour"))
    sd = [speed.StatedDuration("a", "first_detection", "lockdown", "a-e02", "a-001")]
    r = _one(speed.response_intervals(e, "first_detection", "lockdown", reports=["a"], stated=sd, facts=_facts(2)))
    assert (r["lower_hours"], r["upper_hours"]) == (-38.0, -13.0)
    assert r["lower_hours"] <= r["upper_hours"]
    assert "ends before it starts" in r["reason"] and "a-001) is not applied" in r["reason"]
    assert "narrowed" not in r["basis"] and r["stated_fact"] == "a-001"


def test_unknown_point_is_an_error():
    with pytest.raises(KeyError):
        speed.response_intervals(events(), "first_detection", "no_such_point")


# --------------------------------------------------------------------------------------
# The real data

@pytest.fixture(scope="module")
def intervals():
    return speed.all_milestone_intervals(load_events())


def test_every_interval_is_well_formed(intervals):
    assert set(intervals["status"]) <= set(speed.STATUSES)
    assert set(intervals["milestone"]) == set(speed.MILESTONES)
    bounded = intervals[~intervals["status"].isin(["cannot_tell", "did_not_happen"])]
    assert bounded[["lower_hours", "upper_hours"]].notna().all().all()
    never = intervals[intervals["status"] == "did_not_happen"]
    assert len(never) and never[["lower_hours", "upper_hours"]].isna().all().all()
    assert (never["window_lower_hours"] <= never["window_upper_hours"]).all()
    assert intervals.loc[intervals["status"] != "did_not_happen", ["window_lower_hours", "window_upper_hours"]].isna().all().all()
    assert (bounded["lower_hours"] <= bounded["upper_hours"]).all()
    told = intervals[intervals["status"] == "cannot_tell"]
    assert told[["lower_hours", "upper_hours"]].isna().all().all()
    assert told["reason"].str.len().gt(0).all()
    conflicting = intervals[intervals["status"] == "conflicting"]
    assert (conflicting.groupby(["milestone", "report"]).size() >= 2).all()
    # one row per report unless alternatives
    single = intervals[intervals["status"] != "conflicting"]
    assert not single.duplicated(["milestone", "report"]).any()


def test_conflicting_lockdown_sources_are_alternatives(intervals):
    """Expected alternatives from events.csv: dated lockdown events that name each other in conflicts_with."""
    e = load_events()
    lock_types = {t for t, _ in speed.POINTS["lockdown"].sides}
    dated = e[e["event_type"].isin(lock_types) & e["start"].notna()]
    detected = e[(e["event_type"] == "first_detection") & e["start"].notna()]
    groups = {}
    for r in dated[dated["conflicts_with"].notna()].itertuples():
        targets = set(r.conflicts_with.split(";"))
        if targets <= set(dated["event_id"]) and r.report in set(detected["report"]):
            groups.setdefault(r.report, set()).update({r.event_id} | targets)
    assert groups, "the data has no conflicting lockdown dates: this test checks nothing"
    lock = intervals[intervals["milestone"] == "detection_to_lockdown"]
    for report, alts in groups.items():
        rows = lock[lock["report"] == report]
        assert set(rows["status"]) == {"conflicting"} and set(rows["alternative"]) == alts
        # an alternative dated (at its latest) before the earliest instant of detection is negative
        det_lo = min(event_times.instant_bounds(d.start, d.start_precision, d.start_part)[0]
                     for d in detected[detected["report"] == report].itertuples())
        before = {a for a in alts
                  if event_times.instant_bounds(*dated.set_index("event_id").loc[a, ["start", "start_precision",
                                                                               "start_part"]])[1] < det_lo}
        assert set(rows.loc[rows["upper_hours"] < 0, "alternative"]) == before


def test_declared_never_happened_milestones_have_no_dated_event():
    e = load_events()
    b = e.merge(event_times.event_bounds(e).drop(columns=["report", "event_type", "sequence"]), on="event_id")
    for point, report in speed.NEVER_HAPPENED:
        found, _ = speed.point_candidates(b, report, speed.POINTS[point])
        assert found == [], f"{report} has a dated {point} event but is declared as not having happened"


def test_did_not_happen_rows_are_the_declared_ones(intervals):
    cens = intervals[intervals["status"] == "did_not_happen"]
    declared = {(speed.MILESTONES[m].end, r) for m, r in zip(cens["milestone"], cens["report"])}
    assert declared == set(speed.NEVER_HAPPENED)


def test_stated_durations_come_from_facts_quoted_in_their_events():
    facts, e = load_facts().set_index("fact_id"), load_events().set_index("event_id")
    for sd in speed.STATED_DURATIONS:
        f = facts.loc[sd.fact_id]
        assert f["report"] == sd.report and f["unit"] in ("hours", "days")
        assert f["quote"] in e.loc[sd.end_event, "quote"]
        assert float(f["value"]) in numbers_in(f["quote"])


def test_planned_events_say_so_in_their_notes():
    e = load_events().set_index("event_id")
    for event_id in speed.PLANNED:
        assert "planned" in e.loc[event_id, "note"].lower()


def test_milestones_match_the_benchmarks_schema():
    schema = read_table_schema("benchmarks")
    field = next(f for f in schema["fields"] if f["name"] == "milestone")
    assert set(field["constraints"]["enum"]) == set(speed.MILESTONES)
    for m in speed.MILESTONES.values():
        assert (m.start is None) == (m.end is None)
        for p in (m.start, m.end):
            assert p is None or p in speed.POINTS


# --------------------------------------------------------------------------------------
# Benchmarks: the table, its checks and the judgements

def test_benchmarks_load_and_state_their_limits():
    b = load_benchmarks()            # validated on load: quotes and limits against the sources
    assert (benchmarks.limit_hours(b) > 0).all()
    low = b[b["trust"] == "LOW"]
    assert low["caveat"].str.contains("Low-trust").all()


def _edit(copy, column, value, row=0):
    path = copy / "benchmarks.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)
    _, problems = check_table("benchmarks", copy)
    return [str(p) for p in problems]


@pytest.mark.parametrize("column, value, message", [
    ("limit", "3", "is not stated in the quote"),
    ("quote", "核酸检测阳性结果3小时完成网络直报", "quote not found"),
    ("trust", "A", "differs from the trust"),
    ("source_id", "sup-benchmark-99", "is not in sources/supplementary.csv"),
    ("milestone", "lockdown_speed", "not in the allowed list"),
    ("superseded_by", "bench-99", "does not exist"),
])
def test_benchmark_checks_catch_bad_rows(data_copy, column, value, message):
    problems = _edit(data_copy, column, value)
    assert any(message in p and "benchmarks.csv:2:" in p for p in problems), problems


def test_benchmark_without_url_must_say_so(data_copy):
    b = load_benchmarks()
    supp = load_supplementary().set_index("source_id")
    row = next(i for i, s in enumerate(b["source_id"]) if pd.isna(supp.loc[s, "url"]))
    problems = _edit(data_copy, "caveat", "fine", row=row)
    assert any("no URL recorded" in p for p in problems)


def test_in_force_date_must_match_the_source(data_copy):
    b = load_benchmarks()
    row = next(i for i, v in enumerate(b["in_force_from"]) if isinstance(v, str))
    assert any("differs from the published date" in p for p in _edit(data_copy, "in_force_from", "2019-01-01", row=row))


@pytest.mark.parametrize("lower, upper, limit, expected", [
    (0, 48, 48, "met"), (0, 48.5, 48, "cannot tell"), (48, 60, 48, "cannot tell"), (48.1, 60, 48, "not met"),
    (-38, -13, 2, "cannot tell"), (120, math.inf, 24, "not met"), (0, math.inf, 24, "cannot tell"), (np.nan, np.nan, 24, "cannot tell"),
])
def test_judge_deadline(lower, upper, limit, expected):
    assert benchmarks.judge(lower, upper, limit) == expected


@pytest.mark.parametrize("lower, upper, limit, expected", [
    (168, 200, 168, "met"), (100, 167, 168, "not met"), (100, 168, 168, "cannot tell"), (170, math.inf, 168, "met"),
])
def test_judge_minimum(lower, upper, limit, expected):
    assert benchmarks.judge(lower, upper, limit, "minimum") == expected


def test_judge_agrees_with_every_point_of_the_interval():
    rng = np.random.default_rng(7)
    for _ in range(500):
        lo, width, limit = rng.uniform(-50, 200), rng.uniform(0, 100), rng.uniform(0, 150)
        points = np.linspace(lo, lo + width, 25)
        verdict = benchmarks.judge(lo, lo + width, limit)
        if lo + width < 0:                      # dated before its trigger: no evidence either way
            assert verdict == "cannot tell"
        elif verdict == "met":
            assert (points <= limit).all()
        elif verdict == "not met":
            assert (points > limit).all()
        else:
            assert (points <= limit).any() and (points > limit).any()


def test_judge_rejects_bad_input():
    with pytest.raises(ValueError):
        benchmarks.judge(5, 1, 3)
    with pytest.raises(ValueError):
        benchmarks.judge(1, 5, 3, "maximum")


def test_in_force_with_month_precision_and_supersession():
    b = pd.DataFrame({"benchmark_id": ["x-1", "x-2"], "in_force_from": ["2021-09", "2022-03-22"],
                      "superseded_by": ["x-2", np.nan]})
    old, new = b.iloc[0], b.iloc[1]
    assert benchmarks.in_force(old, T("2021-08-31 23:00"), b) == "not yet"
    assert benchmarks.in_force(old, T("2021-09-15"), b) == "unknown"        # inside the imprecise month
    assert benchmarks.in_force(old, T("2021-12-20 18:00"), b) == "yes"
    assert benchmarks.in_force(old, T("2022-03-22 12:00"), b) == "unknown"  # the day the new rule appeared
    assert benchmarks.in_force(old, T("2022-10-29"), b) == "superseded"
    assert benchmarks.in_force(new, T("2022-10-29"), b) == "yes"
    assert benchmarks.in_force(new, pd.NaT, b) == "unknown"
    assert benchmarks.in_force(pd.Series({"in_force_from": np.nan, "superseded_by": np.nan}), T("2022-01-01"), b) == "unknown"


def test_comparison_reuses_judge_and_never_judges_unknown_intervals(intervals):
    b = load_benchmarks()
    cmp = benchmarks.compare_benchmarks(intervals, b)
    assert set(cmp["judgement"]) <= set(benchmarks.JUDGEMENTS)
    assert (cmp.loc[cmp["status"] == "cannot_tell", "judgement"] == "cannot tell").all()
    assert (cmp.loc[cmp["upper_hours"] < 0, "judgement"] == "cannot tell").all()
    cens = cmp[cmp["status"] == "did_not_happen"]
    assert (cens["judgement"] != "met").all()
    assert (cens["window_lower_hours"] > 0).all()
    # every benchmark meets every report once per interval row of its milestone
    per = cmp.groupby("benchmark_id").size()
    sizes = intervals.groupby("milestone").size()
    assert all(per[bid] == sizes[m] for bid, m in zip(b["benchmark_id"], b["milestone"]))


def test_comparison_verdicts_on_a_synthetic_table():
    iv = pd.DataFrame([
        ("a", "", 0, 20, "observed", ""), ("b", "", 30, 40, "observed", ""), ("c", "", 10, 30, "observed", ""),
        ("d", "d-e02", -38, -13, "conflicting", "ends before it starts"), ("d", "d-e03", 0, 2, "conflicting", ""),
        ("e", "", np.nan, np.nan, "did_not_happen", ""), ("f", "", np.nan, np.nan, "cannot_tell", "no dated end")],
        columns=["report", "alternative", "lower_hours", "upper_hours", "status", "reason"])
    iv["window_lower_hours"] = [np.nan] * 5 + [100, np.nan]
    iv["window_upper_hours"] = [np.nan] * 5 + [120, np.nan]
    iv["milestone"], iv["start_at"] = "detection_to_lockdown", T("2022-01-01")
    b = pd.DataFrame({"benchmark_id": ["x-1", "x-2"], "milestone": "detection_to_lockdown", "rule": "r",
                      "applies_when": np.nan, "limit": [24, 1], "limit_unit": ["hours", "days"],
                      "limit_kind": ["deadline", "minimum"], "in_force_from": "2021-01-01", "superseded_by": np.nan})
    cmp = benchmarks.compare_benchmarks(iv, b)
    got = {(r.benchmark_id, r.report, r.alternative): r.judgement for r in cmp.itertuples()}
    assert got == {
        ("x-1", "a", ""): "met", ("x-1", "b", ""): "not met", ("x-1", "c", ""): "cannot tell",
        ("x-1", "d", "d-e02"): "cannot tell", ("x-1", "d", "d-e03"): "met", ("x-1", "e", ""): "not met",
        ("x-1", "f", ""): "cannot tell",
        ("x-2", "a", ""): "not met", ("x-2", "b", ""): "met", ("x-2", "c", ""): "cannot tell",
        ("x-2", "d", "d-e02"): "cannot tell", ("x-2", "d", "d-e03"): "not met", ("x-2", "e", ""): "met",
        ("x-2", "f", ""): "cannot tell"}
    neg = cmp[cmp["alternative"] == "d-e02"]
    assert neg["reason"].str.startswith("dated before its trigger").all()
    assert (cmp["in_force"] == "yes").all()
    v = benchmarks.verdicts(cmp).set_index(["benchmark_id", "report"])["judgement"]
    assert v[("x-1", "d")] == "cannot tell" and v[("x-1", "a")] == "met"


def test_verdicts_need_all_alternatives_to_agree():
    cmp = pd.DataFrame({"benchmark_id": ["b"] * 3, "report": ["a", "a", "c"], "alternative": ["x", "y", ""],
                        "judgement": ["met", "not met", "met"], "in_force": ["yes"] * 3})
    v = benchmarks.verdicts(cmp).set_index("report")
    assert v.loc["a", "judgement"] == "cannot tell" and v.loc["c", "judgement"] == "met"
    cmp.loc[1, "judgement"] = "met"
    assert benchmarks.verdicts(cmp).set_index("report").loc["a", "judgement"] == "met"


def test_explanations_quote_only_the_data(intervals):
    b = load_benchmarks()
    supp = load_supplementary()
    text = speed_figures.explain(benchmarks.compare_benchmarks(intervals, b), intervals, b, supp)
    known = set(load_events()["quote"]) | set(load_facts()["quote"]) | set(b["quote"])
    quotes = re.findall(r"「(.+?)」", text)
    assert quotes and set(quotes) <= known
    for bid in b["benchmark_id"]:
        assert f"**{bid}:" in text


# --------------------------------------------------------------------------------------
# Timeline and figures

def test_timeline_origin_is_the_earliest_instant_of_first_detection():
    e = load_events()
    t = speed_figures.timeline_table(e)
    dated = e[e["start"].notna()]
    detected = set(dated.loc[dated["event_type"] == "first_detection", "report"])
    first_case = set(dated.loc[dated["event_type"] == "first_case", "report"]) - detected
    assert detected and first_case
    for report in set(t["report"]):
        main = t[t["panel"] == speed_figures.city(report)]
        basis = main["origin_basis"].iloc[0]
        if report in detected:
            rows = main[main["event_type"] == "first_detection"]
            assert len(rows) == 1 and rows["start_lo"].iloc[0] == 0
            assert basis.startswith("hours since the earliest instant of first detection (")
        elif report in first_case:
            rows = main[main["event_type"] == "first_case"]
            assert len(rows) == 1 and rows["start_lo"].iloc[0] == 0
            assert basis.startswith("hours since the earliest instant of first case (no dated first detection) (")
        else:
            assert basis.startswith("no dated first detection")
    assert (t.groupby("panel")["start_lo"].apply(lambda s: s.is_monotonic_increasing)).all()
    # an undated end event with a stated duration is drawn from the stated hours
    undated = set(e.loc[e["start"].isna(), "event_id"])
    stated = {sd.end_event for sd in speed.STATED_DURATIONS
              if sd.end_event in undated and sd.report in detected | first_case}
    stated = {i for i in stated if e.set_index("event_id").loc[i, "event_type"] in speed_figures.TIMELINE_TYPES}
    assert stated and stated <= set(t["event_id"])
    assert all(" [stated ≤ " in lab for lab in t.loc[t["event_id"].isin(stated), "label"])
    alerts = set(dated.loc[dated["event_type"] == "alert_received", "report"])
    assert {p for p in t["panel"] if p.endswith(", alert")} == {f"{speed_figures.city(r)}, alert" for r in alerts}


def test_timeline_label_names_the_first_case_when_it_stands_in_for_detection():
    e = events(ev("a-e01", "first_case", "2020-01-23", "day"),
               ev("a-e02", "response_activated", "2020-01-24", "day"),
               ev("b-e01", "first_detection", "2020-01-23", "day"), ev("b-e02", "first_case", "2020-01-22", "day"))
    t = speed_figures.timeline_table(e)
    a, b = t[t["report"] == "a"], t[t["report"] == "b"]
    assert set(a["origin_basis"]) == {"hours since the earliest instant of first case (no dated first detection) (a-e01)"}
    assert set(b["origin_basis"]) == {"hours since the earliest instant of first detection (b-e01)"}
    fig = speed_figures.fig_timelines(t)
    assert "first case (no dated first detection)" in fig.layout.annotations[0].text


def test_figures_have_a_panel_each():
    e = load_events()
    t = speed_figures.timeline_table(e)
    fig = speed_figures.fig_timelines(t)
    panels = list(dict.fromkeys(t["panel"]))
    assert [a.text for a in fig.layout.annotations] == \
        [f"{p}: {t.loc[t['panel'] == p, 'origin_basis'].iloc[0]}" for p in panels]
    for i, p in enumerate(panels, start=1):
        labels = list(t.loc[t["panel"] == p, "label"])
        start = [tr for tr in fig.data if tr.name == f"{p}: start range"]
        assert len(start) == 1 and list(start[0].y) == labels
        assert start[0].yaxis == ("y" if i == 1 else f"y{i}")
        assert list(fig.layout["yaxis" if i == 1 else f"yaxis{i}"].categoryarray) == labels[::-1]
        for tr in fig.data:
            if tr.name.startswith(f"{p}: "):
                assert set(tr.y) <= set(labels) and tr.yaxis == start[0].yaxis
    for iv in (speed.all_milestone_intervals(e),):
        fig2 = speed_figures.fig_intervals(iv, load_benchmarks())
        bars = [tr for tr in fig2.data if tr.type == "bar"]
        assert len(bars) == iv.loc[iv["status"] != "cannot_tell", "milestone"].nunique()
        texts = [x for tr in bars for x in tr.text]
        assert sum("did not happen in the report's window" in x for x in texts) == 3


def test_vectorised_bounds_equal_the_scalar_ones():
    """bounds_vector (used by event_bounds) against instant_bounds, value by value."""
    rng = np.random.default_rng(7)
    n = 400
    start = pd.Timestamp("2019-12-25") + pd.to_timedelta(rng.integers(0, 3 * 365 * 24, n), unit="h")
    precs = rng.choice(["minute", "hour", "part_of_day", "day", "month"], n)
    parts = rng.choice(list(event_times.PARTS_OF_DAY), n)
    fmt = {"minute": "%Y-%m-%dT%H:%M", "hour": "%Y-%m-%dT%H:00", "part_of_day": "%Y-%m-%d", "day": "%Y-%m-%d",
           "month": "%Y-%m"}
    when = [t.strftime(fmt[p]) for t, p in zip(start, precs)]
    when[::17] = [None] * len(when[::17])
    part = [pt if p == "part_of_day" else None for p, pt in zip(precs, parts)]
    lo, hi = event_times.bounds_vector(pd.Series(when), pd.Series(precs), pd.Series(part))
    for i in range(n):
        a, b = event_times.instant_bounds(when[i], precs[i], part[i])
        assert (pd.isna(a) and pd.isna(lo[i])) or a == lo[i], (when[i], precs[i], part[i])
        assert (pd.isna(b) and pd.isna(hi[i])) or b == hi[i], (when[i], precs[i], part[i])


@pytest.mark.parametrize("when, precision, part", [("2021-12-20", "week", None), ("2021-12-20", "part_of_day", "dusk"),
                                                   ("2021-12-20T08:00", "day", None), ("2022-10-28T10:30", "hour", None)])
def test_vectorised_bounds_refuse_what_the_scalar_ones_refuse(when, precision, part):
    with pytest.raises(ValueError):
        event_times.instant_bounds(when, precision, part)
    with pytest.raises(ValueError):
        event_times.bounds_vector(pd.Series([when]), pd.Series([precision]), pd.Series([part]))


def test_linked_interval_table_links_each_range_to_its_events():
    import re

    iv = speed.all_milestone_intervals(load_events())
    rec = iv[iv["milestone"].isin(speed.RECORDED)]
    out = speed_figures.linked_interval_table(rec)._repr_html_()
    expected = sum(len([e for e in (a, b) if isinstance(e, str) and e]) for a, b in zip(rec["start_event"], rec["end_event"]))
    hrefs = re.findall(r'href="annotated\.html#event-([a-z]+-e\d+)"', out)
    assert len(hrefs) == expected > 0
    assert set(hrefs) <= set(load_events()["event_id"])
