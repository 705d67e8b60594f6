"""A small version of scripts/refresh_under_load.py: browser sessions keep reading every page while
new snapshots are published; no session may see an error, a lock message or mixed data, and each
shows the newest snapshot on its next load. Run as its own process, as a person would run it."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from dashboard.sqlfiles import REPO_ROOT
from labdata import reclassify_tables, write_folder
from waits import TIMEOUT_SCALE

pytestmark = pytest.mark.browser


def test_sessions_read_while_snapshots_are_published(tmp_path, browser_type_launch_args):
    source = write_folder(tmp_path / "source", reclassify_tables())
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "refresh_under_load.py"), "--source", str(source),
         "--sessions", "2", "--snapshots", "4", "--interval", "0.5", "--model", "base", "--level", "3"],
        capture_output=True, text=True, timeout=600 * TIMEOUT_SCALE, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout.splitlines()[-1]
    assert "errors 0" in report and "snapshots published 4" in report
    loads = int(re.search(r"page loads (\d+)", report).group(1))
    assert loads >= 2 * 3  # every session read every page at least once
