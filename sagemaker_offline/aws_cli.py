"""The AWS CLI from notebook cells (`!aws ...`, notebook 03 Step 8) and terminals: the kit's own `aws` command first
on PATH, so a cell finds it whichever way Jupyter was started. Offline mode points it at the offline AWS
(sagemaker_offline/server.py); AWS mode leaves it the learner's credentials and gives it the notebook's region.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def kit_cli() -> Path | None:
    """The `aws` command installed with the kit's packages (awscli in requirements.txt), or None."""
    command = Path(sys.executable).parent / ("aws.cmd" if os.name == "nt" else "aws")
    return command if command.exists() else None


def put_kit_cli_on_path(environ=os.environ) -> None:
    """Child processes find the kit's `aws` before any other: a Jupyter started as `.venv/bin/jupyter` does not put
    .venv/bin on PATH, and another `aws` on the machine may be configured for something else."""
    command = kit_cli()
    if command is None:
        return
    folder = str(command.parent)
    parts = environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [folder]:
        environ["PATH"] = os.pathsep.join([folder, *[p for p in parts if p != folder]])
