"""Sphinx extension: serve plotly.js from the book itself, never from a CDN.

On ``builder-inited`` it copies ``plotly.min.js`` from the installed plotly package (so the
library and the figures' JSON always match) into a build-time static folder and adds it once to
each page that draws a plotly figure (the single page of the PDF build too); a page without a
figure (the front page, the glossary, the references) does not load the 4.8 MB bundle.  The file is
not committed: it is rebuilt from the pinned plotly wheel.

It also removes a duplicated inline script: sphinx-book-theme's ``launch.html`` and
sphinx-thebe both emit the thebe configuration, which declares ``const THEBE_JS_URL`` twice
and logs ``Identifier 'THEBE_JS_URL' has already been declared`` on every page.  The book has
no live-code launcher, so the duplicate is dropped from the rendered HTML.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from importlib.util import find_spec

#: The installed plotly's bundle (found without importing plotly).
PLOTLY_JS = Path(find_spec("plotly").submodule_search_locations[0]) / "package_data" / "plotly.min.js"
STATIC_NAME = "plotly.min.js"


def _copy_plotly(app) -> None:
    static = Path(app.outdir).parent / ".offline_static"
    static.mkdir(parents=True, exist_ok=True)
    target = static / STATIC_NAME
    if not target.exists() or target.stat().st_size != PLOTLY_JS.stat().st_size:
        shutil.copyfile(PLOTLY_JS, target)
    app.config.html_static_path.append(str(static))
    app.add_js_file(STATIC_NAME)


#: What a page with a plotly figure holds (plotly's own div class, in the figure's HTML output).
FIGURE_MARK = "plotly-graph-div"


def _page_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of identical script entries (same file and same inline body), and plotly.js
    only where the page draws a figure."""
    scripts = context.get("script_files")
    if not scripts:
        return
    draws = FIGURE_MARK in (context.get("body") or "")
    seen, unique = set(), []
    for js in scripts:
        if not draws and (getattr(js, "filename", None) or "").rpartition("/")[2] == STATIC_NAME:  # _static/...
            continue
        # sphinx-thebe registers its inline config twice, once with filename None and once with "".
        key = (getattr(js, "filename", None) or "", str(sorted(getattr(js, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("builder-inited", _copy_plotly)
    app.connect("html-page-context", _page_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
