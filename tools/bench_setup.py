"""`make bench` (second part): how long a notebook's setup cell takes, against `import sagemaker` timed in the same run.

The setup cell is the first code cell of notebooks/02 (`import helpers; course = helpers.connect()`), run offline in a
fresh Python process that has already imported IPython, as a new kernel has. The baseline is the SDK's own import,
`import sagemaker`, timed the same way. Both run alternately, best of --repeat, each in its own subprocess; the ratio
is the setup cell's time over the SDK's import (above 1: what the kit adds, moto, the offline runtime, sessions;
below 1: the setup cell also avoids costs a bare import pays). `--imports` lists the slowest imports of the cell.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02_batch_transform_sdk.ipynb"


def setup_cell(notebook: Path = NOTEBOOK) -> str:
    """The notebook's first code cell, as a learner runs it."""
    cells = json.loads(notebook.read_text())["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


# What a kernel has loaded before its first cell runs; the timer starts after it.
KERNEL_PRELUDE = "import IPython, time\n_started = time.perf_counter()\n"
REPORT = "\nimport sys\nprint(time.perf_counter() - _started, file=sys.__stdout__)\n"


def timed(code: str, extra: list[str] | None = None) -> tuple[float, str]:
    """Seconds `code` takes in a fresh process after the kernel's own imports, and the process's stderr."""
    env = dict(os.environ, COURSE_BACKEND="offline")  # never an AWS account
    done = subprocess.run([sys.executable, *(extra or []), "-c", KERNEL_PRELUDE + code + REPORT],
                          cwd=ROOT / "notebooks", env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"failed: python -c {code!r}\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1]), done.stderr


def slowest_imports(code: str, top: int) -> list[tuple[float, str]]:
    """Top-level imports of `code` by cumulative seconds (python -X importtime), slowest first."""
    _, stderr = timed(code, ["-X", "importtime"])
    rows = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and len(match.group(2)) <= 2 and not match.group(3).startswith("IPython"):  # the cell's, not the kernel's
            rows.append((int(match.group(1)) / 1e6, ("  " if match.group(2) else "") + match.group(3)))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported (default 3)")
    parser.add_argument("--imports", type=int, default=0, metavar="N", help="also list the N slowest imports")
    args = parser.parse_args()
    cell = setup_cell()
    runs: dict[str, list[float]] = {"import sagemaker": [], "setup cell": []}
    for _ in range(args.repeat):
        runs["import sagemaker"].append(timed("import sagemaker")[0])
        runs["setup cell"].append(timed(cell)[0])
    sdk, setup = min(runs["import sagemaker"]), min(runs["setup cell"])
    print(f"Setup cell of {NOTEBOOK.name}, offline, best of {args.repeat} fresh processes:")
    for name, seconds in runs.items():
        print(f"  {name:<17} {min(seconds):5.2f} s   (runs: {', '.join(f'{s:.2f}' for s in seconds)})")
    print(f"  ratio setup cell / import sagemaker: {setup / sdk:.2f}  (1.00 = only the SDK's own import cost)")
    if args.imports:
        print(f"Slowest imports of the setup cell (python -X importtime, cumulative):")
        for seconds, name in slowest_imports(cell, args.imports):
            print(f"  {seconds:5.2f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
