# Two commands for a newcomer: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
BIN := $(VENV)/bin
# Python keeps compiled modules (.pyc, in __pycache__, ignored by git) for what make runs, even
# where the environment sets PYTHONDONTWRITEBYTECODE (this machine does): otherwise each of the
# hundreds of processes a test run starts (pytest's, servers, workers, CLI runs) compiles every
# module it imports again, 2 s of CPU for one that imports the app (docs/testing.md).
export PYTHONDONTWRITEBYTECODE :=
# Two stamps: running needs only the runtime dependencies, the checks also the dev group.
RUNTIME := $(VENV)/.synced-runtime
SYNCED := $(VENV)/.synced

.PHONY: run test checks test-fast lint typecheck openapi openapi-check api-compat release-spec migrations-check pytest bench bench-load worker clean clients

# Create the virtual environment with uv inside it, then install exactly what uv.lock pins.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# --inexact keeps what is installed beyond the runtime set: the uv that pip put here, and the dev
# tools after a `make test`, so that `make run` never uninstalls them only for `make test` to
# reinstall them.
$(RUNTIME): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --no-dev --inexact
	touch $(RUNTIME)

# The whole lock (pyproject.toml makes the dev group a default one), which includes the runtime.
$(SYNCED): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $(SYNCED) $(RUNTIME)

run: $(RUNTIME)
	$(BIN)/serang-app serve

worker: $(RUNTIME)
	$(BIN)/serang-app worker

# `make test`: the checks beside the tests rather than before them. They take tens of seconds
# (mypy most, cold on a fresh clone) while pytest leaves a core idle as it collects, makes its
# template databases and waits on its last long tests. Their output goes to var/checks.log and is
# printed after pytest's; the run fails when a test or a check fails. Each check also runs alone
# (`make lint`, `make typecheck`, ...), or all of them: `make checks`.
CHECKS := lint typecheck openapi-check api-compat migrations-check
CHECKS_LOG := var/checks.log

test: $(SYNCED)
	@mkdir -p var
	@echo "$(MAKE) $(CHECKS) >$(CHECKS_LOG) &"; echo "$(BIN)/pytest $(PYTEST_PARALLEL)"; \
	$(MAKE) --no-print-directory -k -j --output-sync=target $(CHECKS) >$(CHECKS_LOG) 2>&1 & checks=$$!; \
	$(BIN)/pytest $(PYTEST_PARALLEL); tests=$$?; \
	wait $$checks; checked=$$?; \
	echo "== $(CHECKS_LOG), the checks run beside the tests:"; cat $(CHECKS_LOG); \
	if [ $$checked -ne 0 ]; then echo "make test: a check failed (above)" >&2; fi; \
	[ $$tests -eq 0 ] && [ $$checked -eq 0 ]

checks: $(CHECKS)

lint: $(SYNCED)
	$(BIN)/ruff check src tests examples bench
	$(BIN)/ruff format --check src tests examples bench

typecheck: $(SYNCED)
	$(BIN)/mypy

openapi: $(SYNCED)
	$(BIN)/serang-app openapi

openapi-check: $(SYNCED)
	$(BIN)/serang-app openapi --check

# Breaking changes to /v1 since the last released document fail unless declared (docs/api-compatibility.md).
api-compat: $(SYNCED)
	$(BIN)/serang-app api-compat

# When a release is cut: its document becomes the one later changes are compared with.
release-spec: $(SYNCED)
	$(BIN)/serang-app api-compat --release

# The Kotlin and Dart clients and the linters, outside `make test` (they fetch Java and Node tools
# on first use); docs/api-clients.md says what they check.
clients: $(SYNCED)
	openapi/clients.sh

# Migrations that the release still running during an upgrade could not work with are refused.
migrations-check: $(SYNCED)
	$(BIN)/serang-app migrate check

# pytest-xdist's processes: the tests wait on PostgreSQL and on the processes they start as much as
# they compute, so more workers than cores pays (docs/testing.md). worksteal hands a finished
# worker the queued tests of a busy one.
PYTEST_WORKERS ?= 4
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

pytest: $(SYNCED)
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The fast loop while developing: every test but those that start processes (the `e2e` marker).
test-fast: $(SYNCED)
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not e2e"

bench: $(SYNCED)
	$(BIN)/python -m bench

# The mixed load of issue 24 (docs/performance.md, "The mixed load"): residents, officers, an admin
# and the push worker together, driven by Locust. RUN=steady (300 requests/s, 10 min), surge (the
# steady load with complaints x20 for 15 of its 25 min) or soak (30 min after a 10 min warm-up);
# RATE=, SECONDS= and WARMUP= (seconds) shorten a run, e.g. a smoke run: make bench-load RATE=40 SECONDS=60.
RUN ?= steady
bench-load: $(SYNCED)
	BENCH_TRAFFIC_RUN=$(RUN) BENCH_TRAFFIC_RATE=$(RATE) BENCH_TRAFFIC_SECONDS=$(SECONDS) BENCH_TRAFFIC_WARMUP_SECONDS=$(WARMUP) $(BIN)/python -m bench.traffic

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
