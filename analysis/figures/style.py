"""The book's figure style, the offline plotly renderer and the citable static exports.

Every chapter calls :func:`configure` in its first cell.  It

* registers the ``book`` plotly renderer and makes it the default: a figure is emitted as a
  small ``text/html`` fragment *without* plotly.js (the book serves one self-hosted
  ``plotly.min.js``, see :mod:`analysis.build.sphinx_offline`) and with a div id derived from a
  hash of the figure, so re-executing a notebook gives byte-identical output;
* installs the ``five_reports`` plotly template (fonts with CJK fallbacks, colours);
* sets matplotlib's fonts so Chinese place names render in static figures.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import os
import re
import shutil
import warnings
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

from ..core import registry
from ..core.citation import CITATION_FILE, book_citation
from ..core.paths import ROOT

RENDERER = "book"
TEMPLATE = "five_reports"

#: One palette for the four statuses of a curated number (every table and figure uses it); no city colour.
STATUS_COLOURS = {"reported": "#4D4D4D", "derived": "#56B4E9", "supplemented": "#F0E442", "stripped": "#BBBBBB"}
#: Colours for series that are not report cities (pool sizes, scenarios, models): never a city's colour.
SERIES_COLOURS = ("#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499")
#: Colour of outside anchors (cities that are not one of the reports).
ANCHOR_COLOUR = "#555555"
FONT_FAMILY = "Noto Sans, Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, Arial, sans-serif"


def figure_id(fig: go.Figure) -> str:
    """A stable div id: a short hash of the figure's JSON."""
    return "plotly-" + hashlib.sha256(fig.to_json().encode("utf-8")).hexdigest()[:16]


#: Runs after each figure is drawn: a click on a point whose trace carries source links
#: (``meta.fr_links``, set by :func:`link_points`) opens the sentence behind that number.
CLICK_TO_SOURCE = (
    "var gd = document.getElementById('{plot_id}');"
    "if (gd && gd.on) { gd.on('plotly_click', function (ev) {"
    " var p = ev && ev.points && ev.points[0]; if (!p || !p.data || !p.data.meta) return;"
    " var links = p.data.meta.fr_links; var i = (p.pointIndex !== undefined) ? p.pointIndex : p.pointNumber;"
    " if (links && typeof links[i] === 'string' && links[i]) { window.location.href = links[i]; } }); }"
)


def figure_html(fig: go.Figure) -> str:
    """The HTML fragment of a figure, without plotly.js, with a deterministic div id."""
    return pio.to_html(
        fig,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        div_id=figure_id(fig),
        config={"displaylogo": False, "responsive": True},
        post_script=CLICK_TO_SOURCE,
    )


class BookRenderer(MimetypeRenderer):
    """Renders figures as ``text/html`` that relies on the page's shared plotly.js."""

    def to_mimebundle(self, fig_dict):
        return {"text/html": figure_html(go.Figure(fig_dict))}


def _template() -> go.layout.Template:
    t = go.layout.Template()
    t.layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=13, color="#222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(registry.report_colours().values()),
        margin=dict(l=60, r=20, t=50, b=50),
        xaxis=dict(showgrid=True, gridcolor="#e5e5e5", linecolor="#888", zeroline=False),
        yaxis=dict(showgrid=True, gridcolor="#e5e5e5", linecolor="#888", zeroline=False),
        hoverlabel=dict(font_family=FONT_FAMILY),
    )
    return t


def configure() -> None:
    """Set up plotly and matplotlib for a chapter (idempotent)."""
    pio.renderers[RENDERER] = BookRenderer()
    pio.renderers.default = RENDERER
    pio.templates[TEMPLATE] = _template()
    pio.templates.default = "simple_white+" + TEMPLATE
    try:
        import matplotlib as mpl

        mpl.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP"]
        mpl.rcParams["svg.hashsalt"] = "five-reports"  # stable SVG ids
        mpl.rcParams["figure.dpi"] = 100
    except ImportError:  # pragma: no cover - matplotlib is in requirements.txt
        pass


