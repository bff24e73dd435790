"""The execution-cache guard: a data change must force re-execution, no change must not."""

from __future__ import annotations

import shutil

from analysis.build import buildcache


def _project(tmp_path):
    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    (root / "analysis").mkdir()
    (root / "data" / "t.csv").write_text("a\n1\n")
    (root / "analysis" / "m.py").write_text("x = 1\n")
    (root / "requirements.txt").write_text("pandas==3.1.1\n")
    (root / "_static" / "figures").mkdir(parents=True)
    return root


def test_digest_follows_content(tmp_path):
    root = _project(tmp_path)
    d1 = buildcache.inputs_digest(root)
    assert buildcache.inputs_digest(root) == d1
    (root / "data" / "t.csv").write_text("a\n2\n")
    d2 = buildcache.inputs_digest(root)
    assert d2 != d1
    (root / "data" / "t.csv").rename(root / "data" / "u.csv")  # a rename is a change too
    assert buildcache.inputs_digest(root) != d2


def test_refresh_clears_caches_only_when_inputs_change(tmp_path):
    root = _project(tmp_path)
    build = tmp_path / "_build"
    assert buildcache.refresh(build, root) is True  # first build
    for name in buildcache.CACHES:
        (build / name).mkdir()
        (build / name / "marker").write_text("x")
    assert buildcache.refresh(build, root) is False
    assert all((build / n / "marker").exists() for n in buildcache.CACHES)
    (root / "analysis" / "m.py").write_text("x = 2\n")
    assert buildcache.refresh(build, root) is True
    assert not any((build / n).exists() for n in buildcache.CACHES)
    shutil.rmtree(build)


def test_missing_figure_exports_force_re_execution(tmp_path):
    root = _project(tmp_path)
    build = tmp_path / "_build"
    buildcache.refresh(build, root)
    assert buildcache.refresh(build, root) is False
    shutil.rmtree(root / "_static" / "figures")
    assert buildcache.refresh(build, root) is True


def test_force_clears_caches_even_when_inputs_are_unchanged(tmp_path):
    root = _project(tmp_path)
    build = tmp_path / "_build"
    buildcache.refresh(build, root)
    (build / ".jupyter_cache").mkdir()
    assert buildcache.refresh(build, root) is False
    assert (build / ".jupyter_cache").exists()
    assert buildcache.refresh(build, root, force=True) is True
    assert not (build / ".jupyter_cache").exists()
