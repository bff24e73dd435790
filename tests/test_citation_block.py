"""The ready citation under every figure and the version in every footer (issue 15, item 6).

The citation's title, version, authors and year come from CITATION.cff; its figure number is a
placeholder that the page's script fills from Sphinx's numbering; its BibTeX is valid.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
import yaml
from pybtex.database import parse_string

from analysis.build import sphinx_version
from analysis.figures import style

ROOT = Path(__file__).resolve().parent.parent
CFF = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def bibtex_of(block: str) -> str:
    """The BibTeX text of a citation block as a reader copies it (tags dropped, entities decoded)."""
    m = re.search(r"<details class=\"fr-figure-bibtex\">.*?<pre><code>(.*?)</code></pre></details>", block, re.S)
    assert m, "no BibTeX <details> block"
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))


def citation_text(block: str) -> str:
    m = re.search(r'<p class="fr-figure-citation">(.*?)</p>', block, re.S)
    assert m, "no citation paragraph"
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))


def test_book_citation_reads_the_cff():
    meta = style.book_citation()
    assert meta["title"] == CFF["title"]
    assert meta["version"] == str(CFF["version"])
    assert meta["year"] == str(CFF["date-released"])[:4]
    assert meta["authors"] == " and ".join(a.get("name") or f"{a['given-names']} {a['family-names']}"
                                           for a in CFF["authors"])


def test_the_version_is_not_typed_in_code():
    version = str(CFF["version"])
    for path in [*(ROOT / "analysis").rglob("*.py"), ROOT / "_static" / "book-figures.js"]:
        assert version not in path.read_text(encoding="utf-8"), f"{path} types the version {version}"


def test_block_holds_title_version_anchor_and_number_slot():
    block = style.figure_citation("fig-curves-daily", "Daily new cases")
    text = citation_text(block)
    assert CFF["title"] in text and f"version {CFF['version']}" in text
    assert "fig-curves-daily" in text and "Daily new cases" in text
    assert 'href="#fig-curves-daily"' in block
    # the number is left to the page, in slots named after the figure (citation and BibTeX)
    assert len(re.findall(r'<span class="fr-fignum" data-figure="fig-curves-daily"', block)) == 2
    assert block.startswith('<div class="fr-figure-cite" data-figure="fig-curves-daily">')


def test_bibtex_is_valid_and_has_its_fields():
    block = style.figure_citation("fig-curves-daily", "Daily new cases, 50 % of days & more_1")
    entries = parse_string(bibtex_of(block), "bibtex").entries
    assert list(entries) == ["fivereports-fig-curves-daily"]
    entry = entries["fivereports-fig-curves-daily"]
    assert entry.type == "misc"
    f = entry.fields
    assert f["year"] == str(CFF["date-released"])[:4]
    assert f["version"] == str(CFF["version"])
    assert CFF["title"] in f["howpublished"] and str(CFF["version"]) in f["howpublished"]
    assert f["url"] == "#fig-curves-daily"  # made absolute in the page by the script
    assert f["title"].startswith("Figure ") and r"50 \% of days \& more\_1" in f["title"]
    # an organisation as author is braced, so BibTeX keeps it as one name
    assert len(entry.persons["author"]) == len(CFF["authors"])
    assert "author       = {{" + " and ".join(a["name"] for a in CFF["authors"]) + "}}," in bibtex_of(block)


def test_an_unescaped_brace_would_be_caught(monkeypatch):
    """The validity check can fail: without the escaping, a brace in a title breaks the BibTeX."""
    block = style.figure_citation("fig-x", "a } b { c")
    parse_string(bibtex_of(block), "bibtex")  # valid: braces were dropped
    monkeypatch.setattr(style, "bibtex_escape", lambda text: text)
    with pytest.raises(Exception):
        parse_string(bibtex_of(style.figure_citation("fig-x", "a } b")), "bibtex")


def test_text_is_escaped():
    block = style.figure_citation('fig-"x"', '<script>alert(1)</script> & "q"')
    assert "<script>" not in block and "&lt;script&gt;" in block
    assert 'data-figure="fig-&quot;x&quot;"' in block
    assert re.search(r'href="#fig-&quot;x&quot;"', block)


def test_bibtex_escape():
    assert style.bibtex_escape("a_b & {c} 50% #1 $") == r"a\_b \& c 50\% \#1 \$"
    assert style.bibtex_escape("back\\slash  and\n space") == "backslash and space"


def test_a_changed_cff_changes_the_citation(tmp_path):
    cff = dict(CFF, version="9.8.7", title="Another book")
    (tmp_path / "CITATION.cff").write_text(yaml.safe_dump(cff, allow_unicode=True), encoding="utf-8")
    meta = style.book_citation(tmp_path / "CITATION.cff")
    block = style.figure_citation("fig-a", "A", meta=meta)
    assert "version 9.8.7" in citation_text(block) and "Another book" in citation_text(block)
    assert parse_string(bibtex_of(block), "bibtex").entries["fivereports-fig-a"].fields["version"] == "9.8.7"


@pytest.mark.parametrize("drop", ["version", "title", "authors"])
def test_a_cff_without_a_field_is_refused(tmp_path, drop):
    cff = {k: v for k, v in CFF.items() if k != drop}
    (tmp_path / "CITATION.cff").write_text(yaml.safe_dump(cff, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=drop):
        style.book_citation(tmp_path / "CITATION.cff")


def test_published_figure_shows_downloads_then_its_citation(tmp_path):
    style.configure()
    pub = style.PublishedFigure(go.Figure(go.Bar(x=["a"], y=[1]), layout=dict(title="Bars <b>one</b>")),
                                "fig-test-cite", {"PNG": "../_static/figures/fig-test-cite.png"})
    out = pub._repr_html_()
    assert out.index("plotly-graph-div") < out.index("fr-figure-downloads") < out.index("fr-figure-cite")
    assert 'data-figure="fig-test-cite"' in out
    assert "Bars one" in citation_text(out)  # the figure's own title, tags dropped


def test_footer_version_comes_from_the_cff(tmp_path):
    info = sphinx_version.read_version()
    assert info["version"] == str(CFF["version"])
    footer = sphinx_version.footer_html(info)
    assert f"version {CFF['version']}" in footer and 'class="fr-book-version"' in footer

    class Config:
        html_theme_options = {"extra_footer": "Code MIT."}
        html_context = {"default_mode": "light"}
        version = release = ""

    config = Config()
    sphinx_version._config_inited(None, config)
    assert config.html_theme_options["extra_footer"].startswith("Code MIT.")
    assert f"version {CFF['version']}" in config.html_theme_options["extra_footer"]
    assert config.version == config.release == config.html_context["book_version"] == str(CFF["version"])
    assert config.html_context["default_mode"] == "light"
    assert config.myst_substitutions == {"book_version": str(CFF["version"])}
    sphinx_version._config_inited(None, config)  # idempotent
    assert config.html_theme_options["extra_footer"].count("fr-book-version") == 1

    (tmp_path / "CITATION.cff").write_text("title: x\n", encoding="utf-8")
    with pytest.raises(ValueError):
        sphinx_version.read_version(tmp_path / "CITATION.cff")


def test_config_loads_the_version_extension():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "analysis.build.sphinx_version" in config["sphinx"]["local_extensions"]


def test_the_cite_page_gives_the_cff_version():
    """book/cite.md uses the substitution; a version typed in it (the BibTeX fence) must match."""
    text = (ROOT / "book" / "cite.md").read_text(encoding="utf-8")
    assert "{{ book_version }}" in text
    typed = re.findall(r"[Vv]ersion (\d+\.\d+\.\d+)", text)
    assert all(v == str(CFF["version"]) for v in typed), typed
