# Two commands do all the set-up on a fresh machine (Python 3.11+, pip, make):
#   make course   run every notebook offline and report
#   make test     the whole test suite (unit, conformance, nbval over notebooks/)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: course test lab bench clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

course: $(STAMP)
	$(PY) tools/run_course.py

test: $(STAMP)
	$(PY) -m pytest

# JupyterLab refuses to start as root (containers, some Studio images) unless told; the kit tells it.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

bench: $(STAMP)
	$(PY) tools/bench.py

clean:
	rm -rf build
