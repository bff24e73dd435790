"""Pooled (Dorfman two-stage) testing: expected tests per person, optimal pool size, break-even.

Formula (shared/reference/methods_notes.md, section 7): with prevalence p, pool size k, assay
sensitivity Se and specificity Sp, a pool is positive with probability
Se(1 - (1-p)^k) + (1-Sp)(1-p)^k and every member of a positive pool is retested, so the
expected number of tests per person is 1/k + Se - (Se + Sp - 1)(1-p)^k.

The loss of sensitivity from dilution is an *assumption* passed in by the caller, not a sourced
number: no peer-reviewed 20-in-1 field evaluation was found, and the book runs the scenarios of
:data:`POOL_SENSITIVITY_SCENARIOS`.  ``p`` is the share of *specimens* that are positive, so a
yield per person-test is the right input; a yield per person is the same only when each person
gave one specimen.  A yield observed *with* pooling understates p by the factor Se.

Below 1 the specificity (:data:`SPECIFICITY_SCENARIOS`) and the loss of sensitivity with pool
size (:func:`dilution_sensitivity`, :data:`DILUTION_SCENARIOS`) are assumed scenarios too, run by
:func:`imperfect_assay_table` with the share of positive pools that hold a true positive
(:func:`positive_pool_ppv`).

The chapter's figure of these curves is :func:`analysis.figures.pooling.fig_pooling`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq

#: Sensitivity of a pooled test relative to an individual one. ASSUMED scenarios (methods_notes.md,
#: section 7, suggests 0.90 / 0.95 / 1.0), not a sourced number; change them freely.
POOL_SENSITIVITY_SCENARIOS = (1.0, 0.95, 0.90)

PER_10K = 10_000


@dataclass(frozen=True)
class SourcedNumber:
    """A number taken from the reference with its quote, source and trust grade."""

    value: float
    quote: str
    source: str
    url: str | None
    trust: str
    note: str


def percent_threshold(quote: str) -> float:
    """The proportion in a quote such as ``…(低于0.1%)…`` (0.001); ValueError if none is stated."""
    m = re.search(r"(?:低于|below )(\d+(?:\.\d+)?)\s?%", quote)
    if not m:
        raise ValueError(f"no 'below N%' threshold in {quote!r}")
    return float(m.group(1)) / 100


#: The supplementary row quoting the NHC's guidance that pooling suits low positivity
#: (shared/reference/supplementary_evidence.md, "Pooled-testing rules").
NHC_GUIDANCE_SOURCE = "sup-anchor-05"


def nhc_guidance(supplementary: pd.DataFrame, source_id: str = NHC_GUIDANCE_SOURCE) -> SourcedNumber:
    """The prevalence below which the NHC says pooling is more suitable, read from its quote in
    ``data/sources/supplementary.csv`` (with URL, trust grade and note)."""
    rows = supplementary[supplementary["source_id"] == source_id]
    if rows.empty:
        raise ValueError(f"{source_id} is not in sources/supplementary.csv")
    r = rows.iloc[0]
    url = r["url"] if isinstance(r["url"], str) and r["url"] else None
    return SourcedNumber(value=percent_threshold(r["quote"]), quote=r["quote"], source=source_id, url=url,
                         trust=r["trust"], note=r["note"] if isinstance(r["note"], str) else "")


def _validate(prevalence, pool_size, sensitivity, specificity):
    p = np.asarray(prevalence, dtype=float)
    k = np.asarray(pool_size)
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("prevalence must be between 0 and 1")
    kf = np.asarray(k, dtype=float)
    if np.any(np.isnan(kf)) or np.any(kf < 1) or np.any(kf != np.round(kf)):
        raise ValueError("pool size must be a whole number >= 1")
    for name, v in (("sensitivity", sensitivity), ("specificity", specificity)):
        if not 0 <= v <= 1:
            raise ValueError(f"{name} must be between 0 and 1")
    return p, kf


def dorfman_tests_per_person(prevalence, pool_size, sensitivity: float = 1.0, specificity: float = 1.0):
    """Expected tests per person under two-stage Dorfman pooling (float for scalars, array for arrays).

    A pool of size 1 is individual testing: exactly one test per person.
    """
    p, k = _validate(prevalence, pool_size, sensitivity, specificity)
    q = (1 - p) ** k
    tests = 1 / k + sensitivity - (sensitivity + specificity - 1) * q
    tests = np.where(k == 1, 1.0, tests)
    return float(tests) if tests.ndim == 0 else tests


def optimal_pool_size(prevalence: float, max_size: int = 50, sensitivity: float = 1.0, specificity: float = 1.0) -> int:
    """The pool size in 1..max_size with the fewest expected tests per person (1 = do not pool).

    With Se < 1 part of the "saving" comes from positive pools that are missed: weigh it against
    the missed cases (:func:`missed_per_10k`).  At very low prevalence the optimum is ``max_size``:
    the cap, not the arithmetic, then sets the pool size (dilution).
    """
    if int(max_size) != max_size or max_size < 1:
        raise ValueError("max_size must be a whole number >= 1")
    if np.ndim(prevalence) != 0:
        raise ValueError("optimal_pool_size takes one prevalence")
    sizes = np.arange(1, int(max_size) + 1)
    tests = dorfman_tests_per_person(np.full(sizes.shape, float(prevalence)), sizes, sensitivity, specificity)
    return int(sizes[int(np.argmin(tests))])


def break_even_prevalence(pool_size: int, sensitivity: float = 1.0, specificity: float = 1.0) -> float:
    """Prevalence above which pools of ``pool_size`` need more tests than individual testing.

    1.0 when pooling never costs more (Se < 1 - 1/k: missed pools make it look cheap); 0.0 when it
    never saves (Sp < 1/k: false-positive pools cost more than the pooling saves).
    """
    if pool_size < 2 or int(pool_size) != pool_size:
        raise ValueError("break-even needs a whole pool size of at least 2")

    def excess(p):
        return dorfman_tests_per_person(p, pool_size, sensitivity, specificity) - 1.0

    if excess(1.0) <= 1e-12:
        return 1.0
    if excess(0.0) >= 0:
        return 0.0
    return float(brentq(excess, 0.0, 1.0, xtol=1e-14))


def crossover_prevalence(small: int, large: int, sensitivity: float = 1.0, specificity: float = 1.0) -> float | None:
    """Prevalence above which pools of ``small`` need fewer tests than pools of ``large``.

    The difference E(p, small) - E(p, large) = 1/small - 1/large - (Se+Sp-1)[(1-p)^small - (1-p)^large]
    is positive at p = 0; it is lowest where (1-p)^(large-small) = small/large.  If it is still
    positive there, the larger pool is never worse and None is returned.
    """
    if not 2 <= small < large:
        raise ValueError("need 2 <= small < large")
    _validate(0.0, large, sensitivity, specificity)

    def diff(p):
        return (dorfman_tests_per_person(p, small, sensitivity, specificity)
                - dorfman_tests_per_person(p, large, sensitivity, specificity))

    p_min = 1 - (small / large) ** (1 / (large - small))
    if diff(p_min) >= 0:
        return None
    return float(brentq(diff, 0.0, p_min, xtol=1e-14))


def missed_per_10k(prevalence, pool_sensitivity: float):
    """Infections missed per 10,000 screened by pooling, relative to individual testing with the same
    assay, when a pool is positive with probability ``pool_sensitivity`` (an assumption)."""
    p, _ = _validate(prevalence, 1, pool_sensitivity, 1.0)
    out = 10_000 * p * (1 - pool_sensitivity)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------------------
# Tables for the chapter

def pool_sizes_from_facts(facts: pd.DataFrame, report: str = "changchun") -> list[int]:
    """The pool sizes a report states (facts with metric ``pool_size``), smallest first."""
    rows = facts[(facts["report"] == report) & (facts["metric"] == "pool_size")]
    return sorted(int(v) for v in rows["value"].dropna())


def break_even_table(pool_sizes: Sequence[int], pool_sensitivities: Sequence[float] = POOL_SENSITIVITY_SCENARIOS,
                     specificity: float = 1.0) -> pd.DataFrame:
    """Break-even prevalence (per cent) for each pool size and assumed pool sensitivity."""
    rows = []
    for k in pool_sizes:
        for se in pool_sensitivities:
            b = break_even_prevalence(k, se, specificity)
            note = ""
            if b >= 1.0:
                note = "no break-even: missed positive pools are never retested, so pooling never needs more tests"
            elif b <= 0.0:
                note = "never saves tests: false-positive pools cost more than pooling saves"
            rows.append({"pool size": k, "pool sensitivity (assumed)": se, "specificity (assumed)": specificity,
                         "break-even prevalence (%)": 100 * b if 0 < b < 1 else np.nan,
                         "tests per person as p → 0": dorfman_tests_per_person(0.0, k, se, specificity),
                         "note": note})
    return pd.DataFrame(rows)


def pooling_table(prevalences: Mapping[str, float], pool_sizes: Sequence[int], pool_sensitivity: float = 1.0,
                  specificity: float = 1.0, max_size: int = 50) -> pd.DataFrame:
    """Expected tests per person at given prevalences (e.g. observed yields, the NHC threshold).

    One row per prevalence: the assumed pool sensitivity and specificity, tests per person for each
    pool size, the best pool size up to ``max_size`` and the infections missed per 10,000 screened
    under ``pool_sensitivity``.
    """
    rows = []
    for label, p in prevalences.items():
        row = {"prevalence": label, "per 10,000": PER_10K * p, "pool sensitivity (assumed)": pool_sensitivity,
               "specificity (assumed)": specificity}
        for k in pool_sizes:
            row[f"tests per person, {k}-in-1"] = dorfman_tests_per_person(p, k, pool_sensitivity, specificity)
        best = optimal_pool_size(p, max_size, pool_sensitivity, specificity)
        row[f"best pool size (≤ {max_size})"] = best
        row["tests per person, best"] = dorfman_tests_per_person(p, best, pool_sensitivity, specificity)
        row["missed per 10,000 screened"] = missed_per_10k(p, pool_sensitivity)
        rows.append(row)
    return pd.DataFrame(rows)


def pooling_scenarios(prevalences: Mapping[str, float], pool_sizes: Sequence[int],
                      pool_sensitivities: Sequence[float] = POOL_SENSITIVITY_SCENARIOS, specificity: float = 1.0,
                      max_size: int = 50) -> pd.DataFrame:
    """:func:`pooling_table` under each assumed pool sensitivity, stacked (column
    ``pool sensitivity (assumed)`` first, then ``specificity (assumed)``)."""
    frames = [pooling_table(prevalences, pool_sizes, se, specificity, max_size) for se in pool_sensitivities]
    out = pd.concat(frames, ignore_index=True)
    first = ["pool sensitivity (assumed)", "specificity (assumed)"]
    return out[first + [c for c in out.columns if c not in first]]


# --------------------------------------------------------------------------------------
# An imperfect assay: specificity below 1 and sensitivity lost to dilution

#: Specificities of one test (pooled or individual) the chapter runs.  ASSUMED scenarios, not
#: sourced numbers: 1 (the perfect assay of the tables above), 0.999 and 0.99.
SPECIFICITY_SCENARIOS = (1.0, 0.999, 0.99)

#: Sensitivity of an individual test.  ASSUMED (1: the yields already count what the assay found).
INDIVIDUAL_SENSITIVITY = 1.0

#: Share of sensitivity lost each time the pool size doubles (parameter ``d`` of
#: :func:`dilution_sensitivity`).  ASSUMED scenarios, not fitted to any evaluation: 0 (no
#: dilution) and 0.05.
DILUTION_SCENARIOS = (0.0, 0.05)


def dilution_sensitivity(pool_size, individual_sensitivity: float = INDIVIDUAL_SENSITIVITY, loss_per_doubling: float = 0.05):
    """Sensitivity of a pool of ``pool_size`` specimens with one positive: s_k = s_1 (1 - d)^log2(k).

    The model is this book's *assumption*, not a published fit.  Its form follows from PCR
    arithmetic: pooling k specimens dilutes the positive one k-fold, which delays amplification by
    log2(k) cycles, so each doubling of the pool pushes a further share of weak positives past the
    detection limit; ``loss_per_doubling`` (d) is that share, assumed constant.  s_1 is the
    individual test's sensitivity; s_k falls strictly with k when 0 < d < 1 and equals s_1 at k = 1.
    """
    _, k = _validate(0.0, pool_size, individual_sensitivity, 1.0)
    if not 0 <= loss_per_doubling < 1:
        raise ValueError("loss_per_doubling must be in [0, 1)")
    out = individual_sensitivity * (1 - loss_per_doubling) ** np.log2(k)
    return float(out) if np.ndim(out) == 0 else out


def positive_pool_ppv(prevalence, pool_size, sensitivity: float = 1.0, specificity: float = 1.0):
    """Share of positive pools that hold at least one infected specimen (PPV of a positive pool).

    Se (1 - q) / (Se (1 - q) + (1 - Sp) q) with q = (1 - p)^k; NaN where no pool can test positive.
    """
    p, k = _validate(prevalence, pool_size, sensitivity, specificity)
    q = (1 - p) ** k
    true_pos, false_pos = sensitivity * (1 - q), (1 - specificity) * q
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(true_pos + false_pos > 0, true_pos / (true_pos + false_pos), np.nan)
    return float(out) if out.ndim == 0 else out


def imperfect_assay_table(prevalences: Mapping[str, float], pool_sizes: Sequence[int],
                          specificities: Sequence[float] = SPECIFICITY_SCENARIOS,
                          losses_per_doubling: Sequence[float] = DILUTION_SCENARIOS,
                          individual_sensitivity: float = INDIVIDUAL_SENSITIVITY) -> pd.DataFrame:
    """Dorfman pooling with an imperfect assay, one row per scenario × prevalence × pool size.

    Every row names its assumptions: ``specificity (assumed)`` (of each test, pooled or individual),
    ``individual sensitivity (assumed)``, ``dilution loss per doubling (assumed)`` and the resulting
    ``pool sensitivity`` (:func:`dilution_sensitivity`).  Results: expected tests per person
    (:func:`dorfman_tests_per_person` with the pool sensitivity), its ratio to the perfect assay's,
    the PPV of a positive pool (:func:`positive_pool_ppv`) and the infections missed by pooling per
    10,000 screened.  A pool holding several positives is taken to be detected with the one-positive
    sensitivity (it is at least that): at yields of a few per 10,000 such pools are rare.
    """
    rows = []
    for sp in specificities:
        for d in losses_per_doubling:
            for label, p in prevalences.items():
                for k in pool_sizes:
                    se = dilution_sensitivity(k, individual_sensitivity, d)
                    tests = dorfman_tests_per_person(p, k, se, sp)
                    rows.append({"specificity (assumed)": sp, "individual sensitivity (assumed)": individual_sensitivity,
                                 "dilution loss per doubling (assumed)": d, "prevalence": label,
                                 "per 10,000": PER_10K * p, "pool size": k, "pool sensitivity": se,
                                 "tests per person": tests,
                                 "tests vs perfect assay": tests / dorfman_tests_per_person(p, k),
                                 "PPV of a positive pool": positive_pool_ppv(p, k, se, sp),
                                 "missed per 10,000 screened": PER_10K * p * (1 - se)})
    return pd.DataFrame(rows)

