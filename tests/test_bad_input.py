"""Corrupted copies of data/: every case ends in a located message, exit code 1, no traceback,
and nothing in the real data/ changes.

The validator's command-line function runs in this process (``analysis.__main__.main``, its
output captured): the cases test what it reports, not the interpreter start. One test runs the
real ``python -m analysis validate`` process, for the exit code and the streams as a shell sees them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.__main__ import main as validate_main

ROOT = Path(__file__).resolve().parent.parent


def _digest_of_data() -> str:
    h = hashlib.sha256()
    for f in sorted((ROOT / "data").rglob("*")):
        if f.is_file() and "_fragments" not in f.parts:
            h.update(f.as_posix().encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def untouched():
    before = _digest_of_data()
    yield
    assert _digest_of_data() == before, "a bad-input test modified data/"


def _validate(data_dir: Path):
    """``python -m analysis validate DATA_DIR``, in process: (returncode, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = validate_main(["validate", str(data_dir)])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def _validate_process(data_dir: Path):
    return subprocess.run([sys.executable, "-m", "analysis", "validate", str(data_dir)],
                          capture_output=True, text=True, timeout=120)


def test_the_command_line_process(untouched, data_copy):
    """The real process: exit 1, located messages on stdout, a summary on stderr, no traceback."""
    _edit_csv(data_copy / "facts.csv", _set("yushu-005", "report", "beijing"))
    out = _validate_process(data_copy)
    assert out.returncode == 1 and "facts.csv:111:report: 'beijing' is not a report of sources.csv" in out.stdout
    assert "problem(s) found" in out.stderr and "Traceback" not in out.stdout + out.stderr
    data_copy.joinpath("facts.csv").unlink()
    assert _validate_process(data_copy / "nowhere").returncode == 1


def _edit_csv(path: Path, fn):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)


def _set(table_id, col, value):
    def fn(df):
        df.loc[df.iloc[:, 0] == table_id, col] = value
        return df
    return fn


CASES = {
    "missing column": ("facts.csv", lambda df: df.drop(columns=["unit"]), "facts.csv::unit: required column 'unit' is missing"),
    "extra column": ("events.csv", lambda df: df.assign(colour="red"), "events.csv::colour: unexpected column"),
    "wrong type": ("facts.csv", _set("yushu-005", "value", "four hundred"), "facts.csv:"),
    "impossible date": ("events.csv", _set("yushu-e02", "start", "2022-10-32"), "events.csv:"),
    "bad date text": ("sources.csv", _set("yushu", "period_start", "Oct 2022"), "sources.csv:4:period_start"),
    "negative count": ("screening.csv", _set("yushu-s06", "tested", "-5"), "screening.csv:"),
    "positives above tested": ("screening.csv", _set("dongxing-s04", "positives", "999999"), "exceed"),
    "unknown report key": ("facts.csv", _set("yushu-005", "report", "beijing"), "facts.csv:111:report: 'beijing' is not a report of sources.csv"),
    "duplicate id": ("events.csv", _set("yushu-e03", "event_id", "yushu-e02"), "duplicate value 'yushu-e02'"),
    "quote not found": ("facts.csv", _set("suining-001", "quote", "这句话不在报告里"), "quote not found"),
    "html in a note": ("facts.csv", _set("yushu-005", "quote", "<script>alert(1)</script>"), "quote not found"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_corrupted_copy_is_reported(untouched, data_copy, case):
    file, edit, expected = CASES[case]
    _edit_csv(data_copy / file, edit)
    out = _validate(data_copy)
    assert out.returncode == 1, out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    assert expected in out.stdout, out.stdout
    for line in out.stdout.strip().splitlines():
        path, row, col, *_ = line.split(":", 3)
        assert path.endswith(".csv") and (row == "" or row.isdigit())


def test_broken_utf8(untouched, data_copy):
    p = data_copy / "events.csv"
    p.write_bytes(p.read_bytes()[:200] + b"\xff\xfe\xfa" + p.read_bytes()[200:])
    out = _validate(data_copy)
    assert out.returncode == 1 and "events.csv:" in out.stdout and "not valid UTF-8" in out.stdout
    assert "Traceback" not in out.stderr


def test_empty_file(untouched, data_copy):
    (data_copy / "districts.csv").write_text("")
    out = _validate(data_copy)
    assert out.returncode == 1 and "districts.csv::: file is empty" in out.stdout


def test_missing_file(untouched, data_copy):
    (data_copy / "codebook.csv").unlink()
    out = _validate(data_copy)
    assert out.returncode == 1 and "codebook.csv::: file not found" in out.stdout


def test_huge_file_is_reported_not_crashed(untouched, data_copy):
    p = data_copy / "uncounted_numbers.csv"
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    big = pd.concat([df] * 5000, ignore_index=True)
    big.loc[len(big) - 1, "report"] = "nowhere"
    big.to_csv(p, index=False)
    out = _validate(data_copy)
    assert out.returncode == 1
    assert f"uncounted_numbers.csv:{len(big) + 1}:report" in out.stdout
    assert "Traceback" not in out.stderr


def test_script_in_a_note_is_data_not_markup(untouched, data_copy):
    """A note may hold any text; the validator accepts it and the loader returns it verbatim."""
    from analysis.core.loaders import load_facts

    _edit_csv(data_copy / "facts.csv", _set("yushu-005", "note", "<script>alert('x')</script>"))
    assert _validate(data_copy).returncode == 0
    facts = load_facts(data_copy)
    assert facts.set_index("fact_id").loc["yushu-005", "note"] == "<script>alert('x')</script>"
