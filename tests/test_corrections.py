"""Corrections between two snapshots (DESIGN 11): the row changes of every input table on a
hand-made pair (tests/labdata.py corrections_tables: each change listed there), the consequences
checked against the independent status of tests/status_reference.py on each snapshot's own files,
and the command's formats and refusals."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from clirun import run_cli
from dashboard.questions import corrections as corrections_questions
from dashboard.snapshots import snapshot_file
from dashboard.tables import TABLES
from labdata import base_tables, corrections_tables, publish_in_turn, write_folder
from status_reference import Lab

AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The pair published into one store: A, then B (the latest). Folders, store and ids."""
    root = tmp_path_factory.mktemp("corrections")
    a, b = corrections_tables()
    folders = [write_folder(root / "a", a), write_folder(root / "b", b)]
    store = root / "store" / "lab.duckdb"
    store.parent.mkdir()
    older, newer = publish_in_turn(store, folders)
    return {"folders": folders, "store": store, "older": older, "newer": newer}


def rows_of(lab) -> pd.DataFrame:
    return corrections_questions.row_changes(corrections_questions.open_pair(lab["store"], lab["older"], None))


# Every row change of the pair, worked out from corrections_tables: (table, key, change, column).
EXPECTED_ROWS = {
    ("asl_history", "base/2025-01-01", "removed", None),
    ("asl_history", "base/2025-05-15", "changed", "reason"),
    ("asl_history", "triggered/2025-05-10", "added", None),
    ("asl_levels", "1", "changed", "description"),
    ("asl_levels", "4", "removed", None),
    ("asl_levels", "5", "added", None),
    ("asl_required_safeguards", "4/output_classifier", "removed", None),
    ("asl_required_safeguards", "5/red_team", "added", None),
    ("checkpoints", "breached/200", "changed", "effective_compute"),
    ("checkpoints", "future-rows/100", "removed", None),
    ("checkpoints", "future-rows/200", "removed", None),
    ("checkpoints", "future-rows/300", "removed", None),
    ("checkpoints", "never/100", "removed", None),  # the key change: step 100 -> 150
    ("checkpoints", "never/150", "added", None),
    ("checkpoints", "newcomer/100", "added", None),
    ("customers", "c1", "changed", "name"),
    ("customers", "c2", "added", None),
    ("customers", "c3", "removed", None),
    ("deployment_safeguards", "d1/input_classifier", "added", None),
    ("deployment_safeguards", "d1/monitoring", "removed", None),
    ("deployment_safeguards", "d2/monitoring", "removed", None),
    ("deployments", "d1", "changed", "monthly_requests"),
    ("deployments", "d2", "removed", None),
    ("deployments", "d3", "added", None),
    ("evaluations", "future-rows-100-comprehensive-cbrn", "removed", None),
    ("evaluations", "future-rows-100-comprehensive-cyber", "removed", None),
    ("evaluations", "future-rows-200-comprehensive-cbrn", "removed", None),
    ("evaluations", "future-rows-200-comprehensive-cyber", "removed", None),
    ("evaluations", "inconclusive-200-preliminary-cbrn", "removed", None),
    ("evaluations", "never-150-comprehensive-cbrn", "added", None),
    ("evaluations", "never-150-comprehensive-cyber", "added", None),
    ("evaluations", "on-track-100-comprehensive-cbrn", "changed", "outcome"),
    ("evaluations", "triggered-200-comprehensive-cyber", "removed", None),  # the id renamed
    ("evaluations", "triggered-200-comprehensive-cyber-v2", "added", None),
    ("models", "future-rows", "removed", None),
    ("models", "newcomer", "added", None),
    ("models", "split-round", "changed", "name"),
    ("obligation_records", "ca/base", "removed", None),
    ("obligation_records", "eu/breached", "changed", "reference"),
    ("obligation_records", "uk/base", "added", None),
    ("obligations", "ca", "removed", None),
    ("obligations", "eu", "changed", "deadline_days"),
    ("obligations", "uk", "added", None),
    ("policies", "compute-only", "removed", None),
    ("policies", "fsf", "added", None),
    ("policies", "rsp-v1.0", "changed", "eval_interval_days"),
    ("public_models", "p1", "changed", "training_compute_flop"),
    ("public_models", "p2", "removed", None),
    ("public_models", "p3", "added", None),
    ("safeguards", "monitoring", "changed", "name"),
    ("safeguards", "output_classifier", "removed", None),
    ("safeguards", "red_team", "added", None),
}


