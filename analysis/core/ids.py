"""Row ids and the anchors they become: one grammar, one parser.

* a fact is ``<report>-NNN`` (``yushu-012``), its anchor ``fact-yushu-012``;
* an event is ``<report>-eNN`` (``dongxing-e03``), its anchor ``event-dongxing-e03``;
* ``report-<key>`` stands for a whole report: its section of the annotated-sources page
  (anchor ``<key>-<first three characters of its file>``, e.g. ``changchun-003``).

Every link from a table cell or a figure point to a sentence is made by :func:`source_href`.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pandas as pd

from . import registry

#: Page holding the annotated texts, relative to the HTML root (without suffix).
ANNOTATED_PAGE = "book/annotated"

FACT_ID = re.compile(r"[a-z][a-z0-9_]*-\d{3}")
EVENT_ID = re.compile(r"[a-z][a-z0-9_]*-e\d{2}")
REPORT_ID = re.compile(r"report-([a-z][a-z0-9_]*)")


def row_kind(row_id: str) -> str:
    """``fact``, ``event`` or ``report``; ``ValueError`` for anything else."""
    if FACT_ID.fullmatch(row_id):
        return "fact"
    if EVENT_ID.fullmatch(row_id):
        return "event"
    if REPORT_ID.fullmatch(row_id):
        return "report"
    raise ValueError(f"{row_id!r} is not a fact id, an event id or report-<key>")


def anchor_id(kind: str, row_id: str) -> str:
    """``fact-yushu-012`` / ``event-yushu-e02``."""
    return f"{kind}-{row_id}"


def page_href(page: str, from_page: str) -> str:
    """Relative link from ``from_page`` (path without suffix, e.g. ``book/yields``) to ``page``.html."""
    return posixpath.relpath(f"{page}.html", posixpath.dirname(from_page) or ".")


def anchor_href(row_id: str, from_page: str = "book/x") -> str:
    """Relative link from a page to a fact's or an event's anchor on the annotated page."""
    return f"{page_href(ANNOTATED_PAGE, from_page)}#{anchor_id(row_kind(row_id), row_id)}"


def source_href(row_id: str, from_page: str, data_dir: Path | str | None = None) -> str:
    """Link to a fact, an event, or (``report-<key>``) a report's section of the annotated page."""
    if row_kind(row_id) == "report":
        key = REPORT_ID.fullmatch(row_id).group(1)
        return f"{page_href(ANNOTATED_PAGE, from_page)}#{registry.report(key, data_dir).section_anchor}"
    return anchor_href(row_id, from_page)


def split_ids(cell) -> list[str]:
    """The ids of a semicolon-separated cell (empty for a blank cell)."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [i for i in str(cell).split(";") if i]


def first_fact_id(cell) -> str | None:
    """The first ``facts.csv`` id in a semicolon-separated cell (None when there is none)."""
    ids = [i for i in split_ids(cell) if FACT_ID.fullmatch(i)]
    return ids[0] if ids else None
