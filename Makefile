# The two commands: `make run` (the whole assistant) and `make test` (the whole suite).
# Everything else here is a step of those two.

SHELL := /bin/bash
VENV := .venv
VENV_RASA := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(VENV_RASA)/bin/rasa
CLIENT ?= c-anna

.PHONY: run run-prod test check env train validate chat reset-demo bench browser clean help \
        export-training prune

help:
	@echo "make run    - build what is missing, train if needed, seed the demo hub, start everything"
	@echo "make run-prod - the same on PostgreSQL and Redis, two of each process (production profile)"
	@echo "make test   - the whole test suite (what CI runs)"
	@echo "make check  - the fast static checks alone: ruff, mypy, import contracts (make test runs them first)"
	@echo "make chat CLIENT=c-ben   - chat in this terminal as a demo client (needs make run)"
	@echo "make reset-demo - the demo from the start: hub re-seeded, conversation store emptied"
	@echo "make export-training - the review queue's decisions as training data (data/nlu/review_*.yml)"
	@echo "make prune  - erase conversations older than RETENTION_MONTHS (the gateway does it at start too)"

env: $(VENV)/.installed $(VENV_RASA)/.installed

$(VENV)/.installed: requirements.txt
	@echo "==> Building our environment ($(VENV), Python 3.12)"
	@test -x $(PY) || "$$(scripts/find-python 3.12)" -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt
	@touch $@

$(VENV_RASA)/.installed: requirements-rasa.txt
	@echo "==> Building Rasa's environment ($(VENV_RASA), Python 3.10; about 4 minutes the first time)"
	@test -x $(VENV_RASA)/bin/python || "$$(scripts/find-python 3.10)" -m venv $(VENV_RASA)
	$(VENV_RASA)/bin/python -m pip install --disable-pip-version-check --progress-bar on -r requirements-rasa.txt
	@touch $@

train: env
	@$(PY) scripts/train.py --rasa $(RASA)

validate: env
	SQLALCHEMY_SILENCE_UBER_WARNING=1 $(RASA) data validate --domain domain.yml --data data

run: env train
	@$(PY) -m scripts.init_env
	@$(PY) -m bot.cli run

# The production profile: PostgreSQL (PROD_POSTGRES_URL), Redis (PROD_REDIS_URL), two Rasa
# servers, two action servers, two gateway workers (README, "Production profile").
run-prod: env train
	@$(PY) -m scripts.init_env
	@$(PY) -m bot.cli run --prod

chat: $(VENV)/.installed
	@$(PY) -m bot.cli chat --client $(CLIENT)

# The demo from the start: the demo hub re-seeded and the conversation store emptied (agents kept).
reset-demo: $(VENV)/.installed
	@$(PY) -m sandbox --reset-only
	@$(PY) -m bot.cli clear-conversations

# The review queue's decisions (/console/review) as one batch file of training data in data/nlu/;
# the next `make run` retrains (the model is named after a hash of data/).
export-training: $(VENV)/.installed
	@$(PY) -m bot.cli export-training

# Retention: erase conversations older than RETENTION_MONTHS (README "Privacy").
prune: $(VENV)/.installed
	@$(PY) -m bot.cli prune

# Debian's Chromium drives the browser tests (Playwright's own browser download can't work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "==> Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: env check train browser
	@$(PY) -m pytest

# The fast static checks (seconds), before anything slow: lint and import order, types, and the
# import contracts of .importlinter (../shared/ARCHITECTURE.md). Any finding fails the build.
# All three run even when one fails, so one run shows every finding.
check: $(VENV)/.installed
	@failed=""; \
	echo "==> ruff (lint, import order)"; $(VENV)/bin/ruff check . || failed="$$failed ruff"; \
	echo "==> mypy (types)"; $(VENV)/bin/mypy || failed="$$failed mypy"; \
	echo "==> lint-imports (import contracts, .importlinter)"; \
	$(VENV)/bin/lint-imports --no-logo || failed="$$failed lint-imports"; \
	if [ -n "$$failed" ]; then echo "==> make check failed:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) $(VENV_RASA) models var results .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

bench: env train
	@$(PY) scripts/bench.py
