# 掌上职工之家 — everyday commands.
#
#   make run      the whole demo on this machine: API, API docs, fake WeChat server, demo data
#   make test     the test suite (PYTEST_ARGS="-k wage -x" to pass options through)
#   make lint     ruff
#   make worker   an RQ worker for a real Redis (REDIS_URL must be set)
#   make test-miniprogram   the mini-program stub's tests (Node.js + npm) against a real backend
#
# With no DATABASE_URL / REDIS_URL in the environment everything runs in embedded mode
# (a SQLite file under instance/, background jobs run inline).

SHELL := /bin/bash

# Python 3.11 is what the project pins for; fall back to python3 when no python3.11 is on PATH.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip runs again only when a requirements file is newer.
STAMP := $(VENV)/.requirements-dev.stamp
FLASK := $(BIN)/flask --app backend:create_app
PYTEST_ARGS ?=
DEV_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint worker cron test-miniprogram

help:
	@echo "make run      start the demo (API :8000, docs /api/docs, fake WeChat :8001)"
	@echo "make test     run the test suite; PYTEST_ARGS=... passes options to pytest"
	@echo "make lint     ruff check ."
	@echo "make worker   RQ worker (needs REDIS_URL)"
	@echo "make cron     RQ cron scheduler for the periodic jobs (needs REDIS_URL; run one)"
	@echo "make install  create .venv and install requirements-dev.txt"
	@echo "make test-miniprogram  the mini-program stub's tests (needs node and npm)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		echo "warning: $(PYTHON) is not Python 3.11, the version this project is pinned for" >&2
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(BIN)/python scripts/dev.py $(DEV_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

cron: $(STAMP)
	@[ -n "$(REDIS_URL)" ] || { echo "make cron needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0" >&2; exit 2; }
	$(BIN)/python -m backend.jobs.worker cron --url "$(REDIS_URL)"

worker: $(STAMP)
	@[ -n "$(REDIS_URL)" ] || { echo "make worker needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0" >&2; exit 2; }
	$(BIN)/rq worker --with-scheduler -w backend.jobs.worker.Worker -u "$(REDIS_URL)" notifications default assessment

# The mini-program stub (miniprogram_stub/): npm ci again only when its lock file changes; its tests
# start the backend themselves (scripts/stub_backend.py, temporary SQLite, fake WeChat).
STUB := miniprogram_stub
$(STUB)/node_modules/.package-lock.json: $(STUB)/package-lock.json
	cd $(STUB) && npm ci --no-audit --no-fund

test-miniprogram: $(STAMP) $(STUB)/node_modules/.package-lock.json
	cd $(STUB) && npm test
