"""Benchmarks of the book's build and analysis code: ``make bench``.

Every time is also given in U, the time of ``python -c "import statsmodels.api"`` measured in the
same run (median of five, after one warm-up), so that figures compare across machines; the run
records the machine's cores, U and the load average (the development machine is shared, so other
work may slow a run: the load is written beside each build measurement). Measured:

* ``make book`` cold (``_build/`` and the figure exports removed; venv installed), with nothing
  changed, after a prose-only change (a newline appended to ``data/README.md`` and to a Markdown
  chapter), and after a change to one data file (``data/benchmarks.csv``: the chapters that read
  it re-execute, and the run lists them with their execution times);
* the execution time of every chapter in the cold build (in parallel, from
  ``_build/.inputs/timings.json``);
* ``make test`` (``--with-test``; its output goes to ``_build/bench-make-test.log``);
* ``python -m analysis validate`` against the import of pandas + pandera (target: at most twice);
* page weights, and the analysis functions on synthetic data of growing size (cities x days).

Writes ``benchmarks/results.csv`` (``measurement, value, unit, in_U, target, met, note``); rows
not measured in a run are kept from the previous file. Prints the Markdown table for the README.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results.csv"
COLUMNS = ["measurement", "value", "unit", "in_U", "target", "met", "note"]
#: Targets in U (issue 18).
TARGETS_U = {"make book, cold": 25, "make book, nothing changed": 3, "make book, prose-only change": 4,
             "make html (book without the PDF), prose-only change": 4,
             "make test": 90}
DATA_CHANGE = "data/benchmarks.csv"
PROSE = ("data/README.md", "book/glossary.md")
_EXECUTED = re.compile(r"execute: (\d+) chapter\(s\) executed in ([\d.]+) s: (.*)")


def _timed(cmd: list[str], log: Path | None = None, **kw) -> float:
    start = time.perf_counter()
    with open(log, "w") if log else open(os.devnull, "w") as out:
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=out, stderr=subprocess.STDOUT, **kw)
    return time.perf_counter() - start


def _load() -> str:
    return "load %.1f/%.1f/%.1f" % os.getloadavg()


#: Every measurement of U in this run: taken at the start, between the builds and after make test,
#: because other work on a shared machine can slow one sample; U is their median.
U_SAMPLES: list[float] = []


def sample_unit(runs: int = 3) -> float:
    cmd = [str(BIN / "python"), "-c", "import statsmodels.api"]
    _timed(cmd)  # warm the file cache
    U_SAMPLES.extend(_timed(cmd) for _ in range(runs))
    return float(np.median(U_SAMPLES))


def make_book(target: str = "book") -> tuple[float, dict[str, float], str]:
    """(seconds, {executed chapter: its execution seconds}, load before the run) of ``make <target>``."""
    sample_unit()
    load = _load()
    start = time.perf_counter()
    out = subprocess.run(["make", target], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - start
    executed = {}
    for m in _EXECUTED.finditer(out):
        for part in m.group(3).split(", "):
            name, t, _ = part.rsplit(" ", 2)
            executed[name] = float(t)
    return seconds, executed, load


def _edit(paths, suffix: bytes) -> dict[Path, bytes]:
    saved = {}
    for rel in paths:
        p = ROOT / rel
        saved[p] = p.read_bytes()
        p.write_bytes(saved[p] + suffix)
    return saved


def build_timings() -> list[tuple]:
    rows = []
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    shutil.rmtree(ROOT / "_static" / "figures", ignore_errors=True)
    t, executed, load = make_book()
    rows.append(("make book, cold", t, "s", f"{len(executed)} chapters executed; {_load_note(load)}"))
    timings = json.loads((ROOT / "_build" / ".inputs" / "timings.json").read_text())
    for name, sec in sorted(timings.items()):
        rows.append((f"chapter {name}, execution in the cold build", sec, "s", f"parallel on {os.cpu_count()} cores"))
    t, executed, load = make_book()
    rows.append(("make book, nothing changed", t, "s", f"{len(executed)} chapters executed; {_load_note(load)}"))
    saved = _edit(PROSE, b"\n")
    try:
        t, executed, load = make_book()
        rows.append(("make book, prose-only change", t, "s",
                     f"{' and '.join(PROSE)} changed; {len(executed)} chapters executed; {_load_note(load)}"))
    finally:
        for p, b in saved.items():
            p.write_bytes(b)
    make_book()  # back to the committed prose
    saved = _edit(PROSE, b"\n")
    try:
        t, executed, load = make_book("html")
        rows.append(("make html (book without the PDF), prose-only change", t, "s",
                     f"{len(executed)} chapters executed; {_load_note(load)}"))
    finally:
        for p, b in saved.items():
            p.write_bytes(b)
    make_book()
    saved = _edit([DATA_CHANGE], b"\n")
    try:
        t, executed, load = make_book()
        chapters_s, unit = sum(executed.values()), float(np.median(U_SAMPLES))
        rows.append(("make book, one data file changed", t, "s",
                     f"{DATA_CHANGE} changed; executed {', '.join(f'{k} {v:.1f} s' for k, v in sorted(executed.items()))}; "
                     f"target: their execution time + 4 U = {chapters_s + 4 * unit:.1f} s "
                     f"({'met' if t <= chapters_s + 4 * unit else 'not met'}); {_load_note(load)}"))
    finally:
        for p, b in saved.items():
            p.write_bytes(b)
    make_book()  # leave the build matching the data
    return rows


def _load_note(load: str) -> str:
    return f"{load} before the run"


def _median_time(cmd: list[str], runs: int = 5) -> float:
    _timed(cmd)  # warm the file cache
    return float(np.median([_timed(cmd) for _ in range(runs)]))


def startup_timings() -> list[tuple]:
    py = str(BIN / "python")
    sample_unit(5)
    base = _median_time([py, "-c", "import pandas, pandera.pandas"])
    validate = _median_time([py, "-m", "analysis", "validate"])
    return [
        ("cores", float(os.cpu_count() or 0), "", ""),
        ("python -c 'import pandas, pandera.pandas'", base, "s", ""),
        ("python -m analysis validate", validate, "s", ""),
        ("validate / (pandas + pandera import)", validate / base, "x", "target ≤ 2"),
    ]


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
    ap.add_argument("--skip-build", action="store_true", help="only start-up, page weights and synthetic data")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up timings (validate, U)")
    args = ap.parse_args(argv)
    rows = startup_timings()
    if not args.startup_only:
        if not args.skip_build:
            rows += build_timings()
        if args.with_test:
            sample_unit()
            load = _load()
            t = _timed(["make", "test"], log=ROOT / "_build" / "bench-make-test.log")
            rows.append(("make test", t, "s", f"installs excluded; {_load_note(load)}"))
            sample_unit()
        rows += [(n, v, u, "") for n, v, u, _ in page_weights() + synthetic_timings() + synthetic_speed_and_yields()]
    unit = float(np.median(U_SAMPLES))
    rows.insert(0, ("U = python -c 'import statsmodels.api'", unit, "s",
                    f"median of {len(U_SAMPLES)} samples taken through the run "
                    f"(min {min(U_SAMPLES):.2f} s, max {max(U_SAMPLES):.2f} s); {os.cpu_count()} cores; {_load()} at the end"))
    return _write(rows, unit)


def _target(name: str, value: float, unit_s: float, unit: str) -> tuple[str, str]:
    if name in TARGETS_U:
        return f"≤ {TARGETS_U[name]} U", "yes" if value / unit_s <= TARGETS_U[name] else "no"
    if name == "validate / (pandas + pandera import)":
        return "≤ 2 x", "yes" if value <= 2 else "no"
    return "", ""


def _write(rows: list[tuple], unit_s: float) -> int:
    measured = {r[0] for r in rows}
    kept = []
    if RESULTS.exists():
        with open(RESULTS, newline="", encoding="utf-8") as fh:
            kept = [r for r in csv.DictReader(fh) if r.get("measurement") not in measured and "in_U" in r]
    table = []
    with open(RESULTS, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for name, value, unit, note in rows:
            in_u = f"{value / unit_s:.2f}" if unit == "s" and not name.startswith("U =") else ""
            target, met = _target(name, value, unit_s, unit)
            w.writerow([name, f"{value:.2f}", unit, in_u, target, met, note])
            table.append((name, value, unit, in_u, target, met))
        for r in kept:
            w.writerow([r[c] for c in COLUMNS])
    print("| measurement | seconds | in U | target | met |\n|---|---|---|---|---|")
    for name, value, unit, in_u, target, met in table:
        if unit == "s":
            print(f"| {name} | {value:.1f} | {in_u} | {target} | {'**no**' if met == 'no' else met} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
