"""One browser and one HTTP server for the whole browser-test session.

The session-scoped :func:`book_server` (the built HTML on 127.0.0.1) and :func:`shared_browser`
(Debian's Chromium through Playwright) start once; the ``server`` and ``browser`` fixtures that
``test_pages.py`` defines, and the other modules import, return them (each test still opens its
own browser context, so pages do not share cookies, storage or routes).
"""

from __future__ import annotations

import contextlib
import functools
import os
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
