"""Open the app as a pasted link would: a new AppTest session with query parameters (and, for the
sign-in tests, secrets and a user)."""
from __future__ import annotations

import os
import re

from streamlit.testing.v1 import AppTest

from dashboard.sqlfiles import REPO_ROOT
from waits import WAIT_S

APP = str(REPO_ROOT / "dashboard" / "app.py")


def open_link(store, page: str | None = None, *, secrets: dict | None = None, user: dict | None = None,
              **params) -> AppTest:
    os.environ["ASL_STORE"] = str(store)  # restored after each test by conftest's store_variable_restored
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
    for section, values in (secrets or {}).items():
        app.secrets[section] = values
    if user is not None:
        app.user = user
    for key, value in params.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    app.run()
    assert not app.exception, [item.value for item in app.exception]
    return app


def metrics(app) -> dict[str, str]:
    """The metric tiles of a page run: label to value, as shown."""
    return {metric.label: metric.value for metric in app.metric}


_SNAPSHOT_PARAM = re.compile(r"[?&]snapshot=\d{8}T\d{6}Z-[0-9a-f]{8}(?=&|$)")


def pinned(link: str) -> str:
    """A link a page built, without its snapshot= (every link pins the snapshot the view was made on:
    checked here, then left out so a test can compare the rest with what it worked out)."""
    found = _SNAPSHOT_PARAM.findall(link)
    assert len(found) == 1, f"{link!r} does not pin one snapshot"
    rest = _SNAPSHOT_PARAM.sub("", link)
    return rest if "?" in rest or "?" not in link else rest.replace("&", "?", 1)
