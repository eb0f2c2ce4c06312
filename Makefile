# `make` sets itself up from the lock file, validates the package and builds dist/; `make test` runs pytest.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# pip compiles every package it installs, but not an editable one: compiled here, so that where Python may not write
# bytecode (PYTHONDONTWRITEBYTECODE, a read-only checkout) a run does not compile the package's modules every time.
COMPILE := $(PY) -m compileall -q src benchmarks
# cffconvert pins jsonschema < 4, which frictionless cannot share: it gets a small environment of its own.
CFF_VENV  := .venv-cff
CFF_STAMP := $(CFF_VENV)/.installed

.PHONY: all setup validate build test bytecode bench bench-scale bench-full lock clean charts

# build validates first (and refuses an invalid package), so `all` validates once.
all: build

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(COMPILE)
	touch $(STAMP)

validate: $(STAMP)
	$(PY) -m checks validate

build: $(STAMP)
	$(PY) -m checks build

$(CFF_STAMP): tools/cffconvert.lock
	$(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r tools/cffconvert.lock
	touch $(CFF_STAMP)

test: $(STAMP) $(CFF_STAMP)
	$(PY) -m pytest

# Regenerate the charts (docs/charts/) and their Vega-Lite views in datapackage.json (needs a CJK font: fonts-noto-cjk).
charts: $(STAMP)
	$(PY) -m checks charts

# The package's bytecode, fresh before timing anything (see COMPILE).
bytecode: $(STAMP)
	$(COMPILE)

# Speed (issue 10): whole-process time and memory against bare frictionless, then 1x, 10x and 100x the package.
bench: bytecode
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.scale

bench-scale: bytecode
	$(PY) -m benchmarks.scale

# Every size up to 10,000x (760,000 figure rows): tens of minutes.
bench-full: bytecode
	$(PY) -m benchmarks.scale --full

# Re-pin every dependency (needs pip-tools and the package index; not part of the build).
lock:
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --extra test --all-build-deps \
	  --no-emit-index-url --no-emit-find-links --strip-extras -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) $(CFF_VENV) dist build src/*.egg-info .pytest_cache
