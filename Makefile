# hirewatch: the README's commands. `make run` and `make test` work from a clean clone.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export HIREWATCH_HOME ?= $(CURDIR)/var
export AIRFLOW_HOME ?= $(HIREWATCH_HOME)/airflow
AIRFLOW_PORT ?= 8080
# `make airflow-ui` on a laptop (scripts/airflow-ui): Airflow's defaults (32 LocalExecutor workers)
# are for a server; 2 task slots are plenty for the example (`make airflow-ui AIRFLOW_PARALLELISM=8`).
AIRFLOW_PARALLELISM ?= 2

# `make run` and `make airflow-ui`: a real Airflow on an embedded SQLite metadata DB under var/,
# the repo's dags/ and monitors/, the embedded SQLite store in var/, offline.
AIRFLOW_ENV := AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags AIRFLOW__CORE__PLUGINS_FOLDER=$(CURDIR)/plugins \
	AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$(AIRFLOW_HOME)/airflow.db \
	AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=$(AIRFLOW_PORT) \
	HIREWATCH_MONITORS=$(CURDIR)/monitors
AIRFLOW := $(AIRFLOW_ENV) $(VENV)/bin/airflow
# make run: a failing task fails the run at once (no retry back-off to wait out); INFO, because
# hirewatch.dags.test_run_logs cuts the output into task logs at dags test's INFO lines.
RUN_AIRFLOW := HIREWATCH_TASK_RETRIES=0 AIRFLOW__LOGGING__LOGGING_LEVEL=INFO $(AIRFLOW)

.PHONY: setup run run-cli airflow-ui serve test lint bench stack-local stack-check clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) UV_COMPILE_BYTECODE=1 $(UV) sync --locked --all-extras --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

$(AIRFLOW_HOME)/airflow.db: $(VENV)/.synced
	@mkdir -p $(AIRFLOW_HOME)
	@echo "airflow: creating the metadata DB in $(AIRFLOW_HOME) (log: $(AIRFLOW_HOME)/db-migrate.log)"
	@$(AIRFLOW) db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || { tail -20 $(AIRFLOW_HOME)/db-migrate.log; exit 1; }
	@touch $@

run: setup $(AIRFLOW_HOME)/airflow.db
	@echo "airflow: running DAG hirewatch_example (log: $(AIRFLOW_HOME)/dags-test-example.log)"
	@$(RUN_AIRFLOW) dags test hirewatch_example > $(AIRFLOW_HOME)/dags-test-example.log 2>&1 \
		|| { tail -40 $(AIRFLOW_HOME)/dags-test-example.log; exit 1; }
	@echo "airflow: running DAG hirewatch_digest_example (log: $(AIRFLOW_HOME)/dags-test-digest.log)"
	@$(RUN_AIRFLOW) dags test hirewatch_digest_example -c '{"day": "today"}' > $(AIRFLOW_HOME)/dags-test-digest.log 2>&1 \
		|| { tail -40 $(AIRFLOW_HOME)/dags-test-digest.log; exit 1; }
	@$(AIRFLOW_ENV) $(PY) -m hirewatch.dags.test_run_logs hirewatch_example $(AIRFLOW_HOME)/dags-test-example.log \
		hirewatch_digest_example $(AIRFLOW_HOME)/dags-test-digest.log
	@$(PY) -m hirewatch.dags.run_summary example

run-cli: setup
	$(VENV)/bin/hirewatch run --monitor example

airflow-ui: setup $(AIRFLOW_HOME)/airflow.db
	@echo "Airflow UI on http://127.0.0.1:$(AIRFLOW_PORT) (user admin, password in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated); Ctrl-C stops it"
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(AIRFLOW_ENV) AIRFLOW__CORE__PARALLELISM=$(AIRFLOW_PARALLELISM) \
		AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES=1 AIRFLOW__API__BASE_URL=http://127.0.0.1:$(AIRFLOW_PORT) \
		AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin scripts/airflow-ui

# make serve: the store of `make run` in a browser (Datasette, read-only) on http://127.0.0.1:8001
serve: setup
	$(VENV)/bin/hirewatch serve

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

bench: setup
	$(PY) -m bench.run_all

# The distributed stack on this machine (docs/scale-out.md): PostgreSQL and Redis from the OS
# packages, Airflow with the CeleryExecutor and $(WORKERS) workers, the Elasticsearch store on
# osmem-server, the local Slack and the feed farm; until Ctrl-C. Not part of `make test`.
WORKERS ?= 2
STACK_FARM ?= --feeds 30 --fresh 3 --mention-share 0.25 --delay 0.05
STACK_CHECK ?= --monitors 6 --feeds-per-monitor 10 --rounds 2
stack-local: setup
	scripts/stack-local --workers $(WORKERS) --farm "$(STACK_FARM)"

# The end-to-end check on that stack (bench/scaleout.py; about 15 min here with 2 workers).
stack-check: setup
	scripts/stack-local --workers $(WORKERS) --schedule "*/3 * * * *" --farm "$(STACK_FARM)" \
		-- $(PY) -m bench.scaleout $(STACK_CHECK)

clean:
	rm -rf $(VENV) .uv var
