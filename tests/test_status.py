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
from dashboard.views import STATUS_COLUMNS, ViewScope, status_frame
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


def test_before_any_row_everything_is_never_evaluated(lab):
    early = statuses(lab, as_of=dt.date(2024, 1, 1))
    assert set(early["status"]) == {"never_evaluated"}
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
