"""Execute the stale chapters in parallel into Jupyter Book's cache.

``make book`` (and ``make test``'s strict build, with ``--force``) runs this before
``jupyter-book build``; the book build then finds every chapter in the cache
(``execute_notebooks: cache``) and executes nothing:

    python -m analysis.build.execute [BUILD_DIR] [--force] [--jobs N] [--declare]

1. :func:`analysis.build.buildcache.refresh` removes the jupyter-cache record of every chapter
   whose code cells or inputs changed (every chapter with ``--force``);
2. the stale chapters run through jupyter-cache's ``local-parallel`` executor (a process pool,
   one kernel per chapter, as many at a time as there are cores, or ``--jobs``), longest first
   (the previous run's times), one chapter per task. Each kernel starts with the build's IPython
   start-up file (:mod:`analysis.build.kernel_recorder`), which records what it reads;
3. every executed chapter's reads are checked against its declaration in
   ``analysis/build/chapter_inputs.yml``: a chapter that read a file of the repository it does not
   declare **fails the build** (its cache record is removed), naming the file; ``--declare``
   rewrites the declarations from the recorded reads instead;
4. the inputs are stored with their digests (``_build/.inputs/``) and the executed notebook's
   modification time is touched, so that Sphinx reads it again (from the cache).

The execution is the same as the book build's own (nbclient, the notebook's folder as working
directory, the same timeout), so the outputs are the bytes a serial build gives.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

from . import buildcache
from .buildcache import ROOT

TIMEOUT = 600
RECORDER = Path(__file__).resolve().with_name("kernel_recorder.py")
STARTUP_NAME = "00-five-reports-inputs.py"


class RecordingWorker(ExecutionWorkerLocalMProc):
    """jupyter-cache's local-parallel worker, telling the kernel where to write its manifest."""

    @staticmethod
    def execute(project_nb, data: ProcessData):
        nb = Path(project_nb.uri)
        os.environ["FIVE_REPORTS_RECORD"] = str(buildcache.manifest_path(Path(os.environ["FIVE_REPORTS_BUILD"]), nb))
        return ExecutionWorkerLocalMProc.execute(project_nb, data)


BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def install_startup(build_dir: Path, root: Path) -> Path:
    """The IPython directory whose start-up file installs the recorder; sets the kernels' environment."""
    ipython_dir = build_dir / ".ipython"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / STARTUP_NAME).write_text(
        "# Written by analysis.build.execute: record what this chapter's kernel reads (see kernel_recorder.py).\n"
        f"__import__('runpy').run_path({str(RECORDER)!r}, run_name='five_reports_recorder')"
        "['install'](get_ipython())\n", encoding="utf-8")
    os.environ.update({"IPYTHONDIR": str(ipython_dir), "FIVE_REPORTS_ROOT": str(root.resolve()),
                       "FIVE_REPORTS_BUILD": str(build_dir.resolve())})
    for variable in BLAS_THREAD_VARIABLES:  # one kernel per core already: BLAS threads would only contend
        os.environ.setdefault(variable, "1")
    return ipython_dir


def previous_seconds(build_dir: Path) -> dict[str, float]:
    path = build_dir / buildcache.INPUTS_DIR / "timings.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_parallel(cache, notebooks: list[Path], jobs: int, timeout: int, order: dict[str, float]) -> dict[Path, int]:
    """Execute ``notebooks`` through the local-parallel worker; {notebook: 0 ok, 1 cell error, 2 failure}."""
    records = [cache.add_nb_to_project(str(nb)) for nb in notebooks]
    by_uri = {str(nb): nb for nb in notebooks}
    tasks = sorted((ProcessData(r.pk, r.uri, cache, timeout, False) for r in records),
                   key=lambda d: -order.get(Path(d.uri).stem, 1e9))
    results = {}
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
        for code, uri in pool.imap_unordered(RecordingWorker(), tasks, chunksize=1):
            results[by_uri[uri]] = code
            print(f"  {Path(uri).stem}: {'executed' if code == 0 else 'FAILED'} "
                  f"({time.perf_counter() - start:.1f} s since start)", flush=True)
    return results


def write_declarations(root: Path, states: dict[str, dict]) -> Path:
    """Rewrite ``chapter_inputs.yml`` from the recorded reads (keeps chapters not executed)."""
    declared, ignored = buildcache.declarations(root), buildcache.not_inputs(root)
    for name, state in states.items():
        declared[name] = buildcache.undeclared_reads(state["manifest"], [], ignored.get(name, {}))
    path = root / buildcache.DECLARATIONS
    head = ("# The repository files each chapter reads, besides its code cells, the analysis/ modules it\n"
            "# imports and requirements.txt (tracked without declaring). Checked at every build: a chapter\n"
            "# that reads a file not listed here fails the build. Regenerate from what the kernels read with\n"
            "# `python -m analysis.build.execute --force --declare`, and review the difference.\n"
            "# not_inputs: files a chapter reads whose content cannot change its output, each with the reason\n"
            "# (kept by --declare; a change to them re-executes nothing).\n")
    body = {"chapters": dict(sorted(declared.items())), "not_inputs": ignored}
    path.write_text(head + yaml.safe_dump(body, allow_unicode=True, sort_keys=True, width=100), encoding="utf-8")
    return path


