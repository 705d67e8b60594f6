"""DESIGN section 9 (queries/obligations.sql) on a hand-made lab whose every figure is worked out by
hand in the comments, and against an independent pure-Python implementation on the demo store."""
from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import pytest

from dashboard.ingest import ingest
from dashboard.projection import project
from dashboard.store import snapshot
from labdata import base_tables, lab_deployment, write_folder
from clirun import run_cli

OBLIGATIONS = [
    {"obligation_id": "eu", "name": "EU notification", "jurisdiction": "EU", "threshold_flop": "1e25",
     "measure": "training_flop", "clock": "after_crossing", "deadline_days": "14", "applies_from": "2025-08-02",
     "source": "test"},
    {"obligation_id": "ca", "name": "SB 53 report", "jurisdiction": "California", "threshold_flop": "1e26",
     "measure": "training_flop", "clock": "before_first_deployment", "deadline_days": "", "applies_from": "2026-01-01",
     "source": "test"},
    # An internal rule on effective compute, due the day it is crossed, in force from the start.
    {"obligation_id": "int", "name": "Internal review", "jurisdiction": "Lab", "threshold_flop": "1e26",
     "measure": "effective_compute", "clock": "after_crossing", "deadline_days": "0", "applies_from": "",
     "source": "test"},
]

# model -> [(step, date, training_flop, effective_compute)]
CHECKPOINTS = {
    # Crosses 1e25 training FLOP on its first checkpoint (2025-09-01): EU due 2025-09-15.
    "first": [(10, "2025-09-01", "2e25", "4e25"), (20, "2025-09-10", "3e25", "6e25")],
    # Never reaches any line; while training (to 2025-02-15) it grows too slowly to be projected:
    # log10(1.01) / 31 = 0.000139 per day, 1e25 is log10(1e25 / 1.01e24) / 0.000139 = 7,150 days away.
    "never": [(1, "2025-01-01", "1e24", "1e24"), (2, "2025-02-01", "1.01e24", "1.01e24")],
    # Training FLOP crosses 1e25 on 2025-10-01; effective compute crosses 1e26 only on 2025-10-05.
    "eff": [(1, "2025-10-01", "4e25", "8e25"), (2, "2025-10-05", "5e25", "1.2e26")],
    # Training, doubling every 10 days; the 2025-06-01 point is outside the 60-day fit window.
    "growing": [(0, "2025-06-01", "1e22", "2e22"), (1, "2025-09-01", "1e24", "2e24"), (2, "2025-09-11", "2e24", "4e24"),
                (3, "2025-09-21", "4e24", "8e24"), (4, "2025-10-01", "8e24", "1.6e25")],
    # One checkpoint in the 60 days before the latest: the fit takes the latest 3.
    "sparse": [(0, "2025-01-01", "1e23", "1e23"), (1, "2025-05-01", "1e24", "1e24"), (2, "2025-07-01", "2e24", "2e24"),
               (3, "2025-09-30", "4e24", "4e24")],
    # Crosses 1e25 on 2025-03-01, before the EU rule applies (2025-08-02): the clock starts then.
    "early": [(1, "2025-03-01", "2e25", "2e25")],
    # Step and time disagree: step 2 was recorded on 2025-09-10, step 1 on 2025-09-20 (both reach 1e25).
    "odd": [(1, "2025-09-20", "2e25", "2e25"), (2, "2025-09-10", "3e25", "3e25")],
    # The three below cross every line on 2026-02-01 and differ in deployments and records.
    "deployed": [(1, "2026-02-01", "2e26", "2e26")],
    "live": [(1, "2026-02-01", "2e26", "2e26")],
    "undeployed": [(1, "2026-02-01", "2e26", "2e26")],
}
DEPLOYMENTS = [
    # ended before the crossing: does not count; the next one starts 2026-03-01.
    lab_deployment("dep-old", "deployed", "c1", "api", "ended", "2025-06-01", "2026-01-15", 10, ""),
    lab_deployment("dep-new", "deployed", "c1", "api", "active", "2026-03-01", "", 10, ""),
    # live since before the crossing: the report was due on the crossing itself (2026-02-01).
    lab_deployment("dep-live", "live", "c1", "api", "active", "2025-12-01", "", 10, ""),
]
RECORDS = [
    {"obligation_id": "eu", "model_id": "first", "done_on": "2025-10-10", "reference": "late notice"},
    {"obligation_id": "eu", "model_id": "early", "done_on": "2025-08-20", "reference": "EU-1"},
    {"obligation_id": "eu", "model_id": "early", "done_on": "2025-09-30", "reference": "EU-1 again"},
    {"obligation_id": "ca", "model_id": "live", "done_on": "2026-01-20", "reference": "report v1"},
    {"obligation_id": "ca", "model_id": "undeployed", "done_on": "2026-05-01", "reference": "report"},
]


