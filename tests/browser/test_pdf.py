"""``make pdf``: one PDF of the whole book, with every chapter title and every figure number.

Run after ``make pdf`` (``make test`` builds it before the browser tests). The PDF's text is read
with poppler's ``pdftotext`` and its links with ``pdfinfo -url``; the chapter titles come from the
chapters' own first headings and the figure numbers and anchors from the numbered captions of the
built HTML, so nothing here is typed twice. The link-making functions of ``analysis.build.pdf`` are
also tested on a small page of their own (printed by Chromium), so they are checked without a build.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from analysis.build.pdf import SINGLE, link_back, print_pdf, relative_uris, static_figures

from test_pages import HTML, ROOT, chapter_pages

PDF = ROOT / "_build" / "pdf" / "five-reports.pdf"
pytestmark = pytest.mark.browser


def chapter_title(page: str) -> str:
    source = ROOT / page.replace(".html", ".ipynb")
    if source.exists():
        first = next(c for c in json.loads(source.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "markdown")
        text = "".join(first["source"])
    else:
        text = (ROOT / page.replace(".html", ".md")).read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


@pytest.fixture(scope="module")
def pdf_text() -> str:
    if not PDF.exists():
        pytest.fail(f"{PDF} is missing: run make pdf first")
    return subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_has_every_chapter_title(pdf_text):
    flat = " ".join(pdf_text.split())
    missing = [t for t in (chapter_title(p) for p, _ in chapter_pages()) if " ".join(t.split()) not in flat]
    assert missing == []


def test_the_pdf_has_every_figure_number(pdf_text):
    numbers = set()
    for page in (HTML / "book").glob("*.html"):
        numbers |= set(re.findall(r"Fig\. (\d+\.\d+)", page.read_text(encoding="utf-8")))
    assert len(numbers) >= 10
    missing = sorted(n for n in numbers if f"Fig. {n}" not in pdf_text)
    assert missing == []


def test_the_pdf_shows_no_code_and_the_html_links_to_it(pdf_text):
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 50
    assert "Show code cell source" not in pdf_text and "style.publish(" not in pdf_text
    assert (HTML / "five-reports.pdf").read_bytes() == PDF.read_bytes()
    assert 'href="../five-reports.pdf"' in (HTML / "book" / "intro.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# Links back to the HTML book

def pdf_links(pdf: Path) -> list[str]:
    """Every link (URI annotation) of a PDF, as poppler reads it; poppler must report no error."""
    run = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True, check=True)
    assert run.stderr.strip() == "", run.stderr
    return [line.split(None, 2)[2] for line in run.stdout.splitlines()[1:] if line.strip()]


def xref_problems(pdf: bytes) -> list[int]:
    """Objects whose cross-reference offset does not point at ``N 0 obj``, and the startxref check."""
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf).group(1))
    assert pdf[start:start + 4] == b"xref"
    first, count = map(int, re.match(rb"xref\s+(\d+) (\d+)\s", pdf[start:]).groups())
    body = pdf[start:].split(b"\n", 2)[2]
    bad = []
    for k in range(count):
        entry = body[20 * k:20 * k + 20]
        if entry[17:18] == b"n" and not pdf[int(entry[:10]):].startswith(b"%d 0 obj" % (first + k)):
            bad.append(first + k)
    return bad


SMALL_PAGE = """<html><body><nav><a href="book/intro.html">navigation</a></nav><article>
<section id="five-reports"><h1>Five Reports</h1><p><a href="../five-reports.pdf">the PDF</a></p>
<span id="document-book/curves"></span><section id="epidemic-curves"><h2>Epidemic curves</h2>
<figure class="align-default" id="fig-curves-daily"><div>a figure
<a href="../_static/figures/fig-curves-daily.png" download>PNG</a> <a href="annotated.html#fact-yushu-012">a number</a>
<a href="glossary.html#glossary-static-management">a term</a>
<p class="fr-figure-citation">Cite: <span class="fr-figurl" data-figure="fig-curves-daily">#fig-curves-daily</span>
<span class="fr-figurl" data-figure="fig-curves-daily" data-bibtex="1">#fig-curves-daily</span></p></div>
<figcaption><p><span class="caption-number">Fig. 4.1 </span>Daily counts (\u957f\u6625)</p></figcaption></figure></section>
<div style="height: 1400px"></div>
<span id="document-book/annotated"></span><section id="annotated-sources"><h2>Annotated sources</h2>
<span id="fact-yushu-012"></span>304,900 <a href="https://example.org/a(b)">elsewhere</a></section>
<span id="document-book/glossary"></span><section id="glossary"><h2>Glossary</h2>
<p id="glossary-static-management">static management</p></section></section></article></body></html>"""


def test_link_back_adds_a_link_per_chapter_and_per_figure_and_makes_chapter_links_internal():
    page = link_back(SMALL_PAGE)
    online = re.findall(r'<p class="fr-online"[^>]*>[^<]*<a href="([^"]+)">', page)
    assert online == ["book/intro.html", "book/curves.html", "book/curves.html#fig-curves-daily",
                      "book/annotated.html", "book/glossary.html"]
    # the figure's link sits in its caption, the chapter's under its title
    assert re.search(r'Daily counts[^<]*</p><p class="fr-online"[^>]*>Online: <a href="book/curves.html#fig-curves-daily">', page)
    assert '<h2>Epidemic curves</h2><p class="fr-online"' in page
    # a chapter's links to other chapters point inside the single page; its ../ links at the HTML root
    assert 'href="#fact-yushu-012"' in page and 'href="#glossary-static-management"' in page
    assert 'href="_static/figures/fig-curves-daily.png"' in page and 'href="five-reports.pdf"' in page
    # the citation gives the figure's address in the HTML book (book-figures.js would write this file's)
    assert page.count('<span class="fr-figurl-pdf" data-figure="fig-curves-daily"') == 2
    assert page.count('>book/curves.html#fig-curves-daily</span>') == 2 and 'class="fr-figurl"' not in page
    assert 'href="https://example.org/a(b)"' in page and '<nav><a href="#">' in page  # the front page is the top


def test_the_printed_links_are_relative_and_the_pdf_stays_valid(tmp_path):
    single = tmp_path / "singlehtml"
    single.mkdir()
    page = single / "five-reports.html"
    page.write_text(link_back(SMALL_PAGE), encoding="utf-8")
    pdf = print_pdf(page, tmp_path / "small.pdf")
    links = pdf_links(pdf)
    assert links == ["book/intro.html", "five-reports.pdf", "book/curves.html", "_static/figures/fig-curves-daily.png",
                     "book/curves.html#fig-curves-daily", "book/annotated.html", "https://example.org/a(b)",
                     "book/glossary.html"]
    data = pdf.read_bytes()
    assert b"file://" not in data and xref_problems(data) == []
    assert b"/Dest /fact-yushu-012" in data  # the link to another chapter became a link inside the PDF
    # without a link under the folder, nothing changes
    assert relative_uris(data, "file:///elsewhere/") == data


# --------------------------------------------------------------------------------------
# Figures printed as their static exports

def plotly_figure(name: str, svg: bool = True, title: str = "Cases in Changchun \u957f\u6625 &amp; Jilin") -> str:
    """A figure as a cell's HTML output holds it: the sized box with the plotly div and its script,
    then the download links (with or without an SVG) and the citation with the figure's title."""
    links = f'<a href="_static/figures/{name}.png" download>PNG</a>'
    if svg:
        links += f' · <a href="_static/figures/{name}.svg" download>SVG</a>'
    return (f'<figure id="{name}"><div class="output text_html"><div style="height:320px; width:100%;">  '
            f'<div id="plotly-{name}" class="plotly-graph-div" style="height:100%; width:100%;"></div> '
            f'<script> Plotly.newPlot("plotly-{name}", [{{"x": [1]}}]); if (a < b) {{ }} </script> </div>'
            f'<p class="fr-figure-downloads" data-figure="{name}">Download: {links}</p>'
            f'<p class="fr-figure-citation"><span class="fr-figtitle" data-figure="{name}">{title}</span></p>'
            '</div></figure>')


