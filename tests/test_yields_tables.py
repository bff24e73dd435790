"""The yields chapter's reader tables, sentences and figure layout (issue 15 item 2, issue 16 items 3 and 5)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.core.loaders import load_facts, load_screening, load_supplementary
from analysis.figures import pooling as PF
from analysis.figures import yields as YF
from analysis.figures.fmt import interval_decimals
from analysis.figures.tables import ReaderTable
from analysis.methods import pooling as P
from analysis.methods import yields as Y

EMPTY_WORDS = re.compile(r"^(nan|NaN|None|NaT|<NA>)$")


@pytest.fixture(scope="module")
def data():
    screening, supplementary, facts = load_screening(), load_supplementary(), load_facts()
    table = Y.programme_yields(screening, supplementary)
    marks = Y.prevalence_marks(table)
    changchun = P.pool_sizes_from_facts(facts)
    return dict(screening=screening, supplementary=supplementary, table=table, marks=marks, changchun=changchun)


def chapter_tables(d) -> dict[str, ReaderTable]:
    nhc = P.nhc_guidance(d["supplementary"])
    prevalences = dict(zip(d["marks"]["label"], d["marks"]["prevalence"])) | {"NHC guidance threshold": nhc.value}
    imperfect = P.imperfect_assay_table(dict(zip(d["marks"]["city"], d["marks"]["prevalence"])), d["changchun"])
    out = {
        "yields": YF.yields_display(d["table"]),
        "excluded": YF.excluded_display(Y.excluded_programmes(d["screening"])),
        "published": YF.published_display(Y.published_check(d["table"], d["supplementary"])),
        "comparisons": YF.comparison_reader(Y.pairwise_yield_comparisons(d["table"])),
        "glm": YF.glm_reader(d["table"]),
        "break-even": PF.break_even_reader(P.break_even_table(sorted({5, *d["changchun"]})), d["changchun"]),
        "scenarios": PF.scenarios_reader(P.pooling_scenarios(prevalences, d["changchun"]), d["marks"]),
    }
    for value in ("tests per person", "tests vs perfect assay", "PPV of a positive pool"):
        out[value] = PF.imperfect_assay_reader(imperfect, value, d["marks"], value)
    return out


def test_every_table_reads_cleanly(data):
    for name, table in chapter_tables(data).items():
        assert isinstance(table, ReaderTable), name
        cells = table.text.to_numpy().ravel()
        assert not [c for c in cells if EMPTY_WORDS.match(c.strip())], name
        assert not [c for c in cells if c.endswith("…")], name
        assert not [c for c in cells if re.search(r"\d[eE][+-]\d", c)], f"{name}: scientific notation"
        assert not [h for h in table.text.columns if "_" in h], f"{name}: snake_case header"
        assert not [c for c in cells if "person_tests" in c], f"{name}: a unit in snake_case"
        html = table._repr_html_()
        assert "fr-reader-table" in html and ">nan<" not in html.lower()


def test_no_pooling_number_has_more_than_three_significant_digits(data):
    tables = chapter_tables(data)
    for name in ("break-even", "scenarios", "tests per person", "tests vs perfect assay", "PPV of a positive pool"):
        for cell in tables[name].text.to_numpy().ravel():
            if not re.fullmatch(r"[\d,.]+", cell) or "." not in cell:
                continue  # labels and whole numbers
            digits = cell.replace(",", "").replace(".", "").lstrip("0")
            assert len(digits) <= 3, (name, cell)
            assert len(cell.split(".")[1]) < 6, (name, cell)


def test_every_pooling_table_states_its_assay(data):
    tables = chapter_tables(data)
    for name in ("break-even", "scenarios"):
        headers = list(tables[name].text.columns)
        assert "pool sensitivity (assumed)" in headers and "specificity (assumed)" in headers, name
    for name in ("tests per person", "tests vs perfect assay", "PPV of a positive pool"):
        t = tables[name]
        assert "specificity (assumed)" in t.text.columns
        assert "pool sensitivity (from the assumed dilution)" in t.text.columns
        assert "individual-test sensitivity 1 (assumed)" in t.caption
        assert set(t.text["specificity (assumed)"]) == {f"{v:g}" for v in P.SPECIFICITY_SCENARIOS}
    assert "specificity 1 (assumed)" in tables["break-even"].caption
    assert "10-in-1 and 20-in-1" in tables["break-even"].caption  # Changchun's sizes, read from the facts


def test_the_yield_used_by_pooling_follows_the_precision_rule(data):
    marks = data["marks"]
    texts = PF.yield_texts(marks)
    for _, m in marks.iterrows():
        d = interval_decimals(1e4 * m["lower"], 1e4 * m["upper"])
        shown = texts[m["city"]]
        assert (len(shown.split(".")[1]) if "." in shown else 0) == d
        assert float(shown) == pytest.approx(1e4 * m["prevalence"], abs=0.5 * 10 ** -d)
    mudanjiang = next(k for k in texts if k.startswith("Mudanjiang") and ":" not in k)
    assert texts[mudanjiang] == "0.29"  # as the yields table prints 0.29 (0.17–0.45)
    grid = chapter_tables(data)["tests per person"].text
    assert any(h == f"{mudanjiang} (0.29 per 10,000)" for h in grid.columns)


def test_missed_infections_follow_the_yield_interval(data):
    nhc = P.nhc_guidance(data["supplementary"])
    prevalences = dict(zip(data["marks"]["label"], data["marks"]["prevalence"])) | {"NHC guidance threshold": nhc.value}
    numbers = P.pooling_scenarios(prevalences, data["changchun"])
    shown = PF.scenarios_reader(numbers, data["marks"]).text
    col = "missed per 10,000 screened"
    perfect = (numbers["pool sensitivity (assumed)"] == 1).to_numpy()
    assert (shown.loc[perfect, col] == "0").all()
    for (_, r), text in zip(numbers.iterrows(), shown[col]):
        assert float(text) == pytest.approx(r[col], rel=0.06, abs=1e-9)


def test_guidance_sentence_names_its_assay_and_source(data):
    nhc = P.nhc_guidance(data["supplementary"])
    small, large = data["changchun"]
    text = PF.guidance_text(small, large, nhc).data
    assert "sensitivity 1 and specificity 1, assumed" in text
    assert f"{100 * P.crossover_prevalence(small, large):.2g} %" in text
    assert nhc.source in text and nhc.quote in text
    assert f"is {P.optimal_pool_size(nhc.value)}." in text


def test_pooling_figure_legend_keys_size_and_assay():
    fig = PF.fig_pooling((10, 20), pool_sensitivities=(1.0, 0.9), specificities=(1.0, 0.99))
    curves = [t for t in fig.data if t.mode == "lines" and t.x is not None and len(t.x) > 1 and "-in-1" in t.name]
    assert len(curves) == 8 and not any(t.showlegend for t in curves)
    keys = [t for t in fig.data if t.x is not None and len(t.x) == 1 and t.x[0] is None]
    assert sorted(t.name for t in keys if "pools" in t.name) == ["10-in-1 pools", "20-in-1 pools"]
    assert len({t.line.dash for t in keys if "pools" not in t.name}) == 4  # one line style per assay
    assert fig.layout.legend.orientation == "h"  # below the plot: the plot keeps a phone's width
    data = PF.figure_data(fig)
    assert len(data) == sum(len(t.x) for t in fig.data if t.x is not None and not (len(t.x) == 1 and t.x[0] is None))
    assert not (data["x"].isna() & data["y"].isna()).any()


def test_assay_dash_tells_the_four_assays_apart():
    dashes = {PF.assay_dash(se, sp) for se in (1.0, 0.9) for sp in (1.0, 0.99)}
    assert len(dashes) == 4 and PF.assay_dash(1.0, 1.0) == "solid"


def test_forest_labels_wrap_and_hover_follows_the_precision_rule(data):
    label = YF.tick_label("Changchun 长春: Targeted testing of key residential compounds with positives", 3, 1000)
    lines = label.split("<br>")
    assert lines[0] == "<b>Changchun 长春</b>" and lines[-1] == "3 / 1,000"
    assert all(len(line) <= YF.TICK_WIDTH for line in lines[1:-1])
    fig = YF.fig_forest(data["table"])
    texts = [t for tr in fig.data if tr.text is not None for t in tr.text]
    assert "0.29 (0.17–0.45) per 10,000" in texts


def test_prevalence_marks_carry_their_interval(data):
    m = data["marks"]
    assert (m["lower"] <= m["prevalence"]).all() and (m["prevalence"] <= m["upper"]).all()
    assert not m["label"].str.contains("_").any()
    assert all(label.startswith(city + ":") for label, city in zip(m["label"], m["city"]))


def test_excluded_and_published_tables(data):
    excluded = YF.excluded_display(Y.excluded_programmes(data["screening"])).text
    assert excluded["row of screening.csv"].is_unique
    raw = Y.excluded_programmes(data["screening"])
    stated = raw["tested"].notna().to_numpy()
    assert (excluded["tested (as stated)"].str.len().gt(0).to_numpy() == stated).all()
    published = YF.published_display(Y.published_check(data["table"], data["supplementary"])).text
    assert set(published["agree"]) == {"yes"}


def test_glm_table_writes_tests_in_words(data):
    glm = YF.glm_reader(data["table"]).text
    col = "likelihood-ratio test of one common rate (Poisson GLM), or note"
    fitted = glm[glm["role"] != "excluded"][col]
    assert fitted.str.match(r"χ² = [\d.]+, \d+ df, p (= 0\.\d{3}|< 0\.001)$").all()
    assert not glm[col].str.contains(r"e[+-]\d").any()
    assert np.all([("reference" in r) == (v == "1 (reference)") for r, v in
                   zip(glm["role"], glm["rate ratio, Poisson GLM (Wald 95 % CI)"])])
    assert isinstance(glm, pd.DataFrame)
