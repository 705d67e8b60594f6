"""/changes through Streamlit's AppTest, opened from deep links, on the hand-made lab of
tests/changes_lab.py (expected events worked out in tests/test_changes.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from changes_lab import changes_tables
from dashboard.ingest import ingest
from labdata import write_folder
from pagelinks import metrics, open_link

PAGE = "app_pages/changes.py"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("app-changes-src") / "lab", changes_tables())
    path = tmp_path_factory.mktemp("app-changes") / "lab.duckdb"
    ingest(folder, path, progress=lambda _: None)
    return path



def test_the_window_from_the_link(store):
    app = open_link(store, PAGE, since="2025-06-01", as_of="2025-06-10")
    # The 17 events of (06-01, 06-10] by kind: 5 breaches, 3 status changes, 4 ASL changes, 2 lines, 3 rounds.
    assert metrics(app) == {"Breaches (rule 2d)": "5", "Decisions": "0", "Status changes": "3", "ASL changes": "4",
                            "Regulatory lines": "2", "Evaluation rounds": "3"}
    table = app.dataframe[0].value
    assert len(table) == 17 and list(table["kind"][:2]) == ["asl_change", "evaluation_round"]
    assert table.loc[table["kind"] == "onboarding_while_triggered", "breach"].eq("breach").all()
    assert table.loc[table["kind"] != "onboarding_while_triggered", "breach"].eq("").all()


def test_without_since_the_window_is_the_week_before_the_as_of_date_and_follows_it(store):
    app = open_link(store, PAGE, as_of="2025-06-10")
    assert any("Events after **2025-06-03**, up to and including **2025-06-10**" in caption.value for caption in app.caption)
    app.date_input(key="as_of").set_value(dt.date(2025, 6, 5)).run()
    assert any("Events after **2025-05-29**, up to and including **2025-06-05**" in caption.value for caption in app.caption)
    assert app.dataframe and not any("is not before" in error.value for error in app.error)


def test_a_window_made_empty_in_the_sidebar_gets_a_message(store):
    app = open_link(store, PAGE, since="2025-06-05", as_of="2025-06-10")
    app.date_input(key="as_of").set_value(dt.date(2025, 6, 4)).run()
    assert "is not before the as" in app.error[0].value and not app.dataframe


@pytest.mark.parametrize("since", ["2025-06-31", "x" * 300, "[a](http://e.example)", "2025-06-10", "1900-01-01"])
def test_bad_since_in_the_link(store, since):
    app = open_link(store, PAGE, since=since, as_of="2025-06-10")
    assert app.error and not app.dataframe and not app.exception


def test_an_invalid_public_url_gets_a_warning_and_no_link_is_built_on_it(store, monkeypatch):
    """ASL_PUBLIC_URL is validated as on the command line (dashboard/settings.py); the page cannot
    exit, so it says so and builds the digest's links on its own address."""
    monkeypatch.setenv("ASL_PUBLIC_URL", "https://asl.example.org/a)[x](https://evil.example/SECRET")
    app = open_link(store, PAGE, since="2025-06-01", as_of="2025-06-03")
    assert any(warning.value.startswith("ASL\\_PUBLIC\\_URL ") for warning in app.warning), [w.value for w in app.warning]
    digest = "".join(block.value for block in app.code)
    assert "trajectory" in digest and "evil" not in digest and "SECRET" not in digest
    monkeypatch.setenv("ASL_PUBLIC_URL", "https://asl.example.org/dash")
    app = open_link(store, PAGE, since="2025-06-01", as_of="2025-06-03")
    assert "(https://asl.example.org/dash/trajectory?model=" in "".join(block.value for block in app.code)
    assert not app.warning
