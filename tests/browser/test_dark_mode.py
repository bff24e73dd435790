"""Figures follow the theme's dark mode, and every figure's citation shows its number (issue 15).

For every chapter page with figures, in headless Chromium, offline (see ``test_pages``):

* in light mode the figures are drawn on a light paper;
* after ``html[data-theme]`` is set to "dark" (what the theme's switch does) every figure is
  redrawn on a dark paper and plot background (read from the drawn SVG, not only the layout),
  with a light font and trace colours readable on it, and no light box behind it;
* switched back to light, every figure's layout is the one it was built with;
* under every figure a citation holds the figure's number from its numbered caption and the
  page's address with the figure's anchor;
* the footer shows the version of ``CITATION.cff``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from test_pages import HTML, browser, chapter_pages, expected_figures, server, shared_page  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
VERSION = str(yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"])
FIGURE_PAGES = [(p, nb) for p, nb in chapter_pages() if expected_figures(nb)]
pytestmark = pytest.mark.browser

STATE = """() => Array.from(document.querySelectorAll('div.plotly-graph-div')).map(gd => ({
    id: gd.id,
    paper: getComputedStyle(gd.querySelector('svg.main-svg')).backgroundColor,
    plot: gd._fullLayout.plot_bgcolor,
    font: gd._fullLayout.font.color,
    box: getComputedStyle(gd.closest('div.text_html') || gd.parentElement).backgroundColor,
    colours: (gd._fullData || []).filter(t => t.visible !== false && t.visible !== 'legendonly')
        .flatMap(t => [t.line && t.line.color, t.marker && t.marker.color])
        .flatMap(c => Array.isArray(c) ? c : [c]).filter(c => typeof c === 'string'),
    layout: JSON.stringify({layout: gd.layout, data: gd.data})
}))"""

CITATIONS = """() => Array.from(document.querySelectorAll('div.plotly-graph-div')).map(gd => {
    const box = gd.closest('.cell_output, .output') || gd.parentElement;
    const cite = box.querySelector('.fr-figure-cite');
    const name = cite && cite.dataset.figure;
    const fig = name && document.getElementById(name);
    const cap = fig && fig.querySelector('.caption-number');
    const num = cite && cite.querySelector('p.fr-figure-citation .fr-fignum');
    return {div: gd.id, name: name, caption: cap ? cap.textContent : null,
            number: num ? num.textContent : null,
            url: cite ? cite.querySelector('p.fr-figure-citation .fr-figurl').textContent : null,
            bibtex: cite ? cite.querySelector('details.fr-figure-bibtex pre').textContent : null,
            footer: (document.querySelector('.fr-book-version') || {}).textContent || null};
})"""


def rgb(colour: str) -> tuple[float, float, float]:
    """(r, g, b) of a CSS colour as plotly or the browser writes it."""
    colour = colour.strip().lower()
    if colour.startswith("#"):
        h = colour[1:]
        h = "".join(c * 2 for c in h) if len(h) in (3, 4) else h
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    m = re.match(r"rgba?\(([^)]+)\)", colour)
    assert m, f"unreadable colour {colour!r}"
    return tuple(float(x) for x in m.group(1).split(",")[:3])


def luminance(colour: str) -> float:
    def lin(x):
        x /= 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def colour_settings(figure_json: str) -> dict[str, object]:
    """Every colour a figure sets itself (layout and traces), by path; unset ones left out.

    Only colours: plotly writes computed ranges and constrained domains back into the layout
    when it redraws, which differ in the last digits from one draw to the next."""
    found = {}

    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                if "color" in k.lower() and x not in (None, {}, []) and not isinstance(x, dict):
                    found[f"{path}.{k}"] = x
                else:
                    walk(x, f"{path}.{k}")
        elif isinstance(v, list):
            for n, x in enumerate(v):
                walk(x, f"{path}[{n}]")

    walk(json.loads(figure_json), "")
    return found


def alpha(colour: str) -> float:
    m = re.match(r"rgba\(([^)]+)\)", colour.strip().lower())
    return float(m.group(1).split(",")[3]) if m else 1.0


def test_the_helpers_tell_dark_from_light():
    assert luminance("#14181e") < 0.02 < 0.9 < luminance("rgb(255, 255, 255)")
    assert contrast("#000", "#14181e") < 1.5 < 4.5 < contrast("#ced6dd", "#14181e")
    light = json.dumps({"layout": {"paper_bgcolor": "white", "xaxis": {"gridcolor": "#eee", "range": [0, 1]}},
                        "data": [{"marker": {"color": ["#000", "#111"]}}]})
    assert colour_settings(light) == {".layout.paper_bgcolor": "white", ".layout.xaxis.gridcolor": "#eee",
                                      ".data[0].marker.color": ["#000", "#111"]}
    left_dark = light.replace('"#eee"', '"#364150"')
    assert colour_settings(left_dark) != colour_settings(light)


@pytest.mark.parametrize("path, notebook", FIGURE_PAGES, ids=[p for p, _ in FIGURE_PAGES])
def test_figures_follow_dark_mode_and_cite_their_number(server, shared_page, path, notebook, tmp_path):  # noqa: F811
    _, page, foreign, errors = shared_page(f"{server}/{path}")
    n = expected_figures(notebook)
    page.wait_for_function("n => document.querySelectorAll('div.plotly-graph-div svg.main-svg').length >= n",
                           arg=n, timeout=15_000)
    light = page.evaluate(STATE)
    assert len(light) == n
    for fig in light:
        assert luminance(fig["paper"]) > 0.8, f"{path} {fig['id']}: light-mode paper is {fig['paper']}"

    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
    page.wait_for_function("() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
                           ".every(gd => gd.getAttribute('data-fr-theme') === 'dark')", timeout=10_000)
    page.wait_for_timeout(300)
    dark = page.evaluate(STATE)
    if path == "book/curves.html":
        page.locator("div.plotly-graph-div").first.screenshot(path=str(tmp_path / "dark.png"))
    for fig in dark:
        where = f"{path} {fig['id']}"
        assert luminance(fig["paper"]) < 0.05, f"{where}: dark-mode paper is {fig['paper']}"
        assert luminance(fig["plot"]) < 0.05, f"{where}: dark-mode plot background is {fig['plot']}"
        assert contrast(fig["font"], fig["paper"]) >= 4.5, f"{where}: font {fig['font']} unreadable"
        assert alpha(fig["box"]) == 0 or luminance(fig["box"]) < 0.05, f"{where}: light box {fig['box']}"
        for c in fig["colours"]:
            if alpha(c) > 0.3:
                assert contrast(c, fig["paper"]) >= 3, f"{where}: trace colour {c} unreadable on dark"

    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'light')")
    page.wait_for_function("() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
                           ".every(gd => gd.getAttribute('data-fr-theme') === 'light')", timeout=10_000)
    back = page.evaluate(STATE)
    for before, after in zip(light, back):
        assert colour_settings(after["layout"]) == colour_settings(before["layout"]), \
            f"{path} {before['id']}: light colours not restored"
        assert luminance(after["paper"]) > 0.8

    page_url = f"{server}/{path}"
    for c in page.evaluate(CITATIONS):
        where = f"{path} {c['div']}"
        assert c["name"], f"{where}: no citation under the figure"
        assert c["caption"], f"{where}: no numbered caption with id {c['name']}"
        number = re.search(r"\d+(\.\d+)*", c["caption"]).group(0)
        assert c["number"] == number, f"{where}: citation says figure {c['number']!r}, caption {c['caption']!r}"
        assert c["url"] == f"{page_url}#{c['name']}"
        assert f"Figure {number}:" in c["bibtex"] and f"url          = {{{page_url}#{c['name']}}}" in c["bibtex"]
        assert f"version {VERSION}" in (c["footer"] or ""), f"{path}: footer without the version"
    assert foreign == [], f"{path} requested other hosts: {foreign}"
    assert errors == [], f"{path} console errors: {errors}"


def test_every_page_footer_has_the_version():
    pages = [HTML / p for p, _ in chapter_pages()]
    assert pages and all(p.exists() for p in pages), "build the book first"
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert re.search(rf'class="fr-book-version" data-version="{re.escape(VERSION)}"', text), f"{p}: no version"
