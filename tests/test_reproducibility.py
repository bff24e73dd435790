"""Unit tests of the reproducibility check used by ``make test`` (tests/reproducibility.py)."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reproducibility as repro  # noqa: E402


def _nb(*outputs):
    cells = [{"cell_type": "code", "source": [src], "outputs": [out], "metadata": {}} for src, out in outputs]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": [text]}


def _bdata(values):
    return base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode().replace("/", "\\u002f")


def test_identical_after_sanitising_timestamps_ids_and_last_bits(tmp_path):
    a = _nb(("print(x)", _stream("run at 2026-01-02 03:04:05, r = 0.1234567890123\n")),
            ("fig", {"output_type": "display_data", "metadata": {},
                     "data": {"text/html": f'<div id="plotly-0123456789abcdef">{{"dtype":"f8","bdata":"{_bdata([0.1 + 0.2])}"}}</div>'}}))
    b = _nb(("print(x)", _stream("run at 2027-05-06 07:08:09, r = 0.1234567890124 \n")),
            ("fig", {"output_type": "display_data", "metadata": {},
                     "data": {"text/html": f'<div id="plotly-fedcba9876543210">{{"dtype":"f8","bdata":"{_bdata([0.3])}"}}</div>'}}))
    for name, nb in (("stored", a), ("built", b)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ch.ipynb").write_text(json.dumps(nb))
    assert repro.compare_notebooks(tmp_path / "stored", tmp_path / "built") == []


def test_a_real_change_in_a_result_is_reported(tmp_path):
    (tmp_path / "stored").mkdir()
    (tmp_path / "built").mkdir()
    (tmp_path / "stored" / "ch.ipynb").write_text(json.dumps(_nb(("print(n)", _stream("58 positives\n")))))
    (tmp_path / "built" / "ch.ipynb").write_text(json.dumps(_nb(("print(n)", _stream("59 positives\n")))))
    problems = repro.compare_notebooks(tmp_path / "stored", tmp_path / "built")
    assert len(problems) == 1 and "code cell 0 differs" in problems[0]


def test_a_changed_plotted_value_is_reported():
    a = '{"dtype":"f8","bdata":"%s"}' % _bdata([1.0, 2.0])
    b = '{"dtype":"f8","bdata":"%s"}' % _bdata([1.0, 2.001])
    assert repro.sanitise(a, []) != repro.sanitise(b, [])


def test_ignored_cells_and_missing_notebooks(tmp_path):
    (tmp_path / "stored").mkdir()
    (tmp_path / "built").mkdir()
    (tmp_path / "stored" / "ch.ipynb").write_text(json.dumps(_nb(("# NBVAL_IGNORE_OUTPUT\nt()", _stream("1.0 s\n")))))
    assert "not executed by the build" in repro.compare_notebooks(tmp_path / "stored", tmp_path / "built")[0]
    (tmp_path / "built" / "ch.ipynb").write_text(json.dumps(_nb(("# NBVAL_IGNORE_OUTPUT\nt()", _stream("9.9 s\n")))))
    assert repro.compare_notebooks(tmp_path / "stored", tmp_path / "built") == []


def test_figure_snapshots_compare_csv_and_svg_bytes(tmp_path):
    (tmp_path / "f.csv").write_text("a\n1\n")
    (tmp_path / "f.svg").write_text("<svg/>")
    (tmp_path / "f.png").write_bytes(b"png1")
    first = repro.snapshot(tmp_path)
    (tmp_path / "f.png").write_bytes(b"png2")
    assert repro.compare_figures(first, repro.snapshot(tmp_path)) == []
    (tmp_path / "f.csv").write_text("a\n2\n")
    assert repro.compare_figures(first, repro.snapshot(tmp_path)) == ["f.csv: differs between the two executions"]
    (tmp_path / "f.svg").unlink()
    assert "f.svg: only in the first execution" in repro.compare_figures(first, repro.snapshot(tmp_path))


def test_a_print_split_over_two_stream_messages_is_the_same_output(tmp_path):
    (tmp_path / "stored").mkdir()
    (tmp_path / "built").mkdir()
    one = _nb(("print(t)", _stream("a\nb\n")))
    split = _nb(("print(t)", _stream("a\nb")))
    split["cells"][0]["outputs"].append(_stream("\n"))
    (tmp_path / "stored" / "ch.ipynb").write_text(json.dumps(one))
    (tmp_path / "built" / "ch.ipynb").write_text(json.dumps(split))
    assert repro.compare_notebooks(tmp_path / "stored", tmp_path / "built") == []
