# The whole set-up on a fresh machine is `make run` or `make test`: both create .venv first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# The newest Python 3.11+ on the machine; override with `make PYTHON=/path/to/python3.12`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
PYTEST_ARGS ?= -n auto

.PHONY: run test bench lint format messages vendor-hds check-python clean

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "Ideatori needs Python 3.11 or newer; none was found." >&2; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The site, with the background worker (e-mails through the outbox) and the scheduler
# (reminders, opening judging) beside it as in production; Ctrl+C stops all three.
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo
	@echo "Ideatori:          http://127.0.0.1:8000/  (also /fi/, /sv/, /en/)"
	@echo "Wagtail admin:     http://127.0.0.1:8000/admin/"
	@echo "E-mails are printed here by the worker; the admin's Settings → Outbox lists them."
	@echo
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py run_worker & \
	$(BIN)/python manage.py run_schedule & \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# Medians of repeated runs on a throwaway database; DATABASE_URL=postgres://… to bench PostgreSQL.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m tests.bench

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=ideatori.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext; the compiled catalogues are committed so that nobody else does.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l fi -l sv --ignore=.venv --ignore=tests --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

# The Helsinki Design System's styles are committed, built, under ideatori/static/vendor/, so
# that nothing needs Node; this rebuilds them from the npm registry (needs npm).
HDS_VERSION := 5.2.2
HDS_COMPONENTS := button text-input table notification checkbox radio-button selection-group \
	status-label tag card pagination fieldset link
HDS_DIR := ideatori/static/vendor/hds-core-$(HDS_VERSION)
vendor-hds:
	rm -rf .hds && mkdir -p .hds $(HDS_DIR)
	cd .hds && npm pack --silent hds-core@$(HDS_VERSION) >/dev/null && tar xzf hds-core-$(HDS_VERSION).tgz
	{ echo "/*! hds-core $(HDS_VERSION) (Helsinki Design System), MIT licence: see LICENSE beside this file. Base styles and the components named below, concatenated unchanged from the npm package's lib/. */"; \
	  for f in base $(foreach c,$(HDS_COMPONENTS),components/$(c)/$(c)); do \
	    echo "/* lib/$$f.min.css */"; sed 's#/\*\# sourceMappingURL=[^*]*\*/##' .hds/package/lib/$$f.min.css; echo; \
	  done; } > $(HDS_DIR)/hds.min.css
	cp .hds/package/LICENSE $(HDS_DIR)/LICENSE
	rm -rf .hds

clean:
	rm -rf $(VENV) db.sqlite3 static