PLOTLY_JS = '<script src="_static/plotly.min.js?v=ab5aad05"></script>\n'


def test_each_figure_with_an_svg_export_is_printed_as_that_svg_and_plotly_js_goes_with_the_last():
    page = static_figures(f"<html><head>{PLOTLY_JS}</head><body>{plotly_figure('fig-a')}<p>prose</p>"
                          f"{plotly_figure('fig-b', title='Tests in Yushu')}</body></html>")
    assert "plotly-graph-div" not in page and "Plotly.newPlot" not in page and "plotly.min.js" not in page
    images = re.findall(r'<img class="fr-figure-print" src="([^"]+)" alt="([^"]+)"', page)
    assert images == [("_static/figures/fig-a.svg", "Cases in Changchun \u957f\u6625 &amp; Jilin"),
                      ("_static/figures/fig-b.svg", "Tests in Yushu")]  # each image titled by its own figure
    # the download links, the citation and the prose between the figures stay
    assert page.count('class="fr-figure-downloads"') == 2 and "<p>prose</p>" in page
    assert page.index("fig-a.svg\"") < page.index("<p>prose</p>") < page.index("fig-b.svg\"")


def test_a_figure_without_an_svg_export_stays_interactive_and_keeps_plotly_js():
    page = static_figures(f"<html><head>{PLOTLY_JS}</head><body>{plotly_figure('fig-a')}"
                          f"{plotly_figure('fig-b', svg=False)}</body></html>")
    assert re.findall(r'<img class="fr-figure-print" src="([^"]+)"', page) == ["_static/figures/fig-a.svg"]
    assert page.count("plotly-graph-div") == 1 and 'id="plotly-fig-b"' in page and "plotly.min.js" in page


