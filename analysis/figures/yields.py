"""Testing yields as the chapter shows them: the forest plot, the display tables and the sentences.

The numbers come from :mod:`analysis.methods.yields` (one row per programme, the comparison and
GLM tables); this module only draws and formats them.  Every table the chapter shows is a reader
table (:mod:`analysis.figures.tables`): :func:`yields_display`, :func:`excluded_display`,
:func:`published_display`, :func:`comparison_reader` and :func:`glm_reader`.  Every yield and ratio with an interval is
written with :func:`analysis.figures.fmt.fmt_estimate` (digits follow the interval's width); a
number without an interval (a bound, the rule of three) with :func:`analysis.figures.fmt.fmt_rate`
(three significant digits).  The confidence level is read from the table (:func:`level_text`),
never assumed.
"""

from __future__ import annotations

import html
import math
import re
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..core.ids import first_fact_id
from ..core.registry import report_colours
from ..methods.yields import UNITS, glm_table
from .fmt import fmt_estimate, fmt_rate
from .links import LinkedTable, link_points, linked_columns
from .style import ANCHOR_COLOUR
from .tables import ReaderTable, reader_table

#: How each unit is written in tables and axis titles.
UNIT_LABELS = {"persons": "per 10,000 persons", "person_tests": "per 10,000 person-tests",
               "samples": "per 10,000 samples"}

#: A unit as a word in a table cell.
UNIT_WORDS = {"persons": "persons", "person_tests": "person-tests", "samples": "samples"}

#: The interval methods of :func:`analysis.methods.yields.screening_yield`, by name.
METHOD_NAMES = {"beta": "Clopper–Pearson", "wilson": "Wilson", "jeffreys": "Jeffreys"}


def fmt_yield(value, lower, upper) -> str:
    """:func:`fmt_estimate` for a yield or ratio, with an exact zero written ``0`` (``0 (0–0.22)``,
    not ``0.00 (0.00–0.22)``): a count of zero is not a measurement to two decimals."""
    text = fmt_estimate(value, lower, upper)
    if text and float(value) == 0 and float(lower) == 0:
        text = re.sub(r"0\.0+(?=[ –])", "0", text)
    return text


def level_text(yields: pd.DataFrame) -> str:
    """``95 %``: the confidence level of a :func:`~analysis.methods.yields.programme_yields` table (one level
    per table)."""
    levels = set(yields["level"]) if "level" in yields else {0.95}
    if len(levels) != 1:
        raise ValueError(f"a table of yields at several confidence levels: {sorted(levels)}")
    return f"{100 * levels.pop():g} %"


def method_text(yields: pd.DataFrame) -> str:
    """``Clopper–Pearson``: the interval method of a yields table (one method per table)."""
    methods = set(yields["method"]) if "method" in yields else {"beta"}
    if len(methods) != 1:
        raise ValueError(f"a table of yields by several interval methods: {sorted(methods)}")
    m = methods.pop()
    return METHOD_NAMES.get(m, m)


def yields_display(yields: pd.DataFrame, from_page: str = "book/yields") -> LinkedTable:
    """The yields table as the chapter shows it, one row per programme (a reader table).

    Headers in words with the unit, level and interval method; the yield with its interval in one
    cell (:func:`fmt_yield`, the precision rule); for a zero count the exact one-sided bound and
    the rule of three in columns of their own (empty otherwise).  The source column names the
    supplementary excerpt (with its URL and trust grade) or says the numbers are in the report
    text, and links to the facts behind the row (the sentence on the annotated-sources page, where
    a restored number also shows its outside source).
    """
    level = level_text(yields)
    method = method_text(yields)

    def source_text(r) -> str:
        if r["trust"] == "report":
            return "report text"
        where = f"{r['source']} ({r['url']})" if r["url"] else f"{r['source']} (no URL recorded)"
        return f"{where}, trust {r['trust']}"

    values = pd.DataFrame({
        "counted in": [UNIT_WORDS.get(u, u) for u in yields["unit"]],
        "positives / tested": [f"{p:,} / {t:,}" + (" (about)" if q == "about" else "")
                               for p, t, q in zip(yields["positives"], yields["tested"], yields["tested_qualifier"])],
        f"yield per 10,000 ({level} {method} interval)": [
            fmt_yield(r, lo, hi) for r, lo, hi in
            zip(yields["rate_per_10k"], yields["lower_per_10k"], yields["upper_per_10k"])],
        f"no positive: exact one-sided {level} upper bound per 10,000": [
            "" if pd.isna(b) else f"≤ {fmt_rate(b)}" for b in yields["one_sided_bound_per_10k"]],
        "no positive: rule of three (3 / tested) per 10,000": [
            "" if pd.isna(r3) else fmt_rate(r3) for r3 in yields["rule_of_three_per_10k"]],
        "source": [source_text(r) for _, r in yields.iterrows()],
    }, index=pd.Index(list(yields["label"]), name="programme"))
    # the facts behind the row, then the outside source's URL (its links open the sentence, then the page)
    ids = [";".join(x for x in (f if isinstance(f, str) else "", u if isinstance(u, str) else "") if x)
           for f, u in zip(yields["fact_ids"], yields["url"])]
    return linked_columns(values, {"source": ids}, from_page)


