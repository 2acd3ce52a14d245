# The README's commands. `make demo` and `make test` work from a fresh clone with Python 3.11+ and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint check demo-data bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo data set describes the world as of this day (crmdata.synth --as-of); the demo shows that day.
DEMO_AS_OF := 2026-11-24

## demo: install into .venv, validate the demo data set, show who must be contacted, build the site in site/
demo: $(STAMP)
	$(BIN)/crm validate --root .
	$(BIN)/crm due --root . --as-of $(DEMO_AS_OF)
	$(BIN)/crm build --root . --as-of $(DEMO_AS_OF) --out site

## test: the whole test suite, then ruff and mypy
# pytest exits 5 when it collects no test: for this project that is a broken suite, never a pass.
test: $(STAMP) browser-deps
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests - the suite is missing or misconfigured" >&2; exit 1; fi; \
	exit $$status
	$(BIN)/ruff check crmdata site_builder tests benchmarks
	$(BIN)/mypy

## lint: ruff and mypy only
lint: $(STAMP)
	$(BIN)/ruff check crmdata site_builder tests benchmarks
	$(BIN)/mypy

## demo-data: regenerate the committed demo data set (deterministic)
demo-data: $(STAMP)
	$(BIN)/python -m crmdata.synth --root . --clean

## bench: the speed and memory benchmarks (on demand, not part of the tests)
bench: $(STAMP)
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/diff.py
	$(BIN)/python benchmarks/transfer.py
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf $(VENV) .crm-cache .pytest_cache .mypy_cache .ruff_cache site

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
