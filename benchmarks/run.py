"""Benchmarks of the book's build and analysis code: ``make bench``.

Writes ``benchmarks/results.csv`` (one row per measurement, with its target where the project
sets one) and prints a Markdown table for the README. Measures, on this machine:

* cold build (``_build`` and figure exports removed; venv already installed), no-change rebuild,
  rebuild after one data file changes, and optionally ``make test`` (``--with-test``);
* execution time of each chapter notebook (nbconvert, outside the book build);
* page weight of each chapter (HTML bytes, without the shared plotly.min.js);
* the analysis functions on synthetic data of growing size (cities x days);
* start-up: ``python -m analysis validate`` against the import of pandas + pandera (target: at
  most twice), and against U, the time of ``python -c "import statsmodels.api"`` taken in the same
  run, so that the figures compare across machines (``--startup-only`` measures just these).

Rows not measured in a run are kept from the previous ``results.csv``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results.csv"


def _timed(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def _build() -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "python"), "-m", "analysis.build.buildcache", "_build"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([str(BIN / "jupyter-book"), "build", ".", "-n", "--keep-going"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def build_timings() -> list[tuple]:
    rows = []
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    shutil.rmtree(ROOT / "_static" / "figures", ignore_errors=True)
    rows.append(("cold build (venv installed)", _build(), "s", 60))
    rows.append(("no-change rebuild", _build(), "s", 10))
    readme = ROOT / "data" / "README.md"
    original = readme.read_bytes()
    try:
        readme.write_bytes(original + b"\n")
        rows.append(("rebuild after one data file changes", _build(), "s", None))
    finally:
        readme.write_bytes(original)
    _build()  # leave the build matching the data
    return rows


def _median_time(cmd: list[str], runs: int = 5) -> float:
    _timed(cmd)  # warm the file cache
    return float(np.median([_timed(cmd) for _ in range(runs)]))


def startup_timings() -> list[tuple]:
    py = str(BIN / "python")
    unit = _median_time([py, "-c", "import statsmodels.api"])
    base = _median_time([py, "-c", "import pandas, pandera.pandas"])
    validate = _median_time([py, "-m", "analysis", "validate"])
    return [
        ("U = python -c 'import statsmodels.api'", unit, "s", None),
        ("python -c 'import pandas, pandera.pandas'", base, "s", None),
        ("python -m analysis validate", validate, "s", None),
        ("validate / (pandas + pandera import)", validate / base, "x", 2),
        ("validate in U", validate / unit, "U", None),
    ]


def notebook_timings() -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for nb in sorted((ROOT / "book").glob("*.ipynb")):
            t = _timed([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", str(nb),
                        "--output-dir", tmp, "--ExecutePreprocessor.timeout=600"])
            rows.append((f"execute {nb.name}", t, "s", None))
    return rows


def page_weights() -> list[tuple]:
    rows = []
    for page in sorted((ROOT / "_build" / "html" / "book").glob("*.html")):
        target = 1500 if page.stem == "maps" else 300
        rows.append((f"page weight {page.name}", page.stat().st_size / 1000, "kB", target))
    js = ROOT / "_build" / "html" / "_static" / "plotly.min.js"
    if js.exists():
        rows.append(("shared plotly.min.js", js.stat().st_size / 1000, "kB", None))
    return rows


def synthetic_timings() -> list[tuple]:
    """growth_rate + reproduction_number over synthetic Poisson epidemics, cities x days."""
    from analysis.methods import curves, rt

    rows = []
    rng = np.random.default_rng(1)
    warm = rng.poisson(20, 50)  # first calls pay for imports and statsmodels set-up: not measured
    curves.growth_rate(np.datetime64("2022-01-01") + np.arange(50), warm)
    rt.reproduction_number(warm, 3.65, 2.31, window=7)
    for n_cities in (5, 50, 300):
        for n_days in (100, 1000):
            t_days = np.arange(n_days)
            series = [rng.poisson(20 * np.exp(0.02 * t_days * (1 - t_days / n_days))) for _ in range(n_cities)]
            dates = np.datetime64("2022-01-01") + t_days
            start = time.perf_counter()
            for counts in series:
                curves.growth_rate(dates, counts)
                rt.reproduction_number(counts, 3.65, 2.31, window=7)
            elapsed = time.perf_counter() - start
            target = 5 if (n_cities, n_days) == (300, 1000) else None
            rows.append((f"growth_rate + Rt, {n_cities} cities x {n_days} days", elapsed, "s", target))
    return rows


def synthetic_speed_and_yields() -> list[tuple]:
    """event_bounds over synthetic event tables, and yields with exact bounds, cities x events/rounds."""
    import pandas as pd

    from analysis.methods import event_times, yields

    rows = []
    rng = np.random.default_rng(2)
    precisions = np.array(["minute", "hour", "part_of_day", "day", "month"])
    parts = np.array(list(event_times.PARTS_OF_DAY))
    for n_cities in (5, 50, 300):
        for n_events in (100, 1000):
            n = n_cities * n_events
            start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 24, n), unit="h")
            prec = precisions[rng.integers(0, len(precisions), n)]
            fmt = {"minute": "%Y-%m-%dT%H:%M", "hour": "%Y-%m-%dT%H:00", "part_of_day": "%Y-%m-%d", "day": "%Y-%m-%d",
                   "month": "%Y-%m"}
            events = pd.DataFrame({
                "event_id": [f"c{i // n_events}-e{i}" for i in range(n)], "report": [f"c{i // n_events}" for i in range(n)],
                "event_type": "other", "sequence": None,
                "start": [t.strftime(fmt[p]) for t, p in zip(start, prec)], "start_precision": prec,
                "start_part": np.where(prec == "part_of_day", parts[rng.integers(0, len(parts), n)], None),
                "end": None, "end_precision": None, "end_part": None})
            t0 = time.perf_counter()
            event_times.event_bounds(events)
            target = 5 if (n_cities, n_events) == (300, 1000) else None
            rows.append((f"event_bounds, {n_cities} cities x {n_events} events", time.perf_counter() - t0, "s", target))
        tested = rng.integers(1_000, 10_000_000, n_cities * 100)
        positives = rng.binomial(tested, 3e-5)
        t0 = time.perf_counter()
        for p_, n_ in zip(positives, tested):
            yields.screening_yield(int(p_), int(n_))
            if p_ == 0:
                yields.zero_positive_bound(int(n_))
        rows.append((f"screening_yield, {n_cities} cities x 100 rounds", time.perf_counter() - t0, "s", None))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--with-test", action="store_true", help="also time `make test`")
    ap.add_argument("--skip-build", action="store_true", help="only notebooks, page weights and synthetic data")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up timings (validate, U)")
    args = ap.parse_args(argv)
    rows = startup_timings()
    if args.startup_only:
        return _write(rows)
    if not args.skip_build:
        rows += build_timings()
    if args.with_test:
        rows.append(("make test (installs excluded)", _timed(["make", "test"]), "s", 180))
    rows += notebook_timings() + page_weights() + synthetic_timings() + synthetic_speed_and_yields()
    return _write(rows)


def _write(rows: list[tuple]) -> int:
    measured = {r[0] for r in rows}
    kept = []
    if RESULTS.exists():
        with open(RESULTS, newline="", encoding="utf-8") as fh:
            kept = [r for r in csv.DictReader(fh) if r["measurement"] not in measured]
    with open(RESULTS, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["measurement", "value", "unit", "target", "met"])
        for name, value, unit, target in rows:
            met = "" if target is None else ("yes" if value <= target else "no")
            w.writerow([name, f"{value:.2f}", unit, "" if target is None else target, met])
        for r in kept:
            w.writerow([r["measurement"], r["value"], r["unit"], r["target"], r["met"]])
    print("| measurement | value | target | met |\n|---|---|---|---|")
    for name, value, unit, target in rows:
        met = "" if target is None else ("yes" if value <= target else "**no**")
        print(f"| {name} | {value:.2f} {unit} | {'' if target is None else f'≤ {target} {unit}'} | {met} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
