"""The documentation matches the code (as Datasette's tests do): every command, option, page and URL
parameter the code defines is documented where a reader looks for it, every option the command line
page names exists, every module is placed in the architecture, and every relative link resolves.
Adding something without documenting it fails here."""
from __future__ import annotations

import argparse
import re
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from dashboard.cli import build_parser
from dashboard.sqlfiles import REPO_ROOT

DOCS = REPO_ROOT / "docs"
README_PATH = REPO_ROOT / "README.md"
README = README_PATH.read_text()
CLI_DOC = (DOCS / "cli.md").read_text()
PAGES_DOC = (DOCS / "pages.md").read_text()
ARCHITECTURE_DOC = (DOCS / "architecture.md").read_text()
PAGES_DIR = REPO_ROOT / "dashboard" / "app_pages"


def documents() -> list[Path]:
    return [README_PATH, *sorted(DOCS.glob("*.md"))]


def commands() -> dict[str, list[str]]:
    """Each subcommand with its long options (argparse's own help and hidden options aside)."""
    parser = build_parser()
    found = {"": [option for action in parser._actions for option in action.option_strings
                  if option.startswith("--") and option != "--help"]}
    def walk(command, prefix: str) -> None:  # subcommands of subcommands too (`reviews open`)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[prefix + name] = [
                        option for sub_action in sub._actions for option in sub_action.option_strings
                        if option.startswith("--") and option != "--help" and sub_action.help != argparse.SUPPRESS]
                    walk(sub, f"{prefix}{name} ")

    walk(parser, "")
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
def test_every_command_and_option_is_in_the_cli_page(command):
    assert f"asl-dashboard {command}" in CLI_DOC, f"docs/cli.md: document the command `asl-dashboard {command}`"
    for option in commands()[command]:
        assert re.search(rf"{re.escape(option)}\b", CLI_DOC), f"docs/cli.md: document `{option}` of `asl-dashboard {command}`"


def test_every_global_option_is_in_the_cli_page():
    for option in commands()[""]:
        assert option in CLI_DOC, f"docs/cli.md: document the global option `{option}`"


def test_every_option_the_cli_page_names_exists():
    defined = {option for options in commands().values() for option in options}
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]\b", CLI_DOC))
    assert named - defined == set(), f"docs/cli.md names options the parser does not define: {sorted(named - defined)}"


def test_every_page_is_in_the_pages_page_and_the_readme():
    for url_path in pages():
        assert f"`/{url_path}" in PAGES_DOC, f"docs/pages.md: document the page /{url_path}"
        assert f"`/{url_path}" in README, f"README: list the page /{url_path}"


def test_every_url_parameter_is_in_the_pages_page():
    for name in sorted(url_parameters()):
        assert re.search(rf"\b{name}=", PAGES_DOC), f"docs/pages.md: document the URL parameter {name}="


def test_the_scan_finds_what_it_should():
    """The scans above are not vacuous: they find the known commands, pages and parameters."""
    assert {"ingest", "status", "at-risk", "serve", "bench"} <= set(commands())
    assert "--as-of" in commands()["status"]
    assert {"", "trajectory", "reclassify"} <= set(pages())
    assert {"as_of", "policy", "model", "asl", "domain", "family", "status", "action", "surface"} <= url_parameters()


def _layout_section() -> str:
    start = ARCHITECTURE_DOC.index("## How the code is laid out")
    end = ARCHITECTURE_DOC.find("\n## ", start + 10)
    return ARCHITECTURE_DOC[start:end if end != -1 else len(ARCHITECTURE_DOC)]


def _tracked(*folders: str) -> list[str]:
    listed = subprocess.run(["git", "ls-files", *folders], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return [line for line in listed.stdout.splitlines() if line]


def test_the_layout_section_names_every_module_and_script():
    """The architecture's layout matches the tree: each module of the product and each piece of tooling
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
    assert not missing, f"not named in docs/architecture.md's layout section: {missing}"


def test_no_file_holds_a_merge_conflict_marker():
    markers = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)
    found = [path for path in _tracked() if path.endswith((".py", ".md", ".sql", ".toml", ".sh", ".txt"))
             and markers.search((REPO_ROOT / path).read_text(errors="replace"))]
    assert not found, f"merge conflict markers left in {found}"


# --- the README and docs/ as a reader meets them ---------------------------------------------------

def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces
    as hyphens, a repeated heading numbered."""
    anchors: set[str] = set()
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not re.match(r"#{1,6} ", line):
            continue
        slug = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        candidate, number = slug, 1
        while candidate in anchors:
            candidate, number = f"{slug}-{number}", number + 1
        anchors.add(candidate)
    return anchors


def relative_links(text: str) -> list[str]:
    """Targets of Markdown links and images that are neither absolute URLs nor e-mail addresses."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", text)
    return [target for target in targets if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_every_relative_link_resolves():
    broken = []
    for document in documents():
        for target in relative_links(document.read_text()):
            path_part, _, anchor = target.partition("#")
            destination = (document.parent / urllib.parse.unquote(path_part)).resolve() if path_part else document
            if not destination.exists():
                broken.append(f"{document.relative_to(REPO_ROOT)}: {target} (no such file)")
            elif anchor and destination.suffix == ".md" and anchor not in heading_anchors(destination.read_text()):
                broken.append(f"{document.relative_to(REPO_ROOT)}: {target} (no such heading)")
    assert not broken, broken


def test_the_link_check_finds_what_it_should():
    """The link check is not vacuous: it sees the README's links into docs/ and GitHub's anchors."""
    assert "docs/cli.md" in relative_links(README) and "docs/screenshots/overview.png" in relative_links(README)
    assert "as-of-a-date-everything" in heading_anchors("## As of a date: everything\n")
    assert heading_anchors("## Links\n## Links\n") == {"links", "links-1"}


def test_the_docs_stand_on_their_own():
    """A clone has no ../shared: nothing links or points there."""
    for document in documents():
        assert "../shared" not in document.read_text(), f"{document.name} points outside the repository"


def test_no_issue_numbers_as_narrative():
    pattern = re.compile(r"(?<![\w/])#\d+\b|\bissues? \d+", re.IGNORECASE)
    found = [f"{document.name}: {match.group(0)}" for document in documents()
             for match in pattern.finditer(document.read_text())]
    assert not found, found


def test_the_readme_opens_with_the_two_commands_and_stays_short():
    lines = README.splitlines()
    assert lines[2] == "```bash"
    assert lines[3].startswith("pip install -e '.[test]' && asl-dashboard serve ")
    assert lines[4].startswith("bash scripts/test.sh ")
    assert lines[5] == "```"
    assert len(lines) <= 200, f"the README has {len(lines)} lines: move detail to docs/"
