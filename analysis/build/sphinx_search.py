"""Sphinx extension: a search index that finds Chinese terms as well as English ones.

Sphinx's default (English) splitter cuts text at spaces and punctuation, so a Chinese run such
as ``长春新区52例`` becomes one index term and a search for ``长春`` or ``静态管理`` finds
nothing inside it.  The book sets ``html_search_language: zh``: Sphinx then segments Chinese
text with jieba (a pinned, offline dictionary) and still indexes Latin words with the English
stemmer.  jieba's dictionary does not know the book's own terms (静态管理, 全员核酸检测,
混检, 次密接, 经开区…), so on ``builder-inited`` this extension writes a user dictionary of
every Chinese term and place name in the glossary (``book/glossary.md``) and points
``html_search_options["dict"]`` at it.

The single-page build (``--builder singlehtml``, which only feeds the PDF) has no search page, yet
Sphinx's HTML builders index every page they write; segmenting the whole book as one page took 4.7 s
of that build's 8.4 s. :func:`indexes_pages` turns the indexing off for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.paths import ROOT

GLOSSARY = ROOT / "book" / "glossary.md"
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def glossary_terms(path: Path = GLOSSARY) -> list[str]:
    """Chinese terms of the glossary: the term lines of the ``{glossary}`` block and the place table."""
    text = path.read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    term_lines = [ln for ln in (block.group(1).splitlines() if block else []) if ln and not ln.startswith(" ")]
    place_cells = [ln.split("|")[1] for ln in text.splitlines() if ln.startswith("| ") and ln.count("|") >= 3]
    terms = []
    for line in term_lines + place_cells:
        for run in _CJK_RUN.findall(line):
            if len(run) >= 2 and run not in terms:
                terms.append(run)
    return terms


def write_userdict(terms: list[str], path: Path) -> Path:
    """A jieba user dictionary: one term per line with a high frequency, so it is kept whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{t} 100000\n" for t in terms), encoding="utf-8")
    return path


#: Builders whose output has no search page: nothing they index is ever read.
UNSEARCHED_BUILDERS = ("singlehtml",)


def indexes_pages(builder) -> bool:
    """Whether ``builder`` should build a search index (switched off for :data:`UNSEARCHED_BUILDERS`)."""
    if builder.name in UNSEARCHED_BUILDERS:
        builder.search = False
    return bool(getattr(builder, "search", False))


def _configure_search(app) -> None:
    import logging

    if not indexes_pages(app.builder):
        return

    try:
        import jieba
    except ImportError as exc:  # pragma: no cover - jieba is pinned in requirements.txt
        raise RuntimeError("Chinese search needs jieba (pinned in requirements.txt)") from exc
    jieba.setLogLevel(logging.WARNING)
    userdict = write_userdict(glossary_terms(), Path(app.outdir).parent / ".search" / "userdict.txt")
    app.config.html_search_options = {**(app.config.html_search_options or {}), "dict": str(userdict)}


def setup(app):
    app.connect("builder-inited", _configure_search)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
