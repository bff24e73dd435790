"""The per-chapter execution cache: exactly the chapters that read a changed input re-execute.

The end-to-end tests build a scratch book (a ``_toc.yml``, three small chapters, a ``data/``
folder and the declarations file) and execute it for real with :mod:`analysis.build.execute`:
jupyter-cache's parallel executor, kernels started with the build's start-up file, which records
what each kernel read. Then one input changes at a time and :func:`buildcache.refresh` must name
exactly the chapters that read it.
"""

from __future__ import annotations

import json
import os
import shutil

import nbformat
import pytest

from analysis.build import buildcache, execute
from analysis.build import kernel_recorder as kr

ENV = ("IPYTHONDIR", "FIVE_REPORTS_ROOT", "FIVE_REPORTS_BUILD", "FIVE_REPORTS_RECORD")

CHAPTERS = {
    # chapter: its code cells
    "counts": ["from pathlib import Path", "print(Path('../data/cases.csv').read_text().splitlines()[-1])"],
    "tests": ["import csv", "print(sum(1 for _ in csv.reader(open('../data/tests.csv'))))"],
    "both": ["a = open('../data/cases.csv').read()", "b = open('../data/tests.csv').read()", "print(len(a), len(b))"],
}
DECLARED = {"counts": ["data/cases.csv"], "tests": ["data/tests.csv"], "both": ["data/cases.csv", "data/tests.csv"]}


