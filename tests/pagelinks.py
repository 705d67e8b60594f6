"""Open the app as a pasted link would: a new AppTest session with query parameters (and, for the
sign-in tests, secrets and a user)."""
from __future__ import annotations

import os

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
