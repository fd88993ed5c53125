# Two commands do all set-up on a fresh machine:
#   make run    installs the studio and opens it on a bundled sample dataset
#   make test   installs what the tests need (Chromium included) and runs the whole suite
PYTHON ?= $(shell PYENV_VERSION=3.12.1 pyenv which python3 2>/dev/null || command -v python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

.PHONY: run test chromium cli
run: $(VENV)/.installed
	AUTOML_DEFAULT_SAMPLE=penguins_ja $(BIN)/streamlit run app.py --server.port $(PORT)

cli: $(VENV)/.installed
	$(BIN)/python -m engine run --data assets/datasets/penguins.csv --target species --time-budget 30

chromium:
	@(command -v chromium >/dev/null && fc-list | grep -qi ipa) || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-ipafont-gothic)

test: $(VENV)/.installed-dev chromium
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup tests
