# softmax-lab: `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# The class hub's proxy (tests/test_class_hub.py, make class-test), from npm.
PROXY := .ci/node/node_modules/.bin/configurable-http-proxy
# JupyterLab refuses to run as root unless told; learners are not root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: install constraints lab test lint unit hub nbval cpu browser floors newest outputs \
	measure class-test exercises bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change; `make test` stays fast afterwards.
# The exact versions the stored outputs were made with (constraints.txt; pyproject.toml
# keeps ranges for those who install the package into their own environment).
# tf-keras (Keras 2) is for tests/test_tf_keras_legacy.py, which runs the original lab on it.
# --no-deps: its declared dependency is the full `tensorflow` package, which pip would install
# next to tensorflow-cpu (a second TensorFlow); tensorflow-cpu is all it needs.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt "tf-keras>=2.16,<2.22"
	touch $@

# After upgrading the environment on purpose (then `make outputs`): record what it holds.
constraints: install
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable \
		--exclude softmax-lab; } > constraints.new && mv constraints.new constraints.txt
	touch $(STAMP)

# The exercises first (lab/exercises: course/release/), the solved notebooks one click away
# (lab/solutions: notebooks/); see lab/README.md.
lab: install
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=lab $(ALLOW_ROOT)

# Every stage at once, every one even after a failure, then each stage's time (tests/stages.py).
TEST_STAGES ?= lint unit nbval cpu browser hub floors newest
test: install
	$(BIN)/python tests/stages.py $(TEST_STAGES)

# ruff check and ruff format --check, as the commit hook runs them (.pre-commit-config.yaml).
lint: install
	$(BIN)/pre-commit run --all-files

# Two workers, one test file each: nbgrader's autograde runs on one core, the rest beside it.
unit: install
	$(BIN)/pytest tests --ignore=tests/browser --ignore=tests/test_class_hub.py -n 2 --dist loadfile

# A real class hub: two learners at once and the security probes (tests/test_class_hub.py).
hub: install $(PROXY)
	$(BIN)/pytest tests/test_class_hub.py

# One notebook per worker on 2 cores (benchmarks/suite.py: faster than serial, stable in
# every run measured; each notebook still runs top to bottom in its own kernel).
# Strict nbval, figures compared by pixels, on any CPU (tests/cpu/plugin.py; the contract is
# docs/reproducibility.md): on the kernels the stored outputs were made with (the fingerprint
# `make outputs` records in each notebook) every output exactly; on other kernels the cells
# measured CPU-dependent against the prose's claims, every other output still exactly.
# OTHER_CPU asks for another instruction set than the pin: setup() pins it back to AVX2, so
# the fingerprint must still match and every output be exact.
OTHER_CPU := ONEDNN_MAX_CPU_ISA=SSE41 XLA_FLAGS=--xla_cpu_max_isa=SSE4_2
# The tests' shared modules (tests/ci.py, tests/hub_driver.py, tests/cpu/) for commands outside pytest.
TEST_MODULES := PYTHONPATH=tests$(if $(PYTHONPATH),:$(PYTHONPATH))
nbval: install
	$(OTHER_CPU) $(TEST_MODULES) $(BIN)/pytest -p cpu.plugin --nbval-cpu --nbval-current-env \
		-n 2 --dist loadfile $(NOTEBOOKS)

# Another CPU, simulated: the notebooks with CPU-dependent cells under this CPU's AVX-512
# kernels (SSE4.1 ones where it has no AVX-512); the fingerprint must see other kernels, and
# the claims must hold (tests/cpu/measure.py simulate).
cpu: install
	$(TEST_MODULES) $(BIN)/python -m cpu.measure simulate -n 2 --dist loadfile

# Which cells depend on the CPU: every notebook (NB="05 06": only those) executed under every
# perturbation of tests/cpu/perturbations.py, one at a time, recorded in tests/cpu/measured/;
# then the cpu-dependent tags are written from the records and the claims checked against
# every run. Resumable (executions are kept in $$TMPDIR/softmax-lab-cpu-sweep). Run it after
# `make outputs` whenever a notebook's code changes; then write the claims of new tagged cells.
measure: install
	$(TEST_MODULES) $(BIN)/python -m cpu.measure run $(if $(NB),--notebooks $(subst $() ,$(comma),$(NB)))
	$(TEST_MODULES) $(BIN)/python -m cpu.measure tag
	$(TEST_MODULES) $(BIN)/python -m cpu.measure status
comma := ,

# Every notebook run in a real JupyterLab in headless Chromium (tests/browser/).
# Needs Debian's chromium (apt-get install chromium); skipped with that hint elsewhere, never in CI.
browser: install
	$(BIN)/pytest tests/browser

# The package on the oldest versions it claims (.ci/floors.txt, the oldest Python) and on the
# newest its ranges allow (the newest Python): each installs itself into .ci/venvs/, then runs
# the unit tests and every notebook top to bottom (.ci/versions.py).
floors newest:
	$(PYTHON) .ci/versions.py $@

# A class of LEARNERS runs every notebook through a real JupyterHub (benchmarks/class_test.py);
# its measurements go to benchmarks/results/class_test_N$(LEARNERS).json, or RESULTS=file.
# LESSONS="01 02 03 04 05": only those notebooks (by number); every notebook by default.
# A load test: `make bench` runs it; `make test` has the 2-learner smoke test (tests/test_class_hub.py).
LEARNERS ?= 4

# JupyterHub's proxy comes from npm; 5.3 needs Node 22, Debian's Node is 20.
$(PROXY):
	@command -v npm >/dev/null || { echo "class-test needs Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm install --prefix .ci/node --no-audit --no-fund --loglevel=error configurable-http-proxy@~5.2.0

class-test: install $(PROXY)
	$(TEST_MODULES) $(BIN)/python -m benchmarks.class_test --learners $(LEARNERS) $(if $(RESULTS),--json $(RESULTS)) \
		$(if $(LESSONS),--notebooks $(LESSONS))

outputs: install
	$(BIN)/python tests/execute_notebooks.py $(NOTEBOOKS)

# The learners' exercise notebooks (course/release/), generated by nbgrader from the solved ones.
exercises: install
	$(BIN)/python course/generate.py

# Speed, latency and accuracy, measured (benchmarks/run.py): one table, and
# benchmarks/RESULTS.md after a full run. QUICK=1 for a smoke run. Run by hand, not in CI.
bench: install class-test
	$(BIN)/python -m benchmarks.run $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