def lab_tables():
    tables = base_tables()
    tables["models"] = [{"model_id": model_id, "name": model_id.title(), "family": "fam", "parent_model_id": "",
                         "derivation": "pretrain", "asl_level": "2", "policy_id": "rsp-v1.0", "status": "training"}
                        for model_id in CHECKPOINTS]
    tables["checkpoints"] = [{"model_id": model_id, "step": str(step), "recorded_at": f"{day}T00:00:00",
                              "training_flop": training, "effective_compute": effective}
                             for model_id, rows in CHECKPOINTS.items() for step, day, training, effective in rows]
    tables["deployments"] = [dict(row) for row in DEPLOYMENTS]
    tables["obligations"] = [dict(row) for row in OBLIGATIONS]
    tables["obligation_records"] = [dict(row) for row in RECORDS]
    return tables


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("obligations-lab")
    store = root / "lab.duckdb"
    ingest(write_folder(root / "src", lab_tables()), store, progress=lambda _: None)
    return snapshot(store)


COLUMNS = ["crossed_on", "start_on", "due_on", "done_on", "state", "projected_on", "days_left"]


def rows(lab, as_of):
    frame = lab.query("obligations", as_of=as_of)
    result = {}
    for record in frame.to_dict("records"):
        values = []
        for column in COLUMNS:
            value = record[column]
            values.append(None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
                          else str(value) if column != "days_left" else int(value))
        result[(record["model_id"], record["obligation_id"])] = tuple(values)
    return result


def test_crossing_on_the_first_checkpoint_and_as_of_before_and_after(lab):
    # As of 2025-08-31 "first" has no checkpoint yet: no row. On 2025-09-01 it crosses 1e25 (2e25):
    # start = later of 2025-09-01 and 2025-08-02 = 2025-09-01; due 09-01 + 14 = 2025-09-15; 14 days left.
    assert ("first", "eu") not in rows(lab, "2025-08-31")
    assert rows(lab, "2025-09-01")[("first", "eu")] == ("2025-09-01", "2025-09-01", "2025-09-15", None, "due", None, 14)
    # 2025-09-15: the due day itself is still due (due_on >= D), 0 days left.
    assert rows(lab, "2025-09-15")[("first", "eu")][4:] == ("due", None, 0)


def test_a_record_after_the_deadline(lab):
    # Recorded 2025-10-10, due 2025-09-15. As of 2025-10-01 the record does not exist yet: overdue by
    # 16 days (09-15 -> 10-01). As of 2025-10-20: done_late.
    assert rows(lab, "2025-10-01")[("first", "eu")] == ("2025-09-01", "2025-09-01", "2025-09-15", None, "overdue", None, -16)
    assert rows(lab, "2025-10-20")[("first", "eu")] == (
        "2025-09-01", "2025-09-01", "2025-09-15", "2025-10-10", "done_late", None, None)
    # "first" never reaches 1e26 training or effective (6e25): no ca or int rows.
    assert ("first", "ca") not in rows(lab, "2025-10-20") and ("first", "int") not in rows(lab, "2025-10-20")


