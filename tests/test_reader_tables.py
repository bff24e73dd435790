"""The book's one table renderer (analysis.figures.tables): what every reader table guarantees."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.figures.links import LinkedTable, linked_columns
from analysis.figures.tables import fmt_cell, is_empty, reader_frame, reader_table

EMPTY_WORDS = re.compile(r">\s*(nan|NaN|None|NaT|&lt;NA&gt;|<NA>)\s*<")


def test_empty_spellings_render_empty():
    frame = pd.DataFrame({"a": [np.nan, None, pd.NA], "b": [pd.NaT, pd.NaT, pd.Timestamp("2022-03-27")],
                          "c": ["None", "", "text"]})
    out = reader_table(frame)._repr_html_()
    assert not EMPTY_WORDS.search(out)
    assert reader_frame(frame).iloc[0].tolist() == ["", "", ""]
    assert reader_frame(frame).iloc[2].tolist() == ["", "2022-03-27", "text"]


def test_numbers_dates_and_booleans():
    assert fmt_cell(1234567) == "1,234,567"
    assert fmt_cell(1234567.0) == "1,234,567"
    assert fmt_cell(0.2703) == "0.270"
    assert fmt_cell(12.345) == "12.3"
    assert fmt_cell(np.int64(5)) == "5"
    assert fmt_cell(True) == "yes"
    assert fmt_cell(pd.Timestamp("2022-03-27 14:30")) == "2022-03-27 14:30"
    assert fmt_cell(float("inf")) == "∞"


def test_interval_becomes_one_cell_with_the_precision_rule():
    frame = pd.DataFrame({"unit": ["x", "y"], "r": [0.288, -0.0834], "lo": [0.174, -0.110], "hi": [0.450, -0.056]})
    text = reader_frame(frame, intervals={"rate (95 % interval)": ("r", "lo", "hi")})
    assert list(text.columns) == ["unit", "rate (95 % interval)"]
    assert text["rate (95 % interval)"].tolist() == ["0.29 (0.17–0.45)", "-0.083 (-0.110 to -0.056)"]


def test_long_text_is_never_cut_and_is_escaped():
    note = "一" * 300 + "<b>&"
    out = reader_table(pd.DataFrame({"note": [note]}))._repr_html_()
    assert "一" * 300 + "&lt;b&gt;&amp;" in out
    assert "…" not in out and "..." not in out


def test_index_becomes_columns_and_headers_are_renamed():
    frame = pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["city", "k"]))
    text = reader_frame(frame, columns={"v": "value (people)"})
    assert list(text.columns) == ["city", "k", "value (people)"]


def test_long_tables_are_paged_short_ones_not():
    assert "data-fr-page-size" in reader_table(pd.DataFrame({"a": range(40)}))._repr_html_()
    assert "data-fr-page-size" not in reader_table(pd.DataFrame({"a": range(5)}))._repr_html_()
    # every row is in the HTML: paging happens in the browser, nothing is dropped
    assert reader_table(pd.DataFrame({"a": range(40)}))._repr_html_().count("<tr>") == 41


def test_same_table_same_bytes_and_stable_id():
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert reader_table(frame)._repr_html_() == reader_table(frame.copy())._repr_html_()
    assert reader_table(frame)._repr_html_() != reader_table(frame.assign(a=[1, 3]))._repr_html_()


def test_links_follow_their_column_through_index_and_interval():
    frame = pd.DataFrame({"city": ["a", "b"], "r": [1.0, 2.0], "lo": [0.5, 1.5], "hi": [1.5, 2.5]}).set_index("city")
    links = pd.DataFrame({"r": ["yushu-012", None]}, index=frame.index)
    table = reader_table(frame, intervals={"rate": ("r", "lo", "hi")}, links=links, from_page="book/curves")
    out = table._repr_html_()
    assert out.count('class="fr-source-link"') == 1
    assert "annotated.html#fact-yushu-012" in out
    assert list(table.links.columns) == list(table.text.columns)
    assert table.links.loc[0, "rate"] == "yushu-012"


def test_linked_table_is_a_reader_table():
    frame = pd.DataFrame({"v": [np.nan, 3.0]}, index=pd.Index(["a", "b"], name="city"))
    table = linked_columns(frame, {"v": [None, "changchun-001"]}, "book/synthesis")
    assert isinstance(table, LinkedTable)
    out = table._repr_html_()
    assert "fr-reader-table" in out and not EMPTY_WORDS.search(out)
    assert "NaN" not in repr(table)


def test_links_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        reader_table(pd.DataFrame({"a": [1, 2]}), links=pd.DataFrame({"a": ["x"]}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False), st.integers(-10**9, 10**9),
                          st.text(max_size=30)), min_size=1, max_size=20))
def test_no_value_prints_as_nan_whatever_the_column(values):
    out = reader_table(pd.DataFrame({"mixed": pd.Series(values, dtype=object)}))._repr_html_()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", out, flags=re.S)
    assert len(cells) == len(values)
    for value, cell in zip(values, cells):
        if is_empty(value):
            assert cell.strip() == ""


def test_an_estimate_and_its_interval_stay_on_one_line():
    out = reader_table(pd.DataFrame({"r": ["rate 0.29 (0.17–0.45) per day", "-0.083 (-0.110 to -0.056)"]}))._repr_html_()
    assert '<span class="fr-nowrap">0.29 (0.17–0.45)</span>' in out
    assert '<span class="fr-nowrap">-0.083 (-0.110 to -0.056)</span>' in out


def test_a_caption_sits_above_the_scroll_box():
    out = reader_table(pd.DataFrame({"a": [1]}), caption="Yields & more")._repr_html_()
    assert out.startswith('<p class="fr-table-caption">Yields &amp; more</p><div class="fr-table-box')
    assert "<caption>" not in out