def test_row_changes_are_exactly_the_ones_made(lab):
    rows = rows_of(lab)
    found = {(table, key, change, None if pd.isna(column) else column)
             for table, key, change, column in rows[["table", "key", "change", "column"]].itertuples(index=False)}
    assert found == EXPECTED_ROWS
    assert len(rows) == len(EXPECTED_ROWS)  # one line per change, no duplicates


def test_every_table_has_rows_added_removed_and_changed(lab):
    """Pairs (a key of every column) cannot change, only come and go."""
    rows = rows_of(lab)
    for spec in TABLES:
        changes = set(rows.loc[rows["table"] == spec.name, "change"])
        whole_row_key = set(spec.key_columns) == set(spec.columns)
        assert changes == ({"added", "removed"} if whole_row_key else {"added", "removed", "changed"}), spec.name


def test_changed_values_and_the_order(lab):
    rows = rows_of(lab)
    changed = rows[rows["change"] == "changed"].set_index(["table", "key"])
    assert tuple(changed.loc[("evaluations", "on-track-100-comprehensive-cbrn"), ["before", "after"]]) == (
        "below_threshold", "triggered")
    assert tuple(changed.loc[("checkpoints", "breached/200"), ["before", "after"]]) == ("6e+24", "5e+24")
    assert tuple(changed.loc[("asl_history", "base/2025-05-15"), ["before", "after"]]) == ("raised", "raised after review")
    added = rows[rows["change"] != "changed"]
    assert added["column"].isna().all() and added["before"].isna().all() and added["after"].isna().all()
    # sorted by table, key, column
    assert list(rows["table"]) == sorted(rows["table"])
    for _, group in rows.groupby("table"):
        assert list(group["key"]) == sorted(group["key"])
    assert rows.loc[rows["table"] == "evaluations", "model_id"].notna().all()
    assert rows.loc[rows["table"] == "customers", "model_id"].isna().all()


def test_several_changed_columns_of_one_row_give_one_line_each(tmp_path):
    a = base_tables()
    b = base_tables()
    b["customers"][0].update(name="Renamed", region="us", business_critical="false")
    store = tmp_path / "store" / "s.duckdb"
    store.parent.mkdir()
    older, _ = publish_in_turn(store, [write_folder(tmp_path / "a", a), write_folder(tmp_path / "b", b)])
    rows = corrections_questions.row_changes(corrections_questions.open_pair(store, older, None))
    assert rows[["table", "key", "change", "column", "before", "after"]].values.tolist() == [
        ["customers", "c1", "changed", "business_critical", "true", "false"],
        ["customers", "c1", "changed", "name", "Customer One", "Renamed"],
        ["customers", "c1", "changed", "region", "eu", "us"],
    ]


def test_a_table_in_one_snapshot_only(tmp_path):
    """A snapshot published before a table existed (public_models dropped from A's file, and from C's):
    every row of B's is added from A, and removed towards C."""
    a = base_tables()
    a["asl_history"] = [{"model_id": "base", "asl_level": "2", "effective_from": "2025-01-01", "reason": "initial"}]
    b = base_tables()
    b["public_models"] = [{"public_model_id": "p1", "name": "Public One", "organization": "Org",
                           "published_on": "2024-01-01", "training_compute_flop": "1e25", "base_model_name": "",
                           "accessibility": "open", "source": "epoch"}]
    c = {**b, "models": [dict(b["models"][0], name="Base v2")]}
    store = tmp_path / "store" / "s.duckdb"
    store.parent.mkdir()
    ids = publish_in_turn(store, [write_folder(tmp_path / name, tables) for name, tables in
                                  (("a", a), ("b", b), ("c", c))])
    for snapshot_id in (ids[0], ids[2]):
        with duckdb.connect(str(snapshot_file(store, snapshot_id))) as kept:
            kept.execute("DROP TABLE public_models")

    def rows(older, newer):
        changes = corrections_questions.row_changes(corrections_questions.open_pair(store, older, newer))
        return changes[["table", "key", "change"]].values.tolist()

    assert rows(ids[0], ids[1]) == [["asl_history", "base/2025-01-01", "removed"], ["public_models", "p1", "added"]]
    assert rows(ids[1], ids[2]) == [["models", "base", "changed"], ["public_models", "p1", "removed"]]
    assert rows(ids[0], ids[2]) == [["asl_history", "base/2025-01-01", "removed"], ["models", "base", "changed"]]


