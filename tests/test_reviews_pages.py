"""The review pages as a pasted link opens them (AppTest), on a store and ledger of their own: who may
write (signed in, local read-only, serve --single-user), the maker who may not sign, hostile text shown
as text, bad links refused in one line, the list's filters. The whole flow in a real browser, with
three signed-in people, is tests/test_browser_reviews.py."""
from __future__ import annotations

import pytest

from dashboard import settings
from dashboard.reviews import actions
from dashboard.reviews.actions import os_actor
from dashboard.reviews.ledger import ledger_location, open_ledger
from dashboard.store import open_snapshot
from dashboard.text import md_escape
from labdata import published_lab, status_lab_tables
from pagelinks import open_link
from test_auth import ACCESS, AUTH
from test_incident_clocks_page import TITLE as CLOCK_TITLE, incident_store  # noqa: F401 (a fixture)

TITLE = "<img src=x onerror=alert(1)> **bold**"
DETAIL = "=HYPERLINK(\"https://evil.example\") **bold** <b>x</b>"
REVIEW_PAGE = "app_pages/review.py"
LIST_PAGE = "app_pages/reviews.py"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A lab store whose ledger (beside it) holds R1 (opened by lead on base -> ASL-3) and its decision D2."""
    path = published_lab(status_lab_tables(), tmp_path_factory, "review-pages")[1]
    with open_ledger(ledger_location(None, path)) as ledger:
        review = actions.open_review(ledger, actor="lead@example.com", title=TITLE,
                                     snapshot_id=open_snapshot(path).snapshot_id,
                                     as_of="2025-06-01", model_id="base", asl=3)
        actions.decide(ledger, review, actor="lead@example.com", kind="reclassify", detail=DETAIL, model_id="base", asl=3)
    return path


def entries(store):
    with open_ledger(ledger_location(None, store)) as ledger:
        return ledger.entries()


def signed_in_as(store, email: str, page: str = REVIEW_PAGE, **params):
    return open_link(store, page, secrets={"auth": AUTH, "access": ACCESS},
                     user={"is_logged_in": True, "email": email}, **params)


def buttons(app) -> list[str]:
    return [button.label for button in app.button]


def test_without_sign_in_a_review_is_read_only_and_says_how_to_write(store):
    app = open_link(store, REVIEW_PAGE, id="R1")
    assert app.title[0].value == f"Review R1: {md_escape(TITLE)}"
    assert any("Reviews are read-only here" in info.value and "serve --single-user" in info.value for info in app.info)
    assert not {"Approve D2", "Record the decision", "Open the review", "Close the review"} & set(buttons(app))


def test_without_sign_in_no_review_can_be_opened(store):
    app = open_link(store, REVIEW_PAGE, model="base", new_asl="3", as_of="2025-06-01")
    assert "Open the review" not in buttons(app)
    assert any("Reviews are read-only here" in info.value for info in app.info)


def test_single_user_mode_records_the_operating_system_user(store, monkeypatch):
    monkeypatch.setenv(settings.SINGLE_USER, "1")
    app = open_link(store, REVIEW_PAGE, as_of="2025-06-01")  # a review of the view, no scenario
    # The sidebar says who the pages record as (not only "no sign-in").
    assert any(f"single-user: reviews are recorded as **{md_escape(os_actor())}**" in caption.value
               for caption in app.sidebar.caption)
    app.text_input[0].input("Checked by the one person at this machine")
    next(button for button in app.button if button.label == "Open the review").click().run()
    last = entries(store).iloc[-1]
    assert (last["kind"], last["recorded_by"]) == ("review", os_actor())
    assert '"title":"Checked by the one person at this machine"' in last["body"]


def test_the_maker_gets_no_sign_button_for_their_own_decision(store):
    app = signed_in_as(store, "lead@example.com", id="R1")
    assert "Approve D2" not in buttons(app) and "Reject D2" not in buttons(app)
    assert any(caption.value == "You made D2: another person must sign it." for caption in app.caption)


def test_a_signed_in_person_signs_as_themselves_whatever_the_link_says(store):
    # Parameters naming someone else are not identity: the session's signed-in e-mail is.
    app = signed_in_as(store, "second@example.com", id="R1", actor="lead@example.com", by="lead@example.com")
    form_comment = next(area for area in app.text_area if area.label == "Comment")
    form_comment.input(TITLE)
    next(button for button in app.button if button.label == "Approve D2").click().run()
    last = entries(store).iloc[-1]
    assert (last["kind"], last["recorded_by"]) == ("signoff", "second@example.com")
    shown = " ".join(block.value for block in app.markdown)
    assert md_escape(TITLE) in shown and "awaiting 1 more approval" in shown


@pytest.mark.parametrize("review_id, message", [
    ("R99", "review R99 is not in the ledger"),
    ("R1<script>", "is not a review id"),
])
def test_a_bad_review_link_gets_one_clear_line(store, review_id, message):
    app = open_link(store, REVIEW_PAGE, id=review_id)
    assert len(app.error) == 1 and message in app.error[0].value.replace("\\", "")


def test_the_list_filters_by_state_and_model_and_refuses_what_it_does_not_know(store):
    app = open_link(store, LIST_PAGE, state="open", model="base")  # R1 (other tests may open reviews of no model)
    assert "the table shows 1 of them" in " ".join(caption.value for caption in app.caption)
    app = open_link(store, LIST_PAGE, state="closed")
    assert any(info.value == "No review matches these filters." for info in app.info)
    app = open_link(store, LIST_PAGE, state="<b>open</b>")
    assert len(app.error) == 1 and "is not one of" in app.error[0].value


# --- The incident clocks on /reviews and /review (the store and ledger of tests/test_incident_clocks_page.py:
# R1 due 2026-04-06 10:00, R2 overdue since 2026-04-02 12:00, R3 reported in time) ---------------------

def test_the_list_puts_the_soonest_running_clock_first(incident_store):
    # At the end of 2026-04-02: R2 is overdue by 12 h, R1 has 82 h left, R3's only clock is done.
    # Newest first alone would be R3, R2, R1.
    app = open_link(incident_store, LIST_PAGE, as_of="2026-04-02")
    table = app.dataframe[0].value
    assert list(zip(table["review_id"], table["next_clock"], table["next_due_at"])) == [
        ("R2", "ca-sb53-imminent: overdue by 12 h", "2026-04-02 12:00 UTC"),
        ("R1", "eu-cop-cybersecurity: 82 h left", "2026-04-06 10:00 UTC"),
        ("R3", "", "")]
    assert table["title"].iloc[1] == CLOCK_TITLE  # as typed (shown_frame leaves plain text alone)
    assert any("hours left at the end of 2026-04-02" in caption.value for caption in app.caption)


def test_a_review_shows_its_clocks_and_its_report(incident_store):
    app = open_link(incident_store, REVIEW_PAGE, id="R3")
    clocks = app.dataframe[0].value
    assert list(zip(clocks["obligation_id"], clocks["state"], clocks["done_at"], clocks["reference"])) == [
        ("ca-sb53-incident", "done", "2026-03-10 08:00 UTC", "OES <i>7</i>")]
    assert any("(now)" in caption.value for caption in app.caption)
    # Read now (December 2026 or later), R1's report is overdue: never a deadline ahead.
    app = open_link(incident_store, REVIEW_PAGE, id="R1")
    clocks = app.dataframe[0].value
    assert list(clocks["state"]) == ["overdue"] and clocks["left_or_overdue"].iloc[0].startswith("overdue by ")
    assert (clocks["reported_by"].iloc[0], clocks["reference"].iloc[0]) == ("", "")  # no report: empty, not "None"
    assert app.title[0].value == f"Review R1: {md_escape(CLOCK_TITLE)}"


def test_a_report_is_recorded_on_the_page_and_its_clock_is_done(incident_store, tmp_path):
    # A copy of the store and its ledger: the other tests read R1 as never reported.
    import shutil

    store = tmp_path / incident_store.name
    shutil.copy(incident_store, store)
    shutil.copy(ledger_location(None, incident_store), ledger_location(None, store))
    recorded = len(entries(store))
    app = signed_in_as(store, "counsel@example.com", id="R1")
    form = next(selectbox for selectbox in app.selectbox if selectbox.label == "Obligation reported under")
    assert form.value == "eu-cop-cybersecurity"  # the first clock still running is chosen
    reference = next(box for box in app.text_input if box.label.startswith("Reference"))
    moment = next(box for box in app.text_input if box.label.startswith("Reported at"))
    reference.input(TITLE)
    moment.input("2026-04-01T09:00:00Z")  # before the lab became aware: refused in one line
    next(button for button in app.button if button.label == "Record the report").click().run()
    assert len(app.error) == 1 and "is before the lab became aware" in app.error[0].value
    assert len(entries(store)) == recorded  # nothing recorded
    moment.input("2026-04-05T09:30:00+01:00").run()
    next(button for button in app.button if button.label == "Record the report").click().run()
    last = entries(store).iloc[-1]
    assert (last["kind"], last["recorded_by"]) == ("report", "counsel@example.com")
    assert len(entries(store)) == recorded + 1 and '"obligation_id":"eu-cop-cybersecurity"' in last["body"]
    app = signed_in_as(store, "counsel@example.com", id="R1")
    clocks = app.dataframe[0].value
    assert list(zip(clocks["obligation_id"], clocks["state"], clocks["done_at"], clocks["reported_by"],
                    clocks["reference"])) == [
        ("eu-cop-cybersecurity", "done", "2026-04-05 08:30 UTC", "counsel@example.com", TITLE)]
    assert any("recorded below, under *Record a report*" in caption.value for caption in app.caption)
    # Without sign-in the page offers no form to record one, and names none.
    read_only = open_link(store, REVIEW_PAGE, id="R1")
    assert "Record the report" not in buttons(read_only)
    assert not any("Record a report" in caption.value for caption in read_only.caption)
    assert any("A report is recorded with `asl-dashboard reviews report R1`" in caption.value
               for caption in read_only.caption)
