"""IPython start-up file installed by the build: record what a chapter's kernel reads.

``python -m analysis.build.execute`` writes a two-line start-up file into the
``profile_default/startup/`` folder of an IPython directory under ``_build/`` that runs this file
(``runpy``, in its own namespace: nothing lands in the notebook's) and calls :func:`install`, and
starts every chapter's kernel with ``IPYTHONDIR`` pointing there and ``FIVE_REPORTS_RECORD``
naming the chapter's manifest. In the kernel it

* installs an audit hook (:func:`sys.addaudithook`) that notes every file of the repository the
  kernel opens for reading (``open`` events: ``data/*.csv``, schemas, ``CITATION.cff``, ...), every
  file it writes (the figure exports) and every folder of the repository it lists;
* after every cell, writes the manifest (JSON): those paths, relative to the repository, and the
  files of the ``analysis`` modules imported so far (directly or not).

The build hashes what the manifest names, and re-executes the chapter when and only when one of
those files (or its code cells, or ``requirements.txt``) changes. Outside the build
(``FIVE_REPORTS_RECORD`` unset: nbval, nbconvert, a reader's Jupyter) the file does nothing.

Standard library only, and it imports nothing of the project: it runs before the first cell.
"""

from __future__ import annotations

import json
import os
import sys

_MANIFEST = os.environ.get("FIVE_REPORTS_RECORD")
_ROOT = os.environ.get("FIVE_REPORTS_ROOT")
#: Paths (relative to the repository) never recorded: the build's own output, the environment
#: (covered by requirements.txt) and git's store; the figure exports are outputs, not inputs.
IGNORED = ("_build/", ".venv/", ".git/")
OUTPUTS = ("_static/figures/",)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def relative(path, root: str) -> str | None:
    """``path`` relative to ``root`` (POSIX), or None when it is outside, ignored or not a path."""
    if isinstance(path, int):
        return None
    try:
        text = os.fsdecode(path)
    except TypeError:
        return None
    full = os.path.normpath(os.path.join(os.getcwd(), text))
    if not full.startswith(root + os.sep):
        return None
    rel = full[len(root) + 1:].replace(os.sep, "/")
    if rel.startswith(IGNORED) or "/__pycache__/" in "/" + rel:
        return None
    return rel


def is_write(mode, flags) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return bool(isinstance(flags, int) and flags & _WRITE_FLAGS)


class Recorder:
    """Collects the kernel's reads, writes and listings under ``root``; :meth:`dump` writes them."""

    def __init__(self, root: str, manifest: str):
        self.root, self.manifest = os.path.realpath(root), manifest
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self.listed: set[str] = set()

    def hook(self, event: str, args: tuple) -> None:
        if event == "open":
            rel = relative(args[0], self.root)
            if rel is not None:
                if is_write(args[1], args[2]):
                    self.writes.add(rel)
                elif not rel.startswith(OUTPUTS):
                    self.reads.add(rel)
        elif event in ("os.listdir", "os.scandir"):
            rel = relative(args[0] if args and args[0] is not None else ".", self.root)
            if rel is not None:
                self.listed.add(rel)

    def folders(self) -> list[str]:
        """Listed folders, without those the import system lists (entries of ``sys.path`` and
        packages): a module's own file is tracked once it is imported."""
        on_path = {os.path.realpath(os.path.join(os.getcwd(), p)) for p in sys.path if isinstance(p, str)}
        out = []
        for rel in sorted(self.listed):
            full = os.path.join(self.root, rel)
            if os.path.realpath(full) in on_path or os.path.exists(os.path.join(full, "__init__.py")):
                continue
            out.append(rel)
        return out

    def modules(self) -> list[str]:
        out = set()
        prefix = os.path.join(self.root, "analysis") + os.sep
        for name, mod in list(sys.modules.items()):
            f = getattr(mod, "__file__", None)
            if (name == "analysis" or name.startswith("analysis.")) and f and os.path.realpath(f).startswith(prefix):
                out.add(os.path.realpath(f)[len(self.root) + 1:].replace(os.sep, "/"))
        return sorted(out)

    def dump(self, *_args) -> None:
        reads = sorted(r for r in self.reads if not (r.startswith("analysis/") and r.endswith(".py")))
        data = {"reads": reads, "writes": sorted(self.writes), "listed": self.folders(),
                "modules": self.modules(), "pid": os.getpid()}
        os.makedirs(os.path.dirname(self.manifest), exist_ok=True)
        tmp = self.manifest + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, self.manifest)


def install(ip=None) -> Recorder | None:
    """Install the hook and the post-cell dump in the running IPython (when the build asked for it)."""
    if not (_MANIFEST and _ROOT):
        return None
    rec = Recorder(_ROOT, _MANIFEST)
    sys.addaudithook(rec.hook)
    if ip is not None:
        ip.events.register("post_run_cell", rec.dump)
    rec.dump()
    return rec

