# `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# Real services some tests start (a throwaway PostgreSQL cluster, headless Chromium): Debian
# packages, installed once per venv where apt-get can run; the tests skip with the reason otherwise.
SYSTEM_PACKAGES := postgresql chromium
$(VENV)/.system-deps: | $(BIN)/python
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian packages: $$missing"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null) || echo "could not install: $$missing"; \
	fi
	touch $@

demo: $(VENV)/.installed
	$(BIN)/chainrule demo

test: $(VENV)/.installed-dev $(VENV)/.system-deps
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/pytest -n 2 tests

# This machine may force an old OpenBLAS kernel and stops Python from caching compiled
# modules (every fresh process, a search's workers too, compiled chainrule's 200 again:
# 0.15 s); a user's machine does neither.
BENCH = env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u PYTHONDONTWRITEBYTECODE $(BIN)/python

bench: $(VENV)/.installed-dev
	mkdir -p benchmarks/results
	$(BENCH) benchmarks/engine_overhead.py --json benchmarks/results/engine_overhead.json
	$(BENCH) benchmarks/mnist_mlp.py --json benchmarks/results/mnist_mlp.json
	$(BENCH) benchmarks/mnist_memory.py
	$(BENCH) benchmarks/profile_step.py
	$(BENCH) benchmarks/explain.py --json benchmarks/results/explain.json
	$(BENCH) benchmarks/mnist_cnn.py --json benchmarks/results/mnist_cnn.json
	$(BENCH) benchmarks/mnist_cnn_profile.py
	$(BENCH) benchmarks/search.py --json benchmarks/results/search.json
	$(BENCH) benchmarks/distributed.py

clean:
	rm -rf $(VENV) build src/*.egg-info
