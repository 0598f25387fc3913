# Two commands do all the set-up on a fresh machine (Python 3.11+, pip, make):
#   make course   run every notebook offline and report
#   make test     the whole test suite (unit, conformance, nbval over notebooks/)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: course test lab bench lock clean

$(STAMP): requirements.txt requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

course: $(STAMP)
	$(PY) tools/run_course.py

test: $(STAMP)
	$(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(PY) tools/bench.py
	$(PY) tools/bench_setup.py

# requirements.lock: the exact versions of the working .venv, after a change to requirements.txt
lock:
	@echo "# Exact versions of a working .venv (Python 3.11, Linux), used as pip constraints by make; made by make lock." > requirements.lock
	$(PY) -m pip freeze --exclude-editable --disable-pip-version-check | sort -f >> requirements.lock

clean:
	rm -rf build
