"""Policy arithmetic of DESIGN section 4 on a hand-made lab; every expected figure worked out by hand.

Policy rsp-v1.0: k = 4 (eval every 4x), b = 6 (buffer), T = 90 days. As of 2025-06-01 unless stated.
due-soon thresholds: compute multiple >= 4 ** 0.75 = 2.828..., or more than 67.5 days since the eval.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard.ingest import ingest
from dashboard.store import snapshot
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import STATUS_COLUMNS, status_frame
from labdata import status_lab_tables, write_folder
from clirun import run_cli

AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tables = status_lab_tables()
    folder = write_folder(tmp_path_factory.mktemp("lab") / "lab", tables)
    store = tmp_path_factory.mktemp("store") / "lab.duckdb"
    ingest(folder, store, progress=lambda _: None)
    return store


def statuses(store, as_of=AS_OF, policy_id=None) -> pd.DataFrame:
    frame = status_frame(snapshot(store), ViewScope(as_of=as_of, policy_id=policy_id, as_of_is_default=False))
    return frame.set_index("model_id")


def test_every_status_as_of_the_date(lab):
    got = statuses(lab)["status"].to_dict()
    assert got == {
        "base": "never_evaluated",
        "on-track": "on_track",
        "due-compute": "eval_due_soon",
        "due-time": "eval_due_soon",
        "overdue-compute": "eval_overdue",
        "overdue-time": "eval_overdue",
        "breached": "buffer_breached",
        "triggered": "triggered",
        "trigger-then-clean": "on_track",
        "never": "never_evaluated",
        "inconclusive": "never_evaluated",
        "future-rows": "on_track",
        "split-round": "eval_due_soon",
    }


def test_figures_of_one_model(lab):
    row = statuses(lab).loc["on-track"]
    assert row["c_now"] == 2e24 and row["c_eval"] == 1e24
    assert row["compute_multiple"] == 2.0
    assert row["next_eval_compute"] == 4e24
    assert row["buffer_edge_compute"] == 6e24
    assert row["buffer_used_pct"] == pytest.approx(100 * math.log(2) / math.log(6))  # 38.685 %
    assert row["days_since_eval"] == 22  # 2025-05-10 -> 2025-06-01
    assert row["next_eval_date"] == dt.date(2025, 8, 8)  # 2025-05-10 + 90 days


def test_round_completed_on_different_days_uses_the_latest(lab):
    row = statuses(lab).loc["split-round"]
    # t_eval = 2025-03-03 (not 2025-02-15): 28 + 30 + 31 + 1 = 90 days to 2025-06-01.
    assert row["days_since_eval"] == 90
    assert row["next_eval_date"] == dt.date(2025, 6, 1)
    # 90 days is not more than T = 90, but more than 0.75 * 90 = 67.5: due soon, not overdue.
    assert row["status"] == "eval_due_soon"


def test_rows_after_the_as_of_date_do_not_count(lab):
    row = statuses(lab).loc["future-rows"]
    # step 300 (2025-06-02) is not seen. Of the round at step 200 only the cbrn row (2025-05-25)
    # counts; the cyber row is dated 2025-06-02. Rows are filtered before rounds are formed
    # (DESIGN section 4: only rows dated on or before the as-of date count), so as of 2025-06-01
    # the round at step 200 holds one below_threshold row: clean, completed 2025-05-25.
    assert row["c_now"] == 2e24
    assert row["c_eval"] == 2e24
    assert row["days_since_eval"] == 7
    before = statuses(lab, as_of=dt.date(2025, 5, 24)).loc["future-rows"]
    assert before["c_eval"] == 1e24 and before["days_since_eval"] == 22  # round 100, 2025-05-02
    later = statuses(lab, as_of=dt.date(2025, 6, 2)).loc["future-rows"]
    assert later["c_now"] == 8e24 and later["c_eval"] == 2e24 and later["compute_multiple"] == 4.0
    assert later["status"] == "eval_overdue"


def test_before_any_row_every_model_has_no_checkpoint(lab):
    early = statuses(lab, as_of=dt.date(2024, 1, 1))
    assert set(early["status"]) == {"no_checkpoint"}  # DESIGN 4a: checked first
    assert early["c_now"].isna().all()


def test_policy_without_buffer_or_interval(lab):
    # compute-only: k = 2, no buffer, no interval.
    frame = statuses(lab, policy_id="compute-only")
    row = frame.loc["on-track"]
    assert row["policy_id"] == "compute-only"
    assert row["next_eval_compute"] == 2e24
    assert pd.isna(row["buffer_edge_compute"]) and pd.isna(row["buffer_used_pct"])
    assert pd.isna(row["next_eval_date"])
    assert row["status"] == "eval_overdue"  # multiple 2 >= k = 2
    # breached (multiple 6) cannot be buffer_breached without a buffer: overdue.
    assert frame.loc["breached", "status"] == "eval_overdue"
    # overdue-time (multiple 1.5, 120 days) has no interval: 1.5 >= 2 ** 0.75 = 1.68? no -> on track.
    assert frame.loc["overdue-time", "status"] == "on_track"


def test_policy_with_interval_but_no_buffer(lab):
    # no-buffer: k = 4, T = 182 days.
    frame = statuses(lab, policy_id="no-buffer")
    assert frame.loc["breached", "status"] == "eval_overdue"  # 6 >= 4
    assert frame.loc["overdue-compute", "status"] == "eval_overdue"  # 5 >= 4
    # 120 days is not more than 0.75 * 182 = 136.5 and 1.5 < 2.83: on track under this policy.
    assert frame.loc["overdue-time", "status"] == "on_track"
    assert frame.loc["on-track", "next_eval_date"] == dt.date(2025, 11, 8)  # 2025-05-10 + 182 days




def test_cli_status_csv(lab):
    result = run_cli("--store", str(lab), "status", "--as-of", "2025-06-01")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(STATUS_COLUMNS)
    assert len(lines) == 1 + 13
    on_track = next(line for line in lines if line.startswith("on-track,")).split(",")
    assert on_track[:10] == ["on-track", "On-Track", "fam", "2", "rsp-v1.0", "2e+24", "1e+24", "2.0", "4e+24", "6e+24"]
    assert float(on_track[10]) == pytest.approx(38.685280723454154)
    assert on_track[11:] == ["22", "2025-08-08", "on_track"]
    never = next(line for line in lines if line.startswith("never,"))
    assert never == "never,Never,fam,2,rsp-v1.0,1e+24,,,,,,,,never_evaluated"


def test_cli_status_table_leaves_empty_cells_empty(lab):
    result = run_cli("--store", str(lab), "status", "--as-of", "2025-06-01", "--format", "table")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == STATUS_COLUMNS and len(lines) == 1 + 13
    for marker in ("NaN", "<NA>", "None", "NaT"):
        assert marker not in result.stdout
    never = next(line for line in lines if line.split()[0] == "never")
    assert never.split() == ["never", "Never", "fam", "2", "rsp-v1.0", "1.000000e+24", "never_evaluated"]


def test_cli_status_policy_override_and_errors(lab):
    result = run_cli("--store", str(lab), "status", "--as-of", "2025-06-01", "--policy", "compute-only")
    assert result.returncode == 0
    assert {line.split(",")[4] for line in result.stdout.splitlines()[1:]} == {"compute-only"}
    bad_policy = run_cli("--store", str(lab), "status", "--policy", "nope")
    assert bad_policy.returncode != 0 and "policy 'nope' is unknown" in bad_policy.stderr
    assert len(bad_policy.stderr.strip().splitlines()) == 1
    bad_date = run_cli("--store", str(lab), "status", "--as-of", "2025-02-30")
    assert bad_date.returncode != 0 and "not a real calendar date" in bad_date.stderr


def test_default_as_of_is_the_snapshot_date(lab):
    # The latest date in the data is 2025-06-02 (the future-rows checkpoint and evaluation).
    default = run_cli("--store", str(lab), "status")
    pinned = run_cli("--store", str(lab), "status", "--as-of", "2025-06-02")
    assert default.stdout == pinned.stdout


# --- DESIGN 4a: as of a date, everything is as of that date (tests/labdata.py asof_lab_tables) ---


@pytest.fixture(scope="module")
def asof_lab(tmp_path_factory):
    from labdata import asof_lab_tables

    folder = write_folder(tmp_path_factory.mktemp("asof") / "lab", asof_lab_tables())
    store = tmp_path_factory.mktemp("asof-store") / "asof.duckdb"
    ingest(folder, store, progress=lambda _: None)
    return store


def test_extra_columns_follow_the_contract_columns_in_order(asof_lab):
    from dashboard.questions.status import STATUS_EXTRA_COLUMNS

    frame = status_frame(snapshot(asof_lab), ViewScope(as_of=dt.date(2025, 3, 25), policy_id=None, as_of_is_default=False))
    assert list(frame.columns) == STATUS_COLUMNS + STATUS_EXTRA_COLUMNS


def test_no_checkpoint_before_the_first_checkpoint(asof_lab):
    # "late" has its first checkpoint on 2025-03-01: the day before it did not exist yet.
    before = statuses(asof_lab, as_of=dt.date(2025, 2, 28)).loc["late"]
    assert before["status"] == "no_checkpoint" and before["severity"] == 7
    assert pd.isna(before["c_now"]) and pd.isna(before["last_checkpoint_on"]) and not before["is_training"]
    on_the_day = statuses(asof_lab, as_of=dt.date(2025, 3, 1)).loc["late"]
    assert on_the_day["status"] == "never_evaluated" and on_the_day["severity"] == 2
    assert on_the_day["last_checkpoint_on"] == dt.date(2025, 3, 1) and on_the_day["is_training"]


def test_no_checkpoint_comes_first_and_is_listed_last(asof_lab):
    # As of 2024-12-31 no model has a checkpoint (the earliest is 2025-01-01): all no_checkpoint, by id.
    early = status_frame(snapshot(asof_lab), ViewScope(as_of=dt.date(2024, 12, 31), policy_id=None, as_of_is_default=False))
    assert set(early["status"]) == {"no_checkpoint"}
    assert list(early["model_id"]) == sorted(early["model_id"])
    # As of 2025-02-12: late has no checkpoint (7) and comes after every other model.
    frame = status_frame(snapshot(asof_lab), ViewScope(as_of=dt.date(2025, 2, 12), policy_id=None, as_of_is_default=False))
    # base: never evaluated (2); cross: 3x (02-10) >= 2.83 -> due soon (5); stale: 33 days, 1x -> on
    # track (6); trig: triggered at step 200 (1).
    assert list(frame["model_id"]) == ["trig", "base", "cross", "stale", "late"]
    assert list(frame["severity"]) == [1, 2, 5, 6, 7]
    assert list(frame["severity"]) == sorted(frame["severity"])


def test_level_as_of_the_date_from_asl_history(asof_lab):
    # late: models.csv says 3; history: 2 from 2025-02-01, 3 from 2025-04-01.
    level = {day: statuses(asof_lab, as_of=dt.date.fromisoformat(day)).loc["late", "asl_level"]
             for day in ("2025-01-15", "2025-02-01", "2025-03-31", "2025-04-01", "2026-01-01")}
    # Before the first row: the first row's level (2), not models.csv's 3.
    assert level == {"2025-01-15": 2, "2025-02-01": 2, "2025-03-31": 2, "2025-04-01": 3, "2026-01-01": 3}
    # base has no history: models.csv's level 2 at any date.
    assert statuses(asof_lab, as_of=dt.date(2025, 4, 1)).loc["base", "asl_level"] == 2


def test_crossing_dates_and_overdue_by_compute(asof_lab):
    # cross: clean round at step 100 (C_eval 1e24, completed 2025-01-05). Checkpoints above it:
    # 2e24 (01-20), 3e24 (02-10), 4.5e24 (03-01), 7e24 (03-20).
    # k x C_eval = 4e24: first reached by 4.5e24 on 2025-03-01; b x C_eval = 6e24: by 7e24 on 2025-03-20.
    # k^0.75 = 2.83: first reached by 3e24 on 2025-02-10.
    due = statuses(asof_lab, as_of=dt.date(2025, 2, 15)).loc["cross"]
    # 41 days since the evaluation (< 67.5), multiple 3: due soon by compute since 2025-02-10.
    assert due["status"] == "eval_due_soon" and due["due_soon_since"] == dt.date(2025, 2, 10)
    assert pd.isna(due["next_eval_crossed_on"]) and pd.isna(due["overdue_by"]) and pd.isna(due["overdue_since"])
    overdue = statuses(asof_lab, as_of=dt.date(2025, 3, 5)).loc["cross"]
    assert overdue["status"] == "eval_overdue" and overdue["compute_multiple"] == 4.5
    assert overdue["next_eval_crossed_on"] == dt.date(2025, 3, 1) and pd.isna(overdue["buffer_edge_crossed_on"])
    assert overdue["overdue_by"] == "compute" and overdue["overdue_since"] == dt.date(2025, 3, 1)
    assert pd.isna(overdue["due_soon_since"])  # only for eval_due_soon
    breached = statuses(asof_lab, as_of=dt.date(2025, 3, 25)).loc["cross"]
    # 79 days (26 + 28 + 25) <= 90: compute alone.
    assert breached["status"] == "buffer_breached" and breached["days_since_eval"] == 79
    assert breached["next_eval_crossed_on"] == dt.date(2025, 3, 1)
    assert breached["buffer_edge_crossed_on"] == dt.date(2025, 3, 20)
    assert breached["overdue_by"] == "compute" and breached["overdue_since"] == dt.date(2025, 3, 1)
    # As of 2025-04-10: 95 days > 90 as well; next_eval_date 2025-01-05 + 90 = 2025-04-05, so time
    # made it overdue from 2025-04-06, compute earlier (2025-03-01).
    both = statuses(asof_lab, as_of=dt.date(2025, 4, 10)).loc["cross"]
    assert both["next_eval_date"] == dt.date(2025, 4, 5)
    assert both["overdue_by"] == "compute_and_time" and both["overdue_since"] == dt.date(2025, 3, 1)


def test_overdue_by_time(asof_lab):
    # stale: one checkpoint (2025-01-01), clean round completed 2025-01-10; next_eval_date
    # 2025-01-10 + 90 = 2025-04-10 (21 + 28 + 31 + 10).
    on_the_day = statuses(asof_lab, as_of=dt.date(2025, 4, 10)).loc["stale"]
    # 90 days is not more than 90: due soon by time since day 68 (> 67.5): 2025-01-10 + 68 = 2025-03-19.
    assert on_the_day["status"] == "eval_due_soon" and on_the_day["due_soon_since"] == dt.date(2025, 3, 19)
    assert statuses(asof_lab, as_of=dt.date(2025, 3, 18)).loc["stale", "status"] == "on_track"  # 67 days
    assert statuses(asof_lab, as_of=dt.date(2025, 3, 19)).loc["stale", "status"] == "eval_due_soon"  # 68 days
    later = statuses(asof_lab, as_of=dt.date(2025, 4, 11)).loc["stale"]
    assert later["status"] == "eval_overdue" and later["days_since_eval"] == 91
    assert later["overdue_by"] == "time" and later["overdue_since"] == dt.date(2025, 4, 11)
    assert pd.isna(later["next_eval_crossed_on"])
    assert not later["is_training"] and later["last_checkpoint_on"] == dt.date(2025, 1, 1)
    assert later["eval_completed_on"] == dt.date(2025, 1, 10)


def test_is_training_within_14_days(asof_lab):
    # cross: last checkpoint 2025-03-20. 14 days later (2025-04-03) still training; 15 days (04-04) not.
    assert statuses(asof_lab, as_of=dt.date(2025, 4, 3)).loc["cross", "is_training"]
    assert not statuses(asof_lab, as_of=dt.date(2025, 4, 4)).loc["cross", "is_training"]
    assert statuses(asof_lab, as_of=dt.date(2025, 3, 20)).loc["cross", "is_training"]


def test_triggered_columns(asof_lab):
    # trig: clean at step 100; the round at step 200 triggered in cbrn (02-05) and cyber (02-07), with
    # autonomy below threshold (02-06); step 300 triggered in cyber (03-05). The triggering round is the
    # first triggered one above the clean round: step 200, completed 2025-02-07.
    row = statuses(asof_lab, as_of=dt.date(2025, 3, 10)).loc["trig"]
    assert row["status"] == "triggered" and row["severity"] == 1
    assert row["triggered_step"] == 200 and row["triggered_on"] == dt.date(2025, 2, 7)
    assert row["triggered_domains"] == "cbrn;cyber"
    assert row["triggered_eval_ids"] == "trig-200-comprehensive-cbrn;trig-200-comprehensive-cyber"
    assert pd.isna(row["overdue_by"]) and pd.isna(row["overdue_since"])
    # As of 2025-02-06 the cyber row is not known yet: the round holds cbrn (triggered) and autonomy,
    # completed 2025-02-06.
    early = statuses(asof_lab, as_of=dt.date(2025, 2, 6)).loc["trig"]
    assert early["triggered_on"] == dt.date(2025, 2, 6) and early["triggered_domains"] == "cbrn"
    assert early["triggered_eval_ids"] == "trig-200-comprehensive-cbrn"
    # Before the round (2025-02-04) the model is not triggered and has no triggered columns.
    before = statuses(asof_lab, as_of=dt.date(2025, 2, 4)).loc["trig"]
    assert before["status"] != "triggered"
    assert pd.isna(before["triggered_on"]) and pd.isna(before["triggered_step"]) and pd.isna(before["triggered_domains"])


def test_severity_follows_the_status_order(lab):
    from dashboard.questions.status import STATUSES

    frame = status_frame(snapshot(lab), ViewScope(as_of=AS_OF, policy_id=None, as_of_is_default=False))
    assert all(STATUSES[severity - 1] == status for severity, status in zip(frame["severity"], frame["status"]))
    assert list(frame["model_id"]) == list(frame.sort_values(["severity", "model_id"])["model_id"])


# --- One as-of date validator for the pages and the CLI (dashboard/params.py) ------------------


def test_year_one_is_refused_by_the_validator():
    from dashboard.params import ParamError, parse_as_of

    with pytest.raises(ParamError, match=r"as_of '0001-01-01' is outside the years 1950 to 2200"):
        parse_as_of("0001-01-01", AS_OF)
    assert parse_as_of("1950-01-01", AS_OF) == dt.date(1950, 1, 1)
    assert parse_as_of("2200-12-31", AS_OF) == dt.date(2200, 12, 31)
    assert parse_as_of("", AS_OF) == AS_OF


def test_cli_refuses_year_one_exactly_as_the_pages_do(lab):
    from dashboard.text import md_escape
    from pagelinks import open_link

    message = "as_of '0001-01-01' is outside the years 1950 to 2200"
    for command in (["status"], ["at-risk", "--model", "base", "--asl", "3"]):
        result = run_cli("--store", str(lab), *command, "--as-of", "0001-01-01")
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == f"error: {message}\n"
    page = open_link(lab, as_of="0001-01-01")
    assert [error.value for error in page.error] == [md_escape(message)]


def test_a_date_after_the_snapshot_is_accepted_with_a_notice(lab):
    from dashboard.params import as_of_notice
    from pagelinks import open_link

    # The lab's own date is 2025-06-02 (test_default_as_of_is_the_snapshot_date).
    notice = "as of 2099-01-01 is after the snapshot's date 2025-06-02: nothing after that date is known"
    assert as_of_notice(dt.date(2099, 1, 1), dt.date(2025, 6, 2)) == notice
    assert as_of_notice(dt.date(2025, 6, 2), dt.date(2025, 6, 2)) is None
    result = run_cli("--store", str(lab), "status", "--as-of", "2099-01-01")
    assert result.returncode == 0
    assert result.stderr == f"note: {notice}\n"
    assert len(result.stdout.splitlines()) == 1 + 13
    quiet = run_cli("--store", str(lab), "status", "--as-of", "2025-06-02")
    assert quiet.returncode == 0 and quiet.stderr == ""
    page = open_link(lab, as_of="2099-01-01")
    assert [warning.value for warning in page.warning] == [notice]
    assert not open_link(lab, as_of="2025-06-02").warning


@pytest.mark.parametrize("as_of", ["2024-01-01", "2025-03-01", "2025-06-01", "2099-01-01"])
def test_cli_status_agrees_with_the_query(lab, as_of):
    import io

    result = run_cli("--store", str(lab), "status", "--as-of", as_of)
    assert result.returncode == 0, result.stderr
    printed = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    frame = statuses(lab, as_of=dt.date.fromisoformat(as_of)).reset_index()[STATUS_COLUMNS]
    assert list(printed.columns) == STATUS_COLUMNS
    assert list(printed["model_id"]) == list(frame["model_id"])  # same order: severity, then model_id
    assert list(printed["status"]) == list(frame["status"])
    assert list(printed["asl_level"]) == [str(value) for value in frame["asl_level"]]
    for column in ("c_now", "compute_multiple", "buffer_used_pct"):
        assert [float(value) if value else None for value in printed[column]] == \
               [None if pd.isna(value) else pytest.approx(value) for value in frame[column]]
    assert list(printed["next_eval_date"]) == ["" if pd.isna(value) else value.isoformat() for value in frame["next_eval_date"]]


# --- status.sql against an independent reading of DESIGN 4 and 4a (tests/status_reference.py) ----


@pytest.fixture(scope="module")
def demo_reference():
    from dashboard.store import DEMO_DIR
    from status_reference import Lab

    return Lab(DEMO_DIR)


def same(got, expected) -> bool:
    if expected is None:
        return got is None or pd.isna(got)
    if isinstance(expected, float):
        return got == pytest.approx(expected, rel=1e-12)
    if isinstance(expected, bool):
        return bool(got) == expected
    return got == expected


@pytest.mark.parametrize("as_of", ["2024-01-01", "2025-01-01", "2025-09-15", "2026-11-20", "2099-01-01"])
@pytest.mark.parametrize("policy_id", [None, "rsp-v2.0", "pf-beta"])
def test_status_agrees_with_an_independent_implementation_on_the_demo(demo_store, demo_reference, as_of, policy_id):
    # 2026-11-20 is the demo snapshot's own date; 2024-01-01 is before its first row, 2099 after its last.
    day = dt.date.fromisoformat(as_of)
    expected = demo_reference.status(day, policy_id)
    frame = status_frame(snapshot(demo_store), ViewScope(as_of=day, policy_id=policy_id, as_of_is_default=False))
    assert list(frame["model_id"]) == [row["model_id"] for row in expected]  # severity, then model_id
    mismatches = [(row["model_id"], column, got[column], value)
                  for got, row in zip(frame.to_dict("records"), expected)
                  for column, value in row.items() if not same(got[column], value)]
    assert mismatches == []
    assert set(expected[0]) == set(frame.columns)  # every column compared


def test_the_demo_as_of_2025_01_01(demo_store):
    # The example: 45 of the 48 models had no checkpoint yet on 2025-01-01.
    frame = status_frame(snapshot(demo_store), ViewScope(as_of=dt.date(2025, 1, 1), policy_id=None, as_of_is_default=False))
    assert (frame["status"] == "no_checkpoint").sum() == 45
    assert (frame["status"] == "never_evaluated").sum() == 2


@pytest.fixture(scope="module")
def public_store(tmp_path_factory):
    from dashboard.sqlfiles import REPO_ROOT

    store = tmp_path_factory.mktemp("public") / "public.duckdb"
    ingest(REPO_ROOT / "data" / "public", store, progress=lambda _: None)
    return store


@pytest.mark.parametrize("as_of", ["2020-01-01", "2024-06-01", "2026-06-10", "2099-01-01"])
def test_status_agrees_with_an_independent_implementation_on_the_public_data(public_store, as_of):
    from dashboard.sqlfiles import REPO_ROOT
    from status_reference import Lab

    # 2026-06-10 is the public snapshot's own date.
    day = dt.date.fromisoformat(as_of)
    expected = Lab(REPO_ROOT / "data" / "public").status(day)
    frame = status_frame(snapshot(public_store), ViewScope(as_of=day, policy_id=None, as_of_is_default=False))
    assert list(frame["model_id"]) == [row["model_id"] for row in expected]
    assert [(row["model_id"], column, got[column], value) for got, row in zip(frame.to_dict("records"), expected)
            for column, value in row.items() if not same(got[column], value)] == []
