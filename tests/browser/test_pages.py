"""The built book in a real browser, offline.

Serves ``_build/html`` on 127.0.0.1 and opens every chapter page in headless Chromium
(Debian's ``/usr/bin/chromium`` driven by Playwright).  For each page it asserts that

* every plotly figure has drawn (its div holds an ``svg.main-svg``), and the page holds as
  many figures as its notebook made: a renderer that silently drops figures fails here;
* the page requested nothing from any host but 127.0.0.1 (requests elsewhere are blocked
  *and* recorded, so a CDN dependency fails even on a machine with network);
* the console shows no errors and no uncaught exceptions.

Run after the book is built (``make test`` does both).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

pytestmark = pytest.mark.browser


def chapter_pages() -> list[tuple[str, Path | None]]:
    """(page path relative to the HTML root, source notebook or None) for every page in the toc."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(s["file"] for s in chapter.get("sections", []))
    pages = []
    for f in files:
        nb = ROOT / f"{f}.ipynb"
        pages.append((f"{f}.html", nb if nb.exists() else None))
    return pages


def expected_figures(notebook: Path | None) -> int:
    """Number of plotly figures a stored notebook's outputs hold, whatever their mime type."""
    if notebook is None:
        return 0
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.plotly.v1+json" in data:
                count += 1
            elif "plotly-graph-div" in "".join(data.get("text/html", [])):
                count += "".join(data["text/html"]).count('class="plotly-graph-div"')
    return count


@pytest.fixture
def server(book_server):
    """The built HTML on 127.0.0.1: the session's one server (``conftest.book_server``)."""
    return book_server


@pytest.fixture
def browser(shared_browser):
    """Debian's Chromium: the session's one browser (``conftest.shared_browser``)."""
    return shared_browser


#: True once every plotly figure div on the page holds its drawn SVG (at once on a page without one).
FIGURES_DRAWN = ("() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
                 ".every(d => d.querySelector('svg.main-svg'))")


def open_page(browser, url: str):
    """Open ``url``; return the page and what it requested, logged and threw."""
    context = browser.new_context()
    page = context.new_page()
    foreign, console_errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith("data:") or host == "127.0.0.1":
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
    page.goto(url, wait_until="load")  # "load" waits for the async scripts (search, thebe) too
    page.wait_for_function(FIGURES_DRAWN, timeout=15_000)  # then plotly has drawn every figure
    page.wait_for_timeout(100)
    return context, page, foreign, console_errors


#: What a test must leave as it found on a shared page: address, viewport, theme, open toggles, scroll.
PAGE_STATE = """() => JSON.stringify([location.href, innerWidth, innerHeight,
    document.documentElement.getAttribute('data-theme'), document.querySelectorAll('details[open]').length,
    scrollX, scrollY])"""
#: Shared pages kept loaded at once per worker (a page's tests run one after another there).
PAGES_KEPT = 2


class SharedPages:
    """This worker's loads of pages, over a store of url -> (:func:`open_page`'s tuple, state)."""

    def __init__(self, store: dict, browser):
        self.store, self.browser, self.used = store, browser, []

    def __call__(self, url: str):
        """:func:`open_page`'s tuple for ``url``, loading it only if no earlier test left it as loaded.

        Its requests and console messages are those of every test that used the page."""
        if url not in self.store:
            while len(self.store) >= PAGES_KEPT:
                (context, *_), _state = self.store.pop(next(iter(self.store)))
                context.close()
            loaded = open_page(self.browser, url)
            self.store[url] = (loaded, loaded[1].evaluate(PAGE_STATE))
        self.used.append(url)
        return self.store[url][0]

    def release(self) -> None:
        """After a test: close every page it used whose :data:`PAGE_STATE` changed (it navigated
        away, left a new size, a toggle open, the dark theme...), so the next test loads it afresh.
        Pages it scrolled are scrolled back to the top."""
        for url in dict.fromkeys(self.used):
            if url not in self.store:
                continue
            (context, page, *_), state = self.store[url]
            try:  # scrolled back first: where a test left the scroll (a click, a screenshot) is not state
                page.evaluate("() => window.scrollTo(0, 0)")
                unchanged = page.evaluate(PAGE_STATE) == state
            except Exception:  # closed, or navigating
                unchanged = False
            if not unchanged:
                context.close()
                del self.store[url]
        self.used = []


@pytest.fixture
def shared_page(page_store, browser):
    """``shared_page(url)``: the page at ``url`` as its first load left it (see :class:`SharedPages`)."""
    pages = SharedPages(page_store, browser)
    yield pages
    pages.release()


def test_a_changed_shared_page_is_loaded_afresh(server, browser):
    """The sharing itself: an unchanged page is the same load; a resized or navigated one is not."""
    pages, url = SharedPages({}, browser), f"{server}/book/glossary.html"
    first = pages(url)[1]
    pages.release()
    assert pages(url)[1] is first
    first.set_viewport_size({"width": 500, "height": 500})
    pages.release()
    second = pages(url)[1]
    assert second is not first and first.is_closed()
    second.goto(f"{server}/index.html")
    pages.release()
    assert pages.store == {} and second.is_closed()


@pytest.mark.parametrize("path, notebook", chapter_pages(), ids=[p for p, _ in chapter_pages()])
def test_page_renders_offline(server, shared_page, path, notebook):
    _, page, foreign, console_errors = shared_page(f"{server}/{path}")
    expected = expected_figures(notebook)
    divs = page.locator("div.plotly-graph-div")
    if expected:
        page.wait_for_function(
            "n => document.querySelectorAll('div.plotly-graph-div svg.main-svg').length >= n",
            arg=expected, timeout=15_000,
        )
    drawn = page.evaluate(
        "() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
        ".filter(d => d.querySelector('svg.main-svg')).length"
    )
    assert divs.count() == expected, f"{path}: {divs.count()} plotly divs, notebook made {expected}"
    assert drawn == expected, f"{path}: only {drawn} of {expected} figures drew"
    assert foreign == [], f"{path} requested other hosts: {foreign}"
    assert console_errors == [], f"{path} console errors: {console_errors}"
    # every figure download link (PNG, SVG, CSV) resolves
    hrefs = page.eval_on_selector_all("p.fr-figure-downloads a", "els => els.map(e => e.href)")
    for href in hrefs:
        status = page.request.get(href).status
        assert status == 200, f"{path}: download {href} answered {status}"


def test_a_cdn_script_would_be_caught(server, browser, tmp_path):
    """The guard itself: a page that loads a script from another host is reported."""
    bad = HTML / "_browser_guard_check.html"
    bad.write_text('<html><head><script src="https://cdn.plot.ly/plotly-2.0.0.min.js"></script></head>'
                   "<body>x</body></html>", encoding="utf-8")
    try:
        context, _, foreign, console_errors = open_page(browser, f"{server}/{bad.name}")
        context.close()
    finally:
        bad.unlink()
    assert foreign == ["https://cdn.plot.ly/plotly-2.0.0.min.js"]
    assert console_errors, "a blocked script should show as a console error"
