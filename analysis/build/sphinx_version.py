"""Sphinx extension: the book's version, from ``CITATION.cff``, in every page footer.

On ``config-inited`` it reads the title, version and release date of ``CITATION.cff`` (the one
place the version is written) and

* appends ``Five Reports, version X (released D)`` to the theme's ``extra_footer`` (the
  ``html.extra_footer`` of ``_config.yml``), so every page shows it;
* sets Sphinx's ``version`` and ``release``, ``html_context["book_version"]`` and the MyST
  substitution ``{{ book_version }}`` (used by ``book/cite.md``) to it.

Imports only the base layer (:mod:`analysis.core.citation`).
"""

from __future__ import annotations

import html
from pathlib import Path

from ..core.citation import CITATION_FILE, book_citation


def read_version(path: Path | str = CITATION_FILE) -> dict[str, str]:
    """``title``, ``version`` and ``date`` (release date, may be empty) of a CITATION.cff."""
    info = book_citation(path)
    return {key: info[key] for key in ("title", "version", "date")}


def footer_html(info: dict[str, str]) -> str:
    short = info["title"].split(":")[0]
    released = f" (released {html.escape(info['date'])})" if info["date"] else ""
    return (f'<p class="fr-book-version" data-version="{html.escape(info["version"])}">'
            f"{html.escape(short)}, version {html.escape(info['version'])}{released}.</p>")


def _config_inited(app, config) -> None:
    info = read_version()
    options = dict(config.html_theme_options or {})
    footer = options.get("extra_footer") or ""
    if "fr-book-version" not in footer:
        options["extra_footer"] = (footer + "\n" if footer else "") + footer_html(info)
    config.html_theme_options = options
    config.version = config.release = info["version"]
    context = dict(config.html_context or {})
    context["book_version"] = info["version"]
    config.html_context = context
    substitutions = dict(getattr(config, "myst_substitutions", None) or {})
    substitutions["book_version"] = info["version"]
    config.myst_substitutions = substitutions


def setup(app):
    app.connect("config-inited", _config_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
