"""The book's search finds English and Chinese terms, offline, in a real browser.

Sphinx's search runs in the page (``searchindex.js``); the book builds its index with the
Chinese splitter and a user dictionary of the glossary's terms (``analysis/build/sphinx_search.py``).
Each query below must return at least one page, and the expected page among them.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from test_pages import open_page, server, browser  # noqa: F401  (fixtures)

QUERIES = [
    ("长春", "book/"),            # a city name inside Chinese text
    ("静态管理", "glossary"),      # a glossary term (kept whole by the user dictionary)
    ("全员核酸检测", "book/"),
    ("九台区", "book/"),           # a district name inside a sentence of the Changchun text
    ("核酸", "book/"),             # two characters found only inside longer Chinese runs: needs segmentation
    ("确诊", "book/"),
    ("screening", "book/"),        # English, stemmed
]
pytestmark = pytest.mark.browser


def search(server, browser, query: str) -> tuple[list[str], list[str]]:
    """Run the book's own search page for ``query``: (hrefs of the hits, requests to other hosts)."""
    context, page, foreign, _ = open_page(browser, f"{server}/search.html?q={quote(query)}")
    try:
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results p.search-summary');"
            " return s && /found|did not match/i.test(s.textContent); }", timeout=20_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    finally:
        context.close()
    return hits, foreign


@pytest.mark.parametrize("query, expected", QUERIES, ids=[q for q, _ in QUERIES])
def test_search_finds_the_term(server, browser, query, expected):  # noqa: F811
    hits, foreign = search(server, browser, query)
    assert hits, f"search for {query!r} found nothing"
    assert any(expected in h for h in hits), f"{query!r}: no hit on a page matching {expected!r}: {hits}"
    assert foreign == []


def test_a_term_absent_from_the_book_finds_nothing(server, browser):  # noqa: F811
    hits, _ = search(server, browser, "北极熊猫火锅")
    assert hits == []
