"""The Maps chapter's figures, drawn offline from the boundary package.

Every map is made of plain cartesian plotly traces (``go.Scatter`` with ``fill="toself"``) in
WGS84 longitude/latitude, with ``yaxis.scaleanchor="x"`` and a scale ratio of 1/cos(latitude)
at the map's centre, so that a kilometre east looks as long as a kilometre north there. Nothing is
fetched at read time (no plotly geo traces, no topojson, no tiles) and kaleido exports them.
Geometries come from :mod:`analysis.methods.geo` (converted to WGS84, simplified with the
tolerances of :data:`analysis.methods.geo.TOLERANCE`, coordinates rounded for the page).

Figures: :func:`fig_overview` (China, the report cities, neighbours, ports), :func:`fig_cities`
(one small map per city with its county-level units), :func:`fig_changchun` (27 March counts by
district) and :func:`fig_zones` (every unit of the report's lists, development zones included).
Frames (tests, CSVs): :func:`distance_summary`, :func:`county_table`, :func:`zone_table`,
:func:`linked_district_table`, :func:`zone_shares`; their reader tables are the ``*_table`` /
``*_reader_table`` functions at the end of the module. The reports are the rows of
``data/sources.csv``; a report missing from the per-report settings below gets their defaults.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from ..core.gazetteer import PACKAGE, children, prefecture_of, unit_name
from ..core.loaders import load_districts, load_facts, load_places
from ..core.registry import bilingual, city_label, report_colours, report_keys
from ..methods import geo
from .links import LinkedTable, link_points, linked_columns
from .tables import Prose, ReaderTable, reader_table

#: Hanyu pinyin of the package's Chinese names of the county-level units shown on the city maps
#: (Changchun's English names come from data/districts.csv instead); a unit not listed has only
#: its Chinese name.
COUNTY_NAMES_EN = {
    "231002": "Dong'an", "231003": "Yangming", "231004": "Aimin", "231005": "Xi'an", "231025": "Linkou",
    "231081": "Suifenhe", "231083": "Hailin", "231084": "Ning'an", "231085": "Muling", "231086": "Dongning",
    "510903": "Chuanshan", "510904": "Anju", "510921": "Pengxi", "510923": "Daying", "510981": "Shehong",
    "632701": "Yushu", "632722": "Zaduo", "632723": "Chenduo", "632724": "Zhiduo", "632725": "Nangqian",
    "632726": "Qumalai",
    "450602": "Gangkou", "450603": "Fangcheng", "450621": "Shangsi", "450681": "Dongxing",
}
#: Neighbours each city map shows (the ones its prefecture borders); a report not listed shows none.
CITY_NEIGHBOURS = {"mudanjiang": ("RUS",), "dongxing": ("VNM",), "changchun": (), "suining": (), "yushu": ()}
#: Neighbours the overview tints and names: those of the city maps.
NAMED_NEIGHBOURS = tuple(sorted({iso3 for shown in CITY_NEIGHBOURS.values() for iso3 in shown}))
#: Overview frame (lon_min, lat_min, lon_max, lat_max): mainland China; islands south of 17° N are
#: outside it.
OVERVIEW_FRAME = (72.0, 17.0, 136.5, 54.5)
ZONE_COLOUR = "#7f7f7f"
UNKNOWN_COLOUR = "#d9d9d9"
COLOURSCALE = "OrRd"
#: Overview: where each city's label sits relative to its point (pixels right and down); a report
#: not listed gets :data:`DEFAULT_LABEL_OFFSET`.
OVERVIEW_LABEL_OFFSETS = {"mudanjiang": (45, -40), "changchun": (-75, 30), "suining": (-70, 25),
                          "yushu": (0, -45), "dongxing": (40, 40)}
DEFAULT_LABEL_OFFSET = (40, -40)
#: City maps: panels per row.
CITY_MAP_COLUMNS = 3
#: Overview: province polygons smaller than this (km²; small islands) are left out.
MIN_ISLAND_KM2 = 200.0


# --------------------------------------------------------------------------------------
# Geometry -> plotly coordinates

def rings_xy(geometries, decimals: int = 3) -> tuple[list, list]:
    """x and y lists of every ring/line of the geometries, separated by ``None`` (one trace)."""
    xs: list = []
    ys: list = []
    for geom in np.atleast_1d(np.asarray(geometries, dtype=object)):
        for part in shapely.get_parts(geom):
            if part.geom_type == "Polygon":
                lines = [part.exterior, *part.interiors]
            elif part.geom_type in ("LineString", "LinearRing"):
                lines = [part]
            else:
                continue
            for line in lines:
                xy = np.round(np.asarray(line.coords), decimals)
                xs.extend(xy[:, 0].tolist() + [None])
                ys.extend(xy[:, 1].tolist() + [None])
    return xs, ys


def polygon_trace(geometries, name: str, fill: str | None, line: str = "#555", width: float = 0.6,
                  decimals: int = 3, hover: str | None = None, **kwargs) -> go.Scatter:
    """One filled (or outline-only) trace for polygons; ``hover`` is shown when the fill is hovered."""
    x, y = rings_xy(geometries, decimals)
    return go.Scatter(x=x, y=y, mode="lines", name=name, line=dict(color=line, width=width),
                      fill="toself" if fill else None, fillcolor=fill,
                      hoveron="fills" if hover else None, text=hover, hoverinfo="text" if hover else "skip",
                      **kwargs)


def label_trace(points: gpd.GeoSeries | list, labels: list[str], name: str = "labels", size: int = 11,
                color="#222", position="middle center") -> go.Scatter:
    """Text labels at points (no markers, no hover); ``color`` may be one colour per label."""
    pts = list(points)
    return go.Scatter(x=[round(p.x, 3) for p in pts], y=[round(p.y, 3) for p in pts], mode="text", text=labels,
                      textposition=position, textfont=dict(size=size, color=color), name=name, showlegend=False,
                      hoverinfo="skip")


def scale_ratio(lat: float) -> float:
    """y-axis scale ratio that makes lon/lat degrees look equal in length at latitude ``lat``."""
    return 1.0 / math.cos(math.radians(lat))


def _map_axes(fig: go.Figure, bounds, row: int | None = None, col: int | None = None, xref: str = "x") -> None:
    lon0, lat0, lon1, lat1 = bounds
    kw = dict(row=row, col=col) if row else {}
    fig.update_xaxes(range=[lon0, lon1], showgrid=False, zeroline=False, ticksuffix="°E", constrain="domain",
                     showline=True, mirror=True, linecolor="#aaa", ticks="outside", **kw)
    fig.update_yaxes(range=[lat0, lat1], showgrid=False, zeroline=False, ticksuffix="°N", constrain="domain",
                     scaleanchor=xref, scaleratio=scale_ratio((lat0 + lat1) / 2), showline=True, mirror=True,
                     linecolor="#aaa", ticks="outside", **kw)


def _pad(bounds, frac: float = 0.08, min_deg: float = 0.1):
    lon0, lat0, lon1, lat1 = bounds
    dx = max((lon1 - lon0) * frac, min_deg)
    dy = max((lat1 - lat0) * frac, min_deg)
    return (lon0 - dx, lat0 - dy, lon1 + dx, lat1 + dy)


def _tint(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _largest_part(geom):
    parts = shapely.get_parts(geom)
    return parts[int(np.argmax(shapely.area(parts)))]


def _label_point(polygon):
    """The centroid when it falls inside the polygon, else a point surely inside it."""
    c = polygon.centroid
    return c if polygon.contains(c) else polygon.representative_point()


def _drop_small_parts(gdf: gpd.GeoDataFrame, min_km2: float) -> gpd.GeoDataFrame:
    """Polygons with their parts smaller than ``min_km2`` removed (the largest part is always kept)."""
    area = gpd.GeoSeries(gdf.geometry.values, crs=gdf.crs).to_crs(geo.CRS_EQUAL_AREA)
    kept = []
    for g, ga in zip(gdf.geometry.values, area.values):
        parts, parts_a = shapely.get_parts(g), shapely.get_parts(ga)
        areas = shapely.area(parts_a) / 1e6
        keep = (areas >= min_km2) | (areas == areas.max())
        kept.append(shapely.multipolygons(parts[keep]) if keep.sum() > 1 else parts[keep][0])
    out = gdf.copy()
    out["geometry"] = kept
    return out


# --------------------------------------------------------------------------------------
# Data for the figures

def city_labels(places: pd.DataFrame) -> dict[str, str]:
    """Report key -> bilingual label of its report city (from the registry, ``sources.csv``,
    which ``check_places`` keeps equal to ``places.csv``)."""
    cities = places[places["kind"] == "report_city"]
    return {r: city_label(r) for r in cities["report"]}


def prefectures(places: pd.DataFrame | None = None) -> dict[str, str]:
    """Report key -> the prefecture-level unit drawn for it: the prefecture of its report city in
    ``places.csv`` (Yushu and Dongxing are county-level cities)."""
    places = load_places() if places is None else places
    cities = places[places["kind"] == "report_city"]
    return {r.report: prefecture_of(r.adcode) for r in cities.itertuples()}


def county_names_en(districts: pd.DataFrame | None = None) -> dict[str, str]:
    """Adcode -> English name of the county-level units on the city maps (see :data:`COUNTY_NAMES_EN`)."""
    districts = load_districts() if districts is None else districts
    names = dict(COUNTY_NAMES_EN)
    units = districts[districts["adcode"].notna()]
    names.update({r.adcode: r.district_en for r in units.itertuples()})
    return names


def county_table(districts: pd.DataFrame | None = None, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every county-level unit on the city maps: code, names, prefecture, area (the cities' CSV)."""
    names = county_names_en(districts)
    prefecture = prefectures(places)
    rows = []
    for report in report_keys():
        units = geo.load_units(children(prefecture[report]))
        area = units.to_crs(geo.CRS_EQUAL_AREA).area / 1e6
        for u, a in zip(units.itertuples(), area):
            rows.append({"report": report, "prefecture": prefecture[report], "adcode": u.adcode,
                         "name_zh": u.name_zh, "name_en": names.get(u.adcode, ""), "area_km2": round(float(a), 1)})
    return pd.DataFrame(rows)


