"""Where the project's data live."""

from __future__ import annotations

from pathlib import Path

#: The project's root folder (the parent of ``analysis/``).
ROOT = Path(__file__).resolve().parent.parent.parent
#: The curated tables, their schemas and the report texts.
DATA_DIR = ROOT / "data"


def data_dir(path: Path | str | None = None) -> Path:
    """``path`` as a Path, or the project's ``data/`` when it is None."""
    return Path(path) if path is not None else DATA_DIR
