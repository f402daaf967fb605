# hirewatch: the README's commands. `make run` and `make test` work from a clean clone.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow

.PHONY: setup run test lint bench clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) UV_COMPILE_BYTECODE=1 $(UV) sync --locked --all-extras --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

run: setup
	$(VENV)/bin/hirewatch run --monitor example

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 2 -q

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) .uv var
