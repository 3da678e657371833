# A fresh machine needs only Python 3.11+ and make: each target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= sqlite:///beatline.db

.PHONY: demo test lint bench clean

$(BIN)/beatline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/beatline
	BEATLINE_DATABASE_URL=$(DEMO_DB) $(BIN)/beatline init-db
	BEATLINE_DATABASE_URL=$(DEMO_DB) $(BIN)/beatline demo-data
	BEATLINE_DATABASE_URL=$(DEMO_DB) $(BIN)/beatline chat

test: $(BIN)/beatline
	$(BIN)/ruff check bot handlers knowledge tests bench
	$(BIN)/ruff format --check bot handlers knowledge tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto --maxprocesses 4

lint: $(BIN)/beatline
	$(BIN)/ruff check bot handlers knowledge tests bench
	$(BIN)/ruff format --check bot handlers knowledge tests bench
	$(BIN)/mypy

bench: $(BIN)/beatline
	$(BIN)/python -m bench.import
	$(BIN)/python -m bench.search

clean:
	rm -rf $(VENV) beatline.db beatline.db-wal beatline.db-shm beatline.db.audit-key
