"""Testing yields: what screening found per test, with honest intervals.

A *yield* is positives per 10,000 tested, with an exact or score interval whose method is
always named (statsmodels' default ``normal`` interval is [0, 0] for a zero count, which says
nothing).  Denominator units (``persons``, ``person_tests``, ``samples``) travel with every
number, and only programmes counted in the same unit are compared: a person tested in four
rounds is one person but four person-tests, and a sample (or tube) may hold several people.

Layers:

* counts → interval: :func:`screening_yield`, :func:`zero_positive_bound`, :func:`rule_of_three`;
* two programmes → rate ratio: :func:`compare_yields` (score interval from statsmodels, or the
  exact conditional interval, which also bounds the ratio when one programme found nothing);
* several programmes → Poisson or binomial GLM with the number tested as exposure
  (:func:`glm_across_programmes`); zero-count programmes are left out of the model and reported
  with their exact bound instead of a diverging coefficient;
* the curated table → chapter tables, as numbers: :func:`programme_yields` (one row per programme
  with both counts), :func:`excluded_programmes` (rows without both counts, and why),
  :func:`pairwise_yield_comparisons`, :func:`glm_table` and :func:`published_check` (the book's intervals
  against the rates the sources published).

How the chapter shows them (the forest plot, the formatted tables and sentences) is in
:mod:`analysis.figures.yields`.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

from ..core.registry import bilingual, city_names
from ..core.tables import is_blank

PER = 10_000
METHODS = ("beta", "wilson", "jeffreys")
UNITS = ("persons", "person_tests", "samples")
#: Rate-ratio methods: statsmodels' confint/test_poisson_2indep ones, and the exact conditional one.
RATIO_METHODS = ("score", "wald-log", "mover", "exact-cond")


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


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")


def screening_yield(positives, tested, method: str = "beta", alpha: float = 0.05, unit: str = "persons") -> Yield:
    """Positives per 10,000 with the named two-sided interval.

    ``method``: ``beta`` (Clopper-Pearson, exact, conservative; the default), ``wilson`` or
    ``jeffreys``.  ``unit`` is the denominator's unit and is carried in the result.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS} (never statsmodels' default 'normal')")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    _check_alpha(alpha)
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
    _check_alpha(alpha)
    _, tested = _check_counts(0, tested)
    tail = alpha if sided == "one" else alpha / 2
    return PER * -math.expm1(math.log(tail) / tested)


def rule_of_three(tested) -> float:
    """The rule-of-three approximation 3/n of the one-sided 95 % bound, per 10,000."""
    _, tested = _check_counts(0, tested)
    return PER * 3 / tested


# --------------------------------------------------------------------------------------
# Two programmes

@dataclass(frozen=True)
class Comparison:
    """Rate ratio of programme 1 to programme 2 (same denominator unit)."""

    ratio: float
    lower: float
    upper: float
    p_value: float
    method: str
    unit: str


def _exact_conditional_ci(p1: int, n1: int, p2: int, n2: int, alpha: float) -> tuple[float, float]:
    """Exact conditional interval of the rate ratio: given p1 + p2 positives, p1 is binomial with
    probability R n1 / (R n1 + n2); the Clopper-Pearson interval of that probability is mapped to R."""
    lo_pi, hi_pi = proportion_confint(p1, p1 + p2, alpha=alpha, method="beta")

    def to_ratio(pi: float) -> float:
        return math.inf if pi >= 1 else pi * n2 / ((1 - pi) * n1)

    return (0.0 if p1 == 0 else to_ratio(lo_pi)), (math.inf if p2 == 0 else to_ratio(hi_pi))


def _paired_p_value(p1: int, n1: int, p2: int, n2: int, method: str) -> float:
    """The two-sided p-value of ratio = 1 under the *same* convention as the interval of ``method``.

    ``exact-cond``: the central (equal-tailed) conditional binomial p-value, twice the smaller
    one-sided exact p-value of statsmodels' ``test_poisson_2indep(method="exact-cond")``, capped
    at 1.  It inverts exactly to the Clopper-Pearson-based interval, so p < alpha precisely when
    the interval excludes 1 (the minimum-likelihood p-value that statsmodels and scipy's
    ``binomtest`` return by default does not).  ``score`` and ``wald-log``: statsmodels' test of
    the same name, the one its interval inverts.  ``mover`` is an interval method with no test:
    NaN.
    """
    if method == "mover":
        return math.nan
    with warnings.catch_warnings():  # statsmodels divides by the zero rate when p2 == 0 (ratio inf)
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "exact-cond":
            tails = [test_poisson_2indep(p1, n1, p2, n2, method="exact-cond", compare="ratio",
                                         alternative=alt).pvalue for alt in ("smaller", "larger")]
            return float(min(1.0, 2 * min(tails)))
        return float(test_poisson_2indep(p1, n1, p2, n2, method=method, compare="ratio").pvalue)


