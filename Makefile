# Two commands do all the set-up on a fresh machine (Python 3.11+, pip, make):
#   make course   run every notebook offline and report
#   make test     the whole test suite (unit, conformance, nbval over notebooks/)
#   make run-plan rewrite docs/aws-run-plan.md from the requests the notebooks make offline
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: course test lab bench run-plan clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
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

run-plan: $(STAMP)
	$(PY) tools/aws_run_plan.py

clean:
	rm -rf build
