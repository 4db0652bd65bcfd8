# The two quick-start commands:  `make demo`  and  `make test`  (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-all checks install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt -e .

demo: install
	$(BIN)/python -m hfhub.demo

# The checks, then the tests but those marked slow (larger end-to-end runs); test-all runs every
# test (what CI runs).
test: checks
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "not slow" --durations=15

test-all: checks
	$(BIN)/python -m pytest -q -n auto --dist loadfile --durations=25

checks: install-dev
	bash scripts/install-test-system-packages.sh
	$(BIN)/ruff check .
	$(BIN)/mypy hfhub

clean:
	rm -rf $(VENV) output build *.egg-info
