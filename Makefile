# Two commands do all the set-up on a fresh machine (Python 3.11+, pip, make):
#   make course   run every notebook offline and report
#   make test     the whole test suite (unit, conformance, nbval over notebooks/)
#   make site     the course as a web site in build/site/ (after make course: its executed notebooks)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: course test lab bench site clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
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

bench: $(STAMP)
	$(PY) tools/bench.py

# The course as a web site in build/site/, from make course's executed copies (or the committed outputs); no network.
site: $(STAMP)
	$(PY) tools/build_site.py

clean:
	rm -rf build
