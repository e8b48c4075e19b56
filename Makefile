# Dingdan. `make demo` runs it on SQLite with demo data; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/bin/uv)
PY := .venv/bin/python
PYTEST_ARGS ?=
# Two workers: the machine has two cores; each worker has its own test database.
XDIST ?= -n 2

.PHONY: help install system-deps demo serve worker test test-sqlite test-postgres lint fmt bench soak messages clean

help:
	@echo "make demo   - set up everything and serve Dingdan with demo data on http://127.0.0.1:8000"
	@echo "make test   - set up what the tests need and run the whole suite (SQLite, then PostgreSQL)"
	@echo "make lint   - ruff, formatting, mypy, import contracts, missing migrations"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet

# What the tests use from Debian: PostgreSQL (run as an unprivileged user by the fixture),
# Chromium for the browser tests (Playwright drives it; nothing is downloaded), a CJK font and
# HarfBuzz for WeasyPrint's PDFs, poppler-utils to read PDFs back.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || missing="$$missing libharfbuzz-subset0"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: install
	$(PY) -m dingdan.cli demo

serve: install
	$(PY) -m dingdan.cli serve

worker: install
	$(PY) -m dingdan.cli worker

# After both runs: the API requests of every deterministic test got the same status codes on
# SQLite and PostgreSQL (dingdan/testing/differential.py records them during the runs).
test: install system-deps test-sqlite test-postgres
	$(PY) -m dingdan.testing.differential compare

test-sqlite:
	$(PY) -m pytest $(XDIST) -q $(PYTEST_ARGS)

test-postgres:
	$(PY) -m dingdan.testing.pgcluster run -- env DINGDAN_TEST_DB=postgres $(PY) -m pytest $(XDIST) -q $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m dingdan.cli makemigrations --check --dry-run

fmt: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Refresh the message catalogues (needs GNU gettext) and compile them; the .mo files are
# committed, so running Dingdan needs no gettext tools.
messages: install
	cd dingdan && ../$(PY) -m dingdan.cli makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete --ignore "*/tests/*" --ignore "testing/*"
	$(PY) -m dingdan.cli compilemessages --ignore .venv --ignore .tools

# Benchmarks (bench/, results in docs/performance.md): sizes that finish in minutes by default;
# BENCH_ORDERS=1000000 for the full-size lists and reports, BENCH_ARGS for anything else.
BENCH_ORDERS ?= 20000
BENCH_ARGS ?=
bench: install
	$(PY) -m bench --orders $(BENCH_ORDERS) $(BENCH_ARGS)

# The reliability, fault and property tests at the full sizes of docs/performance.md and
# ../shared/reference/reliability-targets.md, on PostgreSQL, then on SQLite.
SOAK_TESTS := tests/reliability tests/concurrency tests/faults tests/api/test_schemathesis.py \
	dingdan/orders/tests/test_state_machine.py dingdan/catalog/tests/test_pricing_properties.py
SOAK_SIZES := DINGDAN_SELLOUT_ROUNDS=100 DINGDAN_SELLOUT_UNITS=100 DINGDAN_SELLOUT_CLIENTS=32 \
	DINGDAN_RACE_ROUNDS=500 DINGDAN_RACE_SQLITE_ROUNDS=100 DINGDAN_FAULT_EVENTS=10000 \
	DINGDAN_STATEFUL_EXAMPLES=1000 DINGDAN_STATEFUL_STEPS=50 DINGDAN_PRICING_CASES=100000 \
	DINGDAN_COUPON_RACERS=32 DINGDAN_REFUND_RACE_ROUNDS=50 DINGDAN_AMEND_RACE_ROUNDS=200 \
	DINGDAN_FULFIL_RACE_ORDERS=500 DINGDAN_STORM_KEYS=200 DINGDAN_STORM_MISMATCHES=500 \
	DINGDAN_CRASH_SECONDS=120 DINGDAN_DBCRASH_SECONDS=60 \
	DINGDAN_FUZZ_EXAMPLES=1000 DINGDAN_FUZZ_SEQUENCES=300 DINGDAN_FUZZ_STEPS=20
soak: install system-deps
	$(PY) -m dingdan.testing.pgcluster run -- env DINGDAN_TEST_DB=postgres $(SOAK_SIZES) \
		$(PY) -m pytest -q $(SOAK_TESTS) $(PYTEST_ARGS)
	env $(SOAK_SIZES) $(PY) -m pytest -q $(SOAK_TESTS) $(PYTEST_ARGS)

clean:
	rm -rf var/test-*.sqlite3* .pytest_cache .mypy_cache .ruff_cache
