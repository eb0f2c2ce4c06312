# `make` sets itself up from the lock file, then validates the package; `make test` runs pytest.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all setup validate test bench bench-scale bench-full lock clean

all: validate

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

validate: $(STAMP)
	$(PY) -m checks validate

test: $(STAMP)
	$(PY) -m pytest

# Speed (issue 10): whole-process time and memory against bare frictionless, then 1x, 10x and 100x the package.
bench: $(STAMP)
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.scale

bench-scale: $(STAMP)
	$(PY) -m benchmarks.scale

# Every size up to 10,000x (760,000 figure rows): tens of minutes.
bench-full: $(STAMP)
	$(PY) -m benchmarks.scale --full

# Re-pin every dependency (needs pip-tools and the package index; not part of the build).
lock:
	$(PY) -m pip install --quiet pip-tools
	$(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --extra test --all-build-deps \
	  --no-emit-index-url --no-emit-find-links --strip-extras -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) dist build src/*.egg-info .pytest_cache
