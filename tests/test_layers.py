"""The architecture, read from every import statement of the project.

Rule (also in the README's Layout section): a module imports only from its own layer or the
layers below it, in the order reduced < shared modules < descent, ghosts < networks < plotting <
figures < cli, and the module graph has no cycle. Imports of the project's own modules stand at
the top of the file, except those of the numba kernels (``HEAVY``), whose import loads numba and
compiles; no private name (one that starts with an underscore) is imported from another module,
and a private module is imported only from inside its own package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("reduced", "analysis")
LAYERS = [
    ("reduced",),
    ("analysis.regimes", "analysis.optimizers", "analysis.store", "analysis.onset", "analysis.cluster"),
    ("analysis", "analysis.descent", "analysis.ghosts"),
    ("analysis.networks",),
    ("analysis.plotting",),
    ("analysis.figures",),
    ("analysis.cli", "analysis.__main__"),
]


def _imports_numba_at_top(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    return any((isinstance(node, ast.Import) and any(a.name.split(".")[0] == "numba" for a in node.names))
               or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "numba")
               for node in tree.body)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()
HEAVY = {m for m, path in MODULES.items() if _imports_numba_at_top(path)}
"""The numba kernels: imported inside the functions whose compiled path runs (importing them loads numba)."""


def _layer(module: str) -> int:
    best, depth = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and prefix.count(".") > depth:
                best, depth = index, prefix.count(".")
    assert best is not None, f"module {module} belongs to no layer: add it to LAYERS"
    return best


def _imports(module: str, path: Path):
    """(target module, imported name or None, at top level, line) for each project import of a module."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    yield alias.name, None, id(node) in top, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in MODULES:
                    yield sub, None, id(node) in top, node.lineno
                else:
                    yield source, alias.name, id(node) in top, node.lineno


EDGES = [(m, *edge) for m, path in MODULES.items() for edge in _imports(m, path)]


def test_every_module_is_in_a_layer():
    for module in MODULES:
        _layer(module)


def test_nothing_imports_from_a_layer_above_it():
    """The one-way flow: closed forms -> engines -> datasets -> plots -> main job and CLI."""
    upward = [f"{m}:{line} imports {target} (layer {_layer(target)} > {_layer(m)})"
              for m, target, _, _, line in EDGES if _layer(target) > _layer(m)]
    assert upward == []


def test_reduced_imports_nothing_from_analysis():
    """Data flows one way: the closed forms never depend on the numerics built on them (a case of the rule)."""
    assert [(m, t) for m, t, *_ in EDGES if m.startswith("reduced") and t.startswith("analysis")] == []


def test_the_module_graph_has_no_cycle():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m, target, *_ in EDGES:
        if target != m and target in graph:
            graph[m].add(target)
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_project_imports_stand_at_the_top_of_the_file():
    assert {"reduced._kernels", "analysis.descent._kernels", "analysis.networks._rollout_kernels"} <= HEAVY
    inner = [f"{m}:{line} imports {target} inside a function"
             for m, target, _, at_top, line in EDGES if not at_top and target not in HEAVY]
    assert inner == []


def test_no_private_name_crosses_a_module_boundary():
    private = []
    for m, target, name, _, line in EDGES:
        if name is not None and name.startswith("_") and name != "__version__":
            private.append(f"{m}:{line} imports {target}.{name}")
        leaf = target.rpartition(".")[2]
        owner = target.rpartition(".")[0]
        if leaf.startswith("_") and not leaf.startswith("__") and not (m == owner or m.startswith(owner + ".")):
            private.append(f"{m}:{line} imports the private module {target} from outside its package")
    assert private == []


@pytest.mark.parametrize(("package", "absent"), [
    ("reduced", ("jax", "matplotlib", "numba", "torch")),
    ("analysis", ("jax", "matplotlib", "numba", "torch")),
    ("analysis.networks", ("jax", "matplotlib", "numba", "torch")),
])
def test_heavy_libraries_load_only_when_used(package, absent):
    """``import reduced`` (and the engines) stay light: jax, matplotlib and numba load on first use."""
    code = f"import sys, {package}; print(','.join(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_no_module_is_longer_than_one_sitting():
    """About 400 lines a module (numba kernels and docstring-heavy modules get a little slack)."""
    long = [f"{m}: {len(p.read_text().splitlines())} lines" for m, p in MODULES.items()
            if len(p.read_text().splitlines()) > 420]
    assert long == []


def _code_lines(function: ast.FunctionDef, lines: list[str]) -> int:
    body = function.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    if not body:
        return 0
    text = lines[body[0].lineno - 1:function.end_lineno]
    return sum(1 for line in text if line.strip() and not line.strip().startswith("#"))


def test_no_function_is_longer_than_one_sitting():
    """About 60 lines of code a function, docstring and comments aside; a numba kernel that must stay
    whole says so in its docstring."""
    long = []
    for module, path in MODULES.items():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _code_lines(node, lines) > 60:
                if "must stay whole" not in (ast.get_docstring(node) or ""):
                    long.append(f"{module}.{node.name}: {_code_lines(node, lines)} lines")
    assert long == []
