"""Tables as a reader meets them, on every page of the built book (issue 15, item 2).

In headless Chromium (offline, as ``test_pages``), at 1,400 px and on a 390 px phone:

* no table cell reads ``NaN``, ``None``, ``NaT`` or ``<NA>``, and none is cut with ``…``;
* every table shown is the book's reader table (``analysis.figures.tables``), none is pandas'
  raw HTML;
* no chapter but the how-to shows a monospace ``print`` dump (the nbval-only cells are removed);
* no table box is wider than the text column at 1,400 px, and no page is wider than the phone;
* a long table is paged (rows beyond the first page hidden) and its filter finds a row.
"""

from __future__ import annotations

import pytest

from test_pages import browser, chapter_pages, open_page, server, shared_page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

#: The how-to chapter, whose code and validator messages are the point of the page.
STREAMS_ALLOWED = {"book/updating.html"}

TABLE_FACTS = """() => {
  const article = document.querySelector('article') || document.body;
  const cells = Array.from(article.querySelectorAll('.cell_output table td, .cell_output table th'));
  const bad = cells.map(c => c.textContent.trim()).filter(t => /^(nan|NaN|None|NaT|<NA>)$/.test(t));
  const cut = cells.map(c => c.textContent.trim()).filter(t => t.endsWith('…') || t.endsWith('...'));
  const tables = Array.from(article.querySelectorAll('.cell_output table'));
  const raw = tables.filter(t => !t.classList.contains('fr-reader-table')).length;
  const streams = Array.from(article.querySelectorAll('.cell_output .output.stream, .cell_output .output.text_plain'))
    .filter(e => e.offsetParent !== null && e.textContent.trim()).length;
  const column = (document.querySelector('.bd-article') || article).getBoundingClientRect();
  const wide = Array.from(article.querySelectorAll('.fr-table-box'))
    .map(b => b.getBoundingClientRect()).filter(r => r.width > 0 && r.right > column.right + 1).length;
  return {bad, cut, tables: tables.length, raw, streams, wide};
}"""


def pages():
    return [p for p, nb in chapter_pages() if nb is not None]


PHONE_CULPRITS = """() => Array.from(document.querySelectorAll('article *'))
    .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.fr-table-box, .highlight, pre, .modebar'))
    .slice(0, 3).map(e => e.tagName + '.' + e.className)"""


@pytest.mark.parametrize("path", [p for p, _ in chapter_pages()])
def test_tables_read_cleanly_and_the_page_fits_a_phone(server, shared_page, path):  # noqa: F811
    """The table checks at 1,400 px, then the width at 390 px; then the size the page had."""
    _, page, _, _ = shared_page(f"{server}/{path}")
    size = page.viewport_size
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_timeout(200)
    facts = page.evaluate(TABLE_FACTS)
    assert facts["bad"] == [], f"{path}: cells reading {sorted(set(facts['bad']))}"
    assert facts["cut"] == [], f"{path}: cells cut with an ellipsis: {facts['cut'][:3]}"
    assert facts["raw"] == 0, f"{path}: {facts['raw']} of {facts['tables']} tables are not reader tables"
    assert facts["wide"] == 0, f"{path}: {facts['wide']} table boxes wider than the text column"
    if path not in STREAMS_ALLOWED:
        assert facts["streams"] == 0, f"{path}: {facts['streams']} print dumps or plain-text outputs shown"
    page.set_viewport_size({"width": 390, "height": 800})
    page.wait_for_timeout(400)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 391, f"{path}: the page is {width} px wide at 390 px ({page.evaluate(PHONE_CULPRITS)})"
    page.set_viewport_size(size)


def test_a_long_table_is_paged_and_filterable(server, browser):  # noqa: F811
    long_pages = []
    for path in sorted(pages(), key=lambda p: p != "book/curves.html"):  # curves has the 73-row flags table
        context, page, _, _ = open_page(browser, f"{server}/{path}")
        try:
            if page.locator(".fr-table-long").count():
                long_pages.append(path)
                box = page.locator(".fr-table-long").first
                rows = box.locator("tbody tr")
                total = rows.count()
                size = int(box.get_attribute("data-fr-page-size"))
                visible = page.evaluate("b => Array.from(b.querySelectorAll('tbody tr')).filter(r => !r.hidden).length",
                                        box.element_handle())
                assert total > size and visible == size, f"{path}: {visible} of {total} rows on the first page"
                word = rows.last.locator("td").first.text_content().strip()
                box.locator("input[type=search]").fill(word)
                shown = page.evaluate("b => Array.from(b.querySelectorAll('tbody tr')).filter(r => !r.hidden)"
                                      ".map(r => r.textContent)", box.element_handle())
                assert shown and all(word.lower() in s.lower() for s in shown)
        finally:
            context.close()
        if long_pages:
            break  # one long table shows the pager works; the page checks above cover the rest
    assert long_pages, "no page has a long (paged) table"