def excluded_display(excluded: pd.DataFrame) -> ReaderTable:
    """:func:`~analysis.methods.yields.excluded_programmes` for readers: each row of
    ``data/screening.csv`` that gives no yield, what it does give, and why no yield."""
    def counted(n, unit) -> str:
        if pd.isna(n):
            return ""
        return f"{int(n):,}" + ("" if pd.isna(unit) or not unit else f" {UNIT_WORDS.get(unit, unit)}")

    frame = pd.DataFrame({
        "row of screening.csv": excluded["screening_id"], "programme": excluded["label"],
        "tested (as stated)": [counted(n, u) for n, u in zip(excluded["tested"], excluded["unit"])],
        "positives (as stated)": excluded["positives"],
        "why no yield": excluded["reason"],
    })
    return reader_table(frame)


def published_display(check: pd.DataFrame) -> ReaderTable:
    """:func:`~analysis.methods.yields.published_check` for readers.  The book's recomputation is
    written to the decimals the source used (that is the check), not by the precision rule."""
    frame = pd.DataFrame({
        "programme": check["programme"], "source": check["source"], "published": check["published"],
        "positives / tested": check["counts"],
        "recomputed (Clopper–Pearson, per 10,000, to the published decimals)": check["book (Clopper-Pearson)"],
        "agree": check["agree"],
    })
    return reader_table(frame)


# --------------------------------------------------------------------------------------
# Forest plot

def tick_label(label: str, positives: int, tested: int) -> str:
    """Axis label of a programme: the city in bold, the programme, and the counts below.

    The label is CSV text: it is HTML-escaped, since plotly reads tags in labels."""
    city, _, what = label.partition(": ")
    lines = textwrap.wrap(what, TICK_WIDTH) or [""]
    programme = "<br>".join(html.escape(line) for line in lines)
    return f"<b>{html.escape(city)}</b><br>{programme}<br>{positives:,} / {tested:,}"


#: Characters per line of a programme's axis label (wrapped, so that on a phone the labels leave
#: the panel room to draw).
TICK_WIDTH = 28


