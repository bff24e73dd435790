"""The book's citation metadata, read from ``CITATION.cff`` (the one place its title and version are written)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .paths import ROOT

CITATION_FILE = ROOT / "CITATION.cff"


def book_citation(path: Path | str = CITATION_FILE) -> dict[str, str]:
    """Title, version, authors, year and repository of the book, from its ``CITATION.cff``."""
    cff = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    missing = [key for key in ("title", "version", "authors") if not cff.get(key)]
    if missing:
        raise ValueError(f"{path}: CITATION.cff has no {', '.join(missing)}")
    names = []
    for author in cff["authors"]:
        person = " ".join(str(author[k]) for k in ("given-names", "family-names") if author.get(k))
        names.append(str(author.get("name") or person))
    released = str(cff.get("date-released") or "")
    return {"title": str(cff["title"]), "version": str(cff["version"]), "authors": " and ".join(names),
            "year": released[:4], "date": released, "repository": str(cff.get("repository-code") or "")}
