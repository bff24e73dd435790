"""The search index is built where a reader can search (the HTML book) and nowhere else.

The browser tests (``tests/browser/test_search.py``) check that the HTML book's search finds
Chinese and English terms; here, that the single-page build behind the PDF, which has no search
page, does not segment the whole book for an index nobody reads.
"""

from __future__ import annotations

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.builders.latex import LaTeXBuilder
from sphinx.builders.singlehtml import SingleFileHTMLBuilder

from analysis.build.sphinx_search import indexes_pages


def bare(cls):
    """A builder of class ``cls`` without a Sphinx application (only its class attributes)."""
    return cls.__new__(cls)


def test_the_html_book_is_indexed():
    builder = bare(StandaloneHTMLBuilder)
    assert indexes_pages(builder) and builder.search


def test_the_single_page_for_the_pdf_is_not_indexed():
    builder = bare(SingleFileHTMLBuilder)
    assert SingleFileHTMLBuilder.search  # Sphinx would index it
    assert not indexes_pages(builder) and builder.search is False
    assert StandaloneHTMLBuilder.search  # the class, and so the HTML builder, keeps its index


def test_a_builder_without_a_search_is_not_indexed():
    assert not indexes_pages(bare(LaTeXBuilder))
