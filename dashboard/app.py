"""ASL compute dashboard: `streamlit run dashboard/app.py` (or `asl-dashboard serve`)."""
from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from dashboard import auth, page_runs, ui, warm  # noqa: E402
from dashboard.store import StoreError, store_path  # noqa: E402

st.set_page_config(page_title="ASL compute dashboard", page_icon=":material/shield:", layout="wide")

page_list = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="", default=True),
    st.Page("app_pages/trajectory.py", title="Trajectory", icon=":material/show_chart:", url_path="trajectory"),
    st.Page("app_pages/reclassify.py", title="Reclassify", icon=":material/policy:", url_path="reclassify"),
    st.Page("app_pages/changes.py", title="Changes", icon=":material/history:", url_path="changes"),
    st.Page("app_pages/obligations.py", title="Obligations", icon=":material/gavel:", url_path="obligations"),
    st.Page("app_pages/corrections.py", title="Corrections", icon=":material/difference:", url_path="corrections"),
    st.Page("app_pages/reviews.py", title="Reviews", icon=":material/fact_check:", url_path="reviews"),
    st.Page("app_pages/review.py", title="Review", icon=":material/rate_review:", url_path="review",
            visibility="hidden"),  # opened from /reviews and from a scenario on /reclassify
]
auth.refuse_foreign_host()  # DNS rebinding: no page, no data for a host this server does not serve
pages = st.navigation(page_list, position="hidden")
if auth.may_see_pages():  # people who may not see data do not see the list of pages either
    ui.page_menu(page_list)
viewer = auth.gate(pages, {page.url_path: page for page in page_list})
auth.audit(viewer, pages)
if not st.get_option("global.appTest"):  # a real server (AppTest runs pages inside the test process)
    warm.start(store_path())  # each new snapshot's overview warmed before its first viewer

try:
    with page_runs.slot(auth.client_key(viewer)):
        pages.run()
except StoreError as error:
    st.error(f"The data store cannot be read: {error}", icon=":material/database:")
except Exception as error:  # noqa: BLE001 - the viewer gets an id, the server log the traceback
    ui.report_unexpected(error)
