"""Yields against independent computations (scipy, closed forms) and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats import binomtest

from analysis.core.loaders import load_facts, load_screening, load_supplementary
from analysis.figures import yields as yield_figures
from analysis.figures.fmt import fmt_rate
from analysis.figures.links import linked_table_html
from analysis.methods import yields as Y
from analysis.methods.yields import (
    compare_yields, glm_across_programmes, poisson_glm_rates, rule_of_three, screening_yield, zero_positive_bound,
)

Z = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def table():
    return Y.programme_yields(load_screening(), load_supplementary())


# ---------------------------------------------------------------- single programme

@pytest.mark.parametrize("x, n", [(19, 658772), (58, 304900), (3, 1000), (0, 171300), (10, 10)])
def test_clopper_pearson_matches_scipy(x, n):
    y = screening_yield(x, n, method="beta")
    ci = binomtest(x, n).proportion_ci(confidence_level=0.95, method="exact")
    assert y.lower_per_10k == pytest.approx(1e4 * ci.low, rel=1e-6, abs=1e-12)
    assert y.upper_per_10k == pytest.approx(1e4 * ci.high, rel=1e-6)
    assert y.rate_per_10k == pytest.approx(1e4 * x / n)
    assert y.lower_per_10k <= y.rate_per_10k <= y.upper_per_10k


def test_wilson_matches_scipy():
    y = screening_yield(19, 658772, method="wilson")
    ci = binomtest(19, 658772).proportion_ci(method="wilson")
    assert (y.lower_per_10k, y.upper_per_10k) == pytest.approx((1e4 * ci.low, 1e4 * ci.high), rel=1e-6)


@pytest.mark.parametrize("x, n", [(19, 658772), (3, 1000)])
def test_jeffreys_is_the_beta_posterior_quantiles(x, n):
    y = screening_yield(x, n, method="jeffreys")
    lo, hi = stats.beta.ppf([0.025, 0.975], x + 0.5, n - x + 0.5)
    assert (y.lower_per_10k, y.upper_per_10k) == pytest.approx((1e4 * lo, 1e4 * hi), rel=1e-6)


def test_wilson_formula_closed_form():
    x, n = 58, 304900
    p = x / n
    centre = (p + Z ** 2 / (2 * n)) / (1 + Z ** 2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z ** 2 / (4 * n ** 2)) / (1 + Z ** 2 / n)
    y = screening_yield(x, n, method="wilson")
    assert (y.lower_per_10k, y.upper_per_10k) == pytest.approx((1e4 * (centre - half), 1e4 * (centre + half)), rel=1e-9)


def test_reproduces_cao_et_al_wuhan_interval():
    """Cao et al. 2020's published rate and 95 % CI, recomputed from their counts (both from data/)."""
    from analysis.core.loaders import load_screening, load_supplementary
    from analysis.methods.yields import parse_published_rate

    row = load_screening().set_index("screening_id").loc["anchor-s01"]
    published = parse_published_rate(load_supplementary().set_index("source_id").loc[row["source_id"], "quote"])
    assert published["lower"] is not None  # the source publishes an interval
    y = screening_yield(int(row["positives"]), int(row["tested"]))
    got = (y.rate_per_10k, y.lower_per_10k, y.upper_per_10k)
    for value, text in zip(got, (published["rate"], published["lower"], published["upper"])):
        assert round(value, len(text.split(".")[1])) == float(text)


def test_zero_count_is_not_zero_width():
    y = screening_yield(0, 171300)
    assert y.lower_per_10k == 0 and y.upper_per_10k > 0


def test_zero_positive_bounds_closed_form():
    n = 171300
    assert zero_positive_bound(n, sided="one") == pytest.approx(1e4 * (1 - 0.05 ** (1 / n)))
    assert zero_positive_bound(n, sided="two") == pytest.approx(1e4 * (1 - 0.025 ** (1 / n)))
    assert zero_positive_bound(n, sided="two") == pytest.approx(screening_yield(0, n).upper_per_10k, rel=1e-6)
    assert rule_of_three(n) == pytest.approx(zero_positive_bound(n), rel=0.01)
    assert isinstance(zero_positive_bound(n), float)


