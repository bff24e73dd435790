"""Text from the CSVs reaches the HTML escaped: a ``<script>`` in a note is shown, not run.

The page below is made by the same functions the chapters use to turn table rows into HTML
(pandas' notebook display of a table, the annotated-source and restored-number lists, the
synthesis table, a plotly figure's names and hover text), fed with rows whose text fields hold
script payloads. It is served on 127.0.0.1 and opened in headless Chromium: no payload may run
(each would set ``window.__xss``), and the payload text must be visible as text.
"""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import plotly
import plotly.graph_objects as go
import pytest

from analysis.figures import annotate, links, style

from conftest import CHROMIUM, CHROMIUM_ARGS, QuietHandler

PAYLOADS = [
    "<script>window.__xss = 'script tag'</script>",
    '<img src="x" onerror="window.__xss = \'img onerror\'">',
    '"><svg onload="window.__xss = \'svg onload\'">',
]
pytestmark = pytest.mark.browser


def _hostile_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "fact_id": [f"yushu-9{i:02d}" for i in range(len(PAYLOADS))],
        "report": "yushu", "metric": PAYLOADS, "value": [1.0, 2.0, 3.0], "unit": "persons",
        "status": "supplemented", "quote": PAYLOADS, "note": PAYLOADS,
        "source_id": "sup-yushu-99",
    })


def _fragments() -> list[str]:
    rows = _hostile_rows()
    supp = pd.DataFrame({"source_id": ["sup-yushu-99"], "url": ["https://example.org/a"],
                         "trust": [PAYLOADS[0]]})
    fig = go.Figure(go.Bar(x=[1, 2, 3], y=[1, 2, 3], name=PAYLOADS[0], hovertext=PAYLOADS,
                           text=PAYLOADS))
    fig.update_layout(title=PAYLOADS[1])
    parts = [
        rows._repr_html_(),                                           # a table shown in a chapter
        annotate.supplemented_list_html("yushu", rows, supp),         # restored numbers list
        style.figure_html(fig),                                    # figure names, labels, hover text
    ]
    parts.append(links.linked_table_html(pd.DataFrame({"cell": PAYLOADS}),
                                         links=pd.DataFrame({"cell": ["yushu-001"] * 3}),
                                         from_page="book/synthesis"))
    return parts


@pytest.fixture()
def hostile_page(tmp_path):
    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copy(js, tmp_path / "plotly.min.js")
    body = "\n".join(f'<section class="part">{p}</section>' for p in _fragments())
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><script src="plotly.min.js"></script></head>'
        f"<body>{body}</body></html>", encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()


def test_script_in_table_text_is_shown_not_run(hostile_page):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(hostile_page, wait_until="load")
        page.wait_for_function("document.querySelectorAll('svg.main-svg').length > 0", timeout=15_000)
        page.wait_for_timeout(500)
        ran = page.evaluate("() => window.__xss === undefined ? null : window.__xss")
        text = page.inner_text("body")
        injected = page.evaluate(
            "() => document.querySelectorAll('body img, svg[onload]').length"
            " + Array.from(document.scripts).filter(s => s.text.includes('__xss') && !s.text.includes('Plotly.newPlot')).length")
        browser.close()
    assert ran is None, f"a payload from the table text ran: {ran}"
    assert injected == 0, "a payload became a real element"
    assert "<script>window.__xss" in text, "the payload should be visible as text"


def test_the_check_can_fail(tmp_path):
    """The same page with one fragment left unescaped does run the payload."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    (tmp_path / "index.html").write_text(f"<html><body>{PAYLOADS[1]}</body></html>", encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto((tmp_path / "index.html").as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        ran = page.evaluate("() => window.__xss === undefined ? null : window.__xss")
        browser.close()
    assert ran == "img onerror"
