"""A non-editable install (a wheel, what `pip install "<kit>[offline,test]"` and a `git+` requirement give) passes the
README's pytest example: the data the fixtures need is packaged, and nothing resolves back to the repository."""
from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.test_testing_plugin import MORE_TESTS, readme_example

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_installed_alone_passes_the_readme_example(tmp_path):
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next(dist.glob("batch_transform_course-*.whl"))

    # A fresh environment with the kit from the wheel only; its dependencies are this environment's installed packages
    # (a path to them, not an install: no network, seconds instead of minutes), without this repository's editable kit.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "zz_course_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                                "--no-warn-script-location", "--prefix", str(venv), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]

    work = tmp_path / "work"
    work.mkdir()
    (work / "test_my_pipeline.py").write_text(readme_example() + MORE_TESTS + '''

def test_the_kit_comes_from_the_wheel():
    import helpers, sagemaker_offline
    assert "site-packages" in helpers.__file__ and "site-packages" in sagemaker_offline.__file__
''')
    done = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_pipeline.py"],
                          cwd=work, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout, done.stdout[-2000:]
