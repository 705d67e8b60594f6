"""A small version of scripts/refresh_under_load.py: browser sessions keep reading every page while
new snapshots are published; no session may see an error, a lock message or mixed data, and each
shows the newest snapshot on its next load."""
from __future__ import annotations

import pytest

from dashboard import loadcheck
from labdata import reclassify_tables, write_folder

pytestmark = pytest.mark.browser


def test_sessions_read_while_snapshots_are_published(tmp_path, browser_type_launch_args):
    source = write_folder(tmp_path / "source", reclassify_tables())
    result = loadcheck.run(source, tmp_path / "work", sessions=2, snapshots=4, interval=0.5, model="base", level=3,
                           say=lambda _: None)
    assert result.errors == []
    assert result.snapshots_published == 4
    assert result.page_loads >= 2 * len(loadcheck.PAGES)
    # The last snapshot published is folder b (the probe model dated a day later).
    assert len(result.final_dates_seen) == 1
