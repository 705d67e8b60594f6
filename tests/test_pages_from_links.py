"""Through AppTest: the pages opened from a link show what matters for each status, as of
the date, with numbers that read (hand-made labs of tests/labdata.py; the hand calculations are in
the comments)."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard import display
from dashboard.ingest import ingest
from dashboard.store import snapshot
from labdata import asof_lab_tables, write_folder
from pagelinks import metrics, open_link

TRAJECTORY = "app_pages/trajectory.py"
RECLASSIFY = "app_pages/reclassify.py"


@pytest.fixture(scope="module")
def asof_store(tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("asof12") / "lab", asof_lab_tables())
    store = tmp_path_factory.mktemp("asof12-store") / "asof.duckdb"
    ingest(folder, store, progress=lambda _: None)
    return store



def texts(app) -> str:
    return " ".join(block.value for block in [*app.markdown, *app.caption, *app.warning, *app.info])


# --- The headline per status; no projection when not training -----------------------------------


def test_overdue_by_time_model_not_training(asof_store):
    # stale: one checkpoint 2025-01-01, clean round 2025-01-10; T = 90 days -> due 2025-04-10.
    # As of 2025-04-11: 91 days -> overdue by time since 2025-04-11; no checkpoint in the 14 days
    # up to the date -> not training: no projection, and 2025-04-10 is never shown as ahead.
    app = open_link(asof_store, TRAJECTORY, model="stale", as_of="2025-04-11")
    figures = metrics(app)
    assert figures["Status"] == "Evaluation overdue"
    assert figures["Overdue by"] == "time" and figures["Overdue (time) since"] == "2025-04-11"
    assert "Next evaluation by" not in figures and "2025-04-10" not in figures.values()
    assert "No projection: the model is not training on 2025-04-11" in texts(app)
    assert "Not training: no checkpoint since 2025-01-01 (100 days before 2025-04-11)" in texts(app)
    assert "reached about" not in texts(app)


def test_triggered_model_says_when_where_and_which_evaluations(asof_store):
    # trig: clean at step 100; the round at step 200 triggered in cbrn and cyber (autonomy below),
    # its last evaluation completed 2025-02-07.
    app = open_link(asof_store, TRAJECTORY, model="trig", as_of="2025-04-11")
    figures = metrics(app)
    assert figures["Status"] == "Triggered" and figures["Triggered on"] == "2025-02-07"
    assert figures["Domain"] == "cbrn, cyber"
    assert figures["Evaluation ids"] == "trig-200-comprehensive-cbrn, trig-200-comprehensive-cyber"
    assert "Next evaluation by" not in figures


def test_buffer_breached_model_gives_the_date_it_crossed(asof_store):
    # cross: C_eval 1e24 (clean 2025-01-05); 4.5x on 2025-03-01 (>= k = 4), 7x on 2025-03-20 (>= b = 6).
    # As of 2025-03-25: buffer breached; crossed the buffer edge 2025-03-20; overdue by compute since
    # 2025-03-01 (79 days < 90: not by time). Checkpoint 5 days before: training, so a projection.
    app = open_link(asof_store, TRAJECTORY, model="cross", as_of="2025-03-25")
    figures = metrics(app)
    assert figures["Status"] == "Buffer breached"
    assert figures["Buffer edge crossed on"] == "2025-03-20" and figures["Overdue (compute) since"] == "2025-03-01"
    assert figures["Multiple since last clean eval"] == "7.00x" and figures["C now (FLOP-equivalent)"] == "7.00e24"
    assert "already reached on **2025-03-20**" in texts(app)  # the projection agrees with the headline


def test_training_flop_crossings_query(asof_store):
    # cross: training_flop = effective compute: 1e24 (01-01), 2e24 (01-20), 3e24 (02-10), 4.5e24 (03-01), 7e24 (03-20).
    snap = snapshot(asof_store)
    rows = snap.query("training_flop_crossings", model_id="cross", thresholds=[3e24, 5e24, 1e25], as_of=dt.date(2025, 3, 25))
    assert list(rows["threshold"]) == [3e24, 5e24] and list(rows["step"]) == [300, 500]
    assert [pd.Timestamp(value).date() for value in rows["recorded_at"]] == [dt.date(2025, 2, 10), dt.date(2025, 3, 20)]
    before = snap.query("training_flop_crossings", model_id="cross", thresholds=[3e24, 5e24], as_of=dt.date(2025, 3, 19))
    assert list(before["threshold"]) == [3e24]


# --- Items 6 and 7: attention first, numbers that read ------------------------------------------


def test_overview_table_most_urgent_first_with_the_status_label_first(lab_store):
    app = open_link(lab_store, as_of="2025-06-01")
    grid = app.dataframe[0]
    table = grid.value
    statuses = list(table["status"])
    # DESIGN 4 order: 1 triggered, 3 never evaluated, 1 buffer breached, 2 overdue, 3 due soon, 3 on track.
    assert statuses == (["triggered"] + ["never_evaluated"] * 3 + ["buffer_breached"] + ["eval_overdue"] * 2
                        + ["eval_due_soon"] * 3 + ["on_track"] * 3)
    # On screen the status label comes first (the status column itself is not shown).
    assert list(app.dataframe[0].proto.column_order)[:2] == ["status_label", "open"]
    # Each status a label of its own, tinted with the status's colour.
    assert [list(labels) for labels in table["status_label"]][:2] == [["Triggered"], ["Never evaluated"]]
    status_column = json.loads(grid.proto.columns)["status_label"]
    assert status_column["type_config"]["type"] == "multiselect"
    assert {option["value"]: option["color"] for option in status_column["type_config"]["options"]} == {
        display.STATUS_LABELS[name]: tint for name, tint in display.STATUS_TINTS.items()}
    breached = table[table["model_id"] == "breached"].iloc[0]
    # breached: 6e24 / 1e24 = 6.00x; buffer edge 6 x 1e24.
    assert breached["c_now"] == "6.00e24" and breached["multiple"] == "6.00x" and breached["buffer_edge_compute"] == "6.00e24"
    overdue = table[table["model_id"] == "overdue-time"].iloc[0]
    assert overdue["reevaluate_by"] == "was due 2025-05-02"  # 2025-02-01 + 90 days, before 2025-06-01


def test_overview_names_the_never_evaluated_models(lab_store):
    app = open_link(lab_store, as_of="2025-06-01")
    warning = " ".join(block.value for block in app.info)
    # never, inconclusive and base have no clean round: not on the map, so listed, largest C first.
    assert "3 never evaluated" in warning
    assert "Inconclusive (2.00e24 FLOP)" in warning and "Never (1.00e24 FLOP)" in warning and "Base (1.00e24 FLOP)" in warning


# --- Item 10: downloads say what they hold ---------------------------------------------------------


def download_labels(app) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


def test_filtered_overview_offers_the_shown_rows_and_the_full_set(lab_store):
    app = open_link(lab_store, as_of="2025-06-01", status="on_track")
    assert download_labels(app) == ["Download the 3 models shown (status.csv)", "Download all 13 models"]
    unfiltered = open_link(lab_store, as_of="2025-06-01")
    assert download_labels(unfiltered) == ["Download status.csv (13 models)"]


def test_filtered_deployments_offer_the_shown_rows_and_the_full_set(reclassify_store):
    app = open_link(reclassify_store, RECLASSIFY, model="base", asl="3", domain="cbrn", as_of="2025-06-01",
                    action="add_safeguards")
    labels = download_labels(app)
    assert labels[:2] == ["Download the 2 deployments shown (at-risk.csv)", "Download all 6 deployments"]


# --- Item 9: finding a model, first-party deployments ---------------------------------------------


def test_model_pickers_show_and_search_names(lab_store, reclassify_store):
    app = open_link(lab_store, TRAJECTORY, model="on-track", as_of="2025-06-01")
    picker = app.selectbox(key="model")
    assert "On-Track (on-track)" in picker.options and picker.value == "on-track"
    reclassify = open_link(reclassify_store, RECLASSIFY, model="base")
    assert "Dist-Child (dist-child)" in reclassify.selectbox(key="model").options


def test_first_party_deployment_names_its_surface(reclassify_store):
    # d4: a consumer deployment of ft1-ft with no customer.
    app = open_link(reclassify_store, RECLASSIFY, model="base", asl="3", domain="cbrn", as_of="2025-06-01")
    table = app.dataframe[0].value.set_index("deployment_id")
    assert table.loc["d4", "customer_name"] == "first-party (consumer)"
    assert "None" not in set(table["customer_name"].astype(str))


def test_a_model_with_no_checkpoint_yet(asof_store):
    # late: first checkpoint 2025-03-01; the day before it did not exist yet (DESIGN 4a no_checkpoint).
    app = open_link(asof_store, TRAJECTORY, model="late", as_of="2025-02-28")
    assert metrics(app) == {"Status": "No checkpoint yet", "First checkpoint": "none by 2025-02-28"}
    assert "No checkpoint on or before 2025-02-28." in texts(app)
    overview = open_link(asof_store, as_of="2025-02-28")
    assert metrics(overview)["No checkpoint yet"] == "1"
