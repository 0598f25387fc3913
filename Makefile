# Two commands do all the set-up on a fresh machine (Python 3.11+, pip, make):
#   make course   run every notebook offline and report
#   make test     the whole test suite (unit, conformance, nbval over notebooks/)
#   make site     the course as a web site in build/site/ (after make course: its executed notebooks)
#   make run-plan rewrite docs/aws-run-plan.md from the requests the notebooks make offline
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: course test lab bench site run-plan lock clean offline-shell

$(STAMP): requirements.txt requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

course: $(STAMP)
	$(PY) tools/run_course.py

test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || echo "make test: Chromium is not installed, so the site's browser test (tests/test_site.py) is skipped; to run it: apt-get install chromium chromium-driver"
	$(PY) -m pytest -rs

# JupyterLab refuses to start as root (containers, some Studio images) unless told; the kit tells it.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

offline-shell: $(STAMP)
	$(PY) -m helpers.offline

bench: $(STAMP)
	$(PY) tools/bench.py
	$(PY) tools/bench_setup.py

# requirements.lock: the exact versions of the working .venv, after a change to requirements.txt
lock:
	@echo "# Exact versions of a working .venv (Python 3.11, Linux), used as pip constraints by make; made by make lock." > requirements.lock
	$(PY) -m pip freeze --exclude-editable --disable-pip-version-check | sort -f >> requirements.lock

# The course as a web site in build/site/, from make course's executed copies (or the committed outputs); no network.
site: $(STAMP)
	$(PY) tools/build_site.py

run-plan: $(STAMP)
	$(PY) tools/aws_run_plan.py

clean:
	rm -rf build
