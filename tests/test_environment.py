"""The package lists agree: requirements.txt (make), its exact lock, pyproject.toml (pip install -e .[offline]) and
environment.yml (conda) pin the same packages to the same versions, and the helpers' wide ranges hold them all."""
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names of the same packages (environment.yml)
CONDA_NAMES = {"sagemaker-python-sdk": "sagemaker", "py-xgboost": "xgboost", "matplotlib-base": "matplotlib"}
# What SageMaker Distribution's images ship: the supported ones (tests/studio/*.txt, read from the images' cpu.env.out),
# and 2.14.10, the last SDK v2 image. `pip install -e ".[offline]"` must leave all of these as they are.
STUDIO = ROOT / "tests" / "studio"


def _lines_of(path: Path) -> list[str]:
    return [line for line in (re.sub(r"\s+", "", raw.split("#", 1)[0]) for raw in path.read_text().splitlines()) if line]


STUDIO_IMAGES = {
    path.stem.rsplit("-", 1)[-1]: {canonicalize_name(line.split("==")[0]): line.split("==")[1]
                                   for line in _lines_of(path)}
    for path in sorted(STUDIO.glob("sagemaker-distribution-*.txt"))
}
STUDIO_IMAGES["2.14.10"] = {"sagemaker": "2.257.0", "boto3": "1.40.70", "numpy": "1.26.4", "pandas": "2.3.3",
                            "matplotlib": "3.10.9", "xgboost": "2.1.4"}


def _lines(path: Path) -> list[str]:
    lines = [re.sub(r"\s+", "", line.split("#", 1)[0]) for line in path.read_text().splitlines()]
    return [line for line in lines if line]


def requirements() -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, _lines(ROOT / "requirements.txt"))}


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lock() -> dict[str, Version]:
    pins = dict(line.split("==") for line in _lines(ROOT / "requirements.lock"))
    return {canonicalize_name(name): Version(version) for name, version in pins.items()}


def conda_packages() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    out = {}
    for spec in specs:
        name, ranges = re.match(r"([A-Za-z0-9_.-]+)(.*)", spec.replace(" ", "")).groups()
        out[CONDA_NAMES.get(name, name)] = ranges
    return out


def declared() -> dict[str, Requirement]:
    """Every requirement of pyproject.toml, the base and each extra, by package name."""
    project = pyproject()
    found = {}
    for text in project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]:
        requirement = Requirement(text)
        found.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return found


def test_every_range_in_pyproject_holds_the_lock():
    locked = lock()
    for name, requirements_of_name in declared().items():
        for requirement in requirements_of_name:
            if name in locked:
                assert requirement.specifier.contains(locked[name]), f"{requirement} excludes the lock's {locked[name]}"


def test_every_supported_studio_image_satisfies_pyproject_where_it_ships_the_package():
    """So `pip install -e ".[offline]"` in the image adds packages and moves none (the replicas test it for real)."""
    for image, shipped in STUDIO_IMAGES.items():
        if image.startswith("2."):
            continue  # the v2 image: the base dependencies only (test_the_studio_images_satisfy_...)
        for name, requirements_of_name in declared().items():
            if name in shipped and not any(r.name == "awscli" for r in requirements_of_name):
                for requirement in requirements_of_name:
                    assert requirement.specifier.contains(Version(shipped[name])), \
                        f"image {image} ships {name} {shipped[name]}, outside pyproject's {requirement}"


def test_the_studio_replica_files_cite_their_source():
    for path in STUDIO.glob("sagemaker-distribution-*.txt"):
        text = path.read_text()
        assert "aws/sagemaker-distribution" in text and "cpu.env.out" in text and "commit" in text, path


def test_the_helpers_wide_ranges_hold_the_course_pins_and_every_package_is_declared():
    base = {canonicalize_name(r.name): r for r in map(Requirement, pyproject()["dependencies"])}
    locked = lock()
    for name, req in requirements().items():
        assert name in declared(), f"{name} is in requirements.txt but not in pyproject.toml"
        if name in base:
            assert base[name].specifier.contains(locked[name]), f"{name} {locked[name]} outside pyproject's {base[name]}"


def test_the_lock_is_inside_every_range():
    locked = lock()
    for name, req in requirements().items():
        assert name in locked, f"{name} missing from requirements.lock: run make lock"
        assert req.specifier.contains(locked[name]), f"{name}=={locked[name]} is outside {req}: run make lock"


def test_the_studio_images_satisfy_the_helpers_own_dependencies():
    """So `pip install -e .` in SageMaker Distribution 2.x (SDK v2) installs nothing and changes no version."""
    base = {canonicalize_name(r.name): r for r in map(Requirement, pyproject()["dependencies"])}
    for image, shipped in STUDIO_IMAGES.items():
        for name, version in shipped.items():
            if name in base:
                assert base[name].specifier.contains(Version(version)), f"image {image}: {name} {version} vs {base[name]}"
        assert set(base) <= set(shipped), f"image {image} lacks {set(base) - set(shipped)}"


def test_environment_yml_takes_the_same_pins_from_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = conda_packages()
    for name, req in requirements().items():
        assert conda.get(name) == str(req.specifier) or _same_ranges(conda.get(name), req), (
            f"{name}: environment.yml {conda.get(name)!r} vs requirements.txt {req.specifier}")
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert [re.sub(r"\s+", " ", p).strip() for p in pip_section] == ["-e ."], "pip only for the kit itself"


def _same_ranges(conda: str | None, req: Requirement) -> bool:
    return conda is not None and set(conda.split(",")) == {str(s) for s in req.specifier}


def test_every_pin_is_bounded_by_major_minor_and_commented_in_the_yml():
    for requirement in _lines(ROOT / "requirements.txt"):
        assert ">=" in requirement and ",<" in requirement, f"{requirement} needs a lower and an upper bound"
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip().startswith("- ") and ">=" in line:
            assert "#" in line, f"say which notebooks need it: {line.strip()}"


def test_the_v2_track_pins_the_lessons_sdk_and_the_kit_accepts_both():
    assert "sagemaker>=2.257,<3" in (ROOT / "requirements.txt").read_text()
    assert pyproject()["dependencies"][0].startswith("sagemaker>=2.257,<4")  # a Studio image's v3 kernel stays as it is


def test_the_boston_file_is_the_documented_one():
    import hashlib

    digest = hashlib.sha256((ROOT / "data" / "boston_house_prices.csv").read_bytes()).hexdigest()
    assert digest == "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"
    assert digest in (ROOT / "data" / "README.md").read_text()
