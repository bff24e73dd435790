"""Links from a number to its sentence: figure points that click through, tables whose cells link.

Every link is made by :func:`analysis.core.ids.source_href`; text is HTML-escaped.
"""

from __future__ import annotations

import pandas as pd

from ..core.ids import source_href
from .tables import ReaderTable, reader_table


def link_points(trace, row_ids, from_page: str):
    """Make each point of ``trace`` open the sentence of its curated row when clicked.

    ``row_ids`` has one entry per point: a fact or event id (``yushu-012``, ``dongxing-e03``),
    ``report-<key>``, or None for a point with no anchor. The links are relative to
    ``from_page`` (e.g. ``book/maps``) and go to the annotated-sources page. Returns the trace.
    """
    links = [source_href(i, from_page) if isinstance(i, str) and i else None for i in row_ids]
    meta = dict(trace.meta) if isinstance(trace.meta, dict) else {}
    meta["fr_links"] = links
    trace.meta = meta
    return trace


def linked_table_html(values: pd.DataFrame, links: pd.DataFrame, from_page: str) -> str:
    """The book's HTML table of ``values`` whose cells link to the rows named in the same cell of ``links``.

    ``links`` has the same rows (by position) and columns as ``values``; each cell holds the
    semicolon-separated ids (``yushu-012``, ``dongxing-e03``) of the curated rows behind the
    value, or nothing.  Text is HTML-escaped; the links go to the anchors of the
    annotated-sources page, relative to ``from_page`` (e.g. ``book/synthesis``).  Laid out by the
    book's one table renderer, :func:`analysis.figures.tables.reader_table`.
    """
    return reader_table(values, links=links, from_page=from_page)._repr_html_()


class LinkedTable(ReaderTable):
    """A reader table whose cells link to their sentences; keeps the frame it was made from."""

    def __init__(self, values: pd.DataFrame, links: pd.DataFrame, from_page: str, caption: str = ""):
        table = reader_table(values, links=links, from_page=from_page)
        super().__init__(table.text, table.links, from_page, caption)
        self.values = values


def linked_columns(values: pd.DataFrame, column_ids: dict, from_page: str, caption: str = "") -> LinkedTable:
    """A :class:`LinkedTable` in which only the named columns link: ``{column: ids, one per row}``."""
    links = pd.DataFrame(None, index=values.index, columns=values.columns, dtype=object)
    for col, ids in column_ids.items():
        links[col] = [i if isinstance(i, str) and i else None for i in ids]
    return LinkedTable(values, links, from_page, caption)
