"""The emulator stays below everything: outside helpers/offline/, only backend.py reaches into it (and helpers/__init__.py
names the package), so the course never depends on how the offline AWS is built. Checked by reading the imports."""
import ast
from pathlib import Path

HELPERS = Path(__file__).resolve().parent.parent / "helpers"
OFFLINE = HELPERS / "offline"
# May use the offline package: backend.py (and sdk_v3.py, the v3 appendix's backend) choose and start it; testing.py
# gives learners' tests the offline AWS; __init__.py exposes `helpers.offline(...)`.
ALLOWED = {"backend.py", "sdk_v3.py", "testing.py", "__init__.py"}
PENDING: set[str] = set()
INTERNALS = {p.stem for p in OFFLINE.glob("*.py") if p.stem != "__init__"}


def offline_imports(path: Path) -> list[str]:
    """Each way `path` reaches the offline package: imports of it or its modules, and `offline.<module>` lookups."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("helpers.offline")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [a.name for a in node.names]
            if node.module.startswith("helpers.offline") or (node.module == "helpers" and "offline" in names):
                found.append(f"from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Attribute) and node.attr in INTERNALS:
            if isinstance(node.value, ast.Name) and node.value.id == "offline" or (
                    isinstance(node.value, ast.Attribute) and node.value.attr == "offline"):
                found.append(f"offline.{node.attr}")
    return found


def test_only_backend_reaches_the_offline_package():
    offenders = {}
    for path in sorted(HELPERS.rglob("*.py")):
        name = path.relative_to(HELPERS).as_posix()
        if path.is_relative_to(OFFLINE) or name in ALLOWED or name in PENDING:
            continue
        if found := offline_imports(path):
            offenders[name] = found
    assert not offenders, f"import the shared module instead (course.py, service_rules.py): {offenders}"


def test_backend_uses_only_the_offline_packages_own_functions():
    assert all(line == "from helpers import offline" for line in offline_imports(HELPERS / "backend.py"))


def test_the_scan_sees_what_it_must_refuse(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from helpers.offline.validation import MapKey\nimport helpers.offline.jobs\n"
                      "from helpers import offline\nx = offline.data_processing.DataProcessing\n")
    assert offline_imports(sample) == ["from helpers.offline.validation import MapKey", "import helpers.offline.jobs",
                                       "from helpers import offline", "offline.data_processing"]


def test_the_shared_modules_import_neither_backend():
    for name in ("course.py", "service_rules.py"):
        tree = ast.parse((HELPERS / name).read_text())
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in modules if m.startswith(("helpers", "moto"))}, f"{name} imports {modules}"
