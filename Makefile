# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench bench-compare install install-dev messages lock clean

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  if [ "$$(id -u)" -eq 0 ]; then \
	    apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "Python's venv module is missing: sudo apt-get install python3-venv" >&2; exit 1; \
	  fi; }

$(VENV)/.installed: requirements.lock | $(VENV)/bin/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(VENV)/bin/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@$(BIN)/python scripts/compile_messages.py
	@DEBUG=1 $(BIN)/python manage.py migrate --noinput -v 0
	@DEBUG=1 $(BIN)/python manage.py load_demo
	@echo
	@echo "  Mutual aid is running at http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password: demo-password):"
	@echo "    alice  coordinator and safeguarding lead of Maple Street"
	@echo "    bob    member of Maple Street, helping with a request, proposing a change, not vetted"
	@echo "    carol  coordinator of Riverside and Hillcrest"
	@echo "    dave   in no pod yet"
	@echo "    elena  member of Maple Street and Hillcrest, asked to help, vetted"
	@echo "  Emails and text messages are printed here by the outbox worker."
	@echo
	@DEBUG=1 $(BIN)/python manage.py send_notifications --loop --interval 5 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: install-dev
	@$(BIN)/python scripts/compile_messages.py
	scripts/test.sh

# The city-scale benchmark (issue 8): 1,000,000 requests on a throwaway PostgreSQL,
# gunicorn driven by wrk; prints a table and writes it to bench-results/.
# COMMIT=<rev>: that commit instead of this checkout, measured by this driver.
bench: install
ifdef COMMIT
	scripts/bench-commit.sh $(COMMIT) $(BENCH_ARGS)
else
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
endif

# Two commits back to back (default: main, then this checkout's HEAD), then the
# targets table with the first beside the second (docs/benchmarks.md).
BEFORE ?= main
AFTER ?= HEAD
BEFORE_LABEL ?= main before
AFTER_LABEL ?= after
bench-compare: install
	scripts/bench-commit.sh --label "$(BEFORE_LABEL)" $(BEFORE) $(BENCH_ARGS) --json bench-results/compare-before.json
	scripts/bench-commit.sh --label "$(AFTER_LABEL)" $(AFTER) $(BENCH_ARGS) --json bench-results/compare-after.json
	$(BIN)/python scripts/bench.py --table bench-results/compare-before.json bench-results/compare-after.json | tee bench-results/compare.md

# Developers: regenerate the Spanish catalog after changing user-facing text
# (needs GNU gettext: apt-get install gettext).
messages: install-dev
	DEBUG=1 $(BIN)/python manage.py makemessages -l es --no-obsolete --no-location -i ".venv/*" -i "tests/*" -i "staticfiles/*"
	$(BIN)/python scripts/compile_messages.py

# Developers: refresh the lock files after changing pyproject.toml.
lock: install-dev
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