def distance_summary(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.methods.geo.distance_table` for reading: km rounded, each with its range over
    the point unit(s)."""
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


# --------------------------------------------------------------------------------------
# Overview

def fig_overview(places: pd.DataFrame | None = None, tolerance: float | None = None) -> go.Figure:
    """China with province outlines, the five reports' prefectures filled and labelled, the land
    border, the neighbouring countries (those of the city maps, :data:`NAMED_NEIGHBOURS`, tinted and
    named) and the border ports."""
    places = load_places() if places is None else places
    tol = geo.TOLERANCE["overview"] if tolerance is None else tolerance
    frame = OVERVIEW_FRAME
    pts = geo.place_points(places)
    labels = city_labels(places)
    prefecture = prefectures(places)
    order = report_keys()
    colours = report_colours()
    fig = go.Figure()
    neighbours = geo.simplify_for_web(_drop_small_parts(geo.load_neighbours(clip=frame), MIN_ISLAND_KM2), tol, coverage=False)
    key = neighbours["iso3"].isin(NAMED_NEIGHBOURS)
    fig.add_trace(polygon_trace(neighbours[~key].geometry.values, "other neighbours", "#f0f0f0", line="#bbb",
                                decimals=2, showlegend=False))
    for nb in neighbours[key].itertuples():
        fig.add_trace(polygon_trace([nb.geometry], bilingual(nb.name_en, nb.name_zh), "#e4eaf2", line="#9aa",
                                    decimals=2, hover=bilingual(nb.name_en, nb.name_zh), showlegend=False))
    provinces = geo.simplify_for_web(_drop_small_parts(geo.load_provinces(), MIN_ISLAND_KM2), tol, coverage=False)
    provinces["geometry"] = provinces.geometry.clip_by_rect(*frame)
    fig.add_trace(polygon_trace(provinces.geometry.values, "provinces", "#ffffff", line="#999", width=0.5,
                                decimals=2, showlegend=False))
    for report in order:
        pref = geo.simplify_for_web(geo.load_units([prefecture[report]]), tol / 3)
        name = pref["name_zh"].iloc[0]
        fig.add_trace(polygon_trace(pref.geometry.values, labels[report], colours[report],
                                    line=colours[report], width=1, decimals=2,
                                    hover=f"{labels[report]}: prefecture-level unit {name} ({prefecture[report]})"))
    border = geo.simplify_for_web(geo.land_border(), tol, coverage=False)
    bx, by = rings_xy(border.geometry.values, 2)
    fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", line=dict(color="#333", width=1.4),
                             name="land border (package outline)", hoverinfo="skip"))
    cities = pts[pts["kind"] == "report_city"].set_index("report").loc[list(order)]
    fig.add_trace(go.Scatter(
        x=[round(p.x, 2) for p in cities.geometry], y=[round(p.y, 2) for p in cities.geometry], mode="markers",
        marker=dict(size=6, color="#000"), name="report city (point)",
        hovertext=[f"{labels[r]}: centroid of {c.point_units}" for r, c in cities.iterrows()], hoverinfo="text"))
    for report, c in cities.iterrows():
        ax, ay = OVERVIEW_LABEL_OFFSETS.get(report, DEFAULT_LABEL_OFFSET)
        fig.add_annotation(x=round(c.geometry.x, 2), y=round(c.geometry.y, 2), text=labels[report], ax=ax, ay=ay,
                           showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor="#333", font=dict(size=13),
                           bgcolor="rgba(255,255,255,0.85)", borderpad=2)
    ports = pts[pts["kind"] == "port"]
    fig.add_trace(go.Scatter(
        x=[round(p.x, 2) for p in ports.geometry], y=[round(p.y, 2) for p in ports.geometry], mode="markers",
        marker=dict(symbol="triangle-up", size=10, color="#fff", line=dict(color="#000", width=1.5)),
        name="border ports (centroid of their county-level city)",
        hovertext=[f"{bilingual(p.name_en, p.name_zh)} port; point: centroid of {unit_name(p.adcode)} ({p.adcode})"
                   for p in ports.itertuples()], hoverinfo="text"))
    named = neighbours[key].copy()
    anchors = [_label_point(_largest_part(g)) for g in named.geometry.clip_by_rect(*frame)]
    fig.add_trace(label_trace(anchors, [bilingual(n.name_en, n.name_zh) for n in named.itertuples()],
                              size=12, color="#556"))
    _map_axes(fig, frame)
    fig.update_layout(height=720, margin=dict(l=50, r=10, t=10, b=20),
                      legend=dict(orientation="h", x=0, y=-0.06, yanchor="top"), hovermode="closest")
    return fig


# --------------------------------------------------------------------------------------
# One map per city

def fig_cities(places: pd.DataFrame | None = None, districts: pd.DataFrame | None = None,
               tolerance: float | None = None) -> go.Figure:
    """One small map per report (:data:`CITY_MAP_COLUMNS` to a row): each report's prefecture-level
    unit with its county-level units (Chinese and English names), the report's own unit and point,
    neighbouring countries and border ports."""
    places = load_places() if places is None else places
    tol = geo.TOLERANCE["city"] if tolerance is None else tolerance
    labels = city_labels(places)
    names_en = county_names_en(districts)
    prefecture = prefectures(places)
    pts = geo.place_points(places)
    order = report_keys()
    colours = report_colours()
    n_cols = CITY_MAP_COLUMNS
    n_rows = max(1, math.ceil(len(order) / n_cols))
    with_ports = set(pts.loc[pts["kind"] == "port", "report"])
    first_with_ports = next((r for r in order if r in with_ports), None)
    fig = make_subplots(rows=n_rows, cols=n_cols, subplot_titles=[labels[r] for r in order],
                        horizontal_spacing=0.06, vertical_spacing=0.1)
    for i, report in enumerate(order):
        row, col = i // n_cols + 1, i % n_cols + 1
        xref = "x" if i == 0 else f"x{i + 1}"
        colour = colours[report]
        units = geo.simplify_for_web(geo.load_units(children(prefecture[report])), tol)
        city = pts[(pts["kind"] == "report_city") & (pts["report"] == report)].iloc[0]
        own = set(city.point_units.split())
        bounds = _pad(units.total_bounds, 0.1)
        for nb in geo.load_neighbours(CITY_NEIGHBOURS.get(report, ()), clip=bounds).itertuples():
            fig.add_trace(polygon_trace([geo.simplify_for_web(gpd.GeoDataFrame(geometry=[nb.geometry]), tol).geometry.iloc[0]],
                                        bilingual(nb.name_en, nb.name_zh), "#e4eaf2", line="#9aa",
                                        hover=bilingual(nb.name_en, nb.name_zh), showlegend=False), row=row, col=col)
        for u in units.itertuples():
            label = bilingual(names_en.get(u.adcode, ""), u.name_zh)
            fill = _tint(colour, 0.55 if u.adcode in own else 0.15)
            fig.add_trace(polygon_trace([u.geometry], label, fill, line=colour, width=0.8,
                                        hover=f"{label} ({u.adcode})", showlegend=False), row=row, col=col)
        big = units.to_crs(geo.CRS_EQUAL_AREA).area >= 0.04 * units.to_crs(geo.CRS_EQUAL_AREA).area.sum()
        shown = units[big.values]
        fig.add_trace(label_trace(shown.geometry.representative_point(),
                                  ["<br>".join(n for n in (u.name_zh, names_en.get(u.adcode, "")) if n) for u in shown.itertuples()], size=9),
                      row=row, col=col)
        border = geo.simplify_for_web(geo.land_border(), tol, coverage=False).clip_by_rect(*bounds)
        border = border[~border.is_empty]
        if len(border):
            bx, by = rings_xy(border.values, 3)
            fig.add_trace(go.Scatter(x=bx, y=by, mode="lines", line=dict(color="#333", width=1.6),
                                     name="land border", showlegend=False, hoverinfo="skip"), row=row, col=col)
        fig.add_trace(go.Scatter(x=[round(city.geometry.x, 3)], y=[round(city.geometry.y, 3)], mode="markers",
                                 marker=dict(size=7, color="#000"), name="report city point", showlegend=i == 0,
                                 legendgroup="point", hovertext=f"{labels[report]}: centroid of {city.point_units}",
                                 hoverinfo="text"), row=row, col=col)
        ports = pts[(pts["kind"] == "port") & (pts["report"] == report)]
        if len(ports):
            fig.add_trace(go.Scatter(
                x=[round(p.x, 3) for p in ports.geometry], y=[round(p.y, 3) for p in ports.geometry], mode="markers",
                marker=dict(symbol="triangle-up", size=10, color="#fff", line=dict(color="#000", width=1.5)),
                name="border port (centroid of its county-level city)", legendgroup="port",
                showlegend=report == first_with_ports,
                hovertext=[f"{bilingual(p.name_en, p.name_zh)} port" for p in ports.itertuples()], hoverinfo="text"),
                row=row, col=col)
        _map_axes(fig, bounds, row, col, xref)
    for i in range(len(order), n_rows * n_cols):  # empty panels of the last row
        fig.update_xaxes(visible=False, row=i // n_cols + 1, col=i % n_cols + 1)
        fig.update_yaxes(visible=False, row=i // n_cols + 1, col=i % n_cols + 1)
    # the legend sits in the empty last panel, or below the maps when every panel is used
    spare = len(order) < n_rows * n_cols
    legend = dict(x=0.70, y=0.3, xanchor="left") if spare else dict(orientation="h", x=0, y=-0.04, yanchor="top")
    fig.update_layout(height=410 * n_rows, margin=dict(l=40, r=20, t=40, b=30), hovermode="closest", legend=legend)
    fig.update_annotations(font_size=13)
    return fig


# --------------------------------------------------------------------------------------
# Changchun, 27 March

MEASURES = (("new_confirmed", "new confirmed", "新增确诊"), ("new_asymptomatic", "new asymptomatic", "新增无症状"))


def _hover(row, col: str) -> str:
    """Hover text of a unit on the Changchun map: its count, or why there is none."""
    value = getattr(row, col)
    if not pd.isna(value):
        text = str(int(value))
    elif col == "new_confirmed" and not pd.isna(row.new_confirmed_supplemented):
        text = f"unknown: stripped in the report (derived value {int(row.new_confirmed_supplemented)}, supplemented)"
    else:
        text = "unknown: not listed in the report"
    return f"{bilingual(row.district_en, row.district_zh)} ({row.adcode}): {text}"


def _short_en(name: str) -> str:
    """English name without its unit word (Nong'an County -> Nong'an) for labels on the map."""
    for suffix in (" District", " County", " City"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def fig_changchun(districts: pd.DataFrame | None = None, tolerance: float | None = None) -> go.Figure:
    """Choropleth of 27 March new confirmed and new asymptomatic infections by county-level unit.

    Units without a count are grey and hatched, never 0: Jiutai's confirmed count was stripped
    (its derived value is shown in the label, marked as such) and Gongzhuling is not in the
    asymptomatic list. The development zones have no boundary and are not on the map
    (:func:`fig_zones`).
    """
    tol = geo.TOLERANCE["changchun"] if tolerance is None else tolerance
    polys, _zones = geo.changchun_units(districts)
    polys = geo.simplify_for_web(polys, tol)
    vmax = float(np.nanmax(polys[[m[0] for m in MEASURES]].astype("Float64").to_numpy(dtype=float, na_value=np.nan)))
    area = polys.to_crs(geo.CRS_EQUAL_AREA).area
    labelled = (area >= 0.03 * area.sum()).to_numpy()
    fig = make_subplots(rows=1, cols=2, subplot_titles=[f"{en} {zh}" for _, en, zh in MEASURES],
                        horizontal_spacing=0.04)
    for j, (col, en, zh) in enumerate(MEASURES):
        xref = "x" if j == 0 else "x2"
        for k, u in enumerate(polys.itertuples()):
            value = getattr(u, col)
            known = not pd.isna(value)
            fill = sample_colorscale(COLOURSCALE, [float(value) / vmax])[0] if known else UNKNOWN_COLOUR
            fig.add_trace(polygon_trace([u.geometry], bilingual(u.district_en, u.district_zh), fill, line="#444",
                                        width=0.7, hover=_hover(u, col), showlegend=False,
                                        fillpattern=None if known else dict(shape="/", fgcolor="#888", size=6)),
                          row=1, col=j + 1)
        texts, dark = [], []
        for u in polys.itertuples():
            value = getattr(u, col)
            dark.append(not pd.isna(value) and float(value) / vmax > 0.6)
            name = f"{u.district_zh} {_short_en(u.district_en)}"
            if not pd.isna(value):
                texts.append(f"{name}<br>{int(value)}")
            elif col == "new_confirmed" and not pd.isna(u.new_confirmed_supplemented):
                texts.append(f"{name}<br>unknown<br>(derived {int(u.new_confirmed_supplemented)})")
            else:
                texts.append(f"{name}<br>unknown")
        shown = polys[labelled]
        fig.add_trace(label_trace(shown.geometry.representative_point(), [t for t, s in zip(texts, labelled) if s],
                                  size=10, color=["#fff" if d else "#222" for d, s in zip(dark, labelled) if s]),
                      row=1, col=j + 1)
        _map_axes(fig, _pad(polys.total_bounds, 0.03), 1, j + 1, xref)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(colorscale=COLOURSCALE, cmin=0, cmax=vmax, color=[0], showscale=True,
                                         colorbar=dict(title=dict(text="cases<br>病例", side="top"), thickness=12,
                                                       len=0.6, x=1.01))))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="unknown (stripped or not listed), not 0",
                             marker=dict(symbol="square", size=12, color=UNKNOWN_COLOUR,
                                         line=dict(color="#888", width=1))))
    fig.update_layout(height=560, margin=dict(l=40, r=40, t=40, b=40), hovermode="closest",
                      legend=dict(orientation="h", x=0, y=-0.06))
    return fig


#: The facts.csv row behind each count of districts.csv.
FACT_COLUMNS = {"new_confirmed": "confirmed_fact_id", "new_asymptomatic": "asymptomatic_fact_id"}


def zone_table(districts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every unit of the 27 March lists, mapped or not, with their counts (missing stays missing)."""
    d = load_districts() if districts is None else districts
    out = d[["district_zh", "district_en", "kind", "adcode", "new_confirmed", "new_asymptomatic",
             "new_confirmed_supplemented", *FACT_COLUMNS.values()]].copy()
    out["on_map"] = d["kind"] != "development_zone"
    return out.sort_values(["on_map", "new_confirmed"], ascending=[True, False], na_position="last").reset_index(drop=True)


def linked_district_table(districts: pd.DataFrame | None = None, from_page: str = "book/maps"):
    """:func:`zone_table` with every count linked to the sentence of its fact (annotated sources)."""
    d = (load_districts() if districts is None else districts).set_index("district_zh")
    values = zone_table(d.reset_index()).drop(columns=list(FACT_COLUMNS.values())).set_index("district_zh")
    counts = {**FACT_COLUMNS, "new_confirmed_supplemented": "supplemented_fact_id"}
    shown = values.astype(object).where(values.notna(), "")
    ids = {col: [d.at[z, fact_col] if isinstance(d.at[z, fact_col], str) else None for z in values.index]
           for col, fact_col in counts.items()}
    for col in counts:
        # a count with a fact but no value was stripped from the text; one with no fact is not in its list
        missing = "" if col == "new_confirmed_supplemented" else "not listed"  # nothing to restore
        shown[col] = [f"{v:g}" if v != "" else ("stripped" if i else missing) for v, i in zip(shown[col], ids[col])]
    return linked_columns(shown, ids, from_page)


def zone_shares(districts: pd.DataFrame | None = None, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """How much of each city total sits in the development zones (and so cannot be mapped).

    The totals are the supplemented city totals of ``facts.csv`` on the day of the districts'
    counts (the single ``as_of`` of their facts); a zone without a listed count is left out of the zones' sum, so the zones'
    share is a lower bound when a zone is unknown (the column ``zones_unknown`` names them).
    """
    d = load_districts() if districts is None else districts
    f = load_facts() if facts is None else facts
    ids = set(d[list(FACT_COLUMNS.values())].stack().dropna())
    days = set(f.loc[f["fact_id"].isin(ids), "as_of"])
    if len(days) != 1:
        raise ValueError(f"the districts' facts have {len(days)} as_of dates (need exactly 1): {sorted(map(str, days))}")
    (day,) = days
    city = f[(f["report"] == "changchun") & f["place"].isna() & (f["as_of"] == day)
             & (f["status"] == "supplemented")].set_index("metric")
    zones = d[d["kind"] == "development_zone"]
    rows = []
    for col, en, _zh in MEASURES:
        total = float(city.loc[col, "value"])
        known = zones[col].dropna()
        rows.append({"measure": en, "city_total": int(total), "total_fact": city.loc[col, "fact_id"],
                     "zones_sum": int(known.sum()), "zones_share": float(known.sum()) / total,
                     "zones_unknown": ", ".join(zones.loc[zones[col].isna(), "district_zh"])})
    return pd.DataFrame(rows)


def fig_zones(districts: pd.DataFrame | None = None) -> go.Figure:
    """Bars for every unit of the report's two lists: development zones (no boundary in the
    package, so not on the map) beside the mapped districts; unknown counts are marked, not 0."""
    t = zone_table(districts)
    t = t.iloc[::-1]
    changchun_colour = report_colours()["changchun"]
    labels = [("▲ " if not m else "") + bilingual(en, zh) for en, zh, m in zip(t["district_en"], t["district_zh"], t["on_map"])]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=[f"{en} {zh}" for _, en, zh in MEASURES],
                        horizontal_spacing=0.03)
    for j, (col, en, zh) in enumerate(MEASURES):
        for on_map, name, colour in ((True, "district on the map", changchun_colour),
                                     (False, "▲ development zone: no boundary, not on the map", ZONE_COLOUR)):
            sel = (t["on_map"] == on_map).to_numpy()
            vals = t[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            y = [lab for lab, s in zip(labels, sel) if s]
            x = [None if np.isnan(v) else v for v, s in zip(vals, sel) if s]
            facts = [f for f, s_ in zip(t[FACT_COLUMNS[col]], sel) if s_]
            fig.add_trace(link_points(go.Bar(x=x, y=y, orientation="h", name=name, marker_color=colour, legendgroup=name,
                                             showlegend=j == 0, text=[("" if v is None else f"{int(v)}") for v in x],
                                             textposition="outside", cliponaxis=False), facts, "book/maps"),
                          row=1, col=j + 1)
        unknown = t[t[col].isna()]
        texts = []
        for r in unknown.itertuples():
            if col == "new_confirmed" and not pd.isna(r.new_confirmed_supplemented):
                texts.append(f"unknown (stripped); derived {int(r.new_confirmed_supplemented)}")
            else:
                texts.append("unknown (not listed)")
        lab = dict(zip(t.index, labels))
        fig.add_trace(go.Scatter(x=[0] * len(unknown), y=[lab[i] for i in unknown.index], mode="markers+text",
                                 marker=dict(symbol="x-thin-open", size=9, color="#000", line=dict(width=1.5)),
                                 text=texts, textposition="middle right", name="unknown: no count (not 0)",
                                 legendgroup="unknown", showlegend=j == 0, hoverinfo="text"), row=1, col=j + 1)
        supp = t[t["new_confirmed_supplemented"].notna()] if col == "new_confirmed" else t.iloc[0:0]
        if len(supp):
            fig.add_trace(go.Bar(x=supp["new_confirmed_supplemented"].astype(float).tolist(), y=[lab[i] for i in supp.index],
                                 orientation="h", name="derived value for a stripped count", legendgroup="derived",
                                 marker=dict(color="rgba(0,0,0,0)", line=dict(color=changchun_colour, width=1.2),
                                             pattern=dict(shape="/", fgcolor=changchun_colour, size=5)),
                                 showlegend=True), row=1, col=j + 1)
    fig.update_layout(barmode="overlay", height=600, margin=dict(l=40, r=30, t=40, b=40),
                      legend=dict(orientation="h", x=0, y=-0.16), bargap=0.25)
    fig.update_xaxes(title_text="cases 病例", rangemode="tozero")
    return fig


# --------------------------------------------------------------------------------------
# Reader tables and prose of the page

KIND_WORDS = {"report_city": "report city", "port": "border port", "county_level_city": "county-level city"}


def kind_words(kind: str) -> str:
    """``provincial_capital`` -> ``provincial capital`` (:data:`KIND_WORDS` where plain words differ)."""
    return KIND_WORDS.get(kind, str(kind).replace("_", " "))


def boundary_note() -> Prose:
    """The boundary package and the simplification tolerances of :data:`analysis.methods.geo.TOLERANCE`."""
    t = geo.TOLERANCE
    return Prose(f"Boundaries: `{PACKAGE}`. Simplification tolerances: {t['overview']}° on the overview, "
                    f"{t['city']}° on the city maps, {t['changchun']}° on the Changchun map.")


def places_reader_table(table: pd.DataFrame) -> ReaderTable:
    """:func:`analysis.methods.geo.places_table` for readers: bilingual place, kind in words, the
    package's name, the WGS84 point (4 decimals), its unit's radius and the GCJ-02 shift (km)."""
    frame = pd.DataFrame({"place": table["place"], "kind": [kind_words(k) for k in table["kind"]], "administrative code": table["adcode"],
        "name in the package": table["package_name"], "longitude (WGS84), °E": table["lon_wgs84"],
        "latitude (WGS84), °N": table["lat_wgs84"], "radius, km": table["radius_km"],
        "GCJ-02 shift, km": table["gcj02_shift_km"]})
    decimals = {"longitude (WGS84), °E": 4, "latitude (WGS84), °N": 4, "radius, km": 1, "GCJ-02 shift, km": 2}
    return reader_table(frame, formats={c: (lambda v, d=d: f"{v:,.{d}f}") for c, d in decimals.items()})


def distance_reader_table(distances: pd.DataFrame) -> ReaderTable:
    """:func:`distance_summary` as a reader table, its point named by its units (names and codes)."""
    frame = distance_summary(distances).reset_index()
    names = [", ".join(f"{unit_name(c)} ({c})" for c in str(u).split()) for u in distances["point_units"]]
    frame["point"] = [("centroid of the urban districts " if p == "districts_centroid" else "centroid of ") + n
                      for p, n in zip(distances["point"], names)]
    return reader_table(frame, columns={"city": "report city"})


DISTRICT_COLUMNS = {"district_en": "unit", "kind": "kind", "adcode": "administrative code",
                    "new_confirmed": "new confirmed cases", "new_asymptomatic": "new asymptomatic infections",
                    "new_confirmed_supplemented": "new confirmed, derived from the city total", "on_map": "on the map"}


def district_reader_table(districts: pd.DataFrame | None = None, from_page: str = "book/maps") -> LinkedTable:
    """:func:`linked_district_table` with headers in words, bilingual unit names and kinds in words."""
    t = linked_district_table(districts, from_page)
    v = t.values.reset_index()
    v = v.assign(district_en=[bilingual(e, z) for e, z in zip(v["district_en"], v["district_zh"])],
                 kind=[kind_words(k) for k in v["kind"]])
    ids = {DISTRICT_COLUMNS[c]: list(t.links[c]) for c in (*FACT_COLUMNS, "new_confirmed_supplemented")}
    return linked_columns(v[list(DISTRICT_COLUMNS)].rename(columns=DISTRICT_COLUMNS), ids, from_page)


def zone_shares_table(districts: pd.DataFrame | None = None, facts: pd.DataFrame | None = None,
                      from_page: str = "book/maps") -> ReaderTable:
    """:func:`zone_shares` for readers: the city total links to its restored fact; a share with a
    zone of unknown count reads "at least"; the zones without a count are named in both languages."""
    d = load_districts() if districts is None else districts
    s = zone_shares(d, facts)
    names = dict(zip(d["district_zh"], d["district_en"]))
    frame = pd.DataFrame({
        "measure": s["measure"], "in the development zones": s["zones_sum"], "city total": s["city_total"],
        "share in the zones": [("at least " if u else "") + f"{100 * v:.1f} %" for v, u in zip(s["zones_share"], s["zones_unknown"])],
        "zones without a count": [", ".join(bilingual(names[z], z) for z in u.split(", ")) if u else ""
                                  for u in s["zones_unknown"]]})
    return reader_table(frame, links=pd.DataFrame({"city total": s["total_fact"]}), from_page=from_page)