def test_a_model_that_never_crosses_has_no_row(lab):
    for as_of in ("2025-01-15", "2025-02-01", "2026-06-01"):
        assert [key for key in rows(lab, as_of) if key[0] == "never"] == []


def test_the_effective_compute_measure(lab):
    # eff: training 4e25 on 2025-10-01 crosses the EU line (training_flop); effective 8e25 < 1e26, so
    # the internal rule (effective_compute >= 1e26) is not crossed on 2025-10-04 ...
    before = rows(lab, "2025-10-04")
    assert before[("eff", "eu")] == ("2025-10-01", "2025-10-01", "2025-10-15", None, "due", None, 11)
    # ... and with a single visible checkpoint there is no projection either: no row.
    assert ("eff", "int") not in before and ("eff", "ca") not in before
    # 2025-10-05: effective 1.2e26 >= 1e26 (training 5e25 is not): crossed; deadline 0 days, no
    # applies_from -> due the same day, 0 days left; the next day overdue by 1.
    assert rows(lab, "2025-10-05")[("eff", "int")] == ("2025-10-05", "2025-10-05", "2025-10-05", None, "due", None, 0)
    assert rows(lab, "2025-10-06")[("eff", "int")] == ("2025-10-05", "2025-10-05", "2025-10-05", None, "overdue", None, -1)


def test_projection_from_two_points(lab):
    # eff as of 2025-10-05, ca (1e26 training): fit over 4e25 (10-01) and 5e25 (10-05):
    # slope = log10(1.25) / 4 = 0.0242275 per day; from 5e25 to 1e26: log10(2) / 0.0242275 = 12.425
    # days after 2025-10-05T00:00 -> 2025-10-17 (10:12), within 90 days -> projected.
    assert rows(lab, "2025-10-05")[("eff", "ca")] == (None, None, None, None, "projected", "2025-10-17", None)


def test_projection_uses_the_last_60_days(lab):
    # growing as of 2025-10-01: the fit window is 2025-08-02..10-01, so 06-01 (1e22) is left out and
    # the four points double every 10 days: slope = log10(2) / 10 = 0.030103 per day.
    # eu 1e25 from 8e24: log10(1.25) / 0.030103 = 3.22 days -> 2025-10-04 (05:15);
    # ca 1e26 from 8e24: log10(12.5) / 0.030103 = 36.44 days -> 2025-11-06;
    # int 1e26 effective from 1.6e25: log10(6.25) / 0.030103 = 26.44 days -> 2025-10-27.
    got = rows(lab, "2025-10-01")
    assert got[("growing", "eu")] == (None, None, None, None, "projected", "2025-10-04", None)
    assert got[("growing", "ca")] == (None, None, None, None, "projected", "2025-11-06", None)
    assert got[("growing", "int")] == (None, None, None, None, "projected", "2025-10-27", None)
    # 2025-10-16: the last checkpoint is 15 days old -> not training -> no projection, no row.
    assert [key for key in rows(lab, "2025-10-16") if key[0] == "growing"] == []
    # 2025-10-15 (14 days): still training; eu projected on 10-04, a date already past: still shown.
    assert rows(lab, "2025-10-15")[("growing", "eu")][4:6] == ("projected", "2025-10-04")


def test_projection_takes_the_latest_three_points_and_the_90_day_limit(lab):
    # sparse: the 60 days before 2025-09-30 hold only 09-30, so the fit takes 05-01, 07-01, 09-30
    # (days 0, 61, 152; log10 24, 24.30103, 24.60206): mean x 71, Sxy = 0.30103 * 152 = 45.757,
    # Sxx = 71^2 + 10^2 + 81^2 = 11702, slope 0.0039101 per day; from 4e24 to 1e25: log10(2.5) /
    # 0.0039101 = 101.77 days -> 2026-01-09 (18:30). (All four points would give 2025-12-05.)
    # As of 2025-10-12 (training: 12 days) 2026-01-09 <= 10-12 + 90 = 2026-01-10 -> projected;
    # as of 2025-10-10, 10-10 + 90 = 2026-01-08 < 01-09 -> no row.
    assert rows(lab, "2025-10-12")[("sparse", "eu")] == (None, None, None, None, "projected", "2026-01-09", None)
    assert ("sparse", "eu") not in rows(lab, "2025-10-10")
    # ca (1e26) from 4e24: log10(25) / 0.0039101 = 357 days: beyond 90 days -> no row.
    assert ("sparse", "ca") not in rows(lab, "2025-10-12")


