"""tools/run_course.py (`make course`): notebooks side by side, one kernel each, reported in the order given."""
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def _notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_side_by_side_runs_report_in_course_order_and_a_failure_fails_only_its_notebook(tmp_path):
    slow = _notebook(tmp_path / "t9_first_slow.ipynb", "import time; time.sleep(3)")
    fast = _notebook(tmp_path / "t9_second_fast.ipynb", "1 + 1")
    broken = _notebook(tmp_path / "t9_third_broken.ipynb", "raise ValueError('on purpose')")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "run_course.py"), "--jobs", "2",
                           str(slow), str(fast), str(broken)], capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stderr
    assert [line.split()[-1] for line in lines[:2]] == [slow.name, fast.name]
    assert lines[2].startswith("FAILED") and broken.name in lines[2] and "ValueError: on purpose" in lines[2]
    assert lines[0].startswith("ok") and float(lines[0].split()[1]) >= 3
    assert lines[3].startswith("2 of 3 notebooks ran offline") and "(2 at a time)" in lines[3]
    for path in (slow, fast, broken):
        (ROOT / "build" / "notebooks" / path.name).unlink(missing_ok=True)
