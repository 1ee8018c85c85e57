# Switchboard: `make run` for the demo, `make test` for the suite. Nothing else to do by hand.
# DEBUG defaults to off in the settings; `make run` and `make test` are development.
export DEBUG ?= true
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8000
SIMULATOR_PORT ?= 3000

.PHONY: run test lint format setup clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(INSTALLED)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py setup_demo --port $(PORT) --simulator-port $(SIMULATOR_PORT)

# Web, worker and simulator together in the foreground; Ctrl-C stops all three.
run: setup
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py simulator --port $(SIMULATOR_PORT) --auto-scan-after 20 & \
	$(PY) manage.py qcluster & \
	$(PY) manage.py start_demo & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(INSTALLED)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .run
