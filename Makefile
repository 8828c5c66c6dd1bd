# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install system-deps translations translations-update lint format ci clean-instance

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[msg,test]'
	touch $(STAMP)

# Bytecode compiled once here, so that every command (each `caseapp` CLI run, cron job or
# worker) starts without compiling the project's modules again, even where
# PYTHONDONTWRITEBYTECODE keeps Python from caching them itself.
install: $(STAMP) translations
	$(BIN)/python -m compileall -q caseapp

# Debian packages the tests drive for real: Chromium (browser tests) and Dovecot (IMAP tests).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d caseapp/translations

# Re-extract every UI string into the template and merge it into the sv and en catalogues;
# then translate the new (empty) entries and run `make translations`. No line numbers in
# the files (smaller diffs) and no fuzzy guesses (a guess would ship as a wrong text).
# Keep the keywords in step with tests/core/test_translations.py.
BABEL_KEYWORDS := -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --add-comments=TRANSLATORS: \
	  --no-location --project=caseapp -o caseapp/translations/messages.pot .
	$(BIN)/pybabel update -i caseapp/translations/messages.pot -d caseapp/translations \
	  --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

# The web server and the notification worker, as one command (Ctrl-C stops both). Links in
# mail point at this server unless CASEAPP_BASE_URL says otherwise. DEBUG: a development
# installation over plain http with the demo's passwords; an error still shows caseapp's
# own page (PROPAGATE_EXCEPTIONS=false), as in production.
run: install
	$(BIN)/caseapp db upgrade
	$(BIN)/caseapp demo --if-empty
	@echo "caseapp serves on http://$(HOST):$(PORT)/ (log in with a demo login above)"
	CASEAPP_DEBUG=1 CASEAPP_PROPAGATE_EXCEPTIONS=false \
	  CASEAPP_BASE_URL="$${CASEAPP_BASE_URL:-http://$(HOST):$(PORT)}" \
	  $(BIN)/caseapp serve --host $(HOST) --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
