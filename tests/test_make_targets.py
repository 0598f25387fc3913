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


def test_make_lab_v3_registers_the_kernel_the_appendix_asks_for():
    import json

    kernel = json.loads((ROOT / "notebooks" / "A1_sdk_v3.ipynb").read_text())["metadata"]["kernelspec"]["name"]
    commands = dry_run("lab-v3")
    assert f".venv-v3/bin/python -m ipykernel install --prefix .venv --name {kernel} " in commands, commands
    last = [line for line in commands.splitlines() if not line.startswith("make")][-1]
    assert last.rstrip().endswith("notebooks/A1_sdk_v3.ipynb"), commands


def test_make_test_runs_the_appendix_under_venv_v3():
    commands = [line for line in dry_run("test").splitlines() if not line.startswith("make")]
    assert any(line.startswith(".venv/bin/python -m pytest") for line in commands), commands
    assert commands[-1].startswith(".venv-v3/bin/python -m pytest") and "notebooks/" in commands[-1], commands
