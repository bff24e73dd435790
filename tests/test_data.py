"""Curated tables: schemas, loaders, the validator command and its messages."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis.core.registry import report_keys

REPORT_KEYS = report_keys()
from analysis.core.loaders import load_sources
from analysis.core.tables import DataValidationError, validate_all
from analysis.core.texts import normalised_text


def test_shipped_data_is_valid(data_dir):
    counts, problems = validate_all(data_dir)
    assert problems == []
    assert counts["sources"] == len(REPORT_KEYS)


def test_sources_table(data_dir):
    df = load_sources(data_dir)
    assert list(df["report"]) == list(REPORT_KEYS)
    assert (df["period_end"] >= df["period_start"]).all()
    assert df["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_period_quotes_are_in_the_texts(data_dir):
    df = load_sources(data_dir)
    for row in df[df["period_source"] == "report"].itertuples():
        for quote in row.period_quote.split("|"):
            assert quote in normalised_text(row.report, data_dir)


def _edit(path, **changes):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for (row, col), value in changes.items():
        df.loc[row, col] = value
    df.to_csv(path, index=False)


def test_edited_source_text_is_caught(data_copy):
    text_file = data_copy / "sources" / "001_173152931e2e4d02.txt"
    text_file.write_text(text_file.read_text(encoding="utf-8") + "追加", encoding="utf-8")
    with pytest.raises(DataValidationError, match="sources.csv:3:sha256"):
        load_sources(data_copy)


def test_all_problems_are_reported_at_once(data_copy):
    path = data_copy / "sources.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[1, "report"] = "Beijing!"  # not a key: keys are lower-case names
    df.loc[2, "period_start"] = "2022-02-30"
    df.loc[4, "script"] = "cyrillic"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_sources(data_copy)
    located = {(p.row, p.column) for p in err.value.problems}
    assert {(3, "report"), (4, "period_start"), (6, "script")} <= located


def test_missing_and_extra_columns(data_copy):
    path = data_copy / "sources.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["city_zh"])
    df["colour_name"] = "red"
    df.to_csv(path, index=False)
    _, problems = validate_all(data_copy)
    messages = [str(p) for p in problems]
    assert any("city_zh" in m and "missing" in m for m in messages)
    assert any("colour_name" in m and "unexpected" in m for m in messages)


def test_validate_command_ok(data_dir):
    out = subprocess.run([sys.executable, "-m", "analysis", "validate", str(data_dir)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("OK:") and out.stdout.count("\n") == 1


def test_validate_command_lists_problems_without_traceback(data_copy):
    (data_copy / "sources.csv").write_bytes(b"report,source_file\n\xff\xfe,x\n")
    out = subprocess.run([sys.executable, "-m", "analysis", "validate", str(data_copy)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert "sources.csv:2:: not valid UTF-8" in out.stdout


def test_validate_command_usage():
    out = subprocess.run([sys.executable, "-m", "analysis"], capture_output=True, text=True)
    assert out.returncode == 2 and "usage" in out.stderr