@pytest.mark.parametrize("n", [10, 100, 171300, 10899145])
def test_one_sided_bound_is_where_zero_becomes_unlikely(n):
    """At the bound p, P(0 positives | n, p) = alpha exactly (scipy's binomial pmf)."""
    p = zero_positive_bound(n) / 1e4
    assert stats.binom.pmf(0, n, p) == pytest.approx(0.05, rel=1e-9)


def test_one_sided_bound_equals_statsmodels_alternative_larger():
    """Pins statsmodels 0.15 behaviour noted in methods_notes.md: alternative='larger' returns (0, one-sided bound),
    and the two-sided interval at alpha = 0.10 has the same upper end."""
    from statsmodels.stats.proportion import proportion_confint

    n = 171300
    lo, hi = proportion_confint(0, n, alpha=0.05, method="beta", alternative="larger")
    assert lo == 0 and 1e4 * hi == pytest.approx(zero_positive_bound(n), rel=1e-9)
    assert 1e4 * proportion_confint(0, n, alpha=0.10, method="beta")[1] == pytest.approx(zero_positive_bound(n), rel=1e-9)


@pytest.mark.parametrize("n", [31, 100, 10_000, 10_000_000])
def test_rule_of_three_overstates_the_exact_bound_slightly(n):
    """1 - 0.05**(1/n) < -ln(0.05)/n = 2.996/n < 3/n, and the gap closes to 3/2.996 as n grows."""
    assert zero_positive_bound(n) < 1e4 * -math.log(0.05) / n < rule_of_three(n)
    if n >= 10_000:
        assert rule_of_three(n) / zero_positive_bound(n) == pytest.approx(3 / -math.log(0.05), rel=1e-3)


@pytest.mark.parametrize("args, message", [
    ((-1, 10), "negative"), ((11, 10), "exceed"), ((0, 0), "nobody was tested"), ((1.5, 10), "whole number"),
    ((1, -10), "negative"), ((None, 10), "missing"), ((float("nan"), 10), "missing"),
])
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        screening_yield(*args)


def test_bad_input_in_bounds_and_options():
    with pytest.raises(ValueError, match="nobody was tested"):
        zero_positive_bound(0)
    with pytest.raises(ValueError, match="negative"):
        rule_of_three(-5)
    with pytest.raises(ValueError, match="sided"):
        zero_positive_bound(100, sided="both")
    with pytest.raises(ValueError, match="alpha"):
        screening_yield(1, 10, alpha=1.5)
    with pytest.raises(ValueError, match="unit"):
        screening_yield(1, 10, unit="people")


def test_default_normal_method_is_refused():
    with pytest.raises(ValueError, match="never statsmodels' default"):
        screening_yield(1, 10, method="normal")


# ---------------------------------------------------------------- two programmes

def test_compare_refuses_unlike_units_and_zero_cells():
    with pytest.raises(ValueError, match="different things"):
        compare_yields(19, 658772, 58, 304900, unit1="persons", unit2="person_tests")
    with pytest.raises(ValueError, match="zero positives"):
        compare_yields(19, 658772, 0, 171300)
    with pytest.raises(ValueError, match="both programmes found zero"):
        compare_yields(0, 100, 0, 171300, method="exact-cond")
    with pytest.raises(ValueError, match="method"):
        compare_yields(1, 10, 1, 10, method="normal")


def test_rate_ratio_of_equal_rates_is_one():
    c = compare_yields(20, 100000, 40, 200000)
    assert c.ratio == pytest.approx(1.0)
    assert c.lower < 1 < c.upper and c.p_value > 0.9


