"""One loader per curated table: validated (schema, foreign keys and the table's checks), typed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .tables import load_table


def load_sources(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/sources.csv``: the report registry, validated; period dates parsed."""
    df = load_table("sources", data_dir)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    return df.sort_values("order", kind="stable").reset_index(drop=True)


def load_facts(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/facts.csv``, validated."""
    return load_table("facts", data_dir)


def load_events(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/events.csv``, validated (times stay as ISO text with their precision)."""
    return load_table("events", data_dir)


def load_screening(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/screening.csv``, validated."""
    return load_table("screening", data_dir)


def load_districts(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/districts.csv``, validated."""
    return load_table("districts", data_dir)


def load_supplementary(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/sources/supplementary.csv``, validated."""
    return load_table("supplementary", data_dir)


def load_codebook(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/codebook.csv``, validated."""
    return load_table("codebook", data_dir)


def load_daily_cases(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/daily_cases.csv``, validated; ``date`` parsed."""
    df = load_table("daily_cases", data_dir)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def load_benchmarks(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/benchmarks.csv``, validated."""
    return load_table("benchmarks", data_dir)


def load_places(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/places.csv``, validated."""
    return load_table("places", data_dir)


def load_uncounted_numbers(data_dir: Path | str | None = None) -> pd.DataFrame:
    """``data/uncounted_numbers.csv``, validated."""
    return load_table("uncounted_numbers", data_dir)
