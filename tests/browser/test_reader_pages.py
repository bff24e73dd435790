"""The pages as a reader meets them: code folded away, English beside every Chinese sentence.

Opens every chapter of the built book in headless Chromium (offline, as ``test_pages``) and
checks what a reader who never opens the code sees: no code cell's source is visible before its
"show code" toggle is opened (the "Updating the data" how-to keeps its code open), and on the
annotated-sources page every Chinese sentence has its English beside it.
"""

from __future__ import annotations

import pytest

from test_pages import browser, chapter_pages, open_page, server, shared_page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

#: The how-to chapter, whose code is the point of the page.
CODE_OPEN = {"book/updating.html"}
VISIBLE_CODE = """() => Array.from(document.querySelectorAll('div.cell_input')).filter(el => {
    const closed = el.closest('details:not([open])');
    const box = el.getBoundingClientRect();
    return !closed && el.offsetParent !== null && box.height > 0;
}).length"""


def notebook_pages():
    return [p for p, nb in chapter_pages() if nb is not None]


@pytest.mark.parametrize("path", notebook_pages())
def test_no_code_is_visible_before_its_toggle(server, shared_page, path):  # noqa: F811
    _, page, _, _ = shared_page(f"{server}/{path}")
    visible = page.evaluate(VISIBLE_CODE)
    total = page.evaluate("() => document.querySelectorAll('div.cell_input').length")
    if path in CODE_OPEN:
        assert visible > 0, f"{path}: the how-to shows its code"
    else:
        assert visible == 0, f"{path}: {visible} of {total} code cells visible without opening a toggle"
        if total:  # opening a toggle shows the code
            toggle = page.locator("details.hide summary").first
            toggle.click()
            assert page.evaluate(VISIBLE_CODE) >= 1
            toggle.click()  # closed again: the page as the next test of it expects it
            assert page.evaluate(VISIBLE_CODE) == 0


def test_every_chinese_sentence_has_its_english(server, browser):  # noqa: F811
    context, page, _, _ = open_page(browser, f"{server}/book/annotated.html")
    try:
        pairs = page.evaluate("""() => Array.from(document.querySelectorAll('.fr-pair')).map(p => [
            (p.querySelector('.fr-zh') || {}).textContent || '', (p.querySelector('.fr-en') || {}).textContent || ''])""")
        assert len(pairs) > 200
        missing = [zh for zh, en in pairs if zh.strip() and not en.strip()]
        assert missing == []
        # at phone width the English goes below the Chinese, and nothing is wider than the screen
        page.set_viewport_size({"width": 390, "height": 800})
        page.wait_for_timeout(300)
        widths = page.evaluate("""() => { const p = document.querySelector('.fr-pair');
            const zh = p.querySelector('.fr-zh').getBoundingClientRect(), en = p.querySelector('.fr-en').getBoundingClientRect();
            return [en.top >= zh.bottom - 1, Math.max(...Array.from(document.querySelectorAll('.fr-pair')).map(e => e.getBoundingClientRect().right))]; }""")
        assert widths[0], "at 390 px the English is below the Chinese"
        assert widths[1] <= 390, f"a sentence pair is {widths[1]} px wide at 390 px"
    finally:
        context.close()