def test_score_interval_close_to_wald_log_closed_form_for_large_counts():
    x1, n1, x2, n2 = 300, 9899828, 183, 4740000
    c = compare_yields(x1, n1, x2, n2, method="score")
    rr = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 + 1 / x2)
    assert c.ratio == pytest.approx(rr)
    assert (c.lower, c.upper) == pytest.approx((rr * math.exp(-Z * se), rr * math.exp(Z * se)), rel=0.02)


@pytest.mark.parametrize("x1, n1, x2, n2", [(19, 658772, 300, 9899828), (3, 1000, 10, 2000), (0, 171300, 19, 658772),
                                            (5, 100, 0, 1000)])
def test_exact_conditional_bounds_have_tail_probability_alpha_over_two(x1, n1, x2, n2):
    """Given N = x1 + x2, x1 ~ Binomial(N, R n1 / (R n1 + n2)); at each bound one tail is exactly 2.5 %."""
    c = compare_yields(x1, n1, x2, n2, method="exact-cond")
    N = x1 + x2

    def pi(r):
        return r * n1 / (r * n1 + n2)

    if x1 == 0:
        assert c.lower == 0 and c.ratio == 0
    else:
        assert stats.binom.sf(x1 - 1, N, pi(c.lower)) == pytest.approx(0.025, rel=1e-6)
    if x2 == 0:
        assert math.isinf(c.upper) and math.isinf(c.ratio)
    else:
        assert stats.binom.cdf(x1, N, pi(c.upper)) == pytest.approx(0.025, rel=1e-6)


def test_exact_conditional_p_value_is_the_central_binomial_test():
    """Twice the smaller binomial tail (the convention of the Clopper-Pearson interval), not the
    minimum-likelihood p-value of scipy's binomtest."""
    for x1, n1, x2, n2 in [(0, 171300, 19, 658772), (19, 658772, 300, 9899828), (300, 9899828, 183, 4740000)]:
        c = compare_yields(x1, n1, x2, n2, method="exact-cond")
        N, pi0 = x1 + x2, n1 / (n1 + n2)
        central = min(1.0, 2 * min(stats.binom.cdf(x1, N, pi0), stats.binom.sf(x1 - 1, N, pi0)))
        assert c.p_value == pytest.approx(central, rel=1e-9)
    # Mudanjiang vs Wuhan: minimum-likelihood p is 1.000, the central one 0.953
    c = compare_yields(19, 658772, 300, 9899828, method="exact-cond")
    assert c.p_value == pytest.approx(0.9526, abs=1e-3) and binomtest(19, 319, 658772 / 10558600).pvalue > 0.99


# ---------------------------------------------------------------- several programmes

def test_glm_excludes_zero_cells_and_recovers_rates():
    out = poisson_glm_rates([19, 0, 300], [658772, 171300, 9899828], ["mudanjiang", "dongxing", "wuhan"])
    assert "dongxing" in out["excluded"]
    assert out["rates"]["wuhan"][0] == pytest.approx(1e4 * 300 / 9899828)
    assert math.isfinite(out["rates"]["mudanjiang"][1])


def test_poisson_glm_rate_ratios_match_closed_forms():
    x, n, labs = [19, 300, 183], [658772, 9899828, 4740000], ["a", "b", "c"]
    res = glm_across_programmes(x, n, labs, family="poisson")
    assert res.reference == "b"  # most tested
    t = res.table.set_index("programme")
    for lab, xi, ni in (("a", 19, 658772), ("c", 183, 4740000)):
        rr = (xi / ni) / (300 / 9899828)
        se = math.sqrt(1 / xi + 1 / 300)
        assert t.loc[lab, "rate ratio"] == pytest.approx(rr, rel=1e-6)
        assert (t.loc[lab, "lower"], t.loc[lab, "upper"]) == pytest.approx((rr * math.exp(-Z * se), rr * math.exp(Z * se)), rel=1e-5)
    # likelihood ratio against one common rate = the Poisson G statistic
    e = np.array(n) * sum(x) / sum(n)
    g = 2 * sum(xi * math.log(xi / ei) for xi, ei in zip(x, e))
    assert res.lr_stat == pytest.approx(g, rel=1e-6) and res.df == 2
    assert res.p_value == pytest.approx(stats.chi2.sf(g, 2), rel=1e-5)


