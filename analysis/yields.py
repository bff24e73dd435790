"""Testing yields: what screening found per test, with honest intervals.

A *yield* is positives per 10,000 tested, with an exact or score interval whose method is
always named (statsmodels' default ``normal`` interval is [0, 0] for a zero count, which says
nothing).  Denominator units (``persons``, ``person_tests``, ``samples``) travel with every
number, and only programmes counted in the same unit are compared.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

PER = 10_000
METHODS = ("beta", "wilson", "jeffreys")
UNITS = ("persons", "person_tests", "samples")


@dataclass(frozen=True)
class Yield:
    """Positives per 10,000 tested with a (1 - alpha) interval."""

    positives: int
    tested: int
    unit: str
    rate_per_10k: float
    lower_per_10k: float
    upper_per_10k: float
    method: str
    alpha: float

    def as_dict(self) -> dict:
        return asdict(self)


def _check_counts(positives, tested) -> tuple[int, int]:
    for name, v in (("positives", positives), ("tested", tested)):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise ValueError(f"{name} is missing: a yield needs both counts")
        if float(v) != int(v):
            raise ValueError(f"{name} must be a whole number, got {v}")
        if v < 0:
            raise ValueError(f"{name} cannot be negative, got {v}")
    positives, tested = int(positives), int(tested)
    if tested == 0:
        raise ValueError("nobody was tested: a yield needs tested > 0")
    if positives > tested:
        raise ValueError(f"positives ({positives}) exceed tested ({tested})")
    return positives, tested


def screening_yield(positives, tested, method: str = "beta", alpha: float = 0.05, unit: str = "persons") -> Yield:
    """Positives per 10,000 with the named two-sided interval.

    ``method``: ``beta`` (Clopper-Pearson, exact, conservative; the default), ``wilson`` or
    ``jeffreys``.  ``unit`` is the denominator's unit and is carried in the result.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS} (never statsmodels' default 'normal')")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    positives, tested = _check_counts(positives, tested)
    lo, hi = proportion_confint(positives, tested, alpha=alpha, method=method)
    return Yield(positives, tested, unit, PER * positives / tested, PER * lo, PER * hi, method, alpha)


def zero_positive_bound(tested, alpha: float = 0.05, sided: str = "one") -> float:
    """Exact (Clopper-Pearson) upper bound per 10,000 when 0 of ``tested`` were positive.

    ``sided="one"``: the one-sided (1 - alpha) bound, 1 - alpha**(1/n) (the rule of three, 3/n,
    approximates it); ``sided="two"``: the upper end of the two-sided interval, 1 - (alpha/2)**(1/n).
    """
    if sided not in ("one", "two"):
        raise ValueError("sided must be 'one' or 'two'")
    _, tested = _check_counts(0, tested)
    tail = alpha if sided == "one" else alpha / 2
    return PER * (1 - tail ** (1 / tested))


def rule_of_three(tested) -> float:
    """The rule-of-three approximation 3/n of the one-sided 95 % bound, per 10,000."""
    _, tested = _check_counts(0, tested)
    return PER * 3 / tested


@dataclass(frozen=True)
class Comparison:
    """Rate ratio of programme 1 to programme 2 (same denominator unit)."""

    ratio: float
    lower: float
    upper: float
    p_value: float
    method: str
    unit: str


def compare_yields(positives1, tested1, positives2, tested2, unit1: str = "persons", unit2: str = "persons",
                   method: str = "score", alpha: float = 0.05) -> Comparison:
    """Rate ratio with its interval and p-value (statsmodels ``confint_poisson_2indep`` /
    ``test_poisson_2indep``, same ``method``).

    Refuses to compare different denominator units (persons vs person-tests are not the same
    population count) and programmes with zero positives in either, whose ratio is 0 or
    unbounded: report them with :func:`zero_positive_bound` instead.
    """
    if unit1 != unit2:
        raise ValueError(f"cannot compare yields per {unit1} with yields per {unit2}: the denominators count different things")
    p1, n1 = _check_counts(positives1, tested1)
    p2, n2 = _check_counts(positives2, tested2)
    if p1 == 0 or p2 == 0:
        raise ValueError("a programme with zero positives has no finite rate ratio: report its exact upper bound instead")
    lo, hi = confint_poisson_2indep(p1, n1, p2, n2, method=method, compare="ratio", alpha=alpha)
    test = test_poisson_2indep(p1, n1, p2, n2, method=method, compare="ratio")
    return Comparison((p1 / n1) / (p2 / n2), float(lo), float(hi), float(test.pvalue), method, unit1)


def poisson_glm_rates(positives, tested, labels) -> dict:
    """Poisson GLM of positives with log(tested) offset, one coefficient per programme.

    Only programmes with at least one positive enter the model (a zero cell's coefficient
    diverges); they are returned under ``"excluded"`` with the reason.  Returns per-programme
    rates per 10,000 with Wald intervals from the GLM, and the quasi-Poisson (Pearson) scale, which
    is None when the model is saturated (one row per programme, no residual degrees of freedom).
    """
    import statsmodels.api as sm

    positives, tested = np.asarray(positives, dtype=float), np.asarray(tested, dtype=float)
    labels = list(labels)
    keep = positives > 0
    excluded = {lab: "zero positives: exact bound reported instead of a diverging coefficient"
                for lab, k in zip(labels, keep) if not k}
    kept = [lab for lab, k in zip(labels, keep) if k]
    if not kept:
        return {"rates": {}, "excluded": excluded, "scale": None}
    exog = np.eye(len(kept))
    model = sm.GLM(positives[keep], exog, family=sm.families.Poisson(), exposure=tested[keep])
    import warnings

    with warnings.catch_warnings():
        # one row per programme makes the model saturated (df_resid = 0): statsmodels warns about
        # the undefined residual scale and "perfect prediction"; the rates and Wald intervals are
        # still the per-programme Poisson estimates, and the scale is reported as None.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Perfect separation")
        fit = model.fit()
    ci = fit.conf_int()
    rates = {lab: (PER * math.exp(b), PER * math.exp(lo), PER * math.exp(hi))
             for lab, b, (lo, hi) in zip(kept, fit.params, ci)}
    scale = float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else None
    return {"rates": rates, "excluded": excluded, "scale": scale}