def _write_nb(path, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def _declare(root, chapters, not_inputs=None):
    body = {"chapters": chapters, "not_inputs": not_inputs or {}}
    (root / buildcache.DECLARATIONS).write_text(json.dumps(body), encoding="utf-8")  # JSON is YAML


def _book(tmp_path):
    root = tmp_path / "book-root"
    for d in ("book", "data", "analysis/build"):
        (root / d).mkdir(parents=True)
    (root / "data" / "cases.csv").write_text("day,cases\n1,3\n2,5\n")
    (root / "data" / "tests.csv").write_text("day,tests\n1,100\n")
    (root / "data" / "README.md").write_text("# Data\n")
    (root / "book" / "intro.md").write_text("# Intro\n")
    (root / "requirements.txt").write_text("pandas==3.1.1\n")
    for name, cells in CHAPTERS.items():
        _write_nb(root / "book" / f"{name}.ipynb", cells)
    toc = "format: jb-book\nroot: book/intro\nchapters:\n" + "".join(f"  - file: book/{n}\n" for n in CHAPTERS)
    (root / "_toc.yml").write_text(toc)
    _declare(root, DECLARED)
    return root


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The scratch book, executed once for the module (each test works on a copy)."""
    saved = {k: os.environ.get(k) for k in ENV}
    root = _book(tmp_path_factory.mktemp("executed"))
    try:
        assert execute.execute(root / "_build", root, jobs=2, timeout=120) == 0
    finally:  # execute() sets the kernels' environment in this process: restore it
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    return root


@pytest.fixture()
def built(executed, tmp_path, monkeypatch):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    root = tmp_path / "copy"
    shutil.copytree(executed, root)  # the cache matches notebooks by content, the states by relative path
    return root, root / "_build"


def _stale(root, build):
    return {nb.stem for nb in buildcache.refresh(build, root, check=True)}


def test_the_recorder_finds_what_each_chapter_read(built):
    root, build = built
    for name, declared in DECLARED.items():
        state = buildcache.read_state(build, root / "book" / f"{name}.ipynb")
        assert state["manifest"]["reads"] == declared
        assert "requirements.txt" in state["inputs"]
    assert _stale(root, build) == set()  # nothing changed: nothing to execute


def test_one_data_file_re_executes_exactly_the_chapters_that_read_it(built):
    root, build = built
    (root / "data" / "tests.csv").write_text("day,tests\n1,100\n2,250\n")
    assert _stale(root, build) == {"tests", "both"}
    assert execute.execute(build, root, jobs=2, timeout=120) == 0
    assert _stale(root, build) == set()
    out = buildcache.open_cache(build).get_cache_bundle(
        buildcache.cache_record(buildcache.open_cache(build), root / "book" / "tests.ipynb").pk).nb
    assert out.cells[1].outputs[0]["text"] == "3\n"  # the new row is counted: no stale number


def test_prose_requirements_and_code_changes(built):
    root, build = built
    (root / "data" / "README.md").write_text("# Data\n\nMore prose.\n")
    (root / "book" / "intro.md").write_text("# Intro, revised\n")
    assert _stale(root, build) == set()  # prose only: nothing executes
    _write_nb(root / "book" / "counts.ipynb", CHAPTERS["counts"] + ["print('new cell')"])
    assert _stale(root, build) == {"counts"}  # its own cells
    (root / "requirements.txt").write_text("pandas==3.1.2\n")
    assert _stale(root, build) == set(CHAPTERS)  # the environment: every chapter


def test_refresh_removes_only_the_stale_chapters_records(built):
    root, build = built
    cache = buildcache.open_cache(build)
    keep = buildcache.cache_record(cache, root / "book" / "counts.ipynb").pk
    (root / "data" / "tests.csv").write_text("day,tests\n1,101\n")
    assert set(nb.stem for nb in buildcache.refresh(build, root)) == {"tests", "both"}
    assert buildcache.cache_record(cache, root / "book" / "tests.ipynb") is None
    assert buildcache.cache_record(cache, root / "book" / "counts.ipynb").pk == keep


def test_a_missing_export_or_a_new_declaration_makes_a_chapter_stale(built):
    root, build = built
    nb = root / "book" / "counts.ipynb"
    state = buildcache.read_state(build, nb)
    state["manifest"]["writes"] = ["_static/figures/fig-x.svg"]
    buildcache.state_path(build, nb).write_text(json.dumps(state))
    assert _stale(root, build) == {"counts"}  # the chapter's export is gone
    (root / "_static" / "figures").mkdir(parents=True)
    (root / "_static" / "figures" / "fig-x.svg").write_text("<svg/>")
    assert _stale(root, build) == set()
    _declare(root, {**DECLARED, "tests": ["data/tests.csv", "data/README.md"]})
    assert _stale(root, build) == {"tests"}


def test_a_chapter_with_incomplete_declared_inputs_fails_loudly(tmp_path, monkeypatch, capsys):
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    root = _book(tmp_path)
    _declare(root, {**DECLARED, "both": ["data/cases.csv"]})  # both also reads tests.csv
    build = root / "_build"
    assert execute.execute(build, root, jobs=2, timeout=120) == 1
    err = capsys.readouterr().err
    assert "both: read data/tests.csv, not declared" in err
    # its execution is not kept: neither the book build nor the next run can show its numbers as current
    assert buildcache.cache_record(buildcache.open_cache(build), root / "book" / "both.ipynb") is None
    assert _stale(root, build) == {"both"}
    # a file declared as read but not an input (with its reason) is accepted and never re-executes
    _declare(root, {**DECLARED, "both": ["data/cases.csv"]}, {"both": {"data/tests.csv": "only copied"}})
    assert execute.execute(build, root, jobs=2, timeout=120) == 0
    (root / "data" / "tests.csv").write_text("day,tests\n1,7\n")
    assert _stale(root, build) == {"tests"}


def test_chapters_follow_the_table_of_contents(tmp_path):
    root = _book(tmp_path)
    (root / "book" / "stray.ipynb").write_text("{}")  # not in _toc.yml: never executed
    assert [p.stem for p in buildcache.chapters(root)] == list(CHAPTERS)


def test_recorder_paths(tmp_path):
    root = str(tmp_path)
    os.makedirs(tmp_path / "data")
    assert kr.relative(str(tmp_path / "data" / "a.csv"), root) == "data/a.csv"
    assert kr.relative(str(tmp_path / "_build" / "x"), root) is None
    assert kr.relative("/etc/hosts", root) is None
    assert kr.relative(3, root) is None
    assert kr.is_write("w", 0) and kr.is_write("r+", 0) and not kr.is_write("rb", 0)
    assert kr.is_write(None, os.O_WRONLY | os.O_CREAT) and not kr.is_write(None, os.O_RDONLY)