def test_the_crossing_is_the_lowest_step_visible_on_the_date(lab):
    # odd as of 2025-09-15: only step 2 (recorded 09-10) is visible -> crossed 09-10, due 09-24.
    assert rows(lab, "2025-09-15")[("odd", "eu")][:3] == ("2025-09-10", "2025-09-10", "2025-09-24")
    # As of 2025-09-25 step 1 (recorded 09-20) is visible too: the lowest step reaching the line
    # is step 1 -> crossed 09-20, due 10-04.
    assert rows(lab, "2025-09-25")[("odd", "eu")][:3] == ("2025-09-20", "2025-09-20", "2025-10-04")


def test_applies_from_later_than_the_crossing(lab):
    # early crosses on 2025-03-01; the EU rule applies from 2025-08-02: start 08-02, due 08-16.
    # 2025-05-01 -> 08-16 is 30 + 30 + 31 + 16 = 107 days left.
    assert rows(lab, "2025-05-01")[("early", "eu")] == ("2025-03-01", "2025-08-02", "2025-08-16", None, "due", None, 107)
    assert rows(lab, "2025-08-18")[("early", "eu")] == ("2025-03-01", "2025-08-02", "2025-08-16", None, "overdue", None, -2)
    # Recorded 2025-08-20 (and again 09-30: the earliest counts), 4 days late.
    assert rows(lab, "2025-10-01")[("early", "eu")] == (
        "2025-03-01", "2025-08-02", "2025-08-16", "2025-08-20", "done_late", None, None)


def test_before_first_deployment_with_and_without_deployments(lab):
    mid = rows(lab, "2026-02-15")
    # deployed: dep-old ended 2026-01-15, before the crossing (02-01): ignored; dep-new starts
    # 2026-03-01, after 02-15: not yet. No due date yet -> due.
    assert mid[("deployed", "ca")] == ("2026-02-01", "2026-02-01", None, None, "due", None, None)
    later = rows(lab, "2026-04-01")
    # From 2026-03-01 the due date is the later of 02-01 and 03-01 = 03-01; 31 days overdue on 04-01.
    assert later[("deployed", "ca")] == ("2026-02-01", "2026-02-01", "2026-03-01", None, "overdue", None, -31)
    # live: deployed since 2025-12-01 -> due on the crossing itself (02-01); report 2026-01-20 <= 02-01.
    assert later[("live", "ca")] == ("2026-02-01", "2026-02-01", "2026-02-01", "2026-01-20", "done", None, None)
    # undeployed: no deployment -> due with no date; its report (2026-05-01) is after 04-01.
    assert later[("undeployed", "ca")] == ("2026-02-01", "2026-02-01", None, None, "due", None, None)
    # On 2026-06-01 the report exists: done (no due date to be late against).
    assert rows(lab, "2026-06-01")[("undeployed", "ca")] == ("2026-02-01", "2026-02-01", None, "2026-05-01", "done", None, None)


