"""Keep Jupyter Book's execution cache honest about data.

jupyter-cache (``execute_notebooks: cache``) re-executes a notebook only when its code cells
change; a new row in ``data/`` or a fix in ``analysis/`` would be ignored and the book would
show stale numbers.  :func:`refresh` hashes every input that can change a notebook's output
(``data/``, ``analysis/``, ``requirements.txt``) and, when the digest differs from the one
recorded at the last build, deletes the execution cache and Sphinx's saved environment so
every chapter is re-read and re-executed.  ``make book`` and ``make test`` call it first:

    python -m analysis.build.buildcache [BUILD_DIR] [--force]

``--force`` clears the caches whatever the digest says: ``make test`` uses it so that its
strict build always executes every chapter (offline), a second execution after nbval's that
the reproducibility check compares with the first.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
INPUTS = ("data", "analysis", "requirements.txt")
#: What a stale digest invalidates, relative to the build directory.
CACHES = (".jupyter_cache", ".doctrees", "jupyter_execute")
DIGEST_FILE = ".inputs.sha256"


def inputs_digest(root: Path = ROOT) -> str:
    """SHA-256 over the relative path and bytes of every input file, in sorted order."""
    h = hashlib.sha256()
    files = []
    for name in INPUTS:
        p = root / name
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(f for f in p.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    for f in sorted(files, key=lambda f: f.relative_to(root).as_posix()):
        h.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def refresh(build_dir: Path, root: Path = ROOT, force: bool = False) -> bool:
    """Clear the caches in ``build_dir`` if the inputs changed (or ``force``); return True if cleared."""
    build_dir.mkdir(parents=True, exist_ok=True)
    digest = inputs_digest(root)
    record = build_dir / DIGEST_FILE
    previous = record.read_text().strip() if record.exists() else None
    # figure exports are written while notebooks execute: without them, cached pages would link to nothing
    exports_missing = not (root / "_static" / "figures").is_dir()
    stale = force or previous != digest or exports_missing
    if stale:
        for name in CACHES:
            shutil.rmtree(build_dir / name, ignore_errors=True)
        record.write_text(digest + "\n")
    return stale


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    force = "--force" in args
    args = [a for a in args if a != "--force"]
    build_dir = Path(args[0]) if args else ROOT / "_build"
    if refresh(build_dir, force=force):
        print(f"inputs changed: cleared the execution cache in {build_dir}; every chapter will re-execute")
    else:
        print("inputs unchanged: reusing the execution cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
