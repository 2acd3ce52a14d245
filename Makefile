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

## demo: install into .venv, validate the demo data set, then show who must be contacted
demo: $(STAMP)
	$(BIN)/crm validate --root .
	$(BIN)/crm due --root . --as-of $(DEMO_AS_OF)

## test: the whole test suite, then ruff and mypy
# pytest exits 5 when it collects no test: for this project that is a broken suite, never a pass.
test: $(STAMP)
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

clean:
	rm -rf $(VENV) .crm-cache .pytest_cache .mypy_cache .ruff_cache site
