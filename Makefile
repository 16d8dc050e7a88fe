# The two commands of the README: `make run` (index + chat UI) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_VERBOSITY := error
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: run test lint install index bench eval clean models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned to the CPU build; then the project with its test extras (editable; test includes bench).
$(STAMP): $(BIN)/python pyproject.toml setup.py
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/rsa-assistant index

run: install
	$(BIN)/rsa-assistant index
	$(BIN)/rsa-assistant ui

# lint, formatting and types first (cheap, and a finding fails the run), then the whole suite
test: install
	bash scripts/test-prereqs.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant

eval: install
	$(BIN)/rsa-assistant index
	$(BIN)/rsa-assistant eval

bench: install
	$(BIN)/python bench/run.py

# retrain the committed models (issue 20) from committed data on 2 CPU cores; not part of `make test`
models: install
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python -m training.verifier.build
	$(BIN)/python -m training.relevance.build
	$(BIN)/python -m training.words.build

clean:
	rm -rf index .cache test-artifacts build dist
