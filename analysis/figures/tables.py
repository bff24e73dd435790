"""The book's one table renderer: every table a reader sees goes through :func:`reader_table`.

What it guarantees, whatever frame it is given:

- empty cells are empty: no ``NaN``, ``None``, ``NaT`` or ``<NA>`` ever reaches the page;
- numbers carry thousands separators (``12,345``); other floats three significant digits
  (:func:`analysis.figures.fmt.fmt_rate`); an estimate with its interval is one cell,
  ``0.29 (0.17–0.45)``, its digits set by the book's precision rule
  (:func:`analysis.figures.fmt.fmt_estimate`);
- text is never cut: long text wraps inside its cell (no ``…``); text is HTML-escaped;
- the index becomes ordinary columns, so headers are words, not pandas' two-row header;
- the table sits in its own box that scrolls sideways when it is wider than the text column, so
  the page itself is never wider than the screen (a 390 px phone included);
- a long table (more than ``page_size`` rows) is paged and filterable in the browser
  (``_static/reader-tables.js``); without JavaScript, and in the PDF, every row is shown.

Layout is pandas' Styler (a stable id derived from the content, so two executions give the same
bytes); cells may link to the sentences of their curated rows, as :mod:`analysis.figures.links`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import numbers
import re

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..core.ids import source_href, split_ids
from .fmt import fmt_estimate, fmt_rate

PAGE_SIZE = 15  # rows per page of a long table
#: An estimate with its interval, "0.29 (0.17–0.45)" or "-0.08 (-0.11 to -0.06)": kept on one line.
ESTIMATE = re.compile(r"-?\d[\d.,]*(?: [a-z%/]+)? \(-?\d[\d.,]*(?:–| to )-?\d[\d.,]*(?: [a-z%/]+)?\)")


def is_empty(value) -> bool:
    """True for every spelling of "no value": None, NaN, NaT, pd.NA, an empty string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in {"", "nan", "NaN", "None", "NaT", "<NA>"}
    if isinstance(value, (list, tuple, set, dict, np.ndarray)):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_cell(value) -> str:
    """The text of one cell, for a reader: see the module docstring."""
    if is_empty(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp) or isinstance(value, dt.datetime):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if not np.isfinite(v):
            return "∞" if v > 0 else "−∞"
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return fmt_rate(v)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(fmt_cell(v) for v in value)
    return str(value)


def cell_href(row_id: str, from_page: str) -> str:
    """Where a cell's link goes: an outside source's URL as it is, a curated row's sentence otherwise."""
    if row_id.startswith(("https://", "http://")):
        return row_id
    return source_href(row_id, from_page)


def linked_cell_html(text: str, row_ids, from_page: str) -> str:
    """One cell's HTML: the escaped text (newlines kept) and numbered links to ``row_ids``."""
    shown = html.escape("" if is_empty(text) else str(text)).replace("\n", "<br/>")
    shown = ESTIMATE.sub(r'<span class="fr-nowrap">\g<0></span>', shown)
    ids = split_ids(row_ids) if isinstance(row_ids, str) else []
    if not ids:
        return shown
    links = " ".join(f'<a class="fr-source-link" href="{html.escape(cell_href(i, from_page))}" '
                     f'title="source: {html.escape(i)}">[{k + 1}]</a>' for k, i in enumerate(ids))
    return f"{shown} <sup>{links}</sup>"


