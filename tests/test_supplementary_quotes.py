"""Every outside quote in data/sources/supplementary.csv is verbatim in the reference folder.

The reference (``../shared/reference/``: supplementary_evidence.md and the daily-series files) is
the project's only record of the outside sources. A quote may join verbatim pieces with an
ellipsis (…); each piece must be found. Markdown emphasis (``**``) and runs of white space are
ignored. Skipped only where the reference folder is not beside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.core.loaders import load_supplementary

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
pytestmark = pytest.mark.skipif(not (REFERENCE / "supplementary_evidence.md").exists(),
                                reason="shared/reference is not beside the repository")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", ""))


@pytest.fixture(scope="module")
def reference_text() -> str:
    files = [REFERENCE / "supplementary_evidence.md", *sorted((REFERENCE / "daily_series").glob("*"))]
    return _norm("\n".join(p.read_text(encoding="utf-8") for p in files if p.is_file()))


def quote_in_reference(quote: str, reference: str) -> bool:
    pieces = [p.strip() for p in re.split(r"…|\.\.\.", quote) if p.strip()]
    return bool(pieces) and all(_norm(p) in reference for p in pieces)


def test_every_supplementary_quote_is_in_the_reference(reference_text):
    missing = [r.source_id for r in load_supplementary().itertuples() if not quote_in_reference(r.quote, reference_text)]
    assert missing == []


def test_a_retyped_quote_is_not_found(reference_text):
    assert quote_in_reference("德尔塔进化分支", reference_text)
    assert not quote_in_reference("德尔塔变异分支", reference_text)
    assert not quote_in_reference("…", reference_text)
