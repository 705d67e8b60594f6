"""The command line's shape (dashboard/cli): one module per command or group, each registering its
commands the same one way, sharing only dashboard/cli/common.py; no import hidden inside a function
and no import cycle."""
from __future__ import annotations

import ast
import pathlib

from dashboard import cli

PACKAGE = pathlib.Path(cli.__file__).resolve().parent


def imports(path: pathlib.Path) -> list[tuple[ast.AST, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found += [(node, node.module)] + [(node, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node, alias.name) for alias in node.names]
    return found


def test_no_import_inside_a_function():
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nested = [inner for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
                assert not nested, f"{path.name}: {node.name} imports at line {nested[0].lineno}"


def test_commands_share_only_the_common_module_so_there_is_no_cycle():
    common = {name for _, name in imports(PACKAGE / "common.py")}
    assert not any(name.startswith("dashboard.cli") for name in common)
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in ("__init__.py", "common.py"):
            continue
        from_cli = {name for _, name in imports(path) if name.startswith("dashboard.cli")}
        assert from_cli <= {"dashboard.cli.common"} | {f"dashboard.cli.common.{n}" for n in dir(cli.common)}, path.name


def test_every_command_module_registers_the_one_way():
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "common"}
    assert {command.__name__.rsplit(".", 1)[-1] for command in cli.COMMANDS} == modules
    for command in cli.COMMANDS:
        assert callable(command.register)
    assert not any(PACKAGE.parent.glob("cli_*.py"))  # no second way left beside the package