def compare_yields(positives1, tested1, positives2, tested2, unit1: str = "persons", unit2: str = "persons",
                   method: str = "score", alpha: float = 0.05) -> Comparison:
    """Rate ratio (programme 1 / programme 2) with its (1 - alpha) interval and two-sided p-value.

    ``method="score"`` (default), ``"wald-log"`` or ``"mover"``: statsmodels'
    ``confint_poisson_2indep`` and ``test_poisson_2indep`` with the same method (``mover`` has no
    test: its p-value is NaN).  The p-value always follows the interval's convention
    (:func:`_paired_p_value`): p < alpha exactly when the interval excludes 1.  These refuse a programme with zero
    positives (statsmodels returns a meaningless zero-width interval there).  ``"exact-cond"``:
    the exact conditional interval (binomial on p1 given p1 + p2, Clopper-Pearson) with
    statsmodels' exact conditional test; it stays valid with one zero count (ratio 0 with an
    upper bound, or infinite with a lower bound); its p-value is the central conditional binomial
    one.  Two zero counts say nothing about the ratio.

    Different denominator units are refused: persons and person-tests count different things.
    """
    if unit1 != unit2:
        raise ValueError(f"cannot compare yields per {unit1} with yields per {unit2}: the denominators count different things")
    if method not in RATIO_METHODS:
        raise ValueError(f"method must be one of {RATIO_METHODS}")
    _check_alpha(alpha)
    p1, n1 = _check_counts(positives1, tested1)
    p2, n2 = _check_counts(positives2, tested2)
    if p1 == 0 and p2 == 0:
        raise ValueError("both programmes found zero positives: the data say nothing about their ratio")
    if method == "exact-cond":
        lo, hi = _exact_conditional_ci(p1, n1, p2, n2, alpha)
    elif p1 == 0 or p2 == 0:
        raise ValueError("a programme with zero positives has no finite score interval: "
                         "use method='exact-cond' or report its exact upper bound")
    else:
        lo, hi = confint_poisson_2indep(p1, n1, p2, n2, method=method, compare="ratio", alpha=alpha)
    p_value = _paired_p_value(p1, n1, p2, n2, method)
    ratio = math.inf if p2 == 0 else (p1 / n1) / (p2 / n2)
    return Comparison(ratio, float(lo), float(hi), p_value, method, unit1)


# --------------------------------------------------------------------------------------
# Several programmes: GLM with the number tested as exposure

@dataclass
class GlmResult:
    """Programmes of one unit in one GLM: ratios to a reference programme and a homogeneity test."""

    family: str
    ratio_name: str
    reference: str | None
    table: pd.DataFrame
    lr_stat: float | None
    df: int | None
    p_value: float | None
    excluded: dict = field(default_factory=dict)
    reason: str | None = None