#: Where static exports go, relative to the chapter notebooks (book/): built with the book,
#: not committed.
STATIC_DIR = "figures"


def save_static(fig, name: str, directory: str | None = None, formats=("png", "svg")) -> list[str]:
    """Save a matplotlib figure as ``<directory>/<name>.<fmt>`` for citation; return the paths.

    ``name`` is the figure's stable name (e.g. ``fig-maps-overview``).  SVGs are written with a
    fixed hash salt and no date metadata so that two builds give identical files.
    """
    import matplotlib as mpl

    out = Path(directory or STATIC_DIR)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with mpl.rc_context({"svg.hashsalt": "five-reports"}):
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            meta = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(path, format=fmt, dpi=150, bbox_inches="tight", metadata=meta)
            paths.append(str(path))
    return paths


# --------------------------------------------------------------------------------------
# Citable figures: interactive figure + static PNG/SVG + the data behind it

#: Folder (relative to the book's root) whose files Sphinx copies into ``_build/html/_static``.
PUBLISH_DIR = "_static/figures"
_SVG_UID = re.compile(r'id="defs-([0-9a-f]{6})"')


def stable_svg(svg: str, seed: str) -> str:
    """Replace plotly's random 6-hex figure uid in an SVG export with one derived from ``seed``."""
    m = _SVG_UID.search(svg)
    if not m:
        return svg
    uid = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:6]
    return svg.replace(m.group(1), uid)


_KALEIDO_SERVER: list = []


def start_kaleido_server() -> None:
    """Start kaleido's shared Chromium once per process: about 0.35 s per export instead of 2.2 s.

    Without it every export launches and closes a browser. The server is stopped at exit.
    """
    if _KALEIDO_SERVER:
        return
    import kaleido

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    _KALEIDO_SERVER.append(True)


#: Exports of unchanged figures are reused from here (``FIVE_REPORTS_DERIVED_CACHE=off``: never).
EXPORT_CACHE_DIR = ROOT / "_build" / "derived" / "figures"
DERIVED_CACHE_ENV = "FIVE_REPORTS_DERIVED_CACHE"


def export_key(export: go.Figure, name: str, browser: str) -> str:
    """What a static export is made from: the figure JSON as exported, its name (seed of the SVG
    ids), the scale, and the versions of plotly, kaleido, choreographer and the browser binary."""
    b = Path(browser).resolve() if Path(browser).exists() else None
    parts = [export.to_json(), name, "scale=2", *(f"{p}=={version(p)}" for p in ("plotly", "kaleido", "choreographer")),
             f"{b}:{b.stat().st_size}:{b.stat().st_mtime_ns}" if b else browser]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def export_static(fig: go.Figure, name: str, out_dir=None) -> list:
    """PNG and SVG of a plotly figure via kaleido and the system Chromium (``BROWSER_PATH``).

    An export whose figure has not changed (same :func:`export_key`) is copied, byte for byte,
    from ``_build/derived/figures/`` instead of being drawn again.
    Raises ``RuntimeError`` with a clear message when no Chromium is installed: a static export
    is never silently skipped, and kaleido never downloads a browser.
    """
    browser = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
    if not (Path(browser).exists() or shutil.which("chromium")):
        raise RuntimeError(f"static export of {name} needs Chromium (BROWSER_PATH={browser}); "
                           "install Debian's chromium (see .ci/run)")
    os.environ.setdefault("BROWSER_PATH", browser)
    out = Path(out_dir) if out_dir is not None else ROOT / PUBLISH_DIR
    out.mkdir(parents=True, exist_ok=True)
    png, svg = out / f"{name}.png", out / f"{name}.svg"
    export = go.Figure(fig)
    export.update_layout(width=fig.layout.width or 900, height=fig.layout.height or 500)
    for i, trace in enumerate(export.data):  # plotly otherwise draws a random uid into the SVG
        trace.uid = f"{i:06x}"
    use_cache = os.environ.get(DERIVED_CACHE_ENV, "").lower() != "off"
    key = export_key(export, name, browser) if use_cache else ""
    cached = [EXPORT_CACHE_DIR / f"{key}.png", EXPORT_CACHE_DIR / f"{key}.svg"]
    if use_cache and all(c.is_file() for c in cached):
        for c, target in zip(cached, (png, svg)):
            shutil.copyfile(c, target)
        return [png, svg]
    start_kaleido_server()
    with warnings.catch_warnings():
        # with the shared server plotly's per-call options are unused (the server has its own)
        warnings.filterwarnings("ignore", message="The kopts argument is ignored if using a server")
        # the batch writer ignores the layout's size unless it is passed explicitly
        pio.write_images([export, export], [str(png), str(svg)], scale=2,
                         width=export.layout.width, height=export.layout.height)
    svg.write_text(stable_svg(svg.read_text(encoding="utf-8"), name + figure_id(fig)), encoding="utf-8")
    if use_cache:
        try:
            EXPORT_CACHE_DIR.mkdir(parents=True, exist_ok=True)
            for source, c in zip((png, svg), cached):
                tmp = c.with_suffix(f".{os.getpid()}.tmp")
                shutil.copyfile(source, tmp)
                os.replace(tmp, c)
        except OSError:  # a read-only checkout still exports
            pass
    return [png, svg]