def test_a_key_repeated_in_a_history_is_told_apart(tmp_path):
    """asl_history's key (model_id, effective_from) is not held unique by the ingest: a row found
    the same on both sides is matched first; the rest of the key's rows are paired in turn, the
    second written with #2."""
    a = base_tables()
    a["asl_history"] = [{"model_id": "base", "asl_level": "2", "effective_from": "2025-01-01", "reason": "first"},
                        {"model_id": "base", "asl_level": "3", "effective_from": "2025-01-01", "reason": "second"}]
    b = base_tables()
    b["asl_history"] = a["asl_history"][:1]
    store = tmp_path / "store" / "s.duckdb"
    store.parent.mkdir()
    older, _ = publish_in_turn(store, [write_folder(tmp_path / "a", a), write_folder(tmp_path / "b", b)])
    rows = corrections_questions.row_changes(corrections_questions.open_pair(store, older, None))
    assert rows[["key", "change"]].values.tolist() == [["base/2025-01-01", "removed"]]
    c = base_tables()
    c["asl_history"] = [dict(row, reason=row["reason"] + " (corrected)") for row in a["asl_history"]]
    store = tmp_path / "store2" / "s.duckdb"
    store.parent.mkdir()
    older, _ = publish_in_turn(store, [write_folder(tmp_path / "a2", a), write_folder(tmp_path / "c", c)])
    rows = corrections_questions.row_changes(corrections_questions.open_pair(store, older, None))
    assert sorted(rows[["key", "change", "column"]].values.tolist()) == [
        ["base/2025-01-01", "changed", "reason"], ["base/2025-01-01#2", "changed", "reason"]]


def reference_changes(lab, as_of, policy_id=None) -> dict[str, tuple]:
    """The models whose status differs, by the independent reading of DESIGN 4 on each folder."""
    before = {row["model_id"]: row["status"] for row in Lab(lab["folders"][0]).status(as_of, policy_id)}
    after = {row["model_id"]: row["status"] for row in Lab(lab["folders"][1]).status(as_of, policy_id)}
    return {model: (before.get(model), after.get(model)) for model in set(before) | set(after)
            if before.get(model) != after.get(model)}


@pytest.mark.parametrize("as_of, policy_id", [(AS_OF, None), (dt.date(2025, 5, 12), None), (AS_OF, "no-buffer")])
def test_consequences_agree_with_the_reference(lab, as_of, policy_id):
    pair = corrections_questions.open_pair(lab["store"], lab["older"], lab["newer"])
    frame = corrections_questions.consequences(pair, as_of, policy_id)
    found = {row.model_id: (None if pd.isna(row.status_in_a) else row.status_in_a,
                            None if pd.isna(row.status_in_b) else row.status_in_b) for row in frame.itertuples()}
    assert found == reference_changes(lab, as_of, policy_id)
    assert found  # the pair moves statuses at each of these dates
    assert set(frame["as_of"]) == {as_of}