def glm_across_programmes(positives, tested, labels, family: str = "poisson", reference: str | None = None,
                          alpha: float = 0.05) -> GlmResult:
    """One GLM over programmes counted in the same unit (one row per programme).

    ``family="poisson"``: log E[positives] = log(tested) + b_programme (statsmodels GLM with
    ``exposure``), ratios are rate ratios.  ``family="binomial"``: logit of the positive share
    with [positives, negatives] as outcome, ratios are odds ratios (close to rate ratios at
    these yields).  Ratios are to ``reference`` (default: the programme with most tested) with
    Wald intervals; the likelihood-ratio test compares the model with a single common rate.

    Programmes with zero positives are not fitted (their coefficient runs off to minus infinity)
    and are listed in ``excluded`` with their exact one-sided bound.  With one row per programme
    the model is saturated: no overdispersion can be estimated, so the test assumes Poisson
    (binomial) variation and is too optimistic when positives cluster (households, workplaces).
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    if family not in ("poisson", "binomial"):
        raise ValueError("family must be 'poisson' or 'binomial'")
    labels, positives, tested = list(labels), list(positives), list(tested)
    if not len(positives) == len(tested) == len(labels):
        raise ValueError(f"{len(positives)} positives, {len(tested)} tested and {len(labels)} labels: one of each per programme")
    counts = [_check_counts(x, n) for x, n in zip(positives, tested)]
    if len(set(labels)) != len(labels):
        raise ValueError("one distinct label per programme is needed")
    ratio_name = "rate ratio" if family == "poisson" else "odds ratio"
    excluded = {lab: {"reason": "zero positives: exact bound reported instead of a diverging coefficient",
                      "one_sided_bound_per_10k": zero_positive_bound(n, alpha=alpha)}
                for lab, (x, n) in zip(labels, counts) if x == 0}
    kept = [(lab, x, n) for lab, (x, n) in zip(labels, counts) if x > 0]
    if len(kept) < 2:
        return GlmResult(family, ratio_name, None, pd.DataFrame(), None, None, None, excluded,
                         "fewer than two programmes with positives in this unit: nothing to compare")
    if reference is None:
        reference = max(kept, key=lambda r: r[2])[0]
    if reference not in [k[0] for k in kept]:
        raise ValueError(f"reference {reference!r} is not a programme with positives")
    kept.sort(key=lambda r: r[0] != reference)  # reference first: it is the intercept
    labs = [k[0] for k in kept]
    x = np.array([k[1] for k in kept], dtype=float)
    n = np.array([k[2] for k in kept], dtype=float)
    exog = np.column_stack([np.ones(len(kept)), np.eye(len(kept))[:, 1:]])
    if family == "poisson":
        model = sm.GLM(x, exog, family=sm.families.Poisson(), exposure=n)
        null = sm.GLM(x, np.ones((len(kept), 1)), family=sm.families.Poisson(), exposure=n)
    else:
        endog = np.column_stack([x, n - x])
        model = sm.GLM(endog, exog, family=sm.families.Binomial())
        null = sm.GLM(endog, np.ones((len(kept), 1)), family=sm.families.Binomial())
    with warnings.catch_warnings():
        # saturated model (df_resid = 0): statsmodels warns about the undefined residual scale and
        # "perfect prediction"; the estimates and Wald intervals are still the per-programme ones.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit, fit0 = model.fit(), null.fit()
    ci = np.asarray(fit.conf_int(alpha=alpha))
    rows = []
    for i, lab in enumerate(labs):
        if i == 0:
            rows.append({"programme": lab, ratio_name: 1.0, "lower": np.nan, "upper": np.nan, "p_value": np.nan,
                         "role": "reference"})
        else:
            rows.append({"programme": lab, ratio_name: math.exp(fit.params[i]), "lower": math.exp(ci[i, 0]),
                         "upper": math.exp(ci[i, 1]), "p_value": float(fit.pvalues[i]), "role": ""})
    lr = max(0.0, 2 * (fit.llf - fit0.llf))
    df = len(kept) - 1
    from scipy.stats import chi2

    return GlmResult(family, ratio_name, reference, pd.DataFrame(rows), lr, df, float(chi2.sf(lr, df)), excluded)


def poisson_glm_rates(positives, tested, labels) -> dict:
    """Poisson GLM of positives with log(tested) exposure, one coefficient per programme.

    Only programmes with at least one positive enter the model (a zero cell's coefficient
    diverges); they are returned under ``"excluded"`` with the reason.  Returns per-programme
    rates per 10,000 with Wald intervals from the GLM, and the quasi-Poisson (Pearson) scale, which
    is None when the model is saturated (one row per programme, no residual degrees of freedom).
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    labels = list(labels)
    if not len(list(positives)) == len(list(tested)) == len(labels):
        raise ValueError("one positives count, one number tested and one label per programme are needed")
    checked = [_check_counts(x, n) for x, n in zip(positives, tested)]
    positives = np.array([x for x, _ in checked], dtype=float)
    tested = np.array([n for _, n in checked], dtype=float)
    keep = positives > 0
    excluded = {lab: "zero positives: exact bound reported instead of a diverging coefficient"
                for lab, k in zip(labels, keep) if not k}
    kept = [lab for lab, k in zip(labels, keep) if k]
    if not kept:
        return {"rates": {}, "excluded": excluded, "scale": None}
    model = sm.GLM(positives[keep], np.eye(len(kept)), family=sm.families.Poisson(), exposure=tested[keep])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = model.fit()
    ci = np.asarray(fit.conf_int())
    rates = {lab: (PER * math.exp(b), PER * math.exp(lo), PER * math.exp(hi))
             for lab, b, (lo, hi) in zip(kept, fit.params, ci)}
    scale = float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else None
    return {"rates": rates, "excluded": excluded, "scale": scale}