def _flatten_index(frame: pd.DataFrame) -> pd.DataFrame:
    """The index as ordinary leading columns (a RangeIndex is dropped)."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame.reset_index(drop=True)
    names = [n if n is not None else "" for n in frame.index.names]
    out = frame.copy()
    out.index = out.index.set_names([n or f"_level_{k}" for k, n in enumerate(names)])
    out = out.reset_index()
    return out.rename(columns={f"_level_{k}": "" for k in range(len(names))})


def _column_label(label) -> str:
    if isinstance(label, tuple):
        return " · ".join(str(x) for x in label if str(x))
    return str(label)


def _text_and_links(frame: pd.DataFrame, intervals: dict | None, formats: dict | None,
                    links: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    data = _flatten_index(frame)
    data.columns = [_column_label(c) for c in data.columns]
    if links is not None:
        if len(links) != len(frame):
            raise ValueError(f"links has {len(links)} rows, the table {len(frame)}")
        links = links.reset_index(drop=True).copy()
        links.columns = [_column_label(c) for c in links.columns]
        links = links.reindex(columns=data.columns).astype(object)
    for name, spec in (intervals or {}).items():
        est, lo, hi, *unit = spec
        combined = [fmt_estimate(e, lo_, hi_, unit=unit[0] if unit else "")
                    for e, lo_, hi_ in zip(data[est], data[lo], data[hi])]
        position = list(data.columns).index(est)
        keep = [c for c in data.columns if c not in (est, lo, hi)]
        data = data[keep].copy()
        data.insert(min(position, len(keep)), name, combined)
        if links is not None:
            carried = links[est]
            links = links[keep].copy()
            links.insert(min(position, len(keep)), name, carried)
    text = pd.DataFrame(index=data.index)
    for col in data.columns:
        formatter = (formats or {}).get(col)
        text[col] = [fmt_cell(v) if formatter is None else ("" if is_empty(v) else formatter(v))
                     for v in data[col]]
    return text.reset_index(drop=True), links


def reader_frame(frame: pd.DataFrame, intervals: dict | None = None, columns: dict | None = None,
                 formats: dict | None = None) -> pd.DataFrame:
    """The table as the reader sees it, every cell a string (what :func:`reader_table` lays out).

    ``intervals`` maps a new column name to ``(estimate, lower, upper)`` column names (or to
    ``(estimate, lower, upper, unit)``): the three become one cell printed by
    :func:`fmt_estimate`, placed where the estimate column was. ``formats`` maps a column to a
    function of one (non-empty) value returning its text (for hours, ranges, ...). ``columns``
    renames headers to words (applied last). The index becomes ordinary columns.
    """
    text, _ = _text_and_links(frame, intervals, formats, None)
    return text.rename(columns=columns or {})


def table_html(text: pd.DataFrame, links: pd.DataFrame | None = None, from_page: str = "",
               caption: str = "", page_size: int = PAGE_SIZE) -> str:
    """Lay out a frame of strings (from :func:`reader_frame`) as the book's HTML table.

    ``links`` (same shape, by position) holds the ids of the curated rows behind each cell; they
    become numbered links to the annotated sources, relative to ``from_page``.
    """
    if links is not None and links.shape != text.shape:
        raise ValueError(f"links has shape {links.shape}, the table {text.shape}")
    cells = pd.DataFrame(
        [[linked_cell_html(text.iat[i, j], None if links is None else links.iat[i, j], from_page)
          for j in range(text.shape[1])] for i in range(text.shape[0])],
        columns=[html.escape(str(c)) for c in text.columns], dtype=object)
    digest = hashlib.sha256(pd.util.hash_pandas_object(cells, index=False).values.tobytes()
                            + "|".join(cells.columns).encode()).hexdigest()[:10]
    styler = (Styler(cells, cell_ids=False, uuid=digest).hide(axis="index")
              .set_table_attributes('class="fr-reader-table"'))
    body = styler.to_html(doctype_html=False)
    body = re.sub(r'^<style type="text/css">\s*</style>\s*', "", body)
    long = len(text) > page_size
    attrs = f' data-fr-page-size="{page_size}"' if long else ""
    # the caption sits above the scroll box, so it wraps at the column's width on a phone
    head = f'<p class="fr-table-caption">{html.escape(caption)}</p>' if caption else ""
    return f'{head}<div class="fr-table-box{" fr-table-long" if long else ""}"{attrs}>{body}</div>'


class ReaderTable:
    """What a chapter cell returns: renders as the book's table, prints as plain text (for nbval)."""

    def __init__(self, text: pd.DataFrame, links: pd.DataFrame | None = None, from_page: str = "",
                 caption: str = "", page_size: int = PAGE_SIZE):
        self.text, self.links, self.from_page = text, links, from_page
        self.caption, self.page_size = caption, page_size

    def _repr_html_(self) -> str:
        return table_html(self.text, self.links, self.from_page, self.caption, self.page_size)

    def __repr__(self) -> str:
        if self.text.empty:
            return "(no rows)" if len(self.text.columns) else "(empty table)"
        return self.text.to_string(index=False)

    def __len__(self) -> int:
        return len(self.text)


def reader_table(frame: pd.DataFrame, intervals: dict | None = None, columns: dict | None = None,
                 formats: dict | None = None, links: pd.DataFrame | None = None,
                 from_page: str = "", caption: str = "", page_size: int = PAGE_SIZE) -> ReaderTable:
    """The book's table of ``frame`` for readers (see the module docstring).

    ``intervals``, ``columns`` and ``formats`` as :func:`reader_frame`. ``links`` has the rows of
    ``frame`` (by position) and some of its columns (by name); each cell holds the
    semicolon-separated ids of the curated rows behind that value (``yushu-012``), or an outside
    URL, and becomes numbered links relative to ``from_page`` (e.g. ``book/synthesis``).
    """
    text, aligned = _text_and_links(frame, intervals, formats, links)
    text = text.rename(columns=columns or {})
    if aligned is not None:
        aligned.columns = list(text.columns)
    return ReaderTable(text, aligned, from_page, caption, page_size)


class Prose:
    """A sentence or short paragraph a chapter makes from its numbers: Markdown on the page, the same
    text as its plain repr (what nbval compares)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text