def test_every_row_and_the_urgency_order(lab):
    frame = lab.query("obligations", as_of="2026-04-01")
    # first eu done_late; eff eu, int overdue (ca: not crossed, not training); growing, sparse, never:
    # nothing; early eu done_late; deployed eu/ca/int overdue; live eu, int overdue, ca done;
    # undeployed eu, int overdue, ca due (no date).
    # odd eu overdue (due 2025-10-04).
    # Overdue first, longest overdue first: odd eu (due 2025-10-04), eff int (10-05), eff eu (10-15);
    # then deployed/live/undeployed int (02-01), eu (02-15), deployed ca (03-01).
    assert list(zip(frame["model_id"], frame["obligation_id"], frame["state"])) == [
        ("odd", "eu", "overdue"), ("eff", "int", "overdue"), ("eff", "eu", "overdue"),
        ("deployed", "int", "overdue"), ("live", "int", "overdue"), ("undeployed", "int", "overdue"),
        ("deployed", "eu", "overdue"), ("live", "eu", "overdue"), ("undeployed", "eu", "overdue"),
        ("deployed", "ca", "overdue"),
        ("undeployed", "ca", "due"),
        ("early", "eu", "done_late"), ("first", "eu", "done_late"),
        ("live", "ca", "done"),
    ]
    assert list(frame.columns[:3]) == ["model_id", "model_name", "obligation_id"]


def test_no_obligations_table_rows_gives_no_rows(lab_store):
    assert lab_store is not None
    assert snapshot(lab_store).query("obligations", as_of="2025-06-01").empty


# --- An independent implementation of DESIGN 9, compared with the query on the demo store ------------


