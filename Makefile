VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install test lint bench demo i18n

$(PY):
	python3 -m venv $(VENV)

install: $(PY)
	$(VENV)/bin/pip install -e '.[dev]'

test: install
	$(VENV)/bin/pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench:
	for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

demo: $(PY)
	$(VENV)/bin/pip install -e .
	$(PY) -m bot demo

# Re-extract texts from the code and recompile the catalogues (commit the .po and .mo files).
i18n:
	$(VENV)/bin/pybabel extract -k _ -k __ --no-location -o bot/locales/messages.pot bot handlers
	$(VENV)/bin/pybabel update -i bot/locales/messages.pot -d bot/locales -D messages
	$(VENV)/bin/pybabel compile -d bot/locales -D messages
