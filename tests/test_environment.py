"""environment.yml (conda, Studio) and requirements.txt (make) pin the same packages to the same versions."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _requirement(line: str) -> str | None:
    line = line.split("#", 1)[0].strip()
    return re.sub(r"\s+", "", line) or None


def test_the_two_package_lists_agree():
    pip_txt = {r for r in map(_requirement, (ROOT / "requirements.txt").read_text().splitlines()) if r}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pip_yml = {_requirement(r) for r in pip_section} - {"-e."}
    assert pip_yml == pip_txt


def test_every_pin_is_bounded_by_major_minor_and_commented_in_the_yml():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        requirement = _requirement(line)
        if requirement:
            assert ">=" in requirement and ",<" in requirement, f"{requirement} needs a lower and an upper bound"
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip().startswith("- ") and ">=" in line:
            assert "#" in line, f"say which notebooks need it: {line.strip()}"


def test_the_sdk_is_pinned_to_v2_as_the_lesson_uses():
    assert "sagemaker>=2.257,<3" in (ROOT / "requirements.txt").read_text()


def test_the_boston_file_is_the_documented_one():
    import hashlib

    digest = hashlib.sha256((ROOT / "data" / "boston_house_prices.csv").read_bytes()).hexdigest()
    assert digest == "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"
    assert digest in (ROOT / "data" / "README.md").read_text()