# --------------------------------------------------------------------------------------
# A ready citation under every figure

#: The book's citation metadata (title, version, authors, year): read from ``CITATION.cff``,
#: never typed here.
_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX field: braces and backslashes dropped, LaTeX specials escaped."""
    text = re.sub(r"[{}\\]", "", str(text))
    return _BIBTEX_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _plain_title(fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    return " ".join(re.sub(r"<[^>]+>", " ", title).split())


def figure_citation(name: str, title: str = "", meta: dict[str, str] | None = None) -> str:
    """HTML of a figure's citation and its BibTeX, in a collapsible ``<details>`` block.

    The figure's number is only known to Sphinx: it is left in ``span.fr-fignum`` elements
    (``data-figure`` = ``name``) that ``_static/book-figures.js`` fills from the numbered caption
    of the figure whose anchor is ``name``; it fills ``span.fr-figtitle`` from that caption when
    ``title`` is empty and ``span.fr-figurl`` with the page's address plus ``#name``.
    """
    meta = meta or BOOK
    esc = html.escape
    n, t = esc(name), esc(title)

    def slot(kind: str, text: str = "", bib: bool = False) -> str:
        extra = ' data-bibtex="1"' if bib else ""
        return f'<span class="fr-{kind}" data-figure="{n}"{extra}>{text}</span>'

    by, year = esc(meta["authors"]), esc(meta["year"])
    text = (f'{by} ({year}). <cite>{esc(meta["title"])}</cite>, version {esc(meta["version"])}, '
            f'Figure {slot("fignum")} ({n}): {slot("figtitle", t)}. '
            f'<a class="fr-figure-anchor" href="#{n}">{slot("figurl", "#" + n)}</a>')
    bib_title = esc(bibtex_escape(title))
    bibtex = "\n".join([
        f"@misc{{fivereports-{n},",
        f"  author       = {{{{{esc(bibtex_escape(meta['authors']))}}}}},",
        f"  title        = {{Figure {slot('fignum', bib=True)}: {slot('figtitle', bib_title, bib=True)}}},",
        f"  howpublished = {{In: {esc(bibtex_escape(meta['title']))}, version {esc(bibtex_escape(meta['version']))}}},",
        f"  year         = {{{year}}},",
        f"  version      = {{{esc(bibtex_escape(meta['version']))}}},",
        f"  url          = {{{slot('figurl', '#' + n, bib=True)}}},",
        f"  note         = {{Figure name {esc(bibtex_escape(name))}}}",
        "}",
    ])
    return (f'<div class="fr-figure-cite" data-figure="{n}">'
            f'<p class="fr-figure-citation">Cite as: {text}</p>'
            f'<details class="fr-figure-bibtex"><summary>BibTeX</summary>'
            f'<pre><code>{bibtex}</code></pre></details></div>')


BOOK = book_citation()


class PublishedFigure:
    """What a chapter cell returns: the interactive figure, its download links and its citation."""

    def __init__(self, fig: go.Figure, name: str, links: dict[str, str]):
        self.fig, self.name, self.links = fig, name, links

    def _repr_html_(self) -> str:
        links = " · ".join(f'<a href="{html.escape(href)}" download>{html.escape(label)}</a>'
                           for label, href in self.links.items())
        return (figure_html(self.fig) +
                f'<p class="fr-figure-downloads" data-figure="{html.escape(self.name)}">Download: {links}</p>' +
                figure_citation(self.name, _plain_title(self.fig)))


def _panel_title(fig: go.Figure, xaxis: str) -> str:
    """Title of the subplot whose x axis is ``xaxis`` (e.g. ``x2``), from its annotation if any."""
    layout_axis = fig.layout[f"xaxis{xaxis[1:]}"] if xaxis != "x" else fig.layout.xaxis
    domain = tuple(layout_axis.domain) if layout_axis and layout_axis.domain else None
    yaxis = fig.layout[f"yaxis{xaxis[1:]}"] if xaxis != "x" else fig.layout.yaxis
    ydomain = tuple(yaxis.domain) if yaxis and yaxis.domain else None
    for ann in fig.layout.annotations or ():
        if domain and ydomain and ann.xref == "paper" and ann.yref == "paper" and ann.text:
            if domain[0] <= ann.x <= domain[1] and ydomain[0] <= ann.y <= ydomain[1] + 0.1:
                return ann.text
    return xaxis


def figure_table(fig: go.Figure):
    """The numbers a figure shows, as a tidy table: one row per plotted point of every trace.

    Columns: ``trace`` (legend name), ``x``, ``y`` and, where the trace has them, ``base`` and
    the error-bar ends. Used as the CSV download when a chapter gives no table of its own.
    """
    frames = []
    faceted = any(getattr(t, "xaxis", None) not in (None, "x") for t in fig.data)
    for i, trace in enumerate(fig.data):
        x, y = getattr(trace, "x", None), getattr(trace, "y", None)
        if x is None and y is None:
            continue
        n = len(x) if x is not None else len(y)
        cols = {"trace": [trace.name or f"trace {i}"] * n,
                "x": list(x) if x is not None else [None] * n,
                "y": list(y) if y is not None else [None] * n}
        if faceted:  # name the panel of each point (its title, else the axis id)
            cols["panel"] = [_panel_title(fig, getattr(trace, "xaxis", None) or "x")] * n
        base = getattr(trace, "base", None)
        if base is not None and not isinstance(base, (int, float, str)):
            cols["base"] = list(base)
        for axis in ("error_x", "error_y"):
            err = getattr(trace, axis, None)
            if err is not None and err.array is not None:
                cols[f"{axis}_plus"] = list(err.array)
                cols[f"{axis}_minus"] = list(err.arrayminus) if err.arrayminus is not None else list(err.array)
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["trace", "x", "y"])


def publish(fig: go.Figure, name: str, data=None, page_depth: int = 1, out_dir=None) -> PublishedFigure:
    """Export ``fig`` as ``<name>.png``/``.svg`` and its data as ``<name>.csv`` for citation.

    ``data`` is the table behind the figure; when omitted, :func:`figure_table` extracts the
    plotted numbers from the figure itself.

    Files go to ``_static/figures/`` at the book's root, which the build copies into the HTML;
    the returned object renders the interactive figure followed by links to the files.
    ``page_depth`` is the chapter's folder depth below the book root (``book/x`` is 1).
    """
    out = Path(out_dir) if out_dir is not None else ROOT / PUBLISH_DIR
    export_static(fig, name, out)
    prefix = "../" * page_depth + "_static/figures/"
    links = {"PNG": f"{prefix}{name}.png", "SVG": f"{prefix}{name}.svg"}
    table = data if data is not None else figure_table(fig)
    table.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    links["CSV (data)"] = f"{prefix}{name}.csv"
    return PublishedFigure(fig, name, links)
