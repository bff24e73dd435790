"""``make pdf``: one PDF of the whole book, with every chapter title and every figure number.

Run after ``make pdf`` (``make test`` builds it before the browser tests). The PDF's text is read
with poppler's ``pdftotext``; the chapter titles come from the chapters' own first headings and
the figure numbers from the numbered captions of the built HTML, so nothing here is typed twice.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

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
