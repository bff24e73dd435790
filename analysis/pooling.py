"""Pooled (Dorfman two-stage) testing: expected tests per person, optimal pool size, break-even.

Formula (shared/reference/methods_notes.md, section 7): with prevalence p, pool size k, assay
sensitivity Se and specificity Sp, a pool is positive with probability
Se(1 - (1-p)^k) + (1-Sp)(1-p)^k and every member of a positive pool is retested, so the
expected number of tests per person is 1/k + Se - (Se + Sp - 1)(1-p)^k.  The loss of
sensitivity from dilution is an *assumption* passed in by the caller, not a sourced number.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq


def _validate(prevalence, pool_size, sensitivity, specificity):
    p = np.asarray(prevalence, dtype=float)
    k = np.asarray(pool_size)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("prevalence must be between 0 and 1")
    if np.any(k < 1) or np.any(np.asarray(k, dtype=float) != np.round(np.asarray(k, dtype=float))):
        raise ValueError("pool size must be a whole number >= 1")
    for name, v in (("sensitivity", sensitivity), ("specificity", specificity)):
        if not 0 <= v <= 1:
            raise ValueError(f"{name} must be between 0 and 1")
    return p, k.astype(float)


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
    """The pool size in 1..max_size with the fewest expected tests per person (1 = do not pool)."""
    sizes = np.arange(1, max_size + 1)
    tests = dorfman_tests_per_person(np.full(sizes.shape, prevalence), sizes, sensitivity, specificity)
    return int(sizes[int(np.argmin(tests))])


def break_even_prevalence(pool_size: int, sensitivity: float = 1.0, specificity: float = 1.0) -> float:
    """Prevalence above which pools of ``pool_size`` need more tests than individual testing."""
    if pool_size < 2:
        raise ValueError("break-even needs a pool of at least 2")

    def excess(p):
        return dorfman_tests_per_person(p, pool_size, sensitivity, specificity) - 1.0

    if excess(1.0) < 0:
        return 1.0
    return float(brentq(excess, 0.0, 1.0, xtol=1e-12))
