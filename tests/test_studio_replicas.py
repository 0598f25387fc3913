"""In each replica of a supported SageMaker Studio image (make test builds .venv-studio-<version> from
tests/studio/sagemaker-distribution-<version>.txt), the learner's one command, `pip install -e ".[offline]"`, only
added packages: every version the image pins is still the one installed. (make test then runs the v3 notebooks there.)"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMAGES = sorted(p.stem.rsplit("-", 1)[-1] for p in (ROOT / "tests" / "studio").glob("sagemaker-distribution-*.txt"))


def freeze(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.lower().replace("_", "-")] = version.strip()
    return pins


def replica(image: str) -> Path:
    venv = ROOT / f".venv-studio-{image}"
    if not (venv / ".installed").exists():
        pytest.skip(f"needs the Studio {image} replica: make .venv-studio-{image}/.installed (make test builds it)")
    return venv


@pytest.mark.parametrize("image", IMAGES)
def test_the_kits_install_moved_no_package_of_the_image(image):
    venv = replica(image)
    before, after = freeze(venv / "image-freeze.txt"), freeze(venv / "kit-freeze.txt")
    moved = {name: f"{version} -> {after.get(name, 'removed')}" for name, version in before.items()
             if after.get(name) != version}
    assert not moved, f"pip install -e '.[offline]' changed the image's packages: {moved}"
    added = set(after) - set(before)
    assert {"moto", "jsonpath-ng"} <= added, added  # what offline mode adds


@pytest.mark.parametrize("image", IMAGES)
def test_the_image_pins_are_what_the_replica_file_says(image):
    venv = replica(image)
    pinned = freeze(ROOT / "tests" / "studio" / f"sagemaker-distribution-{image}.txt")
    installed = freeze(venv / "image-freeze.txt")
    assert {name: installed.get(name) for name in pinned} == pinned


@pytest.mark.parametrize("image", IMAGES)
def test_the_missing_packages_tool_runs_there(image):
    venv = replica(image)
    done = subprocess.run([str(venv / "bin" / "python"), str(ROOT / "tools" / "missing_packages.py"), "offline"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "Nothing to add" in done.stdout, done.stdout + done.stderr
