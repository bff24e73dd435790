"""One browser and one HTTP server for the whole browser-test session.

The session-scoped :func:`book_server` (the built HTML on 127.0.0.1) and :func:`shared_browser`
(Debian's Chromium through Playwright) start once; the ``server`` and ``browser`` fixtures that
``test_pages.py`` defines, and the other modules import, return them.

A chapter page costs about two seconds to load (Chromium evaluates the 4.8 MB plotly.js and draws
the figures), and five modules check every chapter page. The tests of one page (those with a
page's path as their id) therefore run on one xdist worker (the scheduler below),
where they share one load of it (:data:`page_store`, ``test_pages.shared_page``); a test that
leaves the page otherwise than it found it makes the next one load it afresh. Every other page a
test opens is its own, in its own browser context.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import playwright.sync_api as sync_api
import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


#: A test of one page: its id is the page's path (``test_x[book/curves.html]``).
PAGE_TEST_ID = re.compile(r"\[([^\[\]]+\.html)\]$")


def pytest_xdist_make_scheduler(config, log):
    """Tests of one page (ids ending ``[<page>.html]``) as one unit of work, so on one worker.

    xdist's own ``--dist loadgroup`` does not group with pytest 9 (it renames ``item._nodeid``,
    which pytest 9 no longer reads: measured, every test was its own unit), so the scheduler is
    xdist's load-scope one with the page as the scope; any other test is a unit of its own."""
    from xdist.scheduler import LoadScopeScheduling

    class PageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            page = PAGE_TEST_ID.search(nodeid)
            return page.group(1) if page else nodeid

    return PageScheduling(config, log)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def book_server():
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html/index.html is missing: build the book first (make book)")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def shared_browser():
    """One Chromium for the session. While it runs, ``playwright.sync_api.sync_playwright()`` hands
    out the session's Playwright (a second one cannot run in the same thread), so a test that
    launches a browser of its own, on a page of its own, still can."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    original = sync_api.sync_playwright
    with original() as pw:

        @contextlib.contextmanager
        def session_playwright():
            yield pw

        sync_api.sync_playwright = session_playwright
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield b
            b.close()
        finally:
            sync_api.sync_playwright = original


@pytest.fixture(scope="session")
def page_store(shared_browser):  # closed before the browser is
    """Loaded pages shared within this worker: url -> (open_page's tuple, the state it was left in)."""
    store: dict[str, tuple] = {}
    yield store
    for (context, *_), _state in store.values():
        context.close()
