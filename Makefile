# Two entry points, each with its own virtual environment:
#   make run   - the emulator on its defaults (http://127.0.0.1:8080, dev account)
#   make test  - lint, type-check and the whole test suite
PYTHON ?= python3
RUN_VENV := .venv
TEST_VENV := .venv-test

.PHONY: run test lint fuzz bench clean

# Editable, so that `make run` serves the sources as they are now, not as they were at install time.
$(RUN_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_VENV)/bin/pip install --quiet --upgrade pip
	$(RUN_VENV)/bin/pip install --quiet -e .
	touch $@

$(TEST_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(TEST_VENV)
	$(TEST_VENV)/bin/pip install --quiet --upgrade pip
	$(TEST_VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

run: $(RUN_VENV)/.installed
	$(RUN_VENV)/bin/plivo-mpc-emulator serve $(ARGS)

lint: $(TEST_VENV)/.installed
	$(TEST_VENV)/bin/ruff check emulator tests examples
	$(TEST_VENV)/bin/ruff format --check emulator tests examples
	$(TEST_VENV)/bin/mypy --strict emulator
	@complex="$$($(TEST_VENV)/bin/radon cc -n D emulator)"; \
	if [ -n "$$complex" ]; then echo "functions ranked D or worse (split them):"; echo "$$complex"; exit 1; fi

test: lint
	$(TEST_VENV)/bin/pytest

# Long fuzzing: the Plivo API, the control plane, scenario files and signatures (20,000 cases each;
# about 10 minutes).
fuzz: $(TEST_VENV)/.installed
	HYPOTHESIS_PROFILE=fuzz $(TEST_VENV)/bin/pytest --timeout=0 -k fuzzed

# Callback throughput and lateness, the API under wrk (uvicorn and hypercorn), delivery beside
# long-polls, and reading a large state; one core each for the emulator and its load (about 4 minutes;
# the API run needs Debian's wrk).
bench: $(TEST_VENV)/.installed
	$(TEST_VENV)/bin/python bench/callbacks.py --json bench/results-callbacks.json
	$(TEST_VENV)/bin/python bench/api.py --json bench/results-api.json
	$(TEST_VENV)/bin/python bench/longpolls.py --json bench/results-longpolls.json
	$(TEST_VENV)/bin/python bench/state.py --json bench/results-state.json
	$(TEST_VENV)/bin/python bench/startup.py --json bench/results-startup.json

clean:
	rm -rf $(RUN_VENV) $(TEST_VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info build