def reference_obligations(tables: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """DESIGN section 9 in plain Python, row by row; the projection is dashboard/projection.py's."""
    checkpoints = tables["checkpoints"].copy()
    checkpoints["day"] = pd.to_datetime(checkpoints["recorded_at"]).dt.date
    checkpoints = checkpoints[checkpoints["day"] <= as_of]
    deployments = tables["deployments"]
    records = tables["obligation_records"]
    out = []
    for model in tables["models"].itertuples():
        own = checkpoints[checkpoints["model_id"] == model.model_id].sort_values("step")
        training = len(own) > 0 and (as_of - own["day"].max()).days <= 14
        for ob in tables["obligations"].itertuples():
            if ob.clock == "after_awareness":  # an incident starts it (DESIGN 12), not a crossing
                continue
            reached = own[own[ob.measure] >= ob.threshold_flop]
            mine = records[(records["model_id"] == model.model_id) & (records["obligation_id"] == ob.obligation_id)]
            done = [day for day in mine["done_on"] if day <= as_of]
            done_on = min(done) if done else None
            if len(reached):
                crossed = reached.iloc[0]["day"]
                applies = ob.applies_from if isinstance(ob.applies_from, dt.date) else None
                start = max(crossed, applies) if applies else crossed
                if ob.clock == "after_crossing":
                    due = start + dt.timedelta(days=int(ob.deadline_days))
                else:
                    starts = [row.started_at for row in deployments[deployments["model_id"] == model.model_id].itertuples()
                              if row.started_at <= as_of and (not isinstance(row.ended_at, dt.date) or row.ended_at >= crossed)]
                    due = max(start, min(starts)) if starts else None
                if done_on is not None:
                    state = "done" if due is None or done_on <= due else "done_late"
                else:
                    state = "overdue" if due is not None and due < as_of else "due"
                out.append((model.model_id, ob.obligation_id, crossed, due, done_on, state, None))
            elif training:
                points = own[["recorded_at", ob.measure]].rename(columns={ob.measure: "effective_compute"})
                projection = project(points, {"line": ob.threshold_flop})
                when = projection.reached.get("line") if projection else None
                if when is not None and when.date() <= as_of + dt.timedelta(days=90):
                    out.append((model.model_id, ob.obligation_id, None, None, done_on, "projected", when.date()))
    return pd.DataFrame(out, columns=["model_id", "obligation_id", "crossed_on", "due_on", "done_on", "state",
                                      "projected_on"])


def plain_tables(store) -> dict[str, pd.DataFrame]:
    """The store's tables as DataFrames, DATE columns as datetime.date (None when empty)."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = {name: con.table(name).df() for name in
                  ("models", "checkpoints", "deployments", "obligations", "obligation_records")}
    finally:
        con.close()
    for name, column in (("deployments", "started_at"), ("deployments", "ended_at"),
                         ("obligations", "applies_from"), ("obligation_records", "done_on")):
        tables[name][column] = [None if pd.isna(value) else pd.Timestamp(value).date() for value in tables[name][column]]
    return tables


def comparable(frame: pd.DataFrame) -> list[tuple]:
    def plain(value):
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return None
        return str(pd.Timestamp(value).date()) if not isinstance(value, str) else value
    keys = ["model_id", "obligation_id", "crossed_on", "due_on", "done_on", "state", "projected_on"]
    return sorted(tuple(plain(record[key]) for key in keys) for record in frame[keys].to_dict("records"))


@pytest.mark.parametrize("as_of", ["2025-06-01", "2025-12-31", "2026-03-15", "2026-08-20", "2026-10-01", "2026-11-20"])
def test_the_query_matches_an_independent_implementation_on_the_demo(demo_store, as_of):
    expected = reference_obligations(plain_tables(demo_store), dt.date.fromisoformat(as_of))
    got = snapshot(demo_store).query("obligations", as_of=as_of)
    assert comparable(got) == comparable(expected)


@pytest.mark.parametrize("as_of", ["2025-09-10", "2025-10-05", "2025-10-12", "2026-02-15", "2026-04-01"])
def test_the_query_matches_an_independent_implementation_on_the_lab(lab, as_of):
    expected = reference_obligations(plain_tables(lab.key.path), dt.date.fromisoformat(as_of))
    assert comparable(lab.query("obligations", as_of=as_of)) == comparable(expected)


def test_the_demo_shows_every_state_on_its_snapshot_date(demo_store):
    snap = snapshot(demo_store)
    as_of = str(snap.query("snapshot_info")["snapshot_date"].iloc[0])
    frame = snap.query("obligations", as_of=as_of)
    assert set(frame["state"]) == {"done", "done_late", "overdue", "due", "projected"}
    assert set(frame["obligation_id"]) == {"eu-ai-act-art52", "ca-sb53-frontier"}
    # The demo also holds the bundled incident clocks (DESIGN 12): an incident starts those, not a crossing.
    rules = snap.query("obligation_list")
    assert (rules["clock"] == "after_awareness").sum() == 7


# --- The command line -------------------------------------------------------------------------------


def test_cli_prints_the_contract_columns_as_csv(lab, capsys):
    from dashboard import cli

    assert cli.main(["--store", lab.key.path, "obligations", "--as-of", "2026-04-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "model_id,model_name,obligation_id,crossed_on,due_on,done_on,state,projected_on"
    # The rows of test_every_row_and_the_urgency_order, in the same order; empty cells stay empty.
    assert lines[2] == "eff,Eff,int,2025-10-05,2025-10-05,,overdue,"
    assert lines[11] == "undeployed,Undeployed,ca,2026-02-01,,,due,"
    assert lines[-1] == "live,Live,ca,2026-02-01,2026-02-01,2026-01-20,done,"
    assert len(lines) == 1 + 14
    assert cli.main(["--store", lab.key.path, "obligations", "--as-of", "2025-10-01", "--format", "table"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["model_id", "model_name", "obligation_id", "crossed_on", "due_on", "done_on", "state",
                                "projected_on"]
    assert [line.split() for line in table if line.split()[0] == "growing"] == [
        ["growing", "Growing", "eu", "projected", "2025-10-04"], ["growing", "Growing", "int", "projected", "2025-10-27"],
        ["growing", "Growing", "ca", "projected", "2025-11-06"]]


def test_cli_without_as_of_uses_the_snapshot_date_and_refuses_a_bad_date(demo_store):
    done = run_cli("--store", demo_store, "obligations")
    assert done.returncode == 0, done.stderr
    expected = snapshot(demo_store).query("obligations", as_of="2026-11-20")
    assert len(done.stdout.splitlines()) == 1 + len(expected)
    bad = run_cli("--store", demo_store, "obligations", "--as-of", "soon")
    assert bad.returncode != 0 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == ["error: as_of 'soon' is not a date: write it as YYYY-MM-DD, for example 2026-11-20"]