# --------------------------------------------------------------------------------------
# The curated table → chapter tables

def programme_label(row) -> str:
    """``Yushu 玉树: All 4 rounds combined`` (study cities; the programme up to its first bracket,
    colon or round number, without a repeated city name) or the anchor's programme up to its first
    bracket."""
    programme = str(row["programme"])
    if is_blank(row["report"]):  # anchors name their city themselves: "Wuhan 武汉: ... (Cao et al. 2020)"
        city, _, what = programme.split(" (")[0].partition(": ")
        return f"{city}: {what[:1].upper() + what[1:]}" if what else city
    en, zh = city_names()[row["report"]]
    short = re.split(r" \(|: |, round", programme)[0]
    if short.lower().startswith(en.lower() + " "):  # "Changchun city-wide ..." under "Changchun 长春"
        short = short[len(en) + 1:]
    return f"{bilingual(en, zh)}: {short[0].upper() + short[1:]}"


def _source_columns(row, supp: pd.DataFrame | None) -> dict:
    if not is_blank(row["source_id"]) and supp is not None and row["source_id"] in supp.index:
        s = supp.loc[row["source_id"]]
        return {"source": row["source_id"], "trust": s["trust"], "url": "" if is_blank(s["url"]) else s["url"]}
    return {"source": row["fact_ids"] if not is_blank(row["fact_ids"]) else "", "trust": "report", "url": ""}


