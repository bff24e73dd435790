"""Keep Jupyter Book's execution cache honest, one chapter at a time.

jupyter-cache (``execute_notebooks: cache``) re-executes a notebook only when its code cells
change; a new row in ``data/`` or a fix in ``analysis/`` would be ignored and the book would
show stale numbers. This module decides, **per chapter**, whether its cached execution still
stands. A chapter is stale when, and only when, one of these changed since it was executed:

* its code cells (jupyter-cache finds no record for them, or a different one);
* a file it read: the files its kernel opened (recorded at execution time by
  :mod:`analysis.build.kernel_recorder`: ``data/*.csv``, schemas, texts, ``CITATION.cff``) and
  the files declared for it in ``analysis/build/chapter_inputs.yml``;
* the list of a folder of the repository it listed;
* an ``analysis`` module it imported, directly or not (recorded by the same start-up file);
* ``requirements.txt``;
* or one of the files it wrote (its figure exports) has gone.

A stale chapter's jupyter-cache record is removed (the others are kept), so the next execution
(:mod:`analysis.build.execute`, in parallel) runs exactly the stale chapters. What a chapter read
is kept in ``_build/.inputs/<chapter>.state.json`` with the SHA-256 of each input. A change to
prose only (``data/README.md``, a Markdown chapter) makes no chapter stale, unless a chapter reads
that file.

    python -m analysis.build.buildcache [BUILD_DIR] [--force] [--check]

``--check`` lists the stale chapters and why, and changes nothing; ``--force`` marks every
chapter stale (``make test``'s strict build: a second, independent execution).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE_DIR = ".jupyter_cache"
INPUTS_DIR = ".inputs"
#: Per-chapter declaration of the repository files a chapter reads (relative to the root).
DECLARATIONS = Path("analysis") / "build" / "chapter_inputs.yml"
#: Inputs of every chapter, never declared.
ALWAYS = ("requirements.txt",)


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks of the table of contents (``_toc.yml``), in its order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    files.append(node[key])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").is_file()]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def listing_digest(path: Path) -> str:
    if not path.is_dir():
        return "missing"
    names = sorted(p.name for p in path.iterdir() if p.name != "__pycache__")
    return hashlib.sha256("\0".join(names).encode("utf-8")).hexdigest()


def _declaration_file(root: Path) -> dict:
    path = root / DECLARATIONS
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return data or {}


def declarations(root: Path = ROOT) -> dict[str, list[str]]:
    """Chapter name -> declared input files (``chapters:`` of ``chapter_inputs.yml``)."""
    return {str(k): list(v or []) for k, v in (_declaration_file(root).get("chapters") or {}).items()}


def not_inputs(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """Chapter name -> {file: why}: files a chapter reads whose content cannot change its output
    (``not_inputs:`` of ``chapter_inputs.yml``, each with its reason)."""
    return {str(k): dict(v or {}) for k, v in (_declaration_file(root).get("not_inputs") or {}).items()}


def input_digests(root: Path, manifest: dict, declared: list[str], ignored=()) -> dict[str, str]:
    """SHA-256 of every input of a chapter: files read or declared, modules, listed folders."""
    files = (set(manifest.get("reads", ())) - set(ignored)) | set(declared) | set(manifest.get("modules", ()))
    out = {f: file_digest(root / f) for f in sorted(files | set(ALWAYS))}
    out.update({f.rstrip("/") + "/": listing_digest(root / f) for f in manifest.get("listed", ())})
    return out


def undeclared_reads(manifest: dict, declared: list[str], ignored=()) -> list[str]:
    """Files the kernel read that the chapter does not declare (modules and ALWAYS are implicit)."""
    return sorted(set(manifest.get("reads", ())) - set(declared) - set(ignored) - set(ALWAYS))


def state_path(build_dir: Path, nb: Path) -> Path:
    return build_dir / INPUTS_DIR / f"{nb.stem}.state.json"


def manifest_path(build_dir: Path, nb: Path) -> Path:
    return build_dir / INPUTS_DIR / f"{nb.stem}.manifest.json"


def read_state(build_dir: Path, nb: Path) -> dict | None:
    path = state_path(build_dir, nb)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def open_cache(build_dir: Path):
    return get_cache(str(build_dir / CACHE_DIR))


def cache_record(cache, nb: Path):
    """jupyter-cache's record for the notebook's current code cells, or None."""
    try:
        return cache.match_cache_notebook(nbformat.read(str(nb), as_version=4))
    except KeyError:
        return None


def stale_reasons(root: Path, build_dir: Path, nb: Path, cache=None, declared: dict | None = None) -> list[str]:
    """Why ``nb``'s cached execution no longer stands (empty: it does)."""
    cache = open_cache(build_dir) if cache is None else cache
    declared = declarations(root) if declared is None else declared
    record = cache_record(cache, nb)
    state = read_state(build_dir, nb)
    if record is None:
        return ["no cached execution of its current code cells"]
    if state is None:
        return ["no record of what it read"]
    if state.get("cache_pk") != record.pk:
        return ["its cached execution is not the one its inputs were recorded for"]
    now = input_digests(root, state["manifest"], declared.get(nb.stem, []), not_inputs(root).get(nb.stem, {}))
    before = state.get("inputs", {})
    reasons = [f"changed: {k}" for k in sorted(set(now) | set(before)) if now.get(k) != before.get(k)]
    reasons += [f"missing output: {w}" for w in state["manifest"].get("writes", ()) if not (root / w).exists()]
    return reasons


def record_execution(root: Path, build_dir: Path, nb: Path, manifest: dict, seconds: float | None,
                     cache=None) -> dict:
    """Store what ``nb`` read (with digests) beside its new cache record; return the state."""
    cache = open_cache(build_dir) if cache is None else cache
    record = cache_record(cache, nb)
    state = {"notebook": nb.relative_to(root).as_posix(), "cache_pk": None if record is None else record.pk,
             "execution_seconds": seconds, "manifest": manifest,
             "inputs": input_digests(root, manifest, declarations(root).get(nb.stem, []),
                                     not_inputs(root).get(nb.stem, {}))}
    path = state_path(build_dir, nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return state


def invalidate(build_dir: Path, nb: Path, cache=None) -> None:
    """Forget ``nb``'s execution: its jupyter-cache record and its recorded inputs (others untouched)."""
    cache = open_cache(build_dir) if cache is None else cache
    record = cache_record(cache, nb)
    if record is not None:
        cache.remove_cache(record.pk)
    state_path(build_dir, nb).unlink(missing_ok=True)


def refresh(build_dir: Path, root: Path = ROOT, force: bool = False, check: bool = False) -> dict[Path, list[str]]:
    """Invalidate every stale chapter (all of them with ``force``); return {notebook: reasons}."""
    build_dir.mkdir(parents=True, exist_ok=True)
    cache = open_cache(build_dir)
    declared = declarations(root)
    stale = {}
    for nb in chapters(root):
        reasons = ["forced"] if force else stale_reasons(root, build_dir, nb, cache, declared)
        if reasons:
            stale[nb] = reasons
            if not check:
                invalidate(build_dir, nb, cache)
    return stale


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    force, check = "--force" in args, "--check" in args
    args = [a for a in args if a not in ("--force", "--check")]
    build_dir = Path(args[0]) if args else ROOT / "_build"
    stale = refresh(build_dir, force=force, check=check)
    for nb, reasons in stale.items():
        print(f"{nb.stem}: stale ({'; '.join(reasons[:3])}{' ...' if len(reasons) > 3 else ''})")
    print(f"{len(stale)} of {len(chapters())} chapters to execute" if stale else "every chapter's execution is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