def fig_forest(yields: pd.DataFrame):
    """Yields per programme on a log axis, one panel per denominator unit.

    Programmes with positives: point and two-sided interval.  Programmes with none: a dotted line
    from the axis floor to the exact one-sided 95 % bound, ending in a left-pointing triangle
    (the bound), since a zero yield cannot be drawn on a log axis.
    """
    level, colour_of = level_text(yields), report_colours()

    units = [u for u in UNITS if (yields["unit"] == u).any()]
    counts = [int((yields["unit"] == u).sum()) for u in units]
    gap = 0.1
    fig = make_subplots(rows=len(units), cols=1, shared_xaxes=True, vertical_spacing=gap,
                        row_heights=[c / sum(counts) for c in counts])
    lows = pd.concat([yields["lower_per_10k"][yields["positives"] > 0],
                      yields["one_sided_bound_per_10k"].dropna()])
    floor = 10 ** math.floor(math.log10(lows[lows > 0].min()) - 0.3)
    top = 10 ** math.ceil(math.log10(max(yields["upper_per_10k"].max(), yields["one_sided_bound_per_10k"].max())) + 0.2)
    shown = set()
    for i, unit in enumerate(units, start=1):
        sub = yields[yields["unit"] == unit].iloc[::-1]  # first row at the top
        ylab = [tick_label(lab, p, t) for lab, p, t in zip(sub["label"], sub["positives"], sub["tested"])]
        colours = [colour_of.get(r, ANCHOR_COLOUR) for r in sub["report"]]
        pos = (sub["positives"] > 0).to_numpy()
        for kind, name in (("study city", "study city"), ("external anchor", "external anchor")):
            m = pos & (sub["kind"] == kind).to_numpy()
            if m.any():
                s = sub[m]
                fig.add_trace(go.Scatter(
                    x=s["rate_per_10k"], y=[y for y, k in zip(ylab, m) if k], mode="markers",
                    marker=dict(size=10, color=[c for c, k in zip(colours, m) if k],
                                symbol="circle" if kind == "study city" else "square"),
                    error_x=dict(type="data", array=s["upper_per_10k"] - s["rate_per_10k"],
                                 arrayminus=s["rate_per_10k"] - s["lower_per_10k"], thickness=2, width=6,
                                 color="#333"),
                    name=f"{name}: yield, {level} CI", legendgroup=kind,
                    showlegend=kind not in shown,
                    text=[f"{fmt_yield(r, lo, hi)} per 10,000" for r, lo, hi in
                          zip(s["rate_per_10k"], s["lower_per_10k"], s["upper_per_10k"])],
                    hovertemplate="%{y}<br>%{text}<extra></extra>"),
                    row=i, col=1)
                link_points(fig.data[-1], [first_fact_id(ids) for ids in s["fact_ids"]], "book/yields")
                shown.add(kind)
        z = sub[~pos]
        if not z.empty:
            zl = [y for y, k in zip(ylab, ~pos) if k]
            xs, ys = [], []
            for b, y in zip(z["one_sided_bound_per_10k"], zl):
                xs += [floor, b, None]
                ys += [y, y, None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(dash="dot", color="#777", width=1.5),
                                     showlegend=False, hoverinfo="skip"), row=i, col=1)
            fig.add_trace(go.Scatter(
                x=z["one_sided_bound_per_10k"], y=zl, mode="markers",
                marker=dict(symbol="triangle-left", size=12, color=[c for c, k in zip(colours, ~pos) if k],
                            line=dict(color="#333", width=1)),
                name=f"zero positives: one-sided {level} bound", showlegend="zero" not in shown,
                text=[f"0 positives; one-sided {level} upper bound {fmt_rate(b)} per 10,000"
                      for b in z["one_sided_bound_per_10k"]],
                hovertemplate="%{y}<br>%{text}<extra></extra>"), row=i, col=1)
            link_points(fig.data[-1], [first_fact_id(ids) for ids in z["fact_ids"]], "book/yields")
            shown.add("zero")
        fig.update_yaxes(categoryorder="array", categoryarray=ylab, tickfont=dict(size=11), row=i, col=1)
        fig.update_xaxes(showticklabels=(i == len(units)), row=i, col=1)
    # panel headings above each panel, left-aligned on two lines (narrow enough for a phone's plot area)
    for i, unit in enumerate(units, start=1):
        dom = fig.layout[f"yaxis{'' if i == 1 else i}"].domain
        fig.add_annotation(text=f"<b>Yield {UNIT_LABELS[unit].replace(' 10,000 ', ' 10,000<br>')}</b>", xref="paper",
                           yref="paper", x=0, y=dom[1], xanchor="left", yanchor="bottom", align="left",
                           showarrow=False, font=dict(size=13))
    fig.update_xaxes(type="log", range=[math.log10(floor), math.log10(top)], exponentformat="power")
    fig.update_xaxes(title_text="positives per 10,000 tested<br>(log scale)", row=len(units), col=1)
    top_m, bottom_m = 100, 100
    height = top_m + bottom_m + 58 * sum(counts) + 60 * len(units)
    plot_h = height - top_m - bottom_m
    fig.update_layout(height=height, margin=dict(l=20, r=30, t=top_m, b=bottom_m),
                      legend=dict(orientation="h", yanchor="bottom", y=1 + 44 / plot_h, x=0))
    return fig


# --------------------------------------------------------------------------------------
# Display versions of the comparison tables (formatted strings; the numeric tables are in
# analysis.methods.yields)

