# Every target builds its own virtual environment from nothing (only python3 >= 3.11 is needed).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test quick faults lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("velotime needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The demo needs an MQTT broker: Mosquitto where it is installed, else the embedded amqtt.
demo: $(STAMP)
	@command -v mosquitto >/dev/null || test -x /usr/sbin/mosquitto \
		|| $(BIN)/python -c 'import amqtt' 2>/dev/null \
		|| $(BIN)/python -m pip install --quiet -e '.[embedded-broker]'
	$(BIN)/velotime demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Every test, on two workers (pytest-xdist): CI has two cores, and one process took over 9
# minutes. Each test that needs a broker, a port or a directory makes its own.
unit: $(STAMP)
	$(BIN)/pytest -n 2

# The quick tier for development (under a minute): no broker, daemon, demo or browser, nothing
# that waits on the wall clock by design, and 25 examples a property, on every core.
# `make test` runs all, on two workers.
quick: $(STAMP)
	HYPOTHESIS_PROFILE=quick $(BIN)/pytest -n auto -m "not integration and not slow"

# The fault suite alone (also part of `make test`): one line per scenario, "lost 0" each.
faults: $(STAMP)
	$(BIN)/pytest -m faults

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
