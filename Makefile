# The two quick-start commands:  `make demo`  and  `make test`  (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt -e .

demo: install
	$(BIN)/python -m hfhub.demo

test: install-dev
	bash scripts/install-test-system-packages.sh
	$(BIN)/ruff check .
	$(BIN)/mypy hfhub
	$(BIN)/python -m pytest -q -n auto --dist loadfile --durations=25

clean:
	rm -rf $(VENV) output build *.egg-info
