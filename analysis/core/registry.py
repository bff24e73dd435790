"""The report registry: one row per report in ``data/sources.csv``.

Every other table refers to a report by its key (a foreign key to ``sources.report``); nothing
in the package lists the reports. A sixth report is a text in ``data/sources/`` and a row here.
The registry reads the CSV as text without validating it (the validator checks it, see
:mod:`analysis.checks.sources`), so that it can serve the validator itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .paths import data_dir as _data_dir


class UnknownReport(ValueError):
    """A report key that ``sources.csv`` does not hold (or ``sources.csv`` cannot be read)."""


@dataclass(frozen=True)
class Report:
    """One report as the registry knows it."""

    key: str
    source_file: str
    city_en: str
    city_zh: str
    province_en: str
    province_zh: str
    normalisation: tuple[str, ...]
    colour: str
    order: int

    @property
    def label(self) -> str:
        """Bilingual city label: ``Changchun 长春``."""
        return bilingual(self.city_en, self.city_zh)

    @property
    def section_anchor(self) -> str:
        """Anchor of the report's section on the annotated-sources page (``changchun-003``)."""
        return f"{self.key}-{self.source_file[:3]}"


def bilingual(english: str, chinese: str) -> str:
    """Label with the Chinese name beside the English one: ``Changchun 长春``."""
    return f"{english} {chinese}".strip()


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


@lru_cache(maxsize=32)
def _read(path: str, mtime_ns: int) -> tuple[Report, ...]:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = []
    for i, r in enumerate(df.to_dict("records")):
        order = _text(r.get("order"))
        rows.append(Report(
            key=r["report"], source_file=r["source_file"], city_en=r["city_en"], city_zh=r["city_zh"],
            province_en=r["province_en"], province_zh=r["province_zh"],
            normalisation=tuple(x for x in _text(r.get("normalisation")).split(";") if x),
            colour=_text(r.get("colour")) or "#777777",
            order=int(order) if order.isdigit() else 1000 + i))
    return tuple(sorted(rows, key=lambda rep: rep.order))


def reports(data_dir: Path | str | None = None) -> tuple[Report, ...]:
    """Every report of ``sources.csv`` in display order (cached until the file changes)."""
    path = _data_dir(data_dir) / "sources.csv"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return ()
    try:
        return _read(str(path.resolve()), mtime)
    except (KeyError, ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return ()  # an unreadable registry: the validator reports why


def report_keys(data_dir: Path | str | None = None) -> tuple[str, ...]:
    """Report keys in display order."""
    return tuple(r.key for r in reports(data_dir))


def report(key: str, data_dir: Path | str | None = None) -> Report:
    """The registry row of ``key``; :class:`UnknownReport` (a ``ValueError``) naming the known keys otherwise."""
    for r in reports(data_dir):
        if r.key == key:
            return r
    known = report_keys(data_dir)
    raise UnknownReport(f"unknown report key {key!r}; expected one of {', '.join(known)}" if known else
                        f"unknown report key {key!r}: sources.csv cannot be read as a registry")


def city_names(data_dir: Path | str | None = None) -> dict[str, tuple[str, str]]:
    """Report key -> (English, Chinese) city name."""
    return {r.key: (r.city_en, r.city_zh) for r in reports(data_dir)}


def city_label(key: str, data_dir: Path | str | None = None) -> str:
    """``Changchun 长春`` for ``changchun``."""
    return report(key, data_dir).label


def report_colours(data_dir: Path | str | None = None) -> dict[str, str]:
    """Report key -> display colour."""
    return {r.key: r.colour for r in reports(data_dir)}
