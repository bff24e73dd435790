# Five Reports: two commands do everything.
#   make book   -- set up .venv, execute the chapters whose inputs changed (in parallel, one kernel per
#                  core), build the HTML into _build/html/ from the execution cache
#   make test   -- set up .venv, run unit tests, nbval, a strict offline book build (checked for
#                  reproducibility) and the browser test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PDF := _build/pdf/five-reports.pdf
export BROWSER_PATH ?= /usr/bin/chromium
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# One BLAS thread per process: every step here already runs one process (test worker, kernel) per
# core, and OpenBLAS's own threads on top of that oversubscribe the cores (measured on 2 cores: unit
# tests 126 s -> 85 s wall, 231 s -> 150 s CPU). Kernels started by the executor and nbval inherit it.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: html pdf book test unit nbval strict-build offline-strict-build browser-test execute validate clean env system-deps bench

# Debian packages (chromium for figure exports and the browser test, CJK fonts): installed if missing.
system-deps:
	bash .ci/install-system-deps

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

env: $(STAMP)

validate: $(STAMP)
	$(BIN)/python -m analysis validate

# Chapters execute before the book build, in parallel, and only when something they read changed
# (analysis.build.execute); the book build then takes every chapter from the cache.
html: system-deps $(STAMP)
	$(BIN)/python -m analysis validate
	$(BIN)/python -m analysis.build.execute _build
	$(BIN)/jupyter-book build . -n --keep-going
	@test -f _build/html/index.html

book: html
	@# the PDF again only when a page (or a static file) is newer than it: a build that changed nothing keeps it
	@if [ -f $(PDF) ] && [ -z "$$(find _build/html/book _static -newer $(PDF) -type f -print -quit)" ]; then \
		echo "PDF up to date: $(PDF)"; else $(BIN)/python -m analysis.build.pdf; fi
	@echo "The book is built: open _build/html/index.html (file://$(CURDIR)/_build/html/index.html)"

# The whole book as one PDF (single-page HTML build printed by Chromium), offline; also copied into
# _build/html/ where the front page links to it.
pdf: system-deps $(STAMP)
	.ci/offline $(BIN)/python -m analysis.build.execute _build
	.ci/offline $(BIN)/python -m analysis.build.pdf

unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser -p no:cacheprovider -n auto --dist loadfile

# One notebook per pytest-xdist worker (--dist loadfile keeps a notebook's cells in one kernel).
nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-p no:cacheprovider -n auto --dist loadfile book/

strict-build: $(STAMP)
	$(BIN)/python -m analysis.build.execute _build
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# The strict build as `make test` runs it: every chapter re-executed (--force, in parallel) with the
# network cut off (.ci/offline) and without the derived-artefact caches (FIVE_REPORTS_DERIVED_CACHE=off:
# geometry and figure exports are computed again, not copied from the first execution), then checked
# against the first execution (nbval's) and the stored notebooks: identical CSV/SVG exports and
# identical outputs after sanitising. The book build executes nothing (every chapter is in the cache).
offline-strict-build: $(STAMP)
	$(BIN)/python tests/reproducibility.py snapshot _build/repro/first.json
	FIVE_REPORTS_DERIVED_CACHE=off .ci/offline $(BIN)/python -m analysis.build.execute _build --force
	.ci/offline $(BIN)/jupyter-book build . -W -n --keep-going --all 2>&1 | tee _build/strict-build.log
	@! grep -q "Executing notebook" _build/strict-build.log || \
		{ echo "the strict build executed a notebook itself: a third execution" >&2; exit 1; }
	$(BIN)/python tests/reproducibility.py snapshot _build/repro/second.json
	$(BIN)/python tests/reproducibility.py compare-figures _build/repro/first.json _build/repro/second.json
	$(BIN)/python tests/reproducibility.py compare-notebooks book _build/jupyter_execute/book

# The tests of one page run on one worker and share one load of it (tests/browser/conftest.py's
# scheduler: xdist's --dist loadgroup does not group under pytest 9).
browser-test: $(STAMP)
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider -n auto --dist loadscope

# Pytest's exit code 5 ("no tests collected") is a failure here like any non-zero code.
test: system-deps unit nbval offline-strict-build pdf browser-test
	@echo "make test: unit tests, nbval, offline strict build, reproducibility check and browser test all passed"

# Re-execute the chapter notebooks in place so their stored outputs (checked by nbval) are current.
execute: system-deps $(STAMP)
	@# one notebook per core at a time (each in its own kernel); any failure fails the target
	cd book && printf '%s\0' *.ipynb | xargs -0 -n 1 -P "$$(nproc)" \
		../$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600

# Benchmarks (not part of make test): writes benchmarks/results.csv (ratios to U, the time of
# `python -c "import statsmodels.api"` in the same run) and prints a table.
bench: system-deps $(STAMP)
	$(BIN)/python benchmarks/run.py --with-test

clean:
	rm -rf _build
