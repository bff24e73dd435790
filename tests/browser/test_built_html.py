"""Static checks of the built HTML: internal links resolve, figures are numbered, captioned and
downloadable, and curated-number anchors exist. Run after the build (``make test`` does)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

pytestmark = pytest.mark.browser


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "name" in a and tag == "a":
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if key in a and a[key]:
                self.links.append((tag, a[key]))


def _pages():
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: build the book first")
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_no_page_is_reread_when_prose_in_data_changes():
    """Sphinx re-reads a page when a file it depends on changes. The data README is prose (the
    chapters link it through the data-package role), so no page may depend on a Markdown file:
    with ``{download}`` links each README edit re-read all eight notebook pages. The chapters' CSV
    downloads stay dependencies: a CSV change re-executes the chapter anyway."""
    import pickle

    env_file = ROOT / "_build" / ".doctrees" / "environment.pickle"
    if not env_file.exists():
        pytest.fail("_build/.doctrees/environment.pickle is missing: build the book first")
    env = pickle.loads(env_file.read_bytes())
    prose = {doc: sorted(d for d in deps if str(d).endswith(".md")) for doc, deps in env.dependencies.items()}
    assert {doc: d for doc, d in prose.items() if d} == {}


def test_every_internal_link_resolves():
    parsed = {p: _parse(p) for p in _pages()}
    broken = []
    for page, info in parsed.items():
        for tag, link in info.links:
            url = urlparse(link)
            if url.scheme or link.startswith(("//", "mailto:", "javascript:", "data:")):
                continue  # external links are not followed (offline); the browser test blocks their loading
            target_path, fragment = urldefrag(link)
            target = (page.parent / unquote(urlparse(target_path).path)).resolve() if target_path else page
            if not target.exists():
                broken.append(f"{page.relative_to(HTML)} -> {link}")
                continue
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if fragment not in ids:
                    broken.append(f"{page.relative_to(HTML)} -> {link} (no anchor)")
    assert broken == [], "\n".join(broken[:30])


def test_every_plotly_figure_is_numbered_captioned_and_downloadable():
    problems = []
    count = 0
    for page in _pages():
        html = page.read_text(encoding="utf-8")
        for fig in re.finditer(r'<figure class="[^"]*" id="(fig-[^"]+)">(.*?)</figure>', html, re.DOTALL):
            name, body = fig.group(1), fig.group(2)
            if "plotly-graph-div" not in body and "<img" not in body:
                continue
            count += 1
            if not re.search(r'<span class="caption-number">Fig\. [\d.]+ </span>', body):
                problems.append(f"{page.name}#{name}: no figure number")
            caption = re.search(r"<figcaption>(.*?)</figcaption>", body, re.DOTALL)
            if not caption or len(re.sub("<[^>]+>", "", caption.group(1)).strip()) < 20:
                problems.append(f"{page.name}#{name}: no real caption")
            if "plotly-graph-div" in body:
                for ext in ("png", "svg", "csv"):
                    if f"_static/figures/{name}.{ext}" not in body:
                        problems.append(f"{page.name}#{name}: no {ext.upper()} download")
        unnumbered = len(re.findall(r'class="plotly-graph-div"', html)) - len(
            re.findall(r'<figure class="[^"]*" id="fig-[^"]+">(?:(?!</figure>).)*plotly-graph-div', html, re.DOTALL))
        if unnumbered:
            problems.append(f"{page.name}: {unnumbered} plotly figure(s) outside a numbered figure")
    assert count > 0
    assert problems == [], "\n".join(problems)


def test_fact_anchors_exist_for_every_fact():
    from analysis.core.loaders import load_facts

    ids = _parse(HTML / "book" / "annotated.html").ids
    missing = [f for f in load_facts()["fact_id"] if f"fact-{f}" not in ids]
    assert missing == []


def test_plotly_js_loads_exactly_where_a_figure_is_drawn():
    """The 4.8 MB plotly bundle is parsed on every page that loads it: a page with a figure must load
    it (or the figure stays empty), a page without one must not (the front page, the glossary)."""
    loads, draws = {}, {}
    for page in _pages():
        html = page.read_text(encoding="utf-8")
        name = str(page.relative_to(HTML))
        loads[name] = bool(re.search(r'<script src="[^"]*_static/plotly\.min\.js', html))
        draws[name] = 'class="plotly-graph-div"' in html
    assert any(draws.values()) and not all(draws.values())
    assert {p: v for p, v in loads.items() if v != draws[p]} == {}