def execute(build_dir: Path = ROOT / "_build", root: Path = ROOT, force: bool = False, jobs: int | None = None,
            timeout: int = TIMEOUT, declare: bool = False) -> int:
    """Invalidate and execute the stale chapters; 0 when every one ran and declares what it read."""
    build_dir = build_dir.resolve()
    stale = buildcache.refresh(build_dir, root, force=force)
    n_all = len(buildcache.chapters(root))
    if not stale:
        print(f"execute: all {n_all} chapters current; nothing to execute")
        return 0
    for nb, reasons in stale.items():
        print(f"execute: {nb.stem} is stale ({'; '.join(reasons[:3])}{' ...' if len(reasons) > 3 else ''})")
    jobs = jobs or os.cpu_count() or 1
    install_startup(build_dir, root)
    (build_dir / buildcache.INPUTS_DIR).mkdir(parents=True, exist_ok=True)
    for nb in stale:
        buildcache.manifest_path(build_dir, nb).unlink(missing_ok=True)
    cache = buildcache.open_cache(build_dir)
    timings = previous_seconds(build_dir)
    print(f"execute: {len(stale)} of {n_all} chapters on {min(jobs, len(stale))} processes", flush=True)
    t0 = time.perf_counter()
    results = run_parallel(cache, list(stale), jobs, timeout, timings)
    # Seen once in three fresh-clone runs under load: a worker reported success but its cache record
    # was not there afterwards (the cause is not known). Such a chapter is executed again, alone; if
    # its record is still missing it fails below instead of being left for Jupyter Book to execute.
    lost = [nb for nb, code in results.items() if code == 0 and buildcache.cache_record(cache, nb) is None]
    if lost:
        print(f"execute: no cache record after execution for {', '.join(nb.stem for nb in lost)}: "
              "executing again, one at a time", flush=True)
        results.update(run_parallel(cache, lost, 1, timeout, timings))
    failures, states = [], {}
    for nb, code in results.items():
        if code == 0 and buildcache.cache_record(cache, nb) is None:
            failures.append(f"{nb.stem}: executed, but jupyter-cache holds no record of it")
            continue
        if code != 0:
            tb = cache.get_project_record(str(nb)).traceback or "(no traceback recorded)"
            failures.append(f"{nb.stem}: execution failed\n{tb}")
            continue
        try:
            manifest = json.loads(buildcache.manifest_path(build_dir, nb).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            buildcache.invalidate(build_dir, nb, cache)
            failures.append(f"{nb.stem}: its kernel wrote no record of what it read (is the start-up file "
                            f"{build_dir / '.ipython'} in use?)")
            continue
        record = buildcache.cache_record(cache, nb)
        seconds = record.data.get("execution_seconds") if record is not None else None
        missing = buildcache.undeclared_reads(manifest, buildcache.declarations(root).get(nb.stem, []),
                                              buildcache.not_inputs(root).get(nb.stem, {}))
        if missing and not declare:
            buildcache.invalidate(build_dir, nb, cache)
            failures.append(f"{nb.stem}: read {', '.join(missing)}, not declared for it in "
                            f"{buildcache.DECLARATIONS} (a change there would not re-execute it): declare "
                            "them, or run `python -m analysis.build.execute --force --declare`")
            continue
        states[nb.stem] = {"manifest": manifest}
        timings[nb.stem] = seconds
        buildcache.record_execution(root, build_dir, nb, manifest, seconds, cache)
        os.utime(nb)  # Sphinx reads the chapter again, from the cache
    if declare and states:
        print(f"execute: declarations written to {write_declarations(root, states)}")
        for name in states:  # the digests must cover the new declarations
            nb = root / next(p for p in results if p.stem == name)
            buildcache.record_execution(root, build_dir, nb, states[name]["manifest"], timings.get(name), cache)
    (build_dir / buildcache.INPUTS_DIR / "timings.json").write_text(json.dumps(timings, indent=1, sort_keys=True))
    print(f"execute: {len(states)} chapter(s) executed in {time.perf_counter() - t0:.1f} s: " +
          ", ".join(f"{k} {timings[k]:.1f} s" for k in sorted(states) if timings.get(k) is not None))
    for f in failures:
        print("execute: " + f, file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    flags = {a for a in args if a in ("--force", "--declare")}
    jobs = None
    if "--jobs" in args:
        i = args.index("--jobs")
        jobs = int(args[i + 1])
        del args[i:i + 2]
    args = [a for a in args if a not in flags]
    build_dir = Path(args[0]) if args else ROOT / "_build"
    return execute(build_dir, force="--force" in flags, jobs=jobs, declare="--declare" in flags)


if __name__ == "__main__":
    sys.exit(main())
