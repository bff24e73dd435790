"""``make pdf``: the whole book as one PDF, offline.

Jupyter Book's single-page HTML build (``--builder singlehtml``, executed notebooks from the build
cache) is printed by Debian's Chromium. ``_static/print.css`` (added to every page by Jupyter
Book) hides the code, the toggles and the page chrome in print; figures are drawn by the book's own
plotly.js before printing, so the PDF carries the chapter numbering, the numbered figure captions,
the tables, the annotated sources with their English, and each figure's citation.

    python -m analysis.build.pdf [OUTPUT.pdf]
"""

from __future__ import annotations

import os
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
    shutil.copyfile(pages[0], target)
    return target


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
