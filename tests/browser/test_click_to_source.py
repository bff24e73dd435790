"""A click on a curated number in a figure opens the sentence behind it.

Figures whose points are curated numbers carry their source links (``meta.fr_links``, set by
:func:`analysis.figures.links.link_points`); a small script attached to every figure opens the link
of the clicked point. For each chapter below the test clicks (emits ``plotly_click`` on) the
first linked point of every figure that has one, and checks that the browser lands on the
annotated-sources page at an anchor that exists.
"""

from __future__ import annotations

import pytest

from test_pages import browser, server, shared_page  # noqa: F401  (fixtures)

PAGES = ["book/curves.html", "book/maps.html", "book/yields.html", "book/synthesis.html"]
pytestmark = pytest.mark.browser

FIND_LINKED = """() => Array.from(document.querySelectorAll('div.plotly-graph-div')).flatMap((gd, g) =>
    (gd.data || []).flatMap((tr, k) => {
        const links = (tr.meta && tr.meta.fr_links) || [];
        const j = links.findIndex(l => typeof l === 'string' && l);
        return j < 0 ? [] : [[g, k, j, links[j]]];
    }))"""


@pytest.mark.parametrize("path", PAGES)
def test_clicking_a_curated_point_opens_its_sentence(server, shared_page, path):  # noqa: F811
    """(The page navigates away, so the next test of it loads it afresh.)"""
    _, page, foreign, errors = shared_page(f"{server}/{path}")
    page.wait_for_function("() => document.querySelectorAll('div.plotly-graph-div svg.main-svg').length > 0",
                           timeout=15_000)
    linked = page.evaluate(FIND_LINKED)
    assert linked, f"{path}: no figure point links to its source"
    every_link = page.evaluate("() => Array.from(document.querySelectorAll('div.plotly-graph-div')).flatMap(gd =>"
                               " (gd.data || []).flatMap(tr => ((tr.meta && tr.meta.fr_links) || [])"
                               ".filter(l => typeof l === 'string' && l)))")
    g, k, j, href = linked[0]
    with page.expect_navigation():
        page.evaluate("([g, k, j]) => { const gd = document.querySelectorAll('div.plotly-graph-div')[g];"
                      " gd.emit('plotly_click', {points: [{data: gd.data[k], pointIndex: j}]}); }", [g, k, j])
    assert page.url.endswith(href.split("/")[-1]), (page.url, href)
    anchor = href.split("#")[1]
    assert page.evaluate("id => document.getElementById(id) !== null", anchor), f"no anchor {anchor}"
    # every link of this page's figures points at an anchor of the annotated page
    ids = set(page.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
    assert all(link.startswith("annotated.html#") for link in every_link)
    missing = sorted({link.split("#")[1] for link in every_link} - ids)
    assert missing == [], f"{path}: figure links to missing anchors {missing}"
