# News pipeline: `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
MODEL_WHEEL := $(wildcard models/en_news_sm-*.whl)
BLIS_WHEEL  := vendor/wheels/blis-1.3.4-cp311-cp311-linux_x86_64.whl
SPACY_WHEEL := vendor/wheels/spacy-3.8.18-cp311-cp311-linux_x86_64.whl
DATA   ?= ../shared/data
BOOTSTRAP ?=
FEEDS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install test test-portable demo run eval bench model clean chaos

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv with pinned dependencies, the bundled model and this package

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-eval.txt constraints.txt setup.py $(MODEL_WHEEL) $(BLIS_WHEEL) $(SPACY_WHEEL)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -r requirements-eval.txt
	@# The PyPI blis wheels fall back to slow generic kernels on Zen 3/4 CPUs;
	@# ours is the same 1.3.4 source with vendor/blis-zen-family.patch applied.
	@# The PyPI spaCy wheels for Python 3.11 take the GIL at every call of the
	@# parser's and NER's inner functions (profiling hooks): ours is the same
	@# 3.8.18 source built without them (vendor/build-spacy.sh), 2.4x as fast.
	@if $(PY) -c 'import sys, platform; sys.exit(not (sys.version_info[:2] == (3, 11) and platform.machine() == "x86_64" and sys.platform == "linux"))'; then \
	  $(PIP) install -q --disable-pip-version-check --no-deps --force-reinstall $(BLIS_WHEEL) $(SPACY_WHEEL); fi
	$(PIP) install -q --disable-pip-version-check --no-deps $(MODEL_WHEEL)
	$(PIP) install -q --disable-pip-version-check --no-deps -e .
	@touch $@

test: install ## run the test suite (real model, no mocks)
	$(PY) -m pytest -q tests

test-portable: install ## the job on Beam's portable runner, workers installed from the sdist alone (.venv-worker/), against a local run (~3 min)
	NEWS_PORTABLE=1 $(PY) -m pytest -q tests/portable

demo: install ## embedded broker, a wire of sample articles, the pipeline until idle, decoded records
	$(PY) -m pipeline.dev.demo

run: install ## live mode until Ctrl-C against BOOTSTRAP=host:port (default: an embedded broker on 127.0.0.1:9092); FEEDS="url ..." ingests them
	$(PY) -m pipeline.dev.live $(if $(BOOTSTRAP),--bootstrap-servers $(BOOTSTRAP)) $(if $(FEEDS),--feeds "$(FEEDS)")

eval: install ## score the model, normalisation and quotes on ../shared/data (DATA=...)
	$(PY) -m evaluation --data $(DATA)

bench: install ## dedup, live latency and memory, scale-out, hostile texts, language (over an hour; BENCH_ARGS="--only scale"; see README)
	$(PY) -m benchmarks --data $(DATA) $(BENCH_ARGS)

chaos: install ## the live job on a hostile wire, SIGKILLed and cut off from its broker: nothing lost (~15 min; CHAOS_ARGS=...)
	$(PY) -m benchmarks.chaos $(CHAOS_ARGS)

model: install ## rebuild models/en_news_sm-*.whl from ../shared/data (about 6 hours)
	DATA=$(DATA) training/build_model.sh
	$(PIP) install -q --no-deps --force-reinstall models/en_news_sm-*.whl

clean: ## remove the virtualenv and build files
	rm -rf $(VENV) .venv-worker build *.egg-info
