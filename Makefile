# The two commands of the README: `make run` (index + chat UI) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_VERBOSITY := error
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install index bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned to the CPU build; then the project with its test extras (editable).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/rsa-assistant index

run: install
	$(BIN)/rsa-assistant index
	$(BIN)/rsa-assistant ui

test: install
	bash scripts/test-prereqs.sh
	$(BIN)/python -m pytest

eval: install
	$(BIN)/rsa-assistant index
	$(BIN)/rsa-assistant eval

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf index .cache test-artifacts
