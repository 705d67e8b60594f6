"""The brief's review sections (DESIGN 12: the brief includes the review's decisions and sign-offs):
a review of the brief's scenario (its model and level, on the brief's snapshot) with its decisions
and sign-offs, in Markdown and HTML, every ledger value inert text. Hand-made frames of the review
ledger's views; the end-to-end test on a real ledger is in tests/test_reviews_wiring.py."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from dashboard.brief import build_brief, to_html, to_markdown
from dashboard.decisions import ReviewsView
from dashboard.questions.snapshot import snapshot_info
from dashboard.store import snapshot
from labdata import published_lab, reclassify_tables
from test_brief import Elements  # the brief's own test: how a rendered brief is read

AS_OF = dt.date(2025, 6, 1)
BASE = "https://asl.example.com"
LINK = f"{BASE}/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"
HOSTILE = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) | pipe"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return published_lab(reclassify_tables(), tmp_path_factory, "brief-reviews")[1]


def review(review_id, snapshot_id, *, model_id="base", asl=3, title="Base to ASL-3", opened_at="2026-12-07T07:00:00Z"):
    return {"review_id": review_id, "title": title, "opened_at": opened_at, "opened_by": "lead@lab",
            "snapshot_id": snapshot_id, "as_of": "2025-06-01", "policy": None, "model_id": model_id, "asl": asl,
            "domain": "cbrn", "incident_category": None, "aware_at": None, "state": "decided"}


def view(snapshot_id) -> ReviewsView:
    reviews = pd.DataFrame([
        review("R1", snapshot_id, title=f"Base {HOSTILE}"),
        review("R2", snapshot_id, asl=4, title="another level"),      # not this scenario
        review("R3", "20200101T000000Z-00000000", title="another snapshot"),  # not this snapshot
        review("R4", snapshot_id, model_id="ft1", title="another model"),
    ])
    decisions = pd.DataFrame([
        {"decision_id": "D5", "review_id": "R1", "kind": "reclassify", "detail": f"raise it {HOSTILE}",
         "model_id": None, "asl": None, "safeguard_id": None, "owner": None, "due_on": None, "made_by": "a@lab",
         "made_at": "2026-12-07T07:10:00Z", "approvals": 2, "rejections": 0, "in_effect": True,
         "effective_at": "2026-12-07T07:30:00Z", "superseded_by": None},
        {"decision_id": "D6", "review_id": "R2", "kind": "no_action", "detail": "not shown", "model_id": None,
         "asl": None, "safeguard_id": None, "owner": None, "due_on": None, "made_by": "a@lab",
         "made_at": "2026-12-07T07:12:00Z", "approvals": 0, "rejections": 0, "in_effect": False,
         "effective_at": "", "superseded_by": None},
    ])
    signoffs = pd.DataFrame([
        {"signoff_id": "S7", "decision_id": "D5", "signed_by": "b@lab", "signed_at": "2026-12-07T07:20:00Z",
         "verdict": "approve", "comment": f"agreed {HOSTILE}"},
        {"signoff_id": "S8", "decision_id": "D5", "signed_by": "c@lab", "signed_at": "2026-12-07T07:30:00Z",
         "verdict": "approve", "comment": ""},
        {"signoff_id": "S9", "decision_id": "D6", "signed_by": "c@lab", "signed_at": "2026-12-07T07:31:00Z",
         "verdict": "approve", "comment": "not shown"},
    ])
    return ReviewsView(reviews, decisions, signoffs)


def brief_of(store, reviews):
    snap = snapshot(store)
    info = snapshot_info(snap)
    return build_brief(snap, model_id="base", new_level=3, domain="cbrn", as_of=AS_OF, policy_id=None, info=info,
                       link=LINK, reviews=reviews, base_url=BASE)


def parsed(html_text: str) -> Elements:
    elements = Elements()
    elements.feed(html_text)
    return elements


def test_the_brief_has_its_scenarios_review_decisions_and_signoffs_as_inert_text(store):
    snapshot_id = snapshot(store).snapshot_id
    document = brief_of(store, view(snapshot_id))
    text = to_markdown(document)
    # One review: R1 (R2 is another level, R3 another snapshot, R4 another model).
    assert re.findall(r"^## Review (R\d)", text, flags=re.M) == ["R1"]
    assert "another level" not in text and "not shown" not in text and "another snapshot" not in text
    pinned = f"{BASE}/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01&snapshot={snapshot_id}"
    assert "- Opened by lead@lab on 2026-12-07 07:00 UTC; state: **decided**." in text
    assert f"- Pinned view: snapshot {snapshot_id}, as of 2025-06-01: <{pinned}>" in text
    assert f"- Review page: <{BASE}/review?id=R1>" in text
    assert "### Decisions (1)" in text and "### Sign-offs (2)" in text
    assert ("| D5 | reclassify to ASL-3 | raise it \\<script>alert(1)\\</script> \\*\\*bold\\*\\* \\[x\\](javascript\\:alert(1)) "
            "\\| pipe | a@lab | 2026-12-07 07:10 UTC | 2 | 0 | **in effect** |") in text
    assert "| D5 | c@lab | 2026-12-07 07:30 UTC | approve |  |" in text
    # Rendered, the ledger's text is text: no script, no emphasis or link from it, every row whole.
    rendered = MarkdownIt("gfm-like").render(text)
    elements = parsed(rendered)
    assert "script" not in elements.tags and not any("javascript" in (link or "") for link in elements.links)
    assert f"{BASE}/review?id=R1" in elements.links and pinned in elements.links
    shown = "".join(elements.text)
    assert "raise it <script>alert(1)</script> **bold** [x](javascript:alert(1)) | pipe" in shown
    assert "agreed <script>alert(1)</script> **bold**" in shown
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        assert len({row.count("<td") + row.count("<th") for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)}) == 1
    # The HTML: the same, escaped.
    page = to_html(document)
    html_elements = parsed(page)
    assert "<script" not in page and "script" not in html_elements.tags
    assert "raise it <script>alert(1)</script> **bold**" in "".join(html_elements.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in page


def test_no_review_of_the_scenario_no_section(store):
    empty = ReviewsView(*(pd.DataFrame(columns=frame.columns) for frame in (view("x").reviews, view("x").decisions,
                                                                          view("x").signoffs)))
    without = to_markdown(brief_of(store, None))
    assert to_markdown(brief_of(store, empty)) == without
    assert to_markdown(brief_of(store, view("20200101T000000Z-00000001"))) == without  # reviews of another snapshot
    assert "## Review" not in without
