"""The README documents every command, option, page and URL parameter the code defines (as Datasette's
tests do): adding one without documenting it fails here."""
from __future__ import annotations

import argparse
import re

import pytest

from dashboard.cli import build_parser
from dashboard.sqlfiles import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
PAGES_DIR = REPO_ROOT / "dashboard" / "app_pages"


def commands() -> dict[str, list[str]]:
    """Each subcommand with its long options (argparse's own help and hidden options aside)."""
    parser = build_parser()
    found = {"": [option for action in parser._actions for option in action.option_strings
                  if option.startswith("--") and option != "--help"]}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = [option for sub_action in sub._actions for option in sub_action.option_strings
                               if option.startswith("--") and option != "--help" and sub_action.help != argparse.SUPPRESS]
    return found


def pages() -> list[str]:
    app = (REPO_ROOT / "dashboard" / "app.py").read_text()
    return re.findall(r'url_path="([^"]*)"', app)


def url_parameters() -> set[str]:
    """Every query parameter a page reads: widgets bound to the URL and values read from it."""
    names = {"as_of", "policy"}  # every page's scope (dashboard/ui/scope.py)
    for path in PAGES_DIR.glob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r'key="([a-z_]+)"[^)]*bind="query-params"', text))
        names |= set(re.findall(r'(?:raw_param|check_choices|check_flag)\("([a-z_]+)"', text))
    return names


@pytest.mark.parametrize("command", [name for name in commands() if name])
def test_every_command_and_option_is_in_the_readme(command):
    assert f"asl-dashboard {command}" in README, f"README: document the command `asl-dashboard {command}`"
    for option in commands()[command]:
        assert re.search(rf"{re.escape(option)}\b", README), f"README: document `{option}` of `asl-dashboard {command}`"


def test_every_global_option_is_in_the_readme():
    for option in commands()[""]:
        assert option in README, f"README: document the global option `{option}`"


def test_every_page_is_in_the_readme():
    for url_path in pages():
        assert f"`/{url_path}" in README, f"README: document the page /{url_path}"


def test_every_url_parameter_is_in_the_readme():
    for name in sorted(url_parameters()):
        assert re.search(rf"\b{name}=", README), f"README: document the URL parameter {name}="


def test_the_scan_finds_what_it_should():
    """The scans above are not vacuous: they find the known commands, pages and parameters."""
    assert {"ingest", "status", "at-risk", "serve", "bench"} <= set(commands())
    assert "--as-of" in commands()["status"]
    assert {"", "trajectory", "reclassify"} <= set(pages())
    assert {"as_of", "policy", "model", "asl", "domain", "family", "status", "action", "surface"} <= url_parameters()


def _layout_section() -> str:
    start = README.index("## How the code is laid out")
    return README[start:README.index("\n## ", start + 10)]


def _tracked(*folders: str) -> list[str]:
    import subprocess

    listed = subprocess.run(["git", "ls-files", *folders], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return [line for line in listed.stdout.splitlines() if line]


def test_the_layout_section_names_every_module_and_script():
    """The README's layout matches the tree: each module of the product and each piece of tooling
    is named (by its path, or by its file name in its folder's entry)."""
    layout = _layout_section()
    named = set(re.findall(r"`([^`]+)`", layout))
    missing = []
    for path in _tracked("dashboard", "bench", "scripts"):
        if not path.endswith((".py", ".sh", ".sql")) or path.endswith("__init__.py"):
            continue
        folder, _, name = path.rpartition("/")
        by_glob = any(item.endswith("*.sql") and path.startswith(item[:-5]) for item in named)
        if path not in named and name not in named and not by_glob and f"{folder}/*.py" not in named:
            missing.append(path)
    assert not missing, f"not named in the README's layout section: {missing}"


def test_no_file_holds_a_merge_conflict_marker():
    markers = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)
    found = [path for path in _tracked() if path.endswith((".py", ".md", ".sql", ".toml", ".sh", ".txt"))
             and markers.search((REPO_ROOT / path).read_text(errors="replace"))]
    assert not found, f"merge conflict markers left in {found}"
