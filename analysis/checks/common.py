"""Checks shared by the tables whose rows quote a report: quotes found, conflicts that point back, notes.

Notes (every ``note`` column of ``data/*.csv``; the rule is registered below for each such table):
a note explains, and what it quotes is verbatim.

A quotation inside a note (「…」, “…”, "…", or '…' around Chinese words) that holds Chinese
characters must be found verbatim in the normalised text of the row's report, or in the quote of
a supplementary excerpt the row cites (its ``source_id`` or an ``sup-…`` id named in the note).
An ellipsis (…) inside the quotation separates pieces that must each be found.  Quotations
without Chinese characters are the project's own English glosses, and a quotation holding a
placeholder in square brackets ("[N]/万") is a reconstruction of stripped text, not a quote: neither
is checked.  The rule covers the tables directly in ``data/`` (``data/*.csv``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..core.registry import report_keys
from ..core.tables import TABLES, Problem, is_blank, iter_rows, register_check, sibling_table
from ..core.texts import normalised_text


def check_conflicts(df: pd.DataFrame, id_col: str, file: str) -> Iterable[Problem]:
    ids = set(df[id_col])
    links = {}
    for line, row in iter_rows(df):
        raw = getattr(row, "conflicts_with")
        targets = [] if is_blank(raw) else str(raw).split(";")
        links[getattr(row, id_col)] = (line, targets)
    for own, (line, targets) in links.items():
        for t in targets:
            if t not in ids:
                yield Problem(file, line, "conflicts_with", f"{t} does not exist")
            elif own not in links[t][1]:
                yield Problem(file, line, "conflicts_with", f"{t} does not point back at {own}")
            if t == own:
                yield Problem(file, line, "conflicts_with", "a row cannot conflict with itself")


def check_quote(row, line: int, file: str, base: Path, supp: pd.DataFrame | None) -> Iterable[Problem]:
    if row.status == "supplemented":
        if is_blank(row.source_id):
            yield Problem(file, line, "source_id", "a supplemented row needs a source_id")
        elif supp is not None:
            match = supp[supp["source_id"] == row.source_id]
            if match.empty:
                yield Problem(file, line, "source_id", f"{row.source_id} is not in sources/supplementary.csv")
            elif row.quote not in match["quote"].iloc[0]:
                yield Problem(file, line, "quote", f"quote not found in the supplementary excerpt {row.source_id}")
    else:
        if row.quote not in normalised_text(row.report, base):
            yield Problem(file, line, "quote", f"quote not found in the normalised {row.report} text: {row.quote[:40]!r}")


# ------------------------------------------------------------------ notes (issue 17, item 6)

_CJK = "[\u3400-\u9fff]"
NOTE_QUOTE = re.compile(r"「([^」]*)」|“([^”]*)”|\"([^\"]*)\"|(?<![A-Za-z])'([^'A-Za-z]*" + _CJK + r"[^'A-Za-z]*)'")
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
_SUP_ID = re.compile(r"sup-[a-z][a-z0-9_]*-\d{2}")
_ROW_ID = re.compile(r"([a-z][a-z0-9_]*)-(?:[se])?\d{2,3}")


def note_quotes(note: str) -> list[str]:
    """The quotations of a note that hold Chinese characters, in order."""
    found = []
    for m in NOTE_QUOTE.finditer(note):
        q = next(g for g in m.groups() if g is not None)
        if re.search(_CJK, q) and not _PLACEHOLDER.search(q):
            found.append(q)
    return found


def quote_found(quote: str, haystacks: list[str]) -> bool:
    """Whether every piece of ``quote`` between ellipses is in one of ``haystacks``."""
    pieces = [p for p in re.split(r"…+|\.\.\.", quote) if p.strip()]
    return all(any(p in h for h in haystacks) for p in pieces)


def row_report(row: pd.Series, keys: set[str]) -> str | None:
    """The report a row belongs to: its ``report`` (or ``city``) cell, else the key of an id it holds."""
    for col in ("report", "city"):
        if isinstance(row.get(col), str) and row[col] in keys:
            return row[col]
    for value in row.values:
        m = _ROW_ID.fullmatch(str(value))
        if m and m.group(1) in keys:
            return m.group(1)
    return None


def unverified_note_quotes(df: pd.DataFrame, base: Path) -> list[tuple[int, str]]:
    """``(line, quotation)`` for every note quotation found neither in its text nor in a cited excerpt."""
    if "note" not in df.columns:
        return []
    supp = sibling_table(base, "supplementary")
    excerpts = {} if supp is None else dict(zip(supp["source_id"], supp["quote"]))
    keys = set(report_keys(base))
    out = []
    for line, (_, row) in zip(range(2, len(df) + 2), df.iterrows()):
        note = row["note"]
        if not isinstance(note, str):
            continue
        quotes = note_quotes(note)
        if not quotes:
            continue
        report = row_report(row, keys)
        haystacks = [normalised_text(report, base)] if report else []
        cited = set(_SUP_ID.findall(note))
        if isinstance(row.get("source_id"), str):
            cited.add(row["source_id"])
        haystacks += [excerpts[s] for s in sorted(cited) if s in excerpts]
        out += [(line, q) for q in quotes if not quote_found(q, haystacks)]
    return out


def _note_rules(df: pd.DataFrame, file: str, base: Path) -> Iterable[Problem]:
    for line, quote in unverified_note_quotes(df, base):
        yield Problem(file, line, "note", f"the note quotes {quote!r}, which is neither in the report's text "
                                          "nor in a supplementary excerpt the row cites")


for _table, _path in TABLES.items():
    if "/" not in _path:  # data/*.csv (the supplementary excerpts in data/sources/ quote outside sources)
        register_check(_table)(_note_rules)
