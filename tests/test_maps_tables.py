"""The Maps chapter's reader tables and prose (issue 15, item 2): words for headers, bilingual
names, no NaN, links kept, the frames they are made from unchanged."""

from __future__ import annotations

import re

from analysis.core.loaders import load_districts, load_facts, load_places
from analysis.core.registry import city_label
from analysis.figures import maps
from analysis.methods import geo

EMPTY = re.compile(r"^(nan|NaN|None|NaT|<NA>)$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def assert_readable(table):
    assert all("_" not in str(c) for c in table.text.columns), list(table.text.columns)
    cells = [str(v).strip() for v in table.text.to_numpy().ravel()]
    assert not [v for v in cells if EMPTY.match(v) or v.endswith(("…", "..."))]
    assert not re.search(r">\s*(nan|NaN|None|NaT)\s*<", table._repr_html_())


def bilingual(text: str) -> bool:
    return bool(CHINESE.search(text)) and bool(LATIN.search(text))


def test_boundary_note_names_the_package_and_every_tolerance():
    note = maps.boundary_note()
    assert repr(note) == note.text == note._repr_markdown_()  # nbval compares the sentence itself, not an object address
    assert maps.PACKAGE in note.text
    for tolerance in geo.TOLERANCE.values():
        assert f"{tolerance}°" in note.text


def test_places_table_keeps_coordinates_to_four_decimals():
    table = geo.places_table(geo.place_points(load_places()))
    shown = maps.places_reader_table(table)
    assert_readable(shown)
    assert len(shown) == len(table)
    assert all(bilingual(p) for p in shown.text["place"])
    assert shown.text["longitude (WGS84), °E"].tolist() == [f"{v:.4f}" for v in table["lon_wgs84"]]
    assert shown.text["GCJ-02 shift, km"].tolist() == [f"{v:.2f}" for v in table["gcj02_shift_km"]]
    assert set(shown.text["kind"]) >= {"report city", "border port", "provincial capital"}


def test_distance_table_names_its_point_units():
    distances = geo.distance_table(load_places())
    shown = maps.distance_reader_table(distances)
    assert_readable(shown)
    assert shown.text["report city"].tolist() == [city_label(r) for r in distances["report"]]
    for point, units in zip(shown.text["point"], distances["point_units"]):
        assert all(code in point for code in units.split()) and CHINESE.search(point)
    assert all(bilingual(b) for b in shown.text["nearest land border"])


def test_district_table_keeps_every_link_and_every_gap_word():
    d = load_districts()
    shown = maps.district_reader_table(d)
    assert_readable(shown)
    before = maps.linked_district_table(d)
    links = re.findall(r'href="annotated\.html#fact-([a-z]+-\d+)"', shown._repr_html_())
    assert sorted(links) == sorted(re.findall(r'href="annotated\.html#fact-([a-z]+-\d+)"', before._repr_html_()))
    assert all(bilingual(u) for u in shown.text["unit"])
    jiutai = shown.text[shown.text["unit"].str.endswith("九台区")].iloc[0]
    assert jiutai["new confirmed cases"] == "stripped"
    assert (shown.text["new confirmed cases"] == "not listed").any()  # missing from its list, never 0
    assert set(shown.text["on the map"]) == {"yes", "no"}


def test_zone_shares_table_states_the_lower_bound_and_links_the_totals():
    d, facts = load_districts(), load_facts()
    shares = maps.zone_shares(d, facts)
    shown = maps.zone_shares_table(d, facts)
    assert_readable(shown)
    for row, share in zip(shown.text.itertuples(), shares.itertuples()):
        assert row[4].startswith("at least ") == bool(share.zones_unknown)
        assert f"{100 * share.zones_share:.1f} %" in row[4]
        if share.zones_unknown:
            assert all(z in row[5] for z in share.zones_unknown.split(", ")) and bilingual(row[5])
    html = shown._repr_html_()
    for fact_id in shares["total_fact"]:
        assert f'href="annotated.html#fact-{fact_id}"' in html
