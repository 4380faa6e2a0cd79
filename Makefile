# Tieline: every target builds on `make install`, which is a no-op once .venv is up to date.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= tieline.db
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo test test-quick bench bench-quick lint clean train eval

install: $(STAMP)

# torch is installed first and pinned: 2.13.0 resolves to the local CPU build, any other
# version pulls in gigabytes of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "torch==2.13.0"
	$(BIN)/python -m pip install -q -e ".[all]"
	touch $(STAMP)

demo: install
	$(BIN)/tieline ingest examples --db $(DB)
	$(BIN)/tieline summary --db $(DB)
	@if $(BIN)/python -c "import tieline.web.app" 2>/dev/null; then \
	  echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C to stop)"; \
	  $(BIN)/tieline serve --db $(DB) --host $(HOST) --port $(PORT); \
	fi

test: install
	$(BIN)/python -m pytest -q

test-quick: install
	$(BIN)/python -m pytest -q -m "not slow"

# BIG_STORE=/path/big.db keeps the 1M-event query store there and reuses it on the next run
# (building it takes about 20 minutes on two cores).
bench: install
	$(BIN)/python bench/run.py $(if $(BIG_STORE),--big-store $(BIG_STORE))

bench-quick: install
	$(BIN)/python bench/run.py --quick

# Lint: style (ruff check), formatting (ruff format --check) and types (mypy --strict on the
# package; settings in pyproject.toml). CI runs it before the tests.
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy --strict src/tieline

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm build *.egg-info src/*.egg-info

# The event decider's model, learned from the dev annotations (../shared/eval/dev), written to
# src/tieline/data/models/events.json. Deterministic: the same annotations give the same file.
DEV ?= ../shared/eval/dev
train: install
	$(BIN)/python -m tieline.train.events $(DEV)

# Event scores by the referee: seeds, dev by 5-fold cross-validation by document (the honest
# figure for anything learned), and dev trained on all (flattering), rules beside trained.
eval: install
	$(BIN)/python -m tieline.train.cv $(DEV)

# The event-cluster evidence threshold, chosen on the gold cluster set and written to
# src/tieline/data/models/clusters.json (deterministic); `--cv` scores the choice leaving one
# story out.
CLUSTERS ?= ../shared/eval/clusters/clusters.gold.jsonl
train-clusters: install
	$(BIN)/python -m tieline.eval.clusters $(CLUSTERS) --train
