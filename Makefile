# The two commands of the Quickstart: `make serve` and `make test`.
# Each creates (or reuses) .venv with the project installed, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test check build lint format messages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)  ## Build the demo academy and serve site + API on http://127.0.0.1:8000
	$(BIN)/lms serve

test: $(STAMP)  ## Run the whole test suite (unit, build, API and browser tests)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/lms check

build: $(STAMP)
	$(BIN)/lms build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)  ## Extract UI strings and update the translation catalogs
	$(BIN)/pybabel extract -F babel.cfg -o themes/default/translations/messages.pot .
	$(BIN)/pybabel update -i themes/default/translations/messages.pot -d themes/default/translations

bench: $(STAMP)
	$(BIN)/python -m benchmarks.build

clean:
	rm -rf output var/build var/cache
