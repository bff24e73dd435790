"""Number formatting shared by the tables, figure labels and sentences of several chapters."""

from __future__ import annotations

import math

import pandas as pd


def fmt_rate(v: float) -> str:
    """Three significant digits, trailing zeros kept (0.270), thousands written out (2,589), zero as 0."""
    if v == 0:
        return "0"
    if abs(v) >= 999.5:  # would round to 1.00e+03 in 3 significant digits
        return f"{v:,.0f}"
    decimals = max(0, 2 - math.floor(math.log10(abs(v))))  # three significant digits, fixed-point
    return f"{v:.{decimals}f}"


def fmt_hours(v) -> str:
    """Hours as the response-speed tables print them: ``1.5``, ``48``, ``1176``; ``?`` when unknown."""
    if v is None or pd.isna(v):
        return "?"
    return f"{v:.1f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:.0f}"


def interval_range(lower, upper, status: str) -> str:
    """``0–48 h``; censored intervals read ``> L h`` (the milestone had not happened by then)."""
    if status == "cannot_tell":
        return "cannot tell"
    if status == "censored":
        return f"> {fmt_hours(lower)} h (censored)"
    if lower < 0:
        return f"{fmt_hours(lower)} to {fmt_hours(upper)} h"
    return f"{fmt_hours(lower)}–{fmt_hours(upper)} h"
