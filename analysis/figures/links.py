"""Links from a number to its sentence: figure points that click through, tables whose cells link.

Every link is made by :func:`analysis.core.ids.source_href`; text is HTML-escaped.
"""

from __future__ import annotations

import html

import pandas as pd

from ..core.ids import source_href, split_ids


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


def _cell_html(value, row_ids, from_page: str) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    ids = split_ids(row_ids)
    shown = html.escape(text).replace("\n", "<br/>")
    if not ids:
        return shown
    links = " ".join(f'<a class="fr-source-link" href="{html.escape(cell_href(i, from_page))}" '
                     f'title="source: {html.escape(i)}">[{k + 1}]</a>' for k, i in enumerate(ids))
    return f"{shown} <sup>{links}</sup>"


def cell_href(row_id: str, from_page: str) -> str:
    """Where a cell's link goes: an outside source's URL as it is, a curated row's sentence otherwise."""
    if row_id.startswith(("https://", "http://")):
        return row_id
    return source_href(row_id, from_page)


def linked_table_html(values: pd.DataFrame, links: pd.DataFrame, from_page: str) -> str:
    """An HTML table of ``values`` whose cells link to the rows named in the same cell of ``links``.

    ``links`` has the same rows (by position) and columns as ``values``; each cell holds the
    semicolon-separated ids (``yushu-012``, ``dongxing-e03``) of the curated rows behind the
    value, or nothing.  Text is HTML-escaped; the links go to the anchors of the
    annotated-sources page, relative to ``from_page`` (e.g. ``book/synthesis``).
    """
    links = links.reindex(columns=values.columns)
    if len(links) != len(values):
        raise ValueError(f"links has {len(links)} rows, values {len(values)}")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in values.columns)
    index_name = html.escape(str(values.index.name or ""))
    rows = []
    for k, idx in enumerate(values.index):  # by position: the index need not be unique
        cells = "".join(f"<td>{_cell_html(values.iat[k, j], links.iat[k, j], from_page)}</td>"
                        for j in range(values.shape[1]))
        rows.append(f"<tr><th>{html.escape(str(idx))}</th>{cells}</tr>")
    return (f'<table class="fr-linked-table"><thead><tr><th>{index_name}</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


class LinkedTable:
    """What a chapter cell returns: renders as a linked HTML table, prints as plain text."""

    def __init__(self, values: pd.DataFrame, links: pd.DataFrame, from_page: str):
        self.values, self.links, self.from_page = values, links, from_page

    def _repr_html_(self) -> str:
        return linked_table_html(self.values, self.links, self.from_page)

    def __repr__(self) -> str:
        return self.values.to_string()


def linked_columns(values: pd.DataFrame, column_ids: dict, from_page: str) -> LinkedTable:
    """A :class:`LinkedTable` in which only the named columns link: ``{column: ids, one per row}``."""
    links = pd.DataFrame(None, index=values.index, columns=values.columns, dtype=object)
    for col, ids in column_ids.items():
        links[col] = [i if isinstance(i, str) and i else None for i in ids]
    return LinkedTable(values, links, from_page)
