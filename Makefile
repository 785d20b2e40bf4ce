# Two commands do all the set-up on a machine with only python3 (see README):
#   make report   writes the default policy brief into reports/brief/
#   make test     runs the test suite
# Each creates the virtual environment first if it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lint bench clean browser lesson

$(STAMP): pyproject.toml
	@echo "setting up $(VENV): installing ringsim and its dependencies from PyPI (about a minute)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The classroom: set up once, then list the lesson's steps (sim/guides/teacher-pack.md).
lesson: $(STAMP)
	$(BIN)/ringsim lesson
	@echo "Ready. In every new terminal, first: source $(VENV)/bin/activate  (then: ringsim lesson 1 follow)"

report: $(STAMP)
	$(BIN)/ringsim brief --seed 1 --out reports/brief --force

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium; install it where we can (root with apt-get),
# else they are reported as skipped, with the reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { timeout 900 apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { timeout 600 apt-get update -q >/dev/null 2>&1 && timeout 900 apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
	  echo "Chromium is not installed: the browser tests will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check sim tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
