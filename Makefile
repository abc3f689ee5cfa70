# The front door. `make demo` runs the bounty story on the in-process chain; `make test`
# runs every test. Both set up what they need (a virtual environment from requirements.lock,
# the npm packages from package-lock.json) and skip that when it is already done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_DONE := $(VENV)/.installed
NPM_DONE := node_modules/.installed
# Halmos pins other versions of packages the project's venv pins (rich), so it has its own.
HALMOS_VENV := build/halmos-venv
HALMOS_DONE := $(HALMOS_VENV)/.installed

CHROMIUM := /usr/bin/chromium
VENDOR := bountychain/web/static/vendor

.PHONY: demo test bench bench-sdk fuzz invariant halmos compile slither setup vendor clean postgresql

demo: $(VENV_DONE)
	$(PY) -m bountychain.demo

# `make test` runs on two pytest-xdist workers, each file's tests on one worker
# (tests/conftest.py), the slowest files first; `make test TEST_WORKERS=0` runs one process.
# docs/DESIGN.md, "Test suite time".
TEST_WORKERS ?= 2
test: $(VENV_DONE) $(NPM_DONE) $(HALMOS_DONE) $(CHROMIUM) postgresql
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=25 $(PYTEST_ARGS)

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
	node_modules/.bin/esbuild tools/ecies_entry.mjs --bundle --format=esm --minify --legal-comments=eof \
		--log-level=warning --outfile=$(VENDOR)/ecies.min.js
	cp node_modules/eciesjs/LICENSE $(VENDOR)/ecies.LICENSE

bench: $(VENV_DONE)
	$(PY) -m benchmarks.gas_report

# The SDK against raw web3.py per write, on anvil and through a 50 ms round-trip proxy
# (figures in docs/DESIGN.md, "SDK speed").
bench-sdk: $(VENV_DONE) $(NPM_DONE)
	$(PY) -m benchmarks.sdk_speed

# The deep profile of the stateful fuzzer: FUZZ_STEPS steps on anvil, figures in build/fuzz-report.json.
FUZZ_STEPS ?= 100000
fuzz: $(VENV_DONE) $(NPM_DONE)
	BOUNTYCHAIN_FUZZ_STEPS=$(FUZZ_STEPS) $(PY) -m pytest -q -s tests/test_stateful.py

# The Foundry invariant campaign at full size (2,048 runs x 500 calls = 1,024,000 handler
# calls, one thread): prints the calls and calls per second, figures in build/invariant-report.json.
invariant: $(VENV_DONE) $(NPM_DONE)
	$(PY) -m tools.invariants --profile deep

# The Halmos symbolic checks of the award, fee and quorum arithmetic (also part of `make test`,
# through tests/test_invariants_forge.py, with the same options). yices and cvc5 race on each
# query (tools/smt_portfolio.py); --loop 4 unrolls the three-winner loop.
HALMOS_ARGS := --function check_ --contract AccountingSymbolicTest --forge-build-out build/forge-out \
	--loop 4 --solver-timeout-assertion 120s \
	--solver-command "$(CURDIR)/$(HALMOS_VENV)/bin/python $(CURDIR)/tools/smt_portfolio.py"
halmos: $(NPM_DONE) $(HALMOS_DONE)
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" FOUNDRY_SOLC=tools/solc \
		nice -n 10 $(HALMOS_VENV)/bin/halmos $(HALMOS_ARGS)

$(HALMOS_DONE): requirements-halmos.lock
	$(PYTHON) -m venv $(HALMOS_VENV)
	$(HALMOS_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-halmos.lock
	touch $@

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
