"""tools/missing_packages.py: the Studio install step that adds only what a kernel lacks (docs/running-on-aws.md)."""
import sys
from pathlib import Path

from packaging.requirements import Requirement

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import missing_packages  # noqa: E402


def test_the_course_venv_lacks_nothing(capsys):
    assert missing_packages.main(["offline", "test"]) == 0
    assert capsys.readouterr().out.startswith("Nothing to add")


def test_missing_and_out_of_range_packages_are_told_apart():
    missing, outside = missing_packages.compare([Requirement("no-such-package-for-the-course>=1"),
                                                 Requirement("numpy<1"), Requirement("pandas>=2")])
    assert [r.name for r in missing] == ["no-such-package-for-the-course"]
    assert [r.name for r, _ in outside] == ["numpy"]


def test_an_extra_pin_replaces_the_wide_one_of_the_same_package():
    wide = {r.name: str(r.specifier) for r in missing_packages.declared([])}
    offline = {r.name: str(r.specifier) for r in missing_packages.declared(["offline"])}
    assert wide["xgboost"] == "<4,>=2.1" and offline["xgboost"] == "<3.3,>=2.1"
    assert "moto" not in wide and "moto" in offline


def test_it_keeps_each_line_without_setting_attributes_on_packagings_requirement():
    """packaging 26.2 gave Requirement __slots__ (setting an attribute on one raises): .venv-v3 has such a packaging,
    and tests/test_studio_replicas.py runs the tool there too."""
    from packaging.requirements import Requirement

    line = missing_packages.DeclaredRequirement("numpy>=1.26,<3")
    assert line.line == "numpy>=1.26,<3" and isinstance(line, Requirement)
    assert missing_packages.main(["offline"]) in (0, 1)
