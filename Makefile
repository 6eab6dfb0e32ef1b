# softmax-lab: `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# JupyterLab refuses to run as root unless told; learners are not root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: install lab test lint unit nbval browser outputs class-test clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change; `make test` stays fast afterwards.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

lab: install
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: install lint unit nbval browser class-test

lint: install
	$(BIN)/ruff check .

unit: install
	$(BIN)/pytest tests --ignore=tests/browser

nbval: install
	$(BIN)/pytest --nbval --nbval-current-env $(NOTEBOOKS)

# Every notebook run in a real JupyterLab in headless Chromium (tests/browser/).
# Needs Debian's chromium (apt-get install chromium); skipped with that hint elsewhere, never in CI.
browser: install
	$(BIN)/pytest tests/browser

# A class of LEARNERS runs every notebook through a real JupyterHub (benchmarks/class_test.py).
LEARNERS ?= 4
PROXY := .ci/node/node_modules/.bin/configurable-http-proxy

# JupyterHub's proxy comes from npm; 5.3 needs Node 22, Debian's Node is 20.
$(PROXY):
	@command -v npm >/dev/null || { echo "class-test needs Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm install --prefix .ci/node --no-audit --no-fund --loglevel=error configurable-http-proxy@~5.2.0

class-test: install $(PROXY)
	$(BIN)/python benchmarks/class_test.py --learners $(LEARNERS) $(if $(RESULTS),--json $(RESULTS))

outputs: install
	$(BIN)/python tests/execute_notebooks.py $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
