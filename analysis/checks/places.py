"""Rules for ``data/places.csv``: codes in the boundary package's index, quotes, one city and capital per report."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.gazetteer import PACKAGE, land_rows
from ..core.tables import Problem, is_blank, iter_rows, register_check, sibling_table
from ..core.texts import normalised_text


@register_check("places")
def check_places(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    """Cross-table rules for ``places.csv``.

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
    rows = land_rows()
    reports = sibling_table(base, "sources")
    for line, row in iter_rows(df):
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
            if is_blank(row.quote) or is_blank(row.name_in_source):
                yield Problem(file, line, "quote", f"a {row.kind} needs a quote and name_in_source")
            elif row.quote not in normalised_text(row.report, base):
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