def test_binomial_glm_odds_ratio_matches_woolf():
    a, n1, c, n2 = 58, 304900, 77, 7892591
    res = glm_across_programmes([a, c], [n1, n2], ["yushu", "tianjin"], family="binomial")
    t = res.table.set_index("programme")
    b, d = n1 - a, n2 - c
    odds = (a / b) / (c / d)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert res.ratio_name == "odds ratio"
    assert t.loc["yushu", "odds ratio"] == pytest.approx(odds, rel=1e-6)
    assert (t.loc["yushu", "lower"], t.loc["yushu", "upper"]) == pytest.approx((odds * math.exp(-Z * se), odds * math.exp(Z * se)), rel=1e-5)


def test_glm_gives_a_reason_instead_of_numbers_when_it_cannot_compare():
    res = glm_across_programmes([0, 4], [100, 1000], ["zero", "one"])
    assert res.reason and res.p_value is None
    assert res.excluded["zero"]["one_sided_bound_per_10k"] == pytest.approx(zero_positive_bound(100))
    with pytest.raises(ValueError, match="reference"):
        glm_across_programmes([1, 2, 0], [10, 20, 30], ["a", "b", "c"], reference="c")
    with pytest.raises(ValueError, match="family"):
        glm_across_programmes([1, 2], [10, 20], ["a", "b"], family="gaussian")
    with pytest.raises(ValueError, match="exceed"):
        glm_across_programmes([11, 2], [10, 20], ["a", "b"])


# ---------------------------------------------------------------- the curated table

def test_programme_yields_come_from_the_curated_rows(table):
    screening = load_screening().set_index("screening_id")
    assert not table.empty
    for r in table.itertuples():
        src = screening.loc[r.screening_id]
        assert (r.positives, r.tested, r.unit) == (int(src["positives"]), int(src["tested"]), src["tested_unit"])
        assert r.rate_per_10k == pytest.approx(1e4 * r.positives / r.tested)
        assert r.unit in Y.UNITS and r.method == "beta"
        if r.positives == 0:
            assert r.one_sided_bound_per_10k == pytest.approx(zero_positive_bound(r.tested))
        else:
            assert math.isnan(r.one_sided_bound_per_10k)


def test_study_city_numbers_are_the_facts(table):
    """Yushu's and Dongxing's counts in the table are the values of their facts (not typed in)."""
    facts = load_facts().set_index("fact_id")["value"]
    t = table.set_index("screening_id")
    assert (t.loc["yushu-s06", "tested"], t.loc["yushu-s06", "positives"]) == (facts["yushu-012"], facts["yushu-013"])
    assert t.loc["yushu-s06", "unit"] == "person_tests"
    assert t.loc["dongxing-s04", "tested"] == facts["dongxing-012"] and t.loc["dongxing-s04", "positives"] == 0
    assert (t.loc["mudanjiang-s03", "tested"], t.loc["mudanjiang-s03", "positives"]) == (facts["mudanjiang-033"], facts["mudanjiang-034"])


def test_every_excluded_row_lacks_a_count():
    screening = load_screening()
    ex = Y.excluded_programmes(screening)
    used = set(Y.programme_yields(screening)["screening_id"])
    assert set(ex["screening_id"]).isdisjoint(used)
    assert set(ex["screening_id"]) | used == set(screening["screening_id"])
    assert ex["reason"].str.len().gt(0).all()