def _fmt_ratio(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if math.isinf(v):
        return "∞"
    return fmt_rate(v)


def fmt_ratio_ci(ratio, lower, upper) -> str:
    """``0.95 (0.57–1.5)``: a rate ratio with its interval, digits from the interval's width
    (:func:`fmt_estimate`); an infinite limit is written ∞ and the finite numbers with three
    significant digits; "" when missing."""
    if any(v is None or pd.isna(v) for v in (ratio, lower, upper)):
        return ""
    if math.isinf(ratio) or math.isinf(lower) or math.isinf(upper):
        return f"{_fmt_ratio(ratio)} ({_fmt_ratio(lower)}–{_fmt_ratio(upper)})"
    return fmt_yield(ratio, lower, upper)


def _fmt_p(p: float) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def comparison_display(comp: pd.DataFrame) -> pd.DataFrame:
    """:func:`~analysis.methods.yields.pairwise_yield_comparisons` with ratios and intervals written out.

    Each interval stands beside the p-value of the same convention, and beside it the p-value
    Holm-adjusted over the table's comparisons (the family)."""
    return pd.DataFrame({
        "counted in": [UNIT_WORDS.get(u, u) for u in comp["unit"]],
        "programme 1": comp["programme 1"], "programme 2": comp["programme 2"],
        "positives / tested": [f"{a:,}/{b:,} vs {c:,}/{d:,}" for a, b, c, d in
                               zip(comp["positives 1"], comp["tested 1"], comp["positives 2"], comp["tested 2"])],
        "rate ratio (score 95 % CI)": [fmt_ratio_ci(r, lo, hi) for r, lo, hi in
                                       zip(comp["rate ratio"], comp["score lower"], comp["score upper"])],
        "score p": [_fmt_p(p) for p in comp["score p"]],
        "score p (Holm)": [_fmt_p(p) for p in comp["score p (Holm)"]],
        "rate ratio (exact conditional 95 % CI)": [fmt_ratio_ci(r, lo, hi) for r, lo, hi in
                                                   zip(comp["rate ratio"], comp["exact lower"], comp["exact upper"])],
        "exact p (central)": [_fmt_p(p) for p in comp["exact p"]],
        "exact p (Holm)": [_fmt_p(p) for p in comp["exact p (Holm)"]],
        "note": comp["reason"].fillna(""),
    })


def comparison_reader(comp: pd.DataFrame) -> ReaderTable:
    """The pairwise comparisons as the chapter shows them (:func:`comparison_display`, a reader table)."""
    return reader_table(comparison_display(comp))


def glm_display(yields: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Poisson (rate ratio) and binomial (odds ratio) GLMs per unit, side by side
    (:func:`~analysis.methods.yields.glm_table`, written out)."""
    pois, binom = glm_table(yields, "poisson", alpha), glm_table(yields, "binomial", alpha)
    level = f"{100 * (1 - alpha):g} %"

    def ratio_col(t):
        return [("1 (reference)" if role == "reference" else
                 fmt_ratio_ci(r, lo, hi))
                for role, r, lo, hi in zip(t["role"], t["ratio"], t["lower"], t["upper"])]

    def test_or_note(r) -> str:
        if r["role"] == "excluded":
            return (f"{r['note']} (one-sided {100 * r['level']:g} % bound {fmt_rate(r['one_sided_bound_per_10k'])} "
                    f"{UNIT_LABELS[r['unit']]})")
        if r["role"] == "not modelled":
            return r["note"]
        return f"χ² = {r['lr_stat']:.1f}, {int(r['lr_df'])} df, p {_fmt_p_text(r['lr_p_value'])}"

    return pd.DataFrame({
        "counted in": [UNIT_WORDS.get(u, u) for u in pois["unit"]], "programme": pois["programme"],
        "role": pois["role"].fillna(""),
        f"rate ratio, Poisson GLM (Wald {level} CI)": ratio_col(pois),
        f"odds ratio, binomial GLM (Wald {level} CI)": ratio_col(binom),
        "likelihood-ratio test of one common rate (Poisson GLM), or note": [test_or_note(r) for _, r in pois.iterrows()],
    })


def glm_reader(yields: pd.DataFrame, alpha: float = 0.05) -> ReaderTable:
    """The GLM table as the chapter shows it (:func:`glm_display`, a reader table)."""
    return reader_table(glm_display(yields, alpha))


def _fmt_p_text(p: float) -> str:
    """``= 0.032`` or ``< 0.001``: a p-value after "p" in a sentence."""
    text = _fmt_p(p)
    return text if text.startswith("<") else f"= {text}"
