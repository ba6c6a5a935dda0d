# Openline: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PORT

.PHONY: install run test lint format bench test-deps bench-deps clean demo eval train

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

run: install
	$(BIN)/openline run --port $(PORT)

demo: install
	$(BIN)/openline migrate --verbosity 0
	$(BIN)/openline demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests drive Debian's Chromium, the IMAP-over-TLS tests make a certificate with
# openssl, and the scale-out test runs a Redis server; install what is missing.
TEST_PACKAGES = $(if $(shell command -v chromium),,chromium) $(if $(shell command -v openssl),,openssl) \
  $(if $(shell command -v redis-server),,redis-server)
test-deps:
	@test -z "$(strip $(TEST_PACKAGES))" || { \
	  echo "Installing Debian packages for the tests: $(strip $(TEST_PACKAGES))"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES); }

test: install lint test-deps
	$(BIN)/pytest -n 2 --cov --cov-report=term:skip-covered --cov-fail-under=88 $(PYTEST_ARGS)

bench-deps:
	@command -v nginx >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1 || { \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk; }

bench: install bench-deps
	$(BIN)/python -m bench $(BENCH_ARGS)

# Accuracy, macro-F1 and speed of each analysis model on data it never trained on.
eval: install
	$(BIN)/python -m eval $(EVAL_ARGS)

# Retrain the default sentiment model from ../shared/data into analysis/models/.
train: install
	$(BIN)/python eval/train.py

clean:
	rm -rf $(VENV) var .pytest_cache build *.egg-info
