"""Required domains (DESIGN 3 and 4): a round that misses a domain its policy requires is incomplete,
not clean; the policy in use (the model's, or the one a view names) decides. A hand-made lab, every
answer worked out by hand below.

Policies (k = 4, b = 6, T = 90 days for all three; as of 2025-06-01):
- rsp-v1.0: no required domains; two-domains: cbrn;cyber; three-domains: cbrn;cyber;autonomy.

Models (policy two-domains unless stated):
- partial: checkpoints 100 (2025-01-01, 1e24) and 200 (2025-05-01, 1.5e24); a clean round at 100
  (cbrn and cyber, 2025-01-05); at 200 only cyber, below_threshold (2025-05-20). Round 200 misses cbrn:
  incomplete. The latest clean round is 100: 147 days since 2025-01-05 > 90 -> eval_overdue (by time;
  multiple 1.5 < 4). Under rsp-v1.0 round 200 is clean: multiple 1, 12 days -> on_track.
- partial-only: one checkpoint 100 (2025-05-01, 1e24); one round, cbrn below_threshold (2025-05-10):
  incomplete (cyber missing) -> no clean round -> never_evaluated. Under rsp-v1.0: clean, 22 days ->
  on_track.
- covered: checkpoint 100 (2025-05-01, 1e24); cbrn and cyber below_threshold (2025-05-10): clean ->
  on_track. Under three-domains: autonomy missing -> incomplete -> never_evaluated.
- missing-and-inconclusive: cbrn inconclusive only: not all rows below_threshold -> inconclusive (not
  incomplete: the missing domain is not the only reason) -> never_evaluated.
- missing-and-triggered: cbrn triggered only: triggered -> triggered.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from dashboard import charts
from dashboard.changes import changes_frame
from dashboard.charts import timeline as charts_timeline
from dashboard.ingest import IngestError, ingest
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import status_frame
from dashboard.questions.reclassify import known_domains
from dashboard.questions.trajectory import evaluation_rounds
from dashboard.store import snapshot
from labdata import add_model, base_tables, clean, published_lab, write_folder
from status_reference import Lab as StatusReference
from changes_reference import Lab as ChangesReference

AS_OF = dt.date(2025, 6, 1)


def required_domains_tables():
    tables = base_tables()
    for policy_id, domains in (("two-domains", "cbrn;cyber"), ("three-domains", "cbrn; cyber ;autonomy")):
        tables["policies"].append({"policy_id": policy_id, "name": policy_id, "eval_compute_multiple": "4",
                                   "buffer_multiple": "6", "eval_interval_days": "90", "source": "test",
                                   "required_domains": domains})
    add_model(tables, "partial", [(100, "2025-01-01", "1e24"), (200, "2025-05-01", "1.5e24")],
              [(100, "comprehensive", clean("2025-01-05")),
               (200, "comprehensive", [("cyber", "below_threshold", "2025-05-20")])], policy_id="two-domains")
    add_model(tables, "partial-only", [(100, "2025-05-01", "1e24")],
              [(100, "comprehensive", [("cbrn", "below_threshold", "2025-05-10")])], policy_id="two-domains")
    add_model(tables, "covered", [(100, "2025-05-01", "1e24")],
              [(100, "comprehensive", clean("2025-05-10"))], policy_id="two-domains")
    add_model(tables, "missing-and-inconclusive", [(100, "2025-05-01", "1e24")],
              [(100, "comprehensive", [("cbrn", "inconclusive", "2025-05-10")])], policy_id="two-domains")
    add_model(tables, "missing-and-triggered", [(100, "2025-05-01", "1e24")],
              [(100, "comprehensive", [("cbrn", "triggered", "2025-05-10")])], policy_id="two-domains")
    return tables


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return published_lab(required_domains_tables(), tmp_path_factory, "required-domains")


def statuses(store, policy_id=None) -> dict[str, str]:
    frame = status_frame(snapshot(store), ViewScope(as_of=AS_OF, policy_id=policy_id, as_of_is_default=False))
    return frame.set_index("model_id")["status"].to_dict()


def test_a_round_missing_a_required_domain_is_incomplete(lab):
    _, store = lab
    rounds = evaluation_rounds(snapshot(store), "partial", AS_OF)
    assert rounds[["step", "round_outcome"]].values.tolist() == [[100, "clean"], [200, "incomplete"]]
    assert rounds["missing_domains"].tolist()[1] == "cbrn" and pd.isna(rounds["missing_domains"].tolist()[0])
    outcome = {model: evaluation_rounds(snapshot(store), model, AS_OF)["round_outcome"].tolist()
               for model in ("partial-only", "covered", "missing-and-inconclusive", "missing-and-triggered")}
    assert outcome == {"partial-only": ["incomplete"], "covered": ["clean"],
                       "missing-and-inconclusive": ["inconclusive"], "missing-and-triggered": ["triggered"]}


def test_incomplete_rounds_count_as_no_clean_round(lab):
    folder, store = lab
    got = statuses(store)
    expected = {"partial": "eval_overdue", "partial-only": "never_evaluated", "covered": "on_track",
                "missing-and-inconclusive": "never_evaluated", "missing-and-triggered": "triggered"}
    assert {model: got[model] for model in expected} == expected
    row = status_frame(snapshot(store), ViewScope(as_of=AS_OF, policy_id=None, as_of_is_default=False)) \
        .set_index("model_id").loc["partial"]
    assert row["eval_step"] == 100 and row["days_since_eval"] == 147 and row["overdue_by"] == "time"
    reference = {row["model_id"]: row["status"] for row in StatusReference(folder).status(AS_OF)}
    assert reference == got


def test_the_policy_named_for_the_view_decides_the_required_domains(lab):
    folder, store = lab
    without = statuses(store, "rsp-v1.0")
    assert {model: without[model] for model in ("partial", "partial-only", "covered")} == \
        {"partial": "on_track", "partial-only": "on_track", "covered": "on_track"}
    three = statuses(store, "three-domains")
    assert three["covered"] == "never_evaluated"
    assert evaluation_rounds(snapshot(store), "covered", AS_OF, "three-domains")["missing_domains"].tolist() == ["autonomy"]
    assert evaluation_rounds(snapshot(store), "partial", AS_OF, "rsp-v1.0")["round_outcome"].tolist() == ["clean", "clean"]
    for policy_id in ("rsp-v1.0", "three-domains"):
        reference = {row["model_id"]: row["status"] for row in StatusReference(folder).status(AS_OF, policy_id)}
        assert reference == statuses(store, policy_id)


def test_changes_name_an_incomplete_round_and_what_it_misses(lab):
    folder, store = lab
    since = dt.date(2025, 5, 15)
    events = changes_frame(snapshot(store), since, AS_OF, None)
    rounds = events[events["kind"] == "evaluation_round"]
    assert rounds[["model_id", "after", "detail"]].values.tolist() == [["partial", "incomplete", "missing cbrn"]]
    expected = sorted(event for event in ChangesReference(folder).changes(since, AS_OF) if event[1] == "evaluation_round")
    assert [tuple(row) for row in rounds[["model_id", "after", "detail"]].values] == [(e[2], e[5], e[6]) for e in expected]
    # Under a policy without requirement, the same round is clean.
    clean_events = changes_frame(snapshot(store), since, AS_OF, "rsp-v1.0")
    assert clean_events[clean_events["kind"] == "evaluation_round"]["after"].tolist() == ["clean"]


def test_the_required_domains_column_is_optional_and_checked(tmp_path):
    tables = required_domains_tables()
    folder = write_folder(tmp_path / "lab", tables)
    # A policies.csv written before the column existed: read as no requirement.
    policies = pd.read_csv(folder / "policies.csv", dtype=str, keep_default_na=False)
    policies.drop(columns="required_domains").query("policy_id == 'rsp-v1.0'").to_csv(folder / "policies.csv", index=False)
    keep = write_folder(tmp_path / "old", {"models": [m | {"policy_id": "rsp-v1.0"} for m in tables["models"]]})
    shutil.copy(keep / "models.csv", folder / "models.csv")
    store = tmp_path / "old.duckdb"
    ingest(folder, store, progress=lambda _: None)
    assert statuses(store)["partial"] == "on_track"  # no requirement: round 200 is clean
    # A required domain with a zero-width character is refused, naming the line and column.
    tables["policies"][3]["required_domains"] = "cbrn;cy\u200bber"
    bad = write_folder(tmp_path / "bad", tables)
    with pytest.raises(IngestError) as refused:
        ingest(bad, tmp_path / "bad.duckdb", progress=lambda _: None)
    assert any(problem.file == "policies.csv" and problem.line == 5 and "required_domains" in str(problem)
               for problem in refused.value.problems)


# --- Shown as such on the trajectory chart, and on the timeline ----------------------------------


def test_the_trajectory_chart_draws_an_incomplete_round_as_such():
    points = pd.DataFrame({"step": [100, 200], "recorded_at": pd.to_datetime(["2025-01-01", "2025-05-01"]),
                           "training_flop": [1e24, 1.5e24], "effective_compute": [1e24, 1.5e24]})
    rounds = pd.DataFrame([
        {"step": 100, "round_outcome": "clean", "missing_domains": None, "completed_at": pd.Timestamp("2025-01-05"),
         "recorded_at": pd.Timestamp("2025-01-01"), "effective_compute": 1e24, "details": []},
        {"step": 200, "round_outcome": "incomplete", "missing_domains": "autonomy;cbrn",
         "completed_at": pd.Timestamp("2025-05-20"), "recorded_at": pd.Timestamp("2025-05-01"),
         "effective_compute": 1.5e24, "details": [{"domain": "cyber", "outcome": "below_threshold"}]},
    ])
    fig = charts.trajectory(points, rounds, pd.DataFrame(columns=["asl_level", "effective_from", "reason"]), k=4, b=6,
                            as_of=pd.Timestamp("2025-06-02"), model_label="M", now=pd.Timestamp("2025-06-01"),
                            training=False, show_reference_lines=False)
    incomplete = next(t for t in fig.data if t.name == "evaluation round: incomplete (a required domain missing)")
    assert incomplete.marker.symbol == "diamond-open" and list(incomplete.x) == [pd.Timestamp("2025-05-01")]
    assert incomplete.customdata[0][4] == "<br>not clean: no evaluation yet in autonomy, cbrn"
    assert "incomplete%{customdata[4]}" in incomplete.hovertemplate
    # The incomplete round opens no envelope: the shading starts at the clean round only.
    assert charts.envelopes(rounds, 4, 6, pd.Timestamp("2025-06-02"))["c_eval"].tolist() == [1e24]
    label, hover, _ = charts_timeline.label_of({"event_date": dt.date(2025, 5, 20), "kind": "evaluation_round",
                                                "after": "incomplete", "detail": "missing autonomy, cbrn",
                                                "before": None})
    assert label == "round: incomplete" and hover == "2025-05-20: evaluation round incomplete (missing autonomy, cbrn)"


def test_the_domains_a_policy_requires_are_known_domains(lab):
    """A snapshot whose evaluations and deployments name no domain still knows the ones its policies
    require: a reclassification after a cbrn trigger is not refused."""
    _, store = lab
    assert known_domains(snapshot(store)) == ["autonomy", "cbrn", "cyber"]
