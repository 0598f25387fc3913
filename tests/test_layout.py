"""The one-way layers (docs/architecture.md): the offline AWS runtime (`sagemaker_offline`) imports nothing of the
course; the connection layer (`helpers.connection`) imports the runtime only; the course (`helpers.course`,
`helpers.checks`) sits on top. No import circles. Checked by reading every import, at any depth, in the source."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sagemaker_offline", "helpers")

# The layers, lowest first: a module may import modules of its own layer or of any layer below, never above.
LAYERS = [
    ("runtime", ("sagemaker_offline",)),
    ("connection", ("helpers.connection",)),
    ("course", ("helpers.course", "helpers.checks")),
    # the course's entry points: `import helpers` (connect, Course) and `helpers.offline` (the runtime's course name)
    ("entry", ("helpers",)),
]


def layer_of(module: str) -> int:
    """The index in LAYERS of the most specific prefix that names `module`."""
    best, length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path) if root == ROOT else ".".join(path.relative_to(root).with_suffix("").parts)] = path
    return found


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """The kit's modules `path` imports, at module level or inside functions: `from pkg import name` counts as
    `pkg.name` when that is a module, else as `pkg`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known or any(m.startswith(p + ".") or m == p for p in PACKAGES)}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: {m for m in imports_of(path, name, known) if m != name} for name, path in modules.items()}


def upward_edges(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
                  for a, targets in graph.items() for b in targets if layer_of(b) > layer_of(a))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), i.e. the import circles."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_layer_imports_one_above_it():
    assert not upward_edges(import_graph())


def test_no_import_circles():
    graph = import_graph()
    # A package's __init__ importing its own submodules is not a circle of the layers' making; submodules importing
    # their package's __init__ back is, so keep both directions in the graph.
    assert not cycles(graph)


def test_the_runtime_imports_no_course_module_even_lazily():
    offenders = {a: sorted(t) for a, t in import_graph().items()
                 if a.startswith("sagemaker_offline") and any(m.startswith("helpers") for m in t)}
    assert not offenders


def test_every_module_is_in_a_layer():
    for name in import_graph():
        layer_of(name)


@pytest.mark.parametrize("planted, expected", [
    ("from helpers.course import data\n", "sagemaker_offline.planted (runtime) imports helpers.course.data (course)"),
    ("import helpers.connection.backend\n", "sagemaker_offline.planted (runtime) imports helpers.connection.backend"),
])
def test_a_planted_upward_import_is_caught(tmp_path, monkeypatch, planted, expected):
    planted_file = ROOT / "sagemaker_offline" / "planted.py"
    graph = import_graph()
    graph["sagemaker_offline.planted"] = imports_of_text(planted, "sagemaker_offline.planted", set(graph))
    assert any(edge.startswith(expected) for edge in upward_edges(graph)), upward_edges(graph)
    assert not planted_file.exists()


def test_a_planted_circle_is_caught():
    graph = import_graph()
    graph["sagemaker_offline.logs"] = graph["sagemaker_offline.logs"] | {"sagemaker_offline.jobs"}
    assert any({"sagemaker_offline.logs", "sagemaker_offline.jobs"} <= set(c) for c in cycles(graph))


def imports_of_text(text: str, module: str, known: set[str]) -> set[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "planted.py"
        path.write_text(text)
        return imports_of(path, module, known)
