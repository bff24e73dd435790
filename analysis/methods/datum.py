"""GCJ-02 <-> WGS84: the datum of the boundary package's coordinates and its inverse.

The package's Chinese boundary files are in GCJ-02 (AMap's offset coordinates), although they
read as ordinary longitude and latitude. :func:`gcj02_to_wgs84` is the exact inverse of the
standard forward transform :func:`wgs84_to_gcj02`, solved by fixed-point iteration; positions
outside :data:`GCJ02_BOX` are unchanged. :func:`geometry_to_wgs84` converts every vertex of a
shapely geometry and :func:`datum_shift_km` says how far off a position would be if the package's
coordinates were taken as WGS84.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Geod

#: eviltransform's ``outOfChina`` box (lon_min, lon_max, lat_min, lat_max): the whole of China's
#: outline in the package lies inside it (coordtransform's smaller box would cut off Mohe).
GCJ02_BOX = (72.004, 137.8347, 0.8293, 55.8271)
_A = 6378245.0  # semi-major axis of the Krasovsky ellipsoid, used by the GCJ-02 transform
_EE = 0.00669342162296594323  # its first eccentricity squared


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


def datum_shift_km(lon, lat) -> np.ndarray:
    """How far (km, geodesic) the GCJ-02 position of a WGS84 point lies from the point itself:
    the error a distance or overlay would carry if the package's coordinates were used as WGS84."""
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    glon, glat = wgs84_to_gcj02(lon, lat)
    return Geod(ellps="WGS84").inv(lon, lat, glon, glat)[2] / 1000.0
