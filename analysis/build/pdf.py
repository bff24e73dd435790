"""``make pdf``: the whole book as one PDF, offline.

Jupyter Book's single-page HTML build (``--builder singlehtml``, executed notebooks from the build
cache) is printed by Debian's Chromium. ``_static/print.css`` (added to every page by Jupyter
Book) hides the code, the toggles and the page chrome in print. Each interactive figure is printed as
its static SVG export, the file its "Download: SVG" link offers for citation (:func:`static_figures`),
so Chromium neither loads the 4.8 MB plotly.js nor draws sixteen figures before it prints. The PDF
carries the chapter numbering, the numbered figure captions, the tables, the annotated sources with
their English, and each figure's citation.

The PDF links back to the HTML book (:func:`link_back`): under each chapter's title a link to its page
and in each figure's caption a link to its anchor (``book/curves.html#fig-curves-daily``). The book
has no published address (``_config.yml`` sets no ``html_baseurl``), so the links are relative to the
PDF's copy in ``_build/html/``, next to the pages: Chromium writes every link as an absolute
``file://`` address, and :func:`relative_uris` turns the ones under the single page's folder back into
relative ones. Links from one chapter to another (``annotated.html#fact-yushu-012``, the glossary)
become links inside the PDF.

    python -m analysis.build.pdf [OUTPUT.pdf]
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..core.paths import ROOT

SINGLE = ROOT / "_build" / "singlehtml"
DEFAULT_PDF = ROOT / "_build" / "pdf" / "five-reports.pdf"
#: Where the HTML book links to the PDF (its front page: ``../five-reports.pdf``).
HTML_COPY = ROOT / "_build" / "html" / "five-reports.pdf"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--run-all-compositor-stages-before-draw", "--virtual-time-budget=60000",
                  "--no-pdf-header-footer"]


def single_page() -> Path:
    """The single-page build's page, copied to the build's root so its relative links resolve."""
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "jupyter-book"), "build", str(ROOT), "--builder", "singlehtml", "-n",
                    "--keep-going"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    pages = sorted((SINGLE / "book").glob("*.html"))
    if len(pages) != 1:
        raise RuntimeError(f"expected one page in {SINGLE / 'book'}, found {len(pages)}")
    target = SINGLE / "five-reports.html"
    target.write_text(static_figures(link_back(pages[0].read_text(encoding="utf-8"))), encoding="utf-8")
    return target


_A_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")')
_DOC_START = re.compile(r'<span id="document-([^"]+)"></span>')
_HEADING_END = re.compile(r"</h[1-6]>")
_FIGURE = re.compile(r'<figure\b[^>]*\bid="([^"]+)"[^>]*>')
#: The address slot of a figure's citation, which ``_static/book-figures.js`` fills from the page's own
#: address; in the single page that would be a file on this machine, so it gets the chapter's address.
_FIGURL = re.compile(r'<span class="fr-figurl" (data-figure="([^"]+)"[^>]*)>[^<]*</span>')


def _internal(href: str, ids: set[str], docs: set[str]) -> str:
    """A link written for a chapter page (relative to ``book/``), as a link of the single page."""
    if re.match(r"[a-z][a-z0-9+.-]*:|#|/", href):
        return href  # another host, an anchor of this page, an absolute path
    path, _, anchor = href.partition("#")
    page = re.sub(r"^(\.\./)+", "", path)
    if page.endswith(".html"):
        doc = page[:-5] if page[:-5] in docs else f"book/{page[:-5]}"
        if doc in docs:
            if anchor in ids:
                return f"#{anchor}"
            return f"#document-{doc}" if f"document-{doc}" in ids else "#"
    if path.startswith("../"):  # the single page stands at the HTML root, one folder up from book/
        return page + (f"#{anchor}" if anchor else "")
    return href


#: A plotly figure as the HTML output of a cell holds it (a sized box, the div, the script that draws
#: it), followed by its download links, whose SVG is the same figure exported.
_PLOTLY_FIGURE = re.compile(
    r'<div style="[^"]*">\s*<div id="[^"]+" class="plotly-graph-div"[^>]*></div>\s*<script>.*?</script>\s*</div>'
    r'(?=<p class="fr-figure-downloads" data-figure="([^"]+)">(?:(?!</p>).)*?<a href="([^"]+\.svg)")', re.S)
_FIGURE_TITLE = re.compile(r'<span class="fr-figtitle" data-figure="([^"]+)">([^<"]*)</span>')
_PLOTLY_JS = re.compile(r'<script src="[^"]*plotly(?:\.min)?\.js[^"]*"></script>\s*')


def static_figures(page: str) -> str:
    """The page with every plotly figure that has an SVG download replaced by that SVG, as an image;
    plotly.js is dropped when no figure is left to draw."""
    titles = dict(_FIGURE_TITLE.findall(page))
    page = _PLOTLY_FIGURE.sub(lambda m: f'<img class="fr-figure-print" src="{m.group(2)}" '
                                        f'alt="{titles.get(m.group(1), m.group(1))}" '
                                        'style="width: 100%; height: auto">', page)
    return page if "plotly-graph-div" in page else _PLOTLY_JS.sub("", page)


def online_link(href: str, label: str) -> str:
    return (f'<p class="fr-online" style="font-size: 0.8em">{html.escape(label)}: '
            f'<a href="{html.escape(href)}">{html.escape(href)}</a></p>')


def link_back(page: str, root_doc: str = "book/intro") -> str:
    """The single page with links back to the HTML book, relative to the HTML root.

    * Under each chapter's first heading (the single page marks where a chapter starts with
      ``<span id="document-book/curves">``; the front page is ``root_doc``): ``book/curves.html``.
    * In each figure's caption (a ``<figure id="fig-...">``): ``book/curves.html#fig-curves-daily``,
      which is also the address its citation gives.
    * Links written for a chapter page (``annotated.html#fact-...``, ``glossary.html#glossary-...``,
      ``../_static/figures/...``) point inside the single page where their target is in it, and are
      otherwise made relative to the HTML root, where the single page stands.
    """
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    docs = set(_DOC_START.findall(page)) | {root_doc}
    page = _A_HREF.sub(lambda m: m.group(1) + html.escape(_internal(html.unescape(m.group(2)), ids, docs)) + m.group(3), page)
    main = max(page.find("<article"), 0)
    starts = [(main, root_doc)] + [(m.end(), m.group(1)) for m in _DOC_START.finditer(page)]
    edits: list[tuple[int, int, str]] = []  # (start, end, new text) in the page as it is now
    for n, (at, doc) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(page)
        heading = _HEADING_END.search(page, at, end)
        if heading:
            edits.append((heading.end(), heading.end(), online_link(f"{doc}.html", "In the HTML book")))
        for fig in _FIGURE.finditer(page, at, end):
            caption_end = page.find("</figcaption>", fig.end())
            if 0 <= caption_end < page.find("</figure>", fig.end()):
                edits.append((caption_end, caption_end, online_link(f"{doc}.html#{fig.group(1)}", "Online")))
        for url in _FIGURL.finditer(page, at, end):  # the citation's address: the figure's page, not this file
            edits.append((url.start(), url.end(),
                          f'<span class="fr-figurl-pdf" {url.group(1)}>{html.escape(doc)}.html#{url.group(2)}</span>'))
    for a, b, text in sorted(edits, reverse=True):
        page = page[:a] + text + page[b:]
    return page


def relative_uris(pdf: bytes, base: str) -> bytes:
    """The PDF with every link under ``base`` (a ``file://`` folder address, ending in ``/``) made
    relative to it, its cross-reference table moved to match (a classic ``xref`` table, as Chromium
    writes it; anything else is left unchanged)."""
    pattern = re.compile(rb"/URI \(" + re.escape(base.encode()) + rb"((?:[^()\\]|\\.)*)\)")
    xref = pdf.rfind(b"\nxref\n")
    if xref < 0 or not pattern.search(pdf, 0, xref):
        return pdf
    out, pos, shifts = [], 0, []  # shifts: (offset in the old file, bytes removed before it)
    removed = 0
    for m in pattern.finditer(pdf, 0, xref):
        out.append(pdf[pos:m.start()])
        new = b"/URI (" + m.group(1) + b")"
        out.append(new)
        removed += (m.end() - m.start()) - len(new)
        shifts.append((m.end(), removed))
        pos = m.end()
    out.append(pdf[pos:xref])

    def moved(offset: int) -> int:
        return offset - next((r for end, r in reversed(shifts) if end <= offset), 0)

    table = pdf[xref + 1:]
    header = re.match(rb"xref\n(\d+) (\d+)\r?\n", table)
    if header is None:
        return pdf
    first, count = int(header.group(1)), int(header.group(2))
    body = table[header.end():]
    entries = []
    for k in range(count):
        entry = body[20 * k:20 * k + 20]
        offset, gen, kind = int(entry[:10]), entry[11:16], entry[17:18]
        entries.append(b"%010d %s %s" % (moved(offset) if kind == b"n" else offset, gen, kind) + entry[18:])
    rest = body[20 * count:]
    start = re.search(rb"startxref\r?\n(\d+)", rest)
    if start is None or first != 0:
        return pdf
    new_xref = moved(xref + 1)
    rest = rest[:start.start(1)] + str(new_xref).encode() + rest[start.end(1):]
    return b"".join(out) + b"\n" + table[:header.end()] + b"".join(entries) + rest


def print_pdf(page: Path, output: Path = DEFAULT_PDF) -> Path:
    """Print ``page`` with Chromium (``BROWSER_PATH``); nothing is downloaded."""
    browser = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
    if not Path(browser).exists():
        raise RuntimeError(f"make pdf needs Chromium at {browser} (Debian's chromium; see .ci/install-system-deps)")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--print-to-pdf={output}", page.as_uri()], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    if not output.exists() or output.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no PDF to {output}")
    output.write_bytes(relative_uris(output.read_bytes(), page.parent.as_uri() + "/"))
    return output


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = print_pdf(single_page(), Path(args[0]) if args else DEFAULT_PDF)
    if HTML_COPY.parent.is_dir():  # the HTML book's front page links to it
        shutil.copyfile(out, HTML_COPY)
    print(f"PDF written: {out} ({out.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
