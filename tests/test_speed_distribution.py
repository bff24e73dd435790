"""Response intervals as bounds on the empirical distribution (issue 16, item 4).

No survival model, no standard errors: for each milestone, the share of cities known to have
reached it by t and the share that may have; "did not happen in the window" is kept out.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.loaders import load_benchmarks, load_events, load_supplementary
from analysis.figures import speed as speed_figures
from analysis.methods import benchmarks, speed

ROOT = Path(__file__).resolve().parents[1]


def frame(rows, milestone="detection_to_lockdown"):
    """Synthetic intervals: (report, alternative, lower, upper, status[, window_lower, window_upper])."""
    out = []
    for r in rows:
        report, alt, lo, hi, status, *window = r
        wl, wu = window if window else (np.nan, np.nan)
        out.append({"milestone": milestone, "report": report, "alternative": alt, "lower_hours": lo,
                    "upper_hours": hi, "status": status, "reason": f"reason of {report}", "basis": "",
                    "window_lower_hours": wl, "window_upper_hours": wu})
    return pd.DataFrame(out)


KNOWN = [("a", "", 0, 2, "observed"), ("b", "", 1, 5, "observed"),
         ("c", "c-e01", 3, 4, "conflicting"), ("c", "c-e02", 6, 8, "conflicting"),
         ("d", "", np.nan, np.nan, "did_not_happen", 1176, 1200),
         ("e", "", np.nan, np.nan, "cannot_tell"),
         ("f", "", -5, -1, "observed")]


def test_empirical_bounds_on_a_set_with_a_known_answer():
    b = speed.empirical_bounds(frame(KNOWN))
    # in the distribution: a [0, 2], b [1, 5], c [3, 8] (hull of its alternatives); d, e, f are not
    assert list(b["hours"]) == [0, 1, 2, 3, 5, 8]
    assert list(b["known"]) == [0, 0, 1, 1, 2, 3]      # upper bound <= t
    assert list(b["possible"]) == [1, 2, 2, 3, 3, 3]   # lower bound <= t
    assert set(b["cities"]) == {3}
    assert list(b["known_share"]) == pytest.approx([0, 0, 1 / 3, 1 / 3, 2 / 3, 1])
    roles = speed.distribution_inputs(frame(KNOWN)).set_index("report")["role"]
    assert dict(roles) == {"a": "in distribution", "b": "in distribution", "c": "in distribution",
                           "d": "did not happen", "e": "cannot tell", "f": "dated before its trigger"}
    med = speed.median_range(frame(KNOWN))
    assert (med["lower"], med["upper"], med["cities"]) == (1, 5, 3)


def test_an_alternative_dated_before_its_trigger_is_left_out_of_the_others_bounds():
    iv = frame([("a", "a-e01", -38, -13, "conflicting"), ("a", "a-e02", 0, 2, "conflicting")])
    r = speed.distribution_inputs(iv).iloc[0]
    assert (r["lower"], r["upper"], r["alternatives"]) == (0, 2, "a-e02")
    assert "a-e01 left out" in r["reason"]


def test_a_did_not_happen_row_never_enters_the_distribution():
    base = frame([r for r in KNOWN if r[0] != "d"])
    with_d = frame(KNOWN)
    pd.testing.assert_frame_equal(speed.empirical_bounds(base), speed.empirical_bounds(with_d))
    # even a corrupted row that carries hours in lower/upper stays out: its status decides
    corrupt = with_d.copy()
    corrupt.loc[corrupt["report"] == "d", ["lower_hours", "upper_hours"]] = [0.5, 0.7]
    pd.testing.assert_frame_equal(speed.empirical_bounds(base), speed.empirical_bounds(corrupt))
    assert speed.median_range(corrupt) == speed.median_range(base)
    # ...whereas the same hours as an observed row do change the bounds (the check can fail)
    observed = corrupt.copy()
    observed.loc[observed["report"] == "d", "status"] = "observed"
    assert not speed.empirical_bounds(observed).equals(speed.empirical_bounds(base))


def _completions(iv: pd.DataFrame, steps: int = 4):
    """Every completion on a grid: one alternative per city and a time inside it (bounds included)."""
    inp = speed.distribution_inputs(iv)
    cities = list(inp.loc[inp["role"] == "in distribution", "report"])
    choices = []
    for c in cities:
        rows = iv[(iv["report"] == c) & iv["status"].isin(["observed", "conflicting"]) & (iv["upper_hours"] >= 0)]
        choices.append(sorted({float(t) for r in rows.itertuples() for t in np.linspace(r.lower_hours, r.upper_hours, steps)}))
    return cities, itertools.product(*choices)


@pytest.mark.parametrize("rows", [KNOWN, [("a", "", 0, 30, "observed"), ("b", "x", 32, 39, "conflicting"),
                                          ("b", "y", 0, 30, "conflicting"), ("c", "", 10, 11, "observed"),
                                          ("d", "", 0, 0, "observed")]])
def test_the_bounds_bracket_every_completion_of_the_intervals(rows):
    iv = frame(rows)
    b = speed.empirical_bounds(iv)
    cities, completions = _completions(iv)
    n = len(cities)
    med = speed.median_range(iv)
    reached_low = reached_high = False
    count = 0
    for times in completions:
        count += 1
        times = np.array(times)
        grid = np.unique(np.concatenate([b["hours"].to_numpy(float), times]))
        for t in grid:
            share = (times <= t).mean()
            at = b[b["hours"] <= t]
            known = at["known_share"].iloc[-1] if len(at) else 0.0
            possible = at["possible_share"].iloc[-1] if len(at) else 0.0
            assert known - 1e-12 <= share <= possible + 1e-12, (times, t)
        m = float(np.median(times))
        assert med["lower"] - 1e-12 <= m <= med["upper"] + 1e-12
        reached_low |= m == med["lower"]
        reached_high |= m == med["upper"]
    assert count > 1 and n == b["cities"].iloc[0]
    assert reached_low and reached_high   # the median range is tight: both ends are completions


def test_the_bounds_are_attained_by_the_extreme_completions():
    iv = frame(KNOWN)
    b = speed.empirical_bounds(iv)
    inp = speed.distribution_inputs(iv)
    inp = inp[inp["role"] == "in distribution"]
    for col, share in (("upper", "known_share"), ("lower", "possible_share")):
        times = inp[col].to_numpy(float)
        assert list(b[share]) == pytest.approx([(times <= t).mean() for t in b["hours"]])


def test_the_median_is_not_stated_for_fewer_than_three_cities():
    two = frame([("a", "", 0, 2, "observed"), ("b", "", 1, 5, "observed"),
                 ("d", "", np.nan, np.nan, "did_not_happen", 1176, 1200)])
    med = speed.median_range(two)
    assert np.isnan(med["lower"]) and np.isnan(med["upper"]) and "fewer than 3" in med["note"]
    text = speed_figures.distribution_text(two)
    assert "Median: not stated" in text and "between" not in text
    three = speed_figures.distribution_text(frame(KNOWN))
    assert "Median: between 1 and 5 h (3 cities)" in three


def test_did_not_happen_is_said_in_words_with_its_window():
    text = speed_figures.distribution_text(frame(KNOWN))
    line = next(x for x in text.splitlines() if x.startswith("- d:"))
    assert "did not happen in the report's window" in line and "1,176–1,200 h" in line and "49–50 days" in line
    assert "not in the distribution" in line
    # conflicting alternatives are listed one by one, never averaged
    c = next(x for x in text.splitlines() if x.startswith("- c:"))
    assert "c-e01: 3–4 h" in c and "c-e02: 6–8 h" in c and "5.5" not in c


def test_real_milestones_have_no_median_and_keep_did_not_happen_apart():
    iv = speed.all_milestone_intervals(load_events())
    for key in speed.BOUND_MILESTONES:
        sel = iv[iv["milestone"] == key]
        inp = speed.distribution_inputs(sel)
        never = set(sel.loc[sel["status"] == "did_not_happen", "report"])
        assert set(inp.loc[inp["role"] == "did not happen", "report"]) == never
        assert speed.empirical_bounds(sel)["cities"].iloc[0] == (inp["role"] == "in distribution").sum()
        assert np.isnan(speed.median_range(sel)["lower"])   # two cities each: no median claimed
    lock = iv[iv["milestone"] == "detection_to_lockdown"]
    assert {"mudanjiang", "suining"} <= set(lock.loc[lock["status"] == "did_not_happen", "report"])


def test_no_standard_error_in_any_display_table():
    e = load_events()
    iv = speed.all_milestone_intervals(e)
    b = load_benchmarks()
    cmp = benchmarks.compare_benchmarks(iv, b)
    tables = [speed_figures.interval_table(iv), speed_figures.benchmark_comparison_table(cmp),
              speed_figures.bounds_table(e), speed_figures.parts_of_day_table(), speed_figures.benchmark_table(b),
              speed.empirical_bounds(iv[iv["milestone"] == "detection_to_lockdown"]),
              speed.distribution_inputs(iv[iv["milestone"] == "detection_to_lockdown"])]
    tables += [speed_figures.distribution_table(iv[iv["milestone"] == k]) for k in speed.BOUND_MILESTONES]
    tables.append(speed_figures.distribution_tables(iv))
    for t in tables:
        t = getattr(t, "text", t)   # a ReaderTable: the headers the reader sees
        cols = [str(c).lower() for c in list(t.columns) + list(t.index.names)]
        assert not [c for c in cols if c == "se" or c.endswith("_se") or "std" in c or "standard error" in c], cols
    assert not hasattr(speed, "km_bounds") and not hasattr(speed, "km_summary")
    nb = json.loads((ROOT / "book" / "speed.ipynb").read_text())
    text = json.dumps(nb)
    for word in ("surv_prob_se", "SurvfuncRight", "Greenwood", "Kaplan"):
        assert word not in text, word
    explained = speed_figures.explain(cmp, iv, b, load_supplementary())
    assert "censored" not in explained and "did not happen in the report's window" not in explained  # no lockdown benchmark
    assert "did_not_happen" not in speed_figures.interval_table(iv)["range"].str.cat()
    assert "did_not_happen" not in repr(speed_figures.linked_interval_table(iv))


def test_no_censored_status_anywhere():
    """"Did not happen" is never relabelled as censoring (the former wrapper that did is gone), and the
    one refusal rule (speed.row_role) rejects a "censored" status instead of reading it."""
    e = load_events()
    new = speed.all_milestone_intervals(e)
    assert not hasattr(speed, "all_intervals")
    assert set(new["status"]) <= set(speed.STATUSES) and "censored" not in speed.STATUSES
    with pytest.raises(ValueError, match="censored"):
        speed.row_role("censored", np.nan)
    with pytest.raises(ValueError):
        speed.distribution_inputs(frame([("a", "", 5.0, np.inf, "censored")]))
    for path in ("analysis/figures/synthesis.py", "analysis/figures/speed.py", "analysis/methods/benchmarks.py",
                 "book/synthesis.ipynb"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert '"censored"' not in text and "all_intervals(" not in text, path


@pytest.mark.parametrize("status, upper, role", [("observed", 3.0, "in distribution"),
                                                 ("conflicting", 0.0, "in distribution"),
                                                 ("conflicting", -13.0, "dated before its trigger"),
                                                 ("did_not_happen", np.nan, "did not happen"),
                                                 ("cannot_tell", np.nan, "cannot tell")])
def test_one_refusal_rule_for_distribution_benchmarks_and_synthesis(status, upper, role):
    """speed.row_role decides for every method: in the distribution exactly when judged by a benchmark."""
    assert speed.row_role(status, upper) == role
    iv = frame([("a", "", 0.0 if upper >= 0 else upper - 10, upper, status, 100.0, 124.0)])
    inp = speed.distribution_inputs(iv)
    assert inp["role"].iloc[0] == role
    b = load_benchmarks()
    b = b[b["limit_kind"] == "deadline"].head(1).assign(milestone="detection_to_lockdown")
    judged = benchmarks.compare_benchmarks(iv.assign(start_at=pd.NaT), b)["judgement"].iloc[0]
    if role in ("dated before its trigger", "cannot tell"):
        assert judged == "cannot tell"
    elif role == "did not happen":
        assert judged == "not met"   # a window of 100 h is longer than the deadline: later than it, if ever
    with pytest.raises(ValueError):
        speed.row_role("observed", np.nan)   # an interval without an upper bound is not an interval
