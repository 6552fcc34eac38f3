# Two commands on a fresh machine (Python 3.11+ and make):
#   make demo   set up .venv and run the main job on the bundled sample data
#   make test   set up .venv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint samples docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/workbench demo

test: $(STAMP)
	# notebooks run in their own folder (as JupyterLab does), outputs checked only where marked
	$(BIN)/python -m pytest --nbval-lax notebooks/ --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider -q
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks

samples: $(STAMP)
	$(BIN)/workbench samples --out data/samples

docs: $(STAMP)
	$(BIN)/workbench docs

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