def test_comparisons_only_pair_like_units(table):
    comp = Y.pairwise_yield_comparisons(table)
    units = dict(zip(table["label"], table["unit"]))
    assert not comp.empty
    for r in comp.itertuples():
        assert units[getattr(r, "_2")] == units[getattr(r, "_3")] == r.unit
    both_zero = comp[(comp["positives 1"] == 0) & (comp["positives 2"] == 0)]
    assert both_zero["rate ratio"].isna().all() and both_zero["reason"].notna().all()
    one_zero = comp[(comp["positives 1"] == 0) & (comp["positives 2"] > 0)]
    assert (one_zero["exact lower"] == 0).all() and np.isfinite(one_zero["exact upper"]).all()
    assert one_zero["score lower"].isna().all()


def test_glm_table_excludes_zero_programmes(table):
    g = Y.glm_table(table)
    zero = set(table.loc[table["positives"] == 0, "label"])
    fitted = g[g["role"] != "excluded"]
    assert zero.isdisjoint(set(fitted["programme"]))
    assert zero <= set(g.loc[g["role"] == "excluded", "programme"])


def test_published_rates_are_reproduced(table):
    check = Y.published_check(table, load_supplementary())
    assert len(check) >= 2  # Cao et al. (with CI) and Mudanjiang's 0.288/万
    assert check["agree"].all()


def test_published_check_notices_a_disagreement(table):
    supp = load_supplementary().copy()
    i = supp.index[supp["source_id"] == "sup-anchor-01"][0]
    supp.loc[i, "quote"] = supp.loc[i, "quote"].replace("0.270", "0.250")
    check = Y.published_check(table, supp).set_index("source")
    assert not check.loc["sup-anchor-01", "agree"]


@pytest.mark.parametrize("text, rate, lower", [
    ("0.303/10,000 (95% CI 0.270–0.339/10,000)", "0.303", "0.270"), ("阳性检出率0.288/万", "0.288", None),
])
def test_parse_published_rate(text, rate, lower):
    pub = Y.parse_published_rate(text)
    assert pub["rate"] == rate and pub["lower"] == lower
    assert Y.parse_published_rate("no rate here") is None


def test_forest_draws_each_programme_once_and_zeros_as_bounds(table):
    fig = yield_figures.fig_forest(table)
    points = [t for t in fig.data if t.mode == "markers"]
    ys = [y for t in points for y in t.y]
    assert len(ys) == len(table) == len(set(ys))
    zero_traces = [t for t in points if t.marker.symbol == "triangle-left"]
    zeros = table[table["positives"] == 0]
    assert sorted(x for t in zero_traces for x in t.x) == pytest.approx(sorted(zeros["one_sided_bound_per_10k"]))
    for t in points:
        if t.marker.symbol != "triangle-left":
            assert t.error_x.array is not None and all(v >= 0 for v in t.error_x.arrayminus)
    assert fig.layout.xaxis.type == "log"
    panels = {a.text.replace("<b>", "").replace("</b>", "").replace("<br>", " ") for a in fig.layout.annotations}
    assert panels == {f"Yield {yield_figures.UNIT_LABELS[u]}" for u in table["unit"].unique()}


def test_display_table_links_every_source(table):
    d = yield_figures.yields_display(table)
    assert len(d.values) == len(table)
    assert d.values["source"].str.len().gt(0).all()
    source = [linked_table_html(d.values.iloc[[k]][["source"]], d.links.iloc[[k]][["source"]], d.from_page)
              for k in range(len(table))]  # each row's source cell as the chapter renders it
    report_rows = table["trust"] == "report"
    assert all("annotated.html#fact-" in cell for cell, is_report in zip(source, report_rows) if is_report)
    assert all("trust" in cell for cell, is_report in zip(source, report_rows) if not is_report)


def test_empty_screening_gives_empty_yields():
    empty = load_screening().iloc[0:0]
    assert Y.programme_yields(empty).empty
    assert isinstance(Y.programme_yields(empty), pd.DataFrame)


def test_prevalence_marks_are_the_positive_yields(table):
    marks = Y.prevalence_marks(table)
    pos = table[table["positives"] > 0]
    assert len(marks) == len(pos)
    assert list(marks["prevalence"]) == pytest.approx(list(pos["positives"] / pos["tested"]))


