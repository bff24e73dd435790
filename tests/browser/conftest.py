"""One browser and one HTTP server for the whole browser-test session.

``test_pages.py`` defines the ``server`` (the built HTML on 127.0.0.1) and ``browser`` (Debian's
Chromium through Playwright) fixtures that the other modules import; scoped per module, they
would start a Chromium for every test module. The session-scoped :func:`book_server` and
:func:`shared_browser` below start each once, and :func:`pytest_fixture_setup` hands them to
every use of those two fixtures (each test still opens its own browser context, so pages do not
share cookies, storage or routes).
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
#: Fixture name -> the session fixture that replaces it.
SHARED = {"server": "book_server", "browser": "shared_browser"}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def book_server():
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html/index.html is missing: build the book first (make book)")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HTML)))
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


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    """Serve ``server`` and ``browser`` (as defined in test_pages.py) from the session fixtures."""
    shared = SHARED.get(fixturedef.argname)
    if shared is None or not getattr(fixturedef.func, "__module__", "").endswith("test_pages"):
        return None
    value = request.getfixturevalue(shared)
    fixturedef.cached_result = (value, fixturedef.cache_key(request), None)
    return value
