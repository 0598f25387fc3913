# Two commands do all the set-up on a fresh machine (Python 3.11+, pip, make):
#   make course   run every notebook offline and report
#   make test     the whole test suite (unit, conformance, nbval over notebooks/)
#   make site     the course as a web site in build/site/ (after make course: its executed notebooks)
#   make run-plan rewrite docs/aws-run-plan.md from the requests the notebooks make offline
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The SDK v3 appendix (notebooks/A1_sdk_v3.ipynb) has an environment of its own: v2 and v3 both install `sagemaker`.
VENV_V3 := .venv-v3
PY_V3 := $(VENV_V3)/bin/python
STAMP_V3 := $(VENV_V3)/.installed

.PHONY: course course-v2 course-v3 test lab lab-v3 bench site run-plan lock clean offline-shell studio-replicas
# The course needs Python 3.11+. Checked before a venv is made: one line says which Python this is and how to pick
# another; a venv that an older Python left behind (a failed install) is made again, never reused.
PY_OK := import sys; sys.exit(sys.version_info < (3, 11))
define check_python
	@$(PYTHON) -c '$(PY_OK)' 2>/dev/null || { echo "make: the course needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null || echo 'not found'). Pick another with PYTHON=, e.g. make PYTHON=python3.12 $(or $(MAKECMDGOALS),course)"; exit 1; }
	@test ! -e $(1) || $(1)/bin/python -c '$(PY_OK)' 2>/dev/null || { echo "make: $(1) was made by an unsupported Python; making it again with $(PYTHON)"; rm -rf $(1); }
endef
# Replicas of the supported SageMaker Studio images (tests/studio/sagemaker-distribution-<version>.txt: Python 3.12 and
# the versions the image pins of what the course imports). `make test` builds them and installs the kit into each as a
# learner in Studio does (pip install -e ".[offline]"); tests/test_studio_replicas.py checks that the install only
# added packages. Python 3.12 comes from pyenv (or python3.12 on PATH); PYTHON_STUDIO= picks another.
STUDIO_IMAGES := $(patsubst tests/studio/sagemaker-distribution-%.txt,%,$(wildcard tests/studio/sagemaker-distribution-*.txt))
PYTHON_STUDIO ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
STUDIO_STAMPS := $(foreach v,$(STUDIO_IMAGES),.venv-studio-$(v)/.installed)
# Each environment builds matplotlib's font cache once at install: its first plot would otherwise print "Matplotlib is
# building the font cache; this may take a moment." to stderr when the build takes over 5 s (matplotlib's
# font_manager.FontManager starts a 5 s timer), as on a busy CI machine, and nbval fails on the unexpected stderr.
WARM_FONTS := import matplotlib.font_manager

.venv-studio-%/.installed: tests/studio/sagemaker-distribution-%.txt pyproject.toml
	@test -n "$(PYTHON_STUDIO)" || { echo "make: the Studio replicas need Python 3.12 (as the images have): install it (pyenv install 3.12) or set PYTHON_STUDIO=/path/to/python3.12"; exit 1; }
	rm -rf .venv-studio-$*
	$(PYTHON_STUDIO) -m venv .venv-studio-$*
	.venv-studio-$*/bin/python -m pip install --quiet --disable-pip-version-check -r tests/studio/sagemaker-distribution-$*.txt
	.venv-studio-$*/bin/python -m pip freeze --disable-pip-version-check > .venv-studio-$*/image-freeze.txt
	.venv-studio-$*/bin/python -m pip install --quiet --disable-pip-version-check -e ".[offline]"
	.venv-studio-$*/bin/python -m pip freeze --disable-pip-version-check --exclude-editable > .venv-studio-$*/kit-freeze.txt
	.venv-studio-$*/bin/python -m pip install --quiet --disable-pip-version-check "pytest>=8" "nbval>=0.11,<0.12"
	.venv-studio-$*/bin/python -c "$(WARM_FONTS)"
	@touch $@

studio-replicas: $(STUDIO_STAMPS)

# Extra JupyterLab arguments for make lab / make lab-v3, e.g. make lab LAB_ARGS="--port 8890 --ip 0.0.0.0 --IdentityProvider.token=''"
LAB_ARGS ?=

$(STAMP): requirements.txt requirements.lock pyproject.toml
	$(call check_python,$(VENV))
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -c "$(WARM_FONTS)"
	@touch $(STAMP)

$(STAMP_V3): requirements-v3.txt pyproject.toml
	$(call check_python,$(VENV_V3))
	@test -x $(PY_V3) || $(PYTHON) -m venv $(VENV_V3)
	$(PY_V3) -m pip install --quiet --disable-pip-version-check -r requirements-v3.txt
	$(PY_V3) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY_V3) -c "$(WARM_FONTS)"
	@touch $(STAMP_V3)

# Both tracks: the SDK v2 track (notebooks/) in .venv, then the SDK v3 track (notebooks/sdk-v3/ and the v3 appendix)
# in .venv-v3; make course-v2 / make course-v3 run one.
course: course-v2 course-v3

course-v2: $(STAMP)
	$(PY) tools/run_course.py

course-v3: $(STAMP_V3)
	$(PY_V3) tools/run_course.py

# nbval runs each track in its own environments (conftest.py collects the notebooks of the environment it runs in): the
# v2 track with the unit tests in .venv; the v3 track in .venv-v3 and in each Studio-image replica, where the records
# SDK 3.12 does not log are left out of the comparison (tests/nbval_sanitize_studio.cfg). The images have the AWS CLI v2
# outside the kernel's environment (aws/sagemaker-distribution, build_artifacts/v4/v4.4/v4.4.1/Dockerfile, installs it
# from awscli-exe-linux-x86_64.zip): each replica gets the course's `aws` from .venv beside it the same way, for
# notebook 03's `!aws` cells, and no image version moves. In .venv-v3 the AWS
# rehearsal and the request checks run over the v3 track too (each test module picks the track of its environment).
test: $(STAMP) $(STAMP_V3) $(STUDIO_STAMPS)
	@command -v chromium >/dev/null 2>&1 || echo "make test: Chromium is not installed, so the site's browser test (tests/test_site.py) is skipped; to run it: apt-get install chromium chromium-driver"
	$(PY) -m pytest -rs
	$(PY_V3) -m pytest -rs notebooks/ tests/test_aws_rehearsal.py tests/test_notebook_requests.py
	@for v in $(STUDIO_IMAGES); do \
		ln -sf $(abspath $(VENV))/bin/aws .venv-studio-$$v/bin/aws; \
		cat tests/nbval_sanitize.cfg tests/nbval_sanitize_studio.cfg > .venv-studio-$$v/nbval_sanitize.cfg; \
		echo "nbval over the v3 track in the Studio image $$v replica"; \
		.venv-studio-$$v/bin/python -m pytest -rs notebooks/ --nbval-sanitize-with .venv-studio-$$v/nbval_sanitize.cfg || exit 1; \
	done

# JupyterLab refuses to start as root (containers, some Studio images) unless told; the kit tells it.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/

offline-shell: $(STAMP)
	$(PY) -m sagemaker_offline

# JupyterLab of .venv-v3 on notebooks/: its default kernel (python3) is SDK v3, as in a Studio image; open sdk-v3/.
lab-v3: $(STAMP_V3)
	$(VENV_V3)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/

bench: $(STAMP) $(STAMP_V3)
	$(PY) tools/bench.py
	$(PY) tools/bench_setup.py
	$(PY) tools/bench_tracks.py

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
