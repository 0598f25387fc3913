"""The Makefile's learner-facing targets behave as the README says (dry runs: nothing is started)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dry_run(target: str) -> str:
    return subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=True).stdout


def test_make_lab_adds_allow_root_exactly_when_run_as_root():
    command = [line for line in dry_run("lab").splitlines() if "jupyter lab" in line][-1]
    assert ("--allow-root" in command) == (os.geteuid() == 0), command
    assert command.rstrip().endswith("notebooks/")


def test_make_lab_v3_opens_the_v3_track_in_a_jupyterlab_whose_default_kernel_is_sdk_v3():
    """The v3 notebooks ask for the default kernel, python3, as a Studio image's own kernel is named: .venv-v3's
    JupyterLab gives them .venv-v3."""
    import json

    for path in [ROOT / "notebooks" / "A1_sdk_v3.ipynb", *sorted((ROOT / "notebooks" / "sdk-v3").glob("*.ipynb"))]:
        assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3", path.name
    last = [line for line in dry_run("lab-v3").splitlines() if not line.startswith("make")][-1]
    assert last.startswith(".venv-v3/bin/jupyter lab") and last.rstrip().endswith("notebooks/"), last


def test_make_test_runs_the_appendix_under_venv_v3():
    commands = [line for line in dry_run("test").splitlines() if not line.startswith("make")]
    assert any(line.startswith(".venv/bin/python -m pytest") for line in commands), commands
    v3 = next(line for line in commands if line.startswith(".venv-v3/bin/python -m pytest"))
    assert "notebooks/" in v3, commands


def test_make_test_builds_every_studio_replica():
    images = sorted(p.stem.rsplit("-", 1)[-1] for p in (ROOT / "tests" / "studio").glob("sagemaker-distribution-*.txt"))
    assert images, "no Studio replica listed in tests/studio/"
    commands = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), "test"], capture_output=True, text=True).stdout
    for image in images:
        assert f"-m venv .venv-studio-{image}" in commands, commands
        assert f'.venv-studio-{image}/bin/python -m pip install --quiet --disable-pip-version-check -e ".[offline]"' \
            in commands, commands


def test_make_lab_passes_jupyterlab_arguments():
    command = subprocess.run(["make", "-n", "-C", str(ROOT), "lab", "LAB_ARGS=--port 8890 --ip 0.0.0.0"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    line = [c for c in command if "jupyter lab" in c][-1]
    assert "--port 8890 --ip 0.0.0.0" in line and line.rstrip().endswith("notebooks/"), line


def _fake_python(folder: Path, version: str) -> Path:
    """A `python` that says it is `version` and fails the course's version check, as Python 3.10 would."""
    script = folder / "python3.10"
    script.write_text(f"#!/bin/sh\ncase \"$*\" in *platform*) echo {version};; *) exit 1;; esac\n")
    script.chmod(0o755)
    return script


def test_make_says_in_one_line_when_python_is_too_old(tmp_path):
    old = _fake_python(tmp_path, "3.10.14")
    done = subprocess.run(["make", "-C", str(ROOT), f"PYTHON={old}", "VENV=" + str(tmp_path / "venv"),
                           str(tmp_path / "venv") + "/.installed"], capture_output=True, text=True)
    assert done.returncode != 0
    said = [line for line in done.stdout.splitlines() if "needs Python" in line]
    assert said and "needs Python 3.11 or newer" in said[0] and "is 3.10.14" in said[0] and "PYTHON=" in said[0], \
        done.stdout + done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_venv_left_by_an_older_python_is_made_again(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    _fake_python(tmp_path, "3.10.14").rename(venv / "bin" / "python")  # what a failed 3.10 install leaves behind
    commands = subprocess.run(["make", "-n", "-C", str(ROOT), f"VENV={venv}", f"{venv}/.installed"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
    check = next(line for line in commands if "made by an unsupported Python" in line)
    assert commands.index(check) < next(i for i, line in enumerate(commands) if "-m venv" in line)
    done = subprocess.run(["sh", "-c", check], capture_output=True, text=True)  # the recipe's own line, run
    assert done.returncode == 0 and "making it again" in done.stdout and not venv.exists(), done.stdout + done.stderr