@pytest.mark.parametrize("v, text", [(0, "0"), (0.27, "0.270"), (0.3033, "0.303"), (362.17, "362"), (2588.7, "2,589"),
                                     (0.0027494, "0.00275"), (1.9023, "1.90"), (999.7, "1,000"),
                                     (1.23e-5, "0.0000123"), (99.96, "100.0")])
def test_fmt_rate(v, text):
    assert fmt_rate(v) == text


def test_display_states_unit_level_method_and_zero_bounds(table):
    shown = yield_figures.yields_display(table).values
    col = "yield per 10,000 (95 % Clopper–Pearson interval)"
    assert col in shown.columns and shown[col].str.len().gt(0).all()
    assert list(shown["counted in"]) == [yield_figures.UNIT_WORDS[u] for u in table["unit"]]
    bound = next(c for c in shown.columns if "one-sided 95 % upper bound" in c)
    three = next(c for c in shown.columns if "rule of three" in c)
    zero = (table["positives"] == 0).to_numpy()
    assert (shown[bound].str.len().gt(0).to_numpy() == zero).all()
    assert (shown[three].str.len().gt(0).to_numpy() == zero).all()
    assert not any("_" in c for c in shown.columns)


def test_labels_name_the_city_once():
    for _, r in load_screening().iterrows():
        label = Y.programme_label(r)
        city = label.split(" ")[0]
        assert label.count(city) == 1, label
        assert label.split(": ")[1][0].isupper(), label


def test_glm_refuses_counts_of_different_lengths():
    with pytest.raises(ValueError, match="one of each"):
        Y.glm_across_programmes([1, 2, 3], [10, 20], ["a", "b"])
    with pytest.raises(ValueError):
        Y.poisson_glm_rates([5, 3], [2, 10], ["a", "b"])  # 5 positives among 2 tested


def test_chart_labels_escape_csv_text():
    label = yield_figures.tick_label("Yushu 玉树: <script>x</script> & co", 1, 10)
    assert "<script>" not in label and "&lt;script&gt;" in label and "&amp; co" in label


def test_texts_state_the_confidence_level_used(table):
    from analysis.core.loaders import load_screening, load_supplementary

    t90 = Y.programme_yields(load_screening(), load_supplementary(), alpha=0.1)
    shown = yield_figures.yields_display(t90).values
    headers = " ".join(shown.columns)
    assert "90 % Clopper–Pearson interval" in headers and "95 %" not in headers
    three = next(c for c in shown.columns if "rule of three" in c)
    assert (shown[three] == "").all()  # the rule of three is a 95 % rule only
    assert "95 % Clopper–Pearson" in " ".join(yield_figures.yields_display(table).values.columns)
    with pytest.raises(ValueError, match="several confidence levels"):
        yield_figures.level_text(pd.concat([table, t90]))


def test_forest_points_link_to_the_facts_of_their_rows(table):
    fig = yield_figures.fig_forest(table)
    linked = {link for tr in fig.data if tr.meta for link in tr.meta["fr_links"] if link}
    expected = {f"annotated.html#fact-{ids.split(';')[0]}" for ids in table["fact_ids"] if ids}
    assert linked == expected and expected  # the restored Mudanjiang rows included


def test_the_display_table_links_outside_sources_to_their_pages():
    """A supplemented programme's source cell links to its outside URL as well as to its facts."""
    from analysis.core.loaders import load_screening, load_supplementary
    from analysis.figures.links import linked_table_html
    from analysis.figures.yields import yields_display

    table = Y.programme_yields(load_screening(), load_supplementary())
    shown = yields_display(table)
    html_out = linked_table_html(shown.values, shown.links, shown.from_page)
    urls = [u for u in table["url"] if isinstance(u, str) and u]
    assert urls and all(f'href="{u}"' in html_out for u in urls)
