"""The dashboard package's import graph has no cycle, counting imports inside functions too (a
function-level import is how a cycle hides), and the data modules import only at module level."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"

# No cycle is allowed anywhere in the package.
ALLOWED_CYCLES: set[frozenset[str]] = set()

# Every module imports only at module level: no hidden cycle, no import deferred to a call.
WITHOUT_FUNCTION_IMPORTS = ("dashboard",)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path]) -> set[str]:
    """The dashboard modules an import statement loads by name (a name imported from a package is its
    submodule when there is one)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = module.split(".") if is_package else module.split(".")[:-1]
            anchor = anchor[:len(anchor) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    found = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name.startswith("dashboard") and name != "dashboard":
            found.add(name)
    return found


def _imports(modules: dict[str, Path]) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """Each module's edges (every import, wherever it stands) and the imports it makes inside functions."""
    graph: dict[str, set[str]] = {}
    in_functions: dict[str, list[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        graph[module] = set()
        for function in [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    in_functions.setdefault(module, []).append(f"line {node.lineno}: {ast.unparse(node)}")
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[module] |= _targets(node, module, is_package, modules) - {module}
    return graph, in_functions


def _cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    graph, _ = _imports(_modules())
    cycles = _cycles(graph)
    unexpected = [sorted(cycle) for cycle in cycles if cycle not in ALLOWED_CYCLES]
    assert not unexpected, f"import cycles: {unexpected}"


def test_the_data_modules_import_only_at_module_level():
    _, in_functions = _imports(_modules())
    found = {module: lines for module, lines in in_functions.items()
             if any(module == owned or module.startswith(owned + ".") for owned in WITHOUT_FUNCTION_IMPORTS)}
    assert not found, f"imports inside functions: {found}"


def test_the_graph_sees_imports_inside_functions(tmp_path):
    """The checks themselves: a cycle closed by an import inside a function is found."""
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "__init__.py").write_text("")
    (tmp_path / "dashboard" / "reader.py").write_text("def build():\n    from dashboard.writer import write\n")
    (tmp_path / "dashboard" / "writer.py").write_text("from dashboard.reader import build\n")
    modules = {"dashboard": tmp_path / "dashboard" / "__init__.py",
               "dashboard.reader": tmp_path / "dashboard" / "reader.py",
               "dashboard.writer": tmp_path / "dashboard" / "writer.py"}
    graph, in_functions = _imports(modules)
    assert _cycles(graph) == {frozenset({"dashboard.reader", "dashboard.writer"})}
    assert list(in_functions) == ["dashboard.reader"]
