# The front door. `make demo` runs the bounty story on the in-process chain; `make test`
# runs every test. Both set up what they need (a virtual environment from requirements.lock,
# the npm packages from package-lock.json) and skip that when it is already done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_DONE := $(VENV)/.installed
NPM_DONE := node_modules/.installed

CHROMIUM := /usr/bin/chromium
VENDOR := bountychain/web/static/vendor

.PHONY: demo test bench fuzz compile slither setup vendor clean postgresql

demo: $(VENV_DONE)
	$(PY) -m bountychain.demo

test: $(VENV_DONE) $(NPM_DONE) $(CHROMIUM) postgresql
	$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's chromium through Playwright (no browser download).
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo )apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo )apt-get install -y -qq chromium >/dev/null

# The index's tests start a throwaway PostgreSQL cluster with Debian's initdb and pg_ctl
# (tests/postgres.py); installed once, when `pg_config --bindir` has no initdb.
postgresql:
	@test -x "$$(pg_config --bindir 2>/dev/null)/initdb" || { \
	  $(if $(filter 0,$(shell id -u)),,sudo )apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo )apt-get install -y -qq postgresql >/dev/null; }

# Copies the page's JavaScript library (ethers, pinned in package.json) from node_modules into
# the Python package, which serves it without node_modules; tests/test_web_assets.py checks
# the copy is byte-identical.
vendor: $(NPM_DONE)
	cp node_modules/ethers/dist/ethers.min.js $(VENDOR)/ethers.min.js
	cp node_modules/ethers/LICENSE.md $(VENDOR)/ethers.LICENSE.md

bench: $(VENV_DONE)
	$(PY) -m benchmarks.gas_report

# The deep profile of the stateful fuzzer: FUZZ_STEPS steps on anvil, figures in build/fuzz-report.json.
FUZZ_STEPS ?= 100000
fuzz: $(VENV_DONE) $(NPM_DONE)
	BOUNTYCHAIN_FUZZ_STEPS=$(FUZZ_STEPS) $(PY) -m pytest -q -s tests/test_stateful.py

# Static analysis of contracts/ (also part of `make test`).
slither: $(VENV_DONE) $(NPM_DONE)
	$(PY) -m tools.static_analysis

# Rebuilds the committed artifacts (bountychain/artifacts, tests/artifacts) from contracts/,
# through py-solc-x (its own solc where it can download one, else solc-js via tools/solc).
# tools/compile.mjs, the solc-js path, stays as the reference tests/test_compile.py checks against.
compile: $(VENV_DONE) $(NPM_DONE)
	$(PY) -m tools.compile

setup: $(VENV_DONE) $(NPM_DONE)

$(VENV_DONE): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(NPM_DONE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules build .pytest_cache .hypothesis
