"""Run every course notebook offline, headless, and report one line per notebook (`make course`).

Notebooks run side by side, one kernel each, as many at a time as the machine has cores (`--jobs`); each notebook
starts its own offline AWS, so they share nothing. The report keeps the course order. Executed copies go to
build/notebooks/ (ignored by git). `--in-place` writes the outputs back into notebooks/ instead: that is how the
committed outputs are refreshed after a change; the solutions' outputs are left out and their cells collapsed
(tools/solutions.py), so a committed notebook shows no answer before the learner asks for it.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build" / "notebooks"


def run(path: Path, in_place: bool) -> tuple[bool, float, str]:
    """Execute one notebook top to bottom in a fresh kernel; returns (ok, seconds, first error line)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timing of an earlier run: noise in every diff
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])  # no transport notice per notebook
    started = time.time()
    try:
        client.execute()
        ok, error = True, ""
    except CellExecutionError as exc:
        ok, error = False, f"{exc.ename}: {exc.evalue}"[:300]
    except Exception as exc:  # a kernel that died or a cell that timed out fails this notebook, not the whole run
        ok, error = False, f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.time() - started
    if in_place and ok:
        import solutions  # tools/solutions.py: the committed notebook keeps no solution's output

        solutions.hide(notebook)
    target = path if in_place and ok else BUILD / (path.relative_to(NOTEBOOKS) if path.is_relative_to(NOTEBOOKS) else path.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return ok, seconds, error


def shown(path: Path) -> str:
    """A notebook's name as the report shows it: relative to notebooks/ (sdk-v3/02_... for the v3 track)."""
    return str(path.relative_to(NOTEBOOKS)) if path.is_relative_to(NOTEBOOKS) else path.name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook files (default: the course index, notebooks/course.json)")
    parser.add_argument("--in-place", action="store_true", help="write outputs back into notebooks/")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks run at the same time, one kernel each (default: this machine's cores)")
    args = parser.parse_args()
    os.environ["COURSE_BACKEND"] = "offline"  # `make course` never touches an AWS account
    from helpers.connection.names import record_settings
    from helpers.course.index import course_notebooks

    record_settings()  # the learner id and settings the committed outputs show, whoever runs it

    from helpers.course.index import environment, notebook_path

    # by default the track of this environment: SDK v2 (.venv) runs notebooks/, SDK v3 (.venv-v3, a Studio image's
    # kernel) runs notebooks/sdk-v3/ and the v3 appendix
    paths = [Path(p).resolve() for p in args.notebooks] or [notebook_path(nb) for nb in course_notebooks(environment())]
    if not paths:
        print("No notebooks found in notebooks/.")
        return 1
    jobs = max(1, min(args.jobs, len(paths)))
    failed = 0
    total = time.time()
    # spawn: each worker starts clean (no inherited kernel or event-loop state), whatever the platform's default
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = [pool.submit(run, path, args.in_place) for path in paths]
        for path, future in zip(paths, runs):  # report in course order, each line as soon as it is known
            ok, seconds, error = future.result()
            failed += not ok
            status = "ok    " if ok else "FAILED"
            print(f"{status} {seconds:6.1f} s  {shown(path)}" + (f"  -- {error}" if error else ""), flush=True)
    where = "notebooks/ (in place)" if args.in_place else "build/notebooks/"
    print(f"{len(paths) - failed} of {len(paths)} notebooks ran offline in {time.time() - total:.1f} s "
          f"({jobs} at a time); executed copies in {where}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