def test_the_printed_page_draws_no_figure_itself_and_each_image_is_an_exported_svg():
    page = (SINGLE / "five-reports.html").read_text(encoding="utf-8")
    images = re.findall(r'<img class="fr-figure-print" src="([^"]+)"', page)
    figures = set()
    for chapter in (HTML / "book").glob("*.html"):
        figures |= set(re.findall(r'class="plotly-graph-div"[^>]*>.*?data-figure="([^"]+)"',
                                  chapter.read_text(encoding="utf-8"), re.S))
    assert len(images) >= 10 and sorted(Path(i).stem for i in images) == sorted(figures)
    assert all((SINGLE / i).is_file() and (SINGLE / i).read_bytes().lstrip().startswith((b"<svg", b"<?xml"))
               for i in images)
    assert "plotly-graph-div" not in page and "plotly.min.js" not in page


def test_the_pdf_links_back_to_every_chapter_and_figure_of_the_html(pdf_text):
    links = pdf_links(PDF)
    assert "file:/" not in pdf_text, "the PDF prints an address on this machine"
    assert not [u for u in links if u.startswith("file:")], "a link to this machine's files"
    relative = {u for u in links if not re.match(r"[a-z][a-z0-9+.-]*:", u)}
    missing_pages = [p for p, _ in chapter_pages() if p not in relative]
    assert missing_pages == []
    figures = {(f"book/{page.name}", name) for page in (HTML / "book").glob("*.html")
               for name in re.findall(r'<figure class="[^"]*" id="(fig-[^"]+)">', page.read_text(encoding="utf-8"))}
    assert len(figures) >= 10
    missing_figures = sorted(f"{p}#{n}" for p, n in figures if f"{p}#{n}" not in relative)
    assert missing_figures == []
    # every relative link resolves from the PDF's copy in _build/html/, anchors included
    broken = []
    for uri in sorted(relative):
        path, _, anchor = uri.partition("#")
        target = HTML / path
        if not target.is_file() or (anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8", errors="replace")):
            broken.append(uri)
    assert broken == []
