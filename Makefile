# The README's commands. `make demo` and `make test` work from a fresh clone with Python 3.11+ and git.
#
# Installs are reproducible: requirements/*.txt lock every package to one version and its hashes (made by
# `make relock` from pyproject.toml's ranges). pip installs exactly those files, builds nothing with an
# unlocked tool (--no-build-isolation, with the locked setuptools) and never upgrades itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet --require-hashes --no-deps --no-build-isolation

.PHONY: demo test lint check demo-data bench clean relock dist

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# What the product needs to run: `make demo` installs this only.
$(RUN_STAMP): $(VENV)/bin/python requirements/build.txt requirements/run.txt pyproject.toml
	$(PIP) -r requirements/build.txt
	$(PIP) -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	# pip compiles the locked packages, not an editable install's own code: without this, where Python may not
	# write bytecode (PYTHONDONTWRITEBYTECODE, a read-only checkout) every crm command compiled its 120 modules
	# again (0.18 s). A module edited later is compiled from its source as ever.
	$(BIN)/python -m compileall -q crmdata site_builder
	touch $(RUN_STAMP)

# The test tools on top (pytest, ruff, mypy, playwright …): `make test` and `make lint`.
$(DEV_STAMP): $(RUN_STAMP) requirements/dev.txt
	$(PIP) -r requirements/dev.txt
	touch $(DEV_STAMP)

# The demo data set describes the world as of this day (tools.synth --as-of); the demo shows that day.
DEMO_AS_OF := 2026-11-24

## demo: install into .venv, validate the demo data set, show who must be contacted, build the site in site/
demo: $(RUN_STAMP)
	$(BIN)/crm validate --root .
	$(BIN)/crm due --root . --as-of $(DEMO_AS_OF) --records now
	$(BIN)/crm build --root . --as-of $(DEMO_AS_OF) --out site

## test: the whole test suite (on every core: pytest-xdist, one test file per worker), then ruff, mypy and the layer check (lint-imports: [tool.importlinter] in pyproject.toml)
# pytest exits 5 when it collects no test: for this project that is a broken suite, never a pass.
test: $(DEV_STAMP) browser-deps
	@$(BIN)/python -m pytest -n auto --dist loadfile; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests - the suite is missing or misconfigured" >&2; exit 1; fi; \
	exit $$status
	$(BIN)/ruff check crmdata site_builder tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

## lint: ruff, mypy and the layer check only
lint: $(DEV_STAMP)
	$(BIN)/ruff check crmdata site_builder tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

## demo-data: regenerate the committed demo data set (deterministic)
demo-data: $(RUN_STAMP)
	$(BIN)/python -m tools.synth --root . --clean

## bench: the speed and memory benchmarks (on demand, not part of the tests)
bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/diff.py
	$(BIN)/python benchmarks/transfer.py
	$(BIN)/python benchmarks/build.py

## relock: re-resolve requirements/*.txt to the newest versions pyproject.toml allows, install them, run the suite.
# Dependency drift is met on purpose: review the lock's diff and the test run, then commit requirements/.
RELOCK := $(BIN)/uv pip compile --upgrade --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make relock"
relock: $(DEV_STAMP)
	$(RELOCK) requirements/build.in -o requirements/build.txt
	$(RELOCK) pyproject.toml -o requirements/run.txt
	$(RELOCK) pyproject.toml --extra dev -o requirements/dev.txt
	rm -rf $(VENV)  # a new venv from the new lock: nothing left over from the old one
	$(MAKE) test

## dist: the wheel and the sdist of this version in dist/, built with the locked setuptools (nothing downloaded)
dist: $(RUN_STAMP)
	rm -rf dist build
	$(BIN)/python -m tools.dist --out dist

clean:
	rm -rf $(VENV) .crm-cache .pytest_cache .mypy_cache .ruff_cache site dist build

## browser-deps: Debian's chromium and a Chinese font for the browser tests (tests/test_site_browser.py);
## installs with apt-get (as root, or through sudo) only what is missing
.PHONY: browser-deps
browser-deps:
	@if [ -x /usr/bin/chromium ] && { fc-list :lang=zh 2>/dev/null | grep -q . || \
		dpkg -s fonts-noto-cjk 2>/dev/null | grep -q '^Status: install ok installed'; }; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make browser-deps: no apt-get here: install chromium as /usr/bin/chromium and a Chinese font (Noto CJK) yourself" >&2; \
		exit 1; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else echo "make browser-deps: apt-get needs root (or sudo) to install chromium fonts-noto-cjk" >&2; exit 1; fi; \
	echo "make browser-deps: apt-get install chromium fonts-noto-cjk"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
