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
    """Hours as the response-speed tables print them: ``1.5``, ``48``, ``1,176``; ``?`` when unknown."""
    if v is None or pd.isna(v):
        return "?"
    return f"{v:.1f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.0f}"


def interval_range(lower, upper, status: str) -> str:
    """``0–48 h``; ``cannot tell`` when the bounds are unknown (a milestone that did not happen in the
    window is worded by its caller, never as a range)."""
    if status == "cannot_tell":
        return "cannot tell"
    if lower < 0:
        return f"{fmt_hours(lower)} to {fmt_hours(upper)} h"
    return f"{fmt_hours(lower)}–{fmt_hours(upper)} h"


def interval_decimals(lower: float, upper: float, significant: int = 2) -> int:
    """Decimals for an estimate and its interval: the interval's width keeps ``significant`` digits.

    The book's one precision rule: a number is printed to the digits its uncertainty supports, no
    more. ``0.288 (0.174–0.450)`` has width 0.276, so two decimals: ``0.29 (0.17–0.45)``; a doubling
    time of 6.6 (3.6–40.0) days has width 36, so none: ``7 (4–40)``. Never negative (whole numbers
    are not rounded to tens).
    """
    width = abs(float(upper) - float(lower))
    if not math.isfinite(width) or width == 0:
        return significant
    return max(0, significant - 1 - math.floor(math.log10(width)))


def fmt_number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals and thousands separators."""
    text = f"{float(value):,.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def fmt_estimate(value, lower, upper, significant: int = 2, unit: str = "") -> str:
    """``0.29 (0.17–0.45)``: an estimate with its interval, digits from :func:`interval_decimals`.

    Limits of opposite sign, or negative ones, are joined by "to" (``-0.08 (-0.11 to -0.06)``);
    a missing estimate or limit gives an empty string (never NaN).
    """
    if any(v is None or pd.isna(v) for v in (value, lower, upper)):
        return ""
    d = interval_decimals(lower, upper, significant)
    lo, hi = fmt_number(lower, d), fmt_number(upper, d)
    joiner = " to " if float(lower) < 0 or float(upper) < 0 else "–"
    suffix = f" {unit}" if unit else ""
    return f"{fmt_number(value, d)}{suffix} ({lo}{joiner}{hi}{suffix})"