def test_because_names_the_changed_rows(lab):
    pair = corrections_questions.open_pair(lab["store"], lab["older"], None)
    because = corrections_questions.consequences(pair, AS_OF, None).set_index("model_id")["because"]
    assert because["on-track"] == ("evaluations on-track-100-comprehensive-cbrn outcome below_threshold -> triggered; "
                                   "policies rsp-v1.0 eval_interval_days 90.0 -> 120.0")
    assert because["due-time"] == "policies rsp-v1.0 eval_interval_days 90.0 -> 120.0"
    assert because["breached"].startswith("checkpoints breached/200 effective_compute 6e+24 -> 5e+24; ")
    assert because["future-rows"].endswith("; and 4 more")  # five named, then counted
    # Under another policy, rsp-v1.0's change is no reason.
    because = corrections_questions.consequences(pair, AS_OF, "no-buffer").set_index("model_id")["because"]
    assert "policies" not in because["on-track"]


# --- The command -----------------------------------------------------------------------------------

def cli(lab, *args):
    return run_cli("--store", lab["store"], "corrections", *args)


def test_cli_csv_of_the_consequences_defaults_to_a_s_date(lab):
    result = cli(lab, "--from", lab["older"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "model_id,model_name,as_of,status_in_a,status_in_b,because"
    # A's own date is its latest row: future-rows' checkpoint and round of 2025-06-02.
    assert {line.split(",")[2] for line in lines[1:]} == {"2025-06-02"}
    assert ("on-track,On-Track,2025-06-02,on_track,triggered,evaluations on-track-100-comprehensive-cbrn outcome "
            "below_threshold -> triggered; policies rsp-v1.0 eval_interval_days 90.0 -> 120.0") in lines
    assert any(line.startswith("newcomer,Newcomer,2025-06-02,,never_evaluated,") for line in lines)
    explicit = cli(lab, "--from", lab["older"], "--to", lab["newer"], "--as-of", "2025-06-02")
    assert explicit.stdout == result.stdout


def test_cli_rows_csv_and_table(lab):
    result = cli(lab, "--from", lab["older"], "--rows")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "table,key,change,column,before,after"
    assert "evaluations,on-track-100-comprehensive-cbrn,changed,outcome,below_threshold,triggered" in lines
    assert "evaluations,triggered-200-comprehensive-cyber-v2,added,,," in lines
    assert len(lines) == 1 + len(EXPECTED_ROWS)
    table = cli(lab, "--from", lab["older"], "--rows", "--format", "table")
    assert table.returncode == 0 and table.stdout.split()[:6] == ["table", "key", "change", "column", "before", "after"]
    assert "NaN" not in table.stdout and "<NA>" not in table.stdout


def test_cli_markdown_prints_both_parts(lab):
    result = cli(lab, "--from", lab["older"], "--as-of", "2025-06-01", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.index("## Consequences") < text.index("## Row changes")
    tokens = MarkdownIt().enable("table").parse(text)
    assert sum(token.type == "table_open" for token in tokens) == 2
    assert "| on-track | On-Track | 2025-06-01 | on_track | triggered |" in text
    assert "| evaluations | on-track-100-comprehensive-cbrn | changed | outcome | below_threshold | triggered |" in text


def test_cli_no_change_between_a_snapshot_and_itself(lab):
    result = cli(lab, "--from", lab["newer"], "--to", lab["newer"], "--rows")
    assert result.returncode == 0 and result.stdout == "table,key,change,column,before,after\n"


@pytest.mark.parametrize("args, message", [
    (["--from", "20200101T000000Z-00000000"], "is not kept"),
    (["--from", "yesterday"], "is not a snapshot id"),
    (["--from", "20200101T000000Z-00000000", "--to", "<b>"], "is not a snapshot id"),
    (["--from", "NEWER", "--to", "OLDER"], "newer than"),
    (["--from", "OLDER", "--policy", "nope"], "policy 'nope' is unknown"),
    (["--from", "OLDER", "--policy", "compute-only"], "policy 'compute-only' is unknown"),  # gone from B
    (["--from", "OLDER", "--as-of", "2025-13-01"], "not a real calendar date"),
])
def test_cli_refuses_with_one_line(lab, args, message):
    args = [{"NEWER": lab["newer"], "OLDER": lab["older"]}.get(arg, arg) for arg in args]
    result = cli(lab, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert len([line for line in result.stderr.splitlines() if line.startswith(("error", "asl-dashboard"))]) == 1
