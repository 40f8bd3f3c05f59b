# Crieur — run `make help` for the list of targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) locales ## create .venv and install Crieur with its test tools

locales: $(STAMP) ## compile the .po catalogs into .mo
	$(BIN)/pybabel -q compile -D crieur -d locales

demo: install ## build a demo town on the embedded default and publish one announcement
	$(BIN)/crieur demo $(DEMO_ARGS)

test: install ## run the whole test suite (embedded default: SQLite, no server needed)
	$(BIN)/pytest -q

test-production: install ## the production topology test (needs DATABASE_URL, CELERY_BROKER_URL, CRIEUR_SECRET_KEY)
	$(BIN)/pytest -q -m production tests/e2e

check-deploy: install ## production settings pass `manage check --deploy` (needs CRIEUR_SECRET_KEY)
	CRIEUR_ENV=production $(BIN)/crieur manage check --deploy --fail-level WARNING

locales-update: $(STAMP) ## extract the fixed words and update every catalog
	$(BIN)/pybabel -q extract -F babel.cfg -k gettext:2 -k ngettext:2,3 -o locales/crieur.pot --no-location --sort-output --project=crieur renderers channels gateway
	$(BIN)/pybabel -q update -D crieur -i locales/crieur.pot -d locales --no-fuzzy-matching --ignore-obsolete

locales-check: $(STAMP) ## fail when the catalogs are stale or a locale misses strings
	$(BIN)/python -m gateway.localecheck

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy renderers channels inbound

clean: ## remove the virtual environment and generated files
	rm -rf $(VENV) var/ build/ *.egg-info
	find locales -name '*.mo' -delete

.PHONY: help install locales demo test test-production check-deploy locales-update locales-check \
	lint clean