def programme_yields(screening: pd.DataFrame, supplementary: pd.DataFrame | None = None,
                     method: str = "beta", alpha: float = 0.05) -> pd.DataFrame:
    """One row per programme of ``data/screening.csv`` whose number tested *and* positives are given.

    Columns: ids and label, ``kind`` (study city / external anchor), ``unit``, the counts with the
    qualifier of the number tested, the yield per 10,000 with its two-sided interval (``method``),
    and for zero-count programmes the exact one-sided (1 - alpha) bound and the rule of three.
    ``source``/``trust``/``url`` link the row to its supplementary source or its facts.
    Study cities come first, then anchors; within each, units in :data:`UNITS` order.
    """
    supp = None if supplementary is None else supplementary.set_index("source_id")
    rows = []
    for _, r in screening.iterrows():
        if is_blank(r["tested"]) or is_blank(r["positives"]) or is_blank(r["tested_unit"]):
            continue
        y = screening_yield(r["positives"], r["tested"], method=method, alpha=alpha, unit=r["tested_unit"])
        zero = y.positives == 0
        rows.append({
            "screening_id": r["screening_id"], "label": programme_label(r),
            "report": "" if is_blank(r["report"]) else r["report"],
            "kind": "external anchor" if is_blank(r["report"]) else "study city",
            "unit": y.unit, "tested": y.tested, "tested_qualifier": r["tested_qualifier"], "positives": y.positives,
            "rate_per_10k": y.rate_per_10k, "lower_per_10k": y.lower_per_10k, "upper_per_10k": y.upper_per_10k,
            "method": y.method, "level": 1 - alpha,
            "one_sided_bound_per_10k": zero_positive_bound(y.tested, alpha=alpha) if zero else np.nan,
            "rule_of_three_per_10k": rule_of_three(y.tested) if zero and math.isclose(alpha, 0.05) else np.nan,
            "status": r["status"], "fact_ids": "" if is_blank(r["fact_ids"]) else r["fact_ids"],
            **_source_columns(r, supp),
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["_k"] = out["kind"].map({"study city": 0, "external anchor": 1})
    out["_u"] = out["unit"].map({u: i for i, u in enumerate(UNITS)})
    return out.sort_values(["_k", "_u"], kind="stable").drop(columns=["_k", "_u"]).reset_index(drop=True)


def prevalence_marks(yields: pd.DataFrame) -> pd.DataFrame:
    """Observed yields of programmes with positives as proportions, for the pooling figure and tables.

    Columns: ``label`` (programme and unit), ``city`` (the label up to its colon, as the
    imperfect-assay tables head their columns), ``unit``, ``prevalence`` and its interval
    ``lower``/``upper`` (proportions; the interval sets the digits a table prints the yield with)."""
    pos = yields[yields["positives"] > 0]
    return pd.DataFrame({"label": pos["label"] + " (" + pos["unit"].str.replace("_", "-") + ")",
                         "city": pos["label"].str.split(":").str[0], "unit": pos["unit"],
                         "prevalence": pos["rate_per_10k"] / PER, "lower": pos["lower_per_10k"] / PER,
                         "upper": pos["upper_per_10k"] / PER}).reset_index(drop=True)


def excluded_programmes(screening: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data/screening.csv`` that give no yield, with the reason."""
    rows = []
    for _, r in screening.iterrows():
        missing = [c for c in ("tested", "positives") if is_blank(r[c])]
        if not missing and not is_blank(r["tested_unit"]):
            continue
        if r["status"] == "stripped":
            reason = "numbers stripped from the copy of the report"
        elif len(missing) == 2:
            reason = "neither the number tested nor the positives are stated"
        elif missing == ["tested"]:
            reason = "number tested not stated"
        elif missing == ["positives"]:
            reason = "positives not stated"
        else:
            reason = "unit of the number tested not stated"
        rows.append({"screening_id": r["screening_id"], "label": programme_label(r), "status": r["status"],
                     "tested": r["tested"], "unit": r["tested_unit"], "positives": r["positives"], "reason": reason})
    return pd.DataFrame(rows)


def pairwise_yield_comparisons(yields: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every pair of programmes counted in the same unit: rate ratio, score and exact intervals.

    Programme 1 is the one listed first in ``yields`` (study cities before anchors), except that
    a zero-count programme is put first so that its ratio is 0 with a finite upper bound.  The
    score interval (statsmodels) is given where both found positives; the exact conditional
    interval always, except when both found nothing (then only the reason).

    Each p-value follows its interval's convention (:func:`compare_yields`).  The comparisons of
    the table are one family: ``score p (Holm)`` and ``exact p (Holm)`` are Holm-adjusted over
    every pair with a p-value of that kind (:func:`holm_adjust`), so an adjusted p below alpha
    keeps the family-wise error rate at alpha; the unadjusted p and the intervals are per pair.
    """
    rows = []
    for unit in UNITS:
        sub = yields[yields["unit"] == unit]
        for (_, a), (_, b) in combinations(sub.iterrows(), 2):
            if b["positives"] == 0 and a["positives"] > 0:
                a, b = b, a
            row = {"unit": unit, "programme 1": a["label"], "programme 2": b["label"],
                   "positives 1": a["positives"], "tested 1": a["tested"],
                   "positives 2": b["positives"], "tested 2": b["tested"]}
            args = (a["positives"], a["tested"], b["positives"], b["tested"], unit, unit)
            if a["positives"] == 0 and b["positives"] == 0:
                rows.append({**row, "reason": "both found zero positives: no information on the ratio"})
                continue
            exact = compare_yields(*args, method="exact-cond", alpha=alpha)
            row.update({"rate ratio": exact.ratio, "exact lower": exact.lower, "exact upper": exact.upper,
                        "exact p": exact.p_value})
            if a["positives"] > 0 and b["positives"] > 0:
                score = compare_yields(*args, method="score", alpha=alpha)
                row.update({"score lower": score.lower, "score upper": score.upper, "score p": score.p_value})
            else:
                row["reason"] = "one programme found nothing: exact conditional interval only"
            rows.append(row)
    cols = ["unit", "programme 1", "programme 2", "positives 1", "tested 1", "positives 2", "tested 2", "rate ratio",
            "score lower", "score upper", "score p", "score p (Holm)", "exact lower", "exact upper", "exact p",
            "exact p (Holm)", "reason"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    for raw in ("score p", "exact p"):
        out[f"{raw} (Holm)"] = holm_adjust(out[raw], alpha)
    return out


def holm_adjust(p_values, alpha: float = 0.05) -> pd.Series:
    """Holm-adjusted p-values (statsmodels ``multipletests(method="holm")``) over the non-missing
    entries of ``p_values``, which form one family; missing entries stay missing."""
    p = pd.Series(p_values, dtype=float)
    out = pd.Series(np.nan, index=p.index)
    ok = p.notna()
    if ok.any():
        out[ok] = multipletests(p[ok].to_numpy(), alpha=alpha, method="holm")[1]
    return out


def glm_table(yields: pd.DataFrame, family: str = "poisson", alpha: float = 0.05) -> pd.DataFrame:
    """:func:`glm_across_programmes` per unit, as one table of numbers.

    Fitted programmes (``role`` ``reference`` or empty): ``ratio`` to the best-measured programme
    with its Wald interval and p-value, and the likelihood-ratio test of one common rate in the
    unit (``lr_stat``, ``lr_df``, ``lr_p_value``, repeated on each row of the unit).  Zero-count
    programmes (``role`` ``excluded``): the exact one-sided bound at ``level`` instead, with the
    reason in ``note``.  Units where fewer than two programmes found positives: one row ``not
    modelled`` naming them, with the reason.
    """
    frames = []
    for unit in UNITS:
        sub = yields[yields["unit"] == unit]
        if sub.empty:
            continue
        res = glm_across_programmes(sub["positives"], sub["tested"], sub["label"], family=family, alpha=alpha)
        if res.reason is None:
            t = res.table.rename(columns={res.ratio_name: "ratio"})
            t.insert(0, "unit", unit)
            t["lr_stat"], t["lr_df"], t["lr_p_value"] = res.lr_stat, res.df, res.p_value
            frames.append(t)
        for lab, ex in res.excluded.items():
            frames.append(pd.DataFrame([{"unit": unit, "programme": lab, "role": "excluded",
                                         "one_sided_bound_per_10k": ex["one_sided_bound_per_10k"],
                                         "note": ex["reason"]}]))
        if res.reason is not None and not sub[sub["positives"] > 0].empty:
            frames.append(pd.DataFrame([{"unit": unit, "programme": ", ".join(sub[sub["positives"] > 0]["label"]),
                                         "role": "not modelled", "note": res.reason}]))
    cols = ["unit", "programme", "role", "ratio", "lower", "upper", "p_value", "lr_stat", "lr_df", "lr_p_value",
            "one_sided_bound_per_10k", "note"]
    out = pd.concat(frames, ignore_index=True).reindex(columns=cols) if frames else pd.DataFrame(columns=cols)
    out["level"] = 1 - alpha
    return out


# --------------------------------------------------------------------------------------
# Reproducing published rates

_PUBLISHED_CI = re.compile(r"(\d+\.\d+)/10,000 \(95% CI (\d+\.\d+)[–-](\d+\.\d+)/10,000\)")
_PUBLISHED_WAN = re.compile(r"(\d+\.\d+)/万")


def parse_published_rate(quote: str) -> dict | None:
    """The rate per 10,000 (and its 95 % interval, if given) a source published, from its quote:
    ``0.303/10,000 (95% CI 0.270–0.339/10,000)`` or ``阳性检出率0.288/万``.  None if there is none."""
    m = _PUBLISHED_CI.search(quote)
    if m:
        return {"text": m.group(0), "rate": m.group(1), "lower": m.group(2), "upper": m.group(3)}
    m = _PUBLISHED_WAN.search(quote)
    if m:
        return {"text": m.group(0), "rate": m.group(1), "lower": None, "upper": None}
    return None


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def published_check(yields: pd.DataFrame, supplementary: pd.DataFrame) -> pd.DataFrame:
    """For every programme whose source published a rate: the published figures beside the book's
    (Clopper-Pearson, rounded to the published decimals), and whether they agree."""
    supp = supplementary.set_index("source_id")
    rows = []
    for _, y in yields.iterrows():
        if not y["source"] in supp.index:
            continue
        pub = parse_published_rate(supp.loc[y["source"], "quote"])
        if pub is None:
            continue
        d = _decimals(pub["rate"])
        computed = {"rate": f"{y['rate_per_10k']:.{d}f}"}
        if pub["lower"] is not None:
            computed.update(lower=f"{y['lower_per_10k']:.{_decimals(pub['lower'])}f}",
                            upper=f"{y['upper_per_10k']:.{_decimals(pub['upper'])}f}")
        agree = all(float(computed[k]) == float(pub[k]) for k in computed)
        rows.append({"programme": y["label"], "source": y["source"], "published": pub["text"],
                     "counts": f"{y['positives']} / {y['tested']:,}",
                     "book (Clopper-Pearson)": computed["rate"] + (
                         f" ({computed['lower']}–{computed['upper']})" if "lower" in computed else ""),
                     "agree": agree})
    return pd.DataFrame(rows)

