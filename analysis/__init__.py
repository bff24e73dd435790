"""Analysis package behind the Five Reports book.

One module per question:

* :mod:`analysis.sources` -- the five report texts, their keys and quote normalisation;
* :mod:`analysis.data` -- loading and validating the curated tables in ``data/``;
* :mod:`analysis.plotting` -- the book's figure style and the offline plotly renderer.
"""

REPORT_KEYS = ("mudanjiang", "suining", "yushu", "changchun", "dongxing")

__all__ = ["REPORT_KEYS"]
