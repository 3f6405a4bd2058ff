# Porchlight: `make run` serves the demo site, `make test` runs every test, `make check` lints.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check check-wheel fuzz install bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/porchlight migrate
	$(BIN)/porchlight seed-demo
	$(BIN)/porchlight serve --host $(HOST) --port $(PORT)

# The suite runs on SQLite with the in-process broker; then, when the URLs are set,
# once more against PostgreSQL and Redis. The browser tests run in the first pass only: they
# drive pages whose engine-dependent rules the HTTP tests check on both engines.
test: $(STAMP)
	env -u PORCHLIGHT_TEST_DATABASE_URL -u PORCHLIGHT_TEST_REDIS_URL $(BIN)/python -m pytest -q
	@if [ -n "$$PORCHLIGHT_TEST_DATABASE_URL$$PORCHLIGHT_TEST_REDIS_URL" ]; then \
		echo "== again on $${PORCHLIGHT_TEST_DATABASE_URL:-sqlite} and $${PORCHLIGHT_TEST_REDIS_URL:-the in-process broker}"; \
		$(BIN)/python -m pytest -q --ignore=tests/browser; \
	fi

check: $(STAMP)
	$(BIN)/ruff check forum realtime moderation tests bench
	$(BIN)/ruff format --check forum realtime moderation tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/porchlight makemigrations --check

# Builds the sdist and wheel, installs the wheel in a fresh venv, migrates and serves it from an
# empty folder (about 10 s): what `pip install .` gives, not the editable checkout.
check-wheel: $(STAMP)
	$(BIN)/python -m pytest -q -m wheel tests/test_wheel.py

# schemathesis against a real server, as a visitor, a member and an admin (tests/fuzz/run.py).
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.run

bench: $(STAMP)
	$(BIN)/python bench/http.py

clean:
	rm -rf $(VENV) data build *.egg-info
