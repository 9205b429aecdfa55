# Sichuan–Chongqing ecological restoration tracker. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export VENV PORT

.PHONY: help setup db demo run test fuzz lint format messages bench clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt bin/make-venv
	bin/make-venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

setup: ## Install system packages, the virtual environment and requirements
	bin/ensure-system-deps
	@$(MAKE) --no-print-directory $(VENV)/.installed
	@mkdir -p var

db: setup ## Migrate the database and load the reference data
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_reference

demo: db ## Load the demo accounts and demo data (keeps what exists)
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_demo

run: demo ## Serve on 127.0.0.1:$(PORT) with a Celery worker and beat
	DEBUG=$${DEBUG:-true} bin/run-demo

test: setup ## Run the whole test suite
	bin/ensure-system-deps gettext chromium poppler-utils
	$(PY) -m pytest $(PYTEST_ARGS)

fuzz: setup ## Fuzz every API operation deeper than make test (FUZZ_EXAMPLES, default 50)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} $(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

lint: setup ## ruff (lint and format check) and models without a migration
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=$${DEBUG:-true} $(PY) manage.py makemigrations --check --dry-run

format: setup ## ruff: fix what can be fixed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup ## Refresh the translation catalogues from the code and compile them
	bin/ensure-system-deps gettext
	PYTHON=$(PY) bin/update-messages

bench: setup ## Benchmark under gunicorn on PostgreSQL against hand-written SQL (docs/benchmarks.md; not in make test)
	$(PY) -m bench.run $(BENCH_ARGS)

clean: ## Remove the embedded database, broker folders and uploads (keeps the venv)
	rm -rf var
