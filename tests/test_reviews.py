"""The reviews ledger (DESIGN 12): the hash chain, the approvals rule, the actions' refusals, the
SQLite file under concurrent writers and a kill -9, and the `reviews` commands.

The rules are checked on hand-made entries (ledger.chain numbers and chains them as the ledger
would) whose answers were worked out by hand; the storage on real SQLite files, edited behind the
tool's back with the sqlite3 module."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import clirun
from test_snapshots import lab_folder, quiet as quiet_progress
from waits import WAIT_S
from dashboard import settings
from dashboard import store as store_module
from dashboard.ingest import ingest
from dashboard.params import ParamError
from dashboard.questions import reviews as review_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.reviews import actions, ledger as ledger_module, model
from dashboard.reviews.actions import ReviewRefused
from dashboard.reviews.ledger import GENESIS_HASH, LedgerError, chain, first_break, open_ledger

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = "20261206T231200Z-3f9a1c2b"


def review(at: str, by: str, **body) -> dict:
    fields = {"title": "t", "snapshot_id": SNAPSHOT, "as_of": "2026-12-01", "policy": None, "model_id": None,
              "asl": None, "domain": None, "incident_category": None, "aware_at": None, **body}
    return {"kind": "review", "review_id": None, "recorded_at": at, "recorded_by": by, "body": fields}


def decision(review_id: str, at: str, by: str, kind: str = "no_action", supersedes: str | None = None, **body) -> dict:
    fields = {"kind": kind, "detail": "d", "model_id": None, "asl": None, "safeguard_id": None, "owner": None,
              "due_on": None, "supersedes": supersedes, **body}
    return {"kind": "decision", "review_id": review_id, "recorded_at": at, "recorded_by": by, "body": fields}


def signoff(review_id: str, decision_id: str, at: str, by: str, verdict: str = "approve") -> dict:
    return {"kind": "signoff", "review_id": review_id, "recorded_at": at, "recorded_by": by,
            "body": {"decision_id": decision_id, "verdict": verdict, "comment": ""}}


def t(minute: int) -> str:
    return f"2026-12-07T07:{minute:02d}:00Z"


# --- the chain -------------------------------------------------------------------------------------

def test_a_row_hash_is_sha256_of_the_canonical_json_of_its_fields():
    # Worked out by hand: the fields' canonical JSON, then sha256 of its UTF-8 bytes.
    entries = chain([review(t(0), "a@lab.org", title="Ü")])
    row = entries.iloc[0]
    assert (row["seq"], row["entry_id"], row["review_id"], row["prev_hash"]) == (1, "R1", "R1", GENESIS_HASH)
    body = ('{"as_of":"2026-12-01","asl":null,"aware_at":null,"domain":null,"incident_category":null,'
            '"model_id":null,"policy":null,"snapshot_id":"20261206T231200Z-3f9a1c2b","title":"Ü"}')
    assert row["body"] == body
    fields = json.dumps([1, "review", "R1", "R1", t(0), "a@lab.org", body, GENESIS_HASH],
                        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row["row_hash"] == hashlib.sha256(fields.encode()).hexdigest()


def _three_decisions():
    return chain([review(t(0), "a"), decision("R1", t(1), "a"), decision("R1", t(2), "a"), decision("R1", t(3), "a")])


def test_first_break_names_the_first_row_that_does_not_match():
    entries = _three_decisions()
    assert first_break(entries) == (None, "")
    assert [entries["prev_hash"].iloc[i] == entries["row_hash"].iloc[i - 1] for i in (1, 2, 3)] == [True] * 3
    edited = entries.copy()
    edited.loc[2, "body"] = edited.loc[2, "body"].replace('"d"', '"e"')
    assert first_break(edited)[0] == 3 and "content" in first_break(edited)[1]
    deleted = entries.drop(index=1).reset_index(drop=True)
    assert first_break(deleted) == (3, "row 3 follows row 1: row 2 missing (deleted?)")
    swapped = entries.copy()  # rows 2 and 3 exchange their seq: in seq order, row 2 holds the old row 3
    swapped.loc[1, "seq"], swapped.loc[2, "seq"] = 3, 2
    swapped = swapped.sort_values("seq").reset_index(drop=True)
    assert first_break(swapped)[0] == 2
    relinked = entries.copy()  # an edit whose own hash was recomputed still breaks the next row's link
    relinked.loc[1, "recorded_by"] = "mallory"
    relinked.loc[1, "row_hash"] = ledger_module.row_hash(*relinked.loc[1, ledger_module.COLUMNS[:-1]])
    assert first_break(relinked) == (3, "row 3's prev_hash is not row 2's hash (rows removed, reordered or replaced)")


# --- approvals -----------------------------------------------------------------------------------

def test_a_decision_takes_effect_with_two_approvals_from_others_and_none_rejecting():
    entries = chain([
        review(t(0), "maker"),                                   # R1
        decision("R1", t(1), "maker", kind="reclassify"),       # D2
        signoff("R1", "D2", t(2), "maker"),                      # S3: the maker's own: never counts
        signoff("R1", "D2", t(3), "ann"),                        # S4: 1 approval
        signoff("R1", "D2", t(4), "ann"),                        # S5: ann again: still 1
        signoff("R1", "D2", t(5), "bob"),                        # S6: 2 approvals: in effect at 07:05
    ])
    row = model.decisions_frame(entries, 2).iloc[0]
    assert (row["approvals"], row["rejections"], bool(row["in_effect"]), row["effective_at"]) == (2, 0, True, t(5))
    assert model.reviews_frame(entries, 2)["state"].tolist() == ["decided"]
    # Three needed: not in effect, and the review still open.
    row = model.decisions_frame(entries, 3).iloc[0]
    assert (row["approvals"], bool(row["in_effect"]), row["effective_at"]) == (2, False, None)
    assert model.reviews_frame(entries, 3)["state"].tolist() == ["open"]


def test_a_rejection_holds_a_decision_until_its_signer_changes_their_verdict():
    records = [review(t(0), "maker"), decision("R1", t(1), "maker"),
               signoff("R1", "D2", t(2), "ann"), signoff("R1", "D2", t(3), "bob"),   # in effect at 07:03
               signoff("R1", "D2", t(4), "cy", "reject")]                              # out of effect
    row = model.decisions_frame(chain(records), 2).iloc[0]
    assert (row["approvals"], row["rejections"], bool(row["in_effect"]), row["effective_at"]) == (2, 1, False, None)
    records.append(signoff("R1", "D2", t(6), "cy"))  # cy now approves: 3 approvals, in effect again at 07:06
    row = model.decisions_frame(chain(records), 2).iloc[0]
    assert (row["approvals"], row["rejections"], bool(row["in_effect"]), row["effective_at"]) == (3, 0, True, t(6))


def test_a_correction_supersedes_only_once_it_is_in_effect_itself():
    records = [review(t(0), "maker"), decision("R1", t(1), "maker"),              # R1, D2
               signoff("R1", "D2", t(2), "ann"), signoff("R1", "D2", t(3), "bob"),  # S3, S4: D2 in effect
               decision("R1", t(5), "ann", supersedes="D2"),                         # D5 corrects D2
               signoff("R1", "D5", t(6), "bob")]                                     # S6: one approval
    frame = model.decisions_frame(chain(records), 2).set_index("decision_id")
    assert bool(frame.loc["D2", "in_effect"]) and frame.loc["D2", "superseded_by"] is None
    assert not frame.loc["D5", "in_effect"]
    records.append(signoff("R1", "D5", t(7), "maker"))  # S7: the second approval (maker of D2, not of D5)
    frame = model.decisions_frame(chain(records), 2).set_index("decision_id")
    assert (bool(frame.loc["D2", "in_effect"]), frame.loc["D2", "superseded_by"], frame.loc["D2", "effective_at"]) \
        == (False, "D5", None)
    assert (bool(frame.loc["D5", "in_effect"]), frame.loc["D5", "effective_at"]) == (True, t(7))


def test_review_states_and_reports():
    entries = chain([
        review(t(0), "a", incident_category="death", aware_at=t(0)),  # R1: decided
        review(t(1), "a"),                                             # R2: closed
        review(t(2), "a"),                                             # R3: open
        decision("R1", t(3), "a"), signoff("R1", "D4", t(4), "b"), signoff("R1", "D4", t(5), "c"),
        {"kind": "close", "review_id": "R2", "recorded_at": t(6), "recorded_by": "a", "body": {}},
        {"kind": "report", "review_id": "R1", "recorded_at": t(8), "recorded_by": "b",
         "body": {"obligation_id": "eu-cop-death", "reference": "ref-1", "reported_at": t(7)}},
    ])
    reviews = model.reviews_frame(entries, 2)
    assert reviews[["review_id", "state"]].values.tolist() == [["R1", "decided"], ["R2", "closed"], ["R3", "open"]]
    assert reviews.columns.tolist() == model.REVIEW_COLUMNS
    reports = model.reports_frame(entries)
    assert reports.values.tolist() == [["P8", "R1", "eu-cop-death", "ref-1", "b", t(7)]]
    signoffs = model.signoffs_frame(entries)
    assert signoffs["signoff_id"].tolist() == ["S5", "S6"] and signoffs.columns.tolist() == model.SIGNOFF_COLUMNS


def test_the_lab_sets_the_number_of_approvals():
    assert settings.approvals_needed({}) == 2
    assert settings.approvals_needed({"ASL_REVIEW_APPROVALS": " 3 "}) == 3
    for bad in ("0", "11", "two", "-1", "2.5"):
        with pytest.raises(ParamError, match="ASL_REVIEW_APPROVALS"):
            settings.approvals_needed({"ASL_REVIEW_APPROVALS": bad})


# --- the actions on a real file ------------------------------------------------------------------

@pytest.fixture()
def ledger(tmp_path):
    with open_ledger(str(tmp_path / "asl.reviews.sqlite")) as opened:
        yield opened


def test_actions_append_checked_rows_and_refuse_in_one_line(ledger):
    r1 = actions.open_review(ledger, actor="ann", title="Cyber uplift", snapshot_id=SNAPSHOT, as_of="2026-12-01",
                             model_id="m", asl=3, incident_category="cybersecurity", aware_at="2026-12-06T09:30:00+01:00")
    d2 = actions.decide(ledger, r1, actor="ann", kind="reclassify", detail="to ASL-3\nbecause")
    with pytest.raises(ReviewRefused, match="you made this decision: another person must sign it"):
        actions.sign(ledger, d2, actor="ann", approve=True)
    assert actions.sign(ledger, d2, actor="bob", approve=True) == "S3"
    assert actions.record_report(ledger, r1, actor="bob", obligation_id="eu-cop-cybersecurity", reference="x",
                                 reported_at="2026-12-06T12:00:00Z") == "P4"
    assert actions.close_review(ledger, r1, actor="bob") == "C5"
    with pytest.raises(ReviewRefused, match="closed"):
        actions.sign(ledger, d2, actor="cy", approve=True)
    with pytest.raises(ReviewRefused, match="closed"):
        actions.decide(ledger, r1, actor="cy", kind="other", detail="late")
    entries = ledger.entries()
    assert entries["seq"].tolist() == [1, 2, 3, 4, 5] and ledger.verify() == (None, "")
    opened = model.reviews_frame(entries, 2).iloc[0]
    assert (opened["aware_at"], opened["model_id"], opened["asl"]) == ("2026-12-06T08:30:00Z", "m", 3)
    made = model.decisions_frame(entries, 1).iloc[0]  # the review's model and level filled in
    assert (made["model_id"], made["asl"], made["approvals"], bool(made["in_effect"])) == ("m", 3, 1, True)
    refusals = [
        dict(title="x" * 201), dict(title="bell\x07"), dict(title="a\u202eb"), dict(title=" "),
        dict(aware_at="2026-12-06T09:30:00"), dict(aware_at="2999-01-01T00:00:00Z"), dict(incident_category="death"),
        dict(asl=3), dict(as_of="2026-02-30"), dict(snapshot_id="latest"),
    ]
    for change in refusals:
        values = {"title": "t", "snapshot_id": SNAPSHOT, "as_of": "2026-12-01", **change}
        with pytest.raises(ReviewRefused) as refused:
            actions.open_review(ledger, actor="ann", **values)
        assert "\n" not in str(refused.value), change
    with pytest.raises(ReviewRefused, match="2,000"):
        actions.decide(ledger, "R1", actor="x", kind="other", detail="d" * 2001)
    with pytest.raises(ReviewRefused, match="no review R99"):
        actions.decide(ledger, "R99", actor="x", kind="other", detail="d")
    assert len(ledger.entries()) == 5  # nothing refused was written


def test_the_questions_list_open_reviews_first_and_detail_one(ledger):
    for title in ("a", "b", "c", "d"):  # R1 R2 R3 R4
        actions.open_review(ledger, actor="ann", title=title, snapshot_id=SNAPSHOT, as_of="2026-12-01")
    actions.close_review(ledger, "R1", actor="ann")                                 # C5
    actions.decide(ledger, "R3", actor="ann", kind="other", detail="x")             # D6
    actions.sign(ledger, "D6", actor="bob", approve=True, comment="fine")           # S7
    actions.decide(ledger, "R2", actor="ann", kind="no_action", detail="y")         # D8
    listed = review_questions.reviews_list(ledger, approvals_needed=1)
    assert listed[["review_id", "state"]].values.tolist() == [
        ["R4", "open"], ["R2", "open"], ["R3", "decided"], ["R1", "closed"]]
    detail = review_questions.review_detail(ledger, "R3", approvals_needed=1)
    assert detail.review["state"] == "decided" and detail.decisions["decision_id"].tolist() == ["D6"]
    assert detail.signoffs[["signoff_id", "signed_by", "verdict", "comment"]].values.tolist() == [
        ["S7", "bob", "approve", "fine"]]
    assert review_questions.review_decisions(ledger, "R2", 1).columns.tolist() == review_questions.SHOW_COLUMNS
    with pytest.raises(ReviewRefused, match="no review 'R9'"):
        review_questions.review_detail(ledger, "R9", 1)
    checked = review_questions.ledger_verification(ledger).iloc[0]
    assert (checked["rows"], checked["problem"], checked["last_hash"]) == (8, "", ledger.entries()["row_hash"].iloc[-1])


# --- the SQLite file: edited behind the tool's back, two writers, kill -9 ------------------------

def _filled(path: Path) -> None:
    with open_ledger(str(path)) as opened:
        r1 = actions.open_review(opened, actor="ann", title="t", snapshot_id=SNAPSHOT, as_of="2026-12-01")
        for number in range(3):
            actions.decide(opened, r1, actor="ann", kind="other", detail=f"d{number}")


def _edit(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    with con:
        for statement in statements:
            con.execute(statement)
    con.close()


@pytest.mark.parametrize("edit, bad_row", [
    (["UPDATE ledger SET body = replace(body, 'd1', 'dX') WHERE seq = 3"], 3),
    (["DELETE FROM ledger WHERE seq = 2"], 3),
    (["UPDATE ledger SET seq = -seq WHERE seq IN (2, 3)", "UPDATE ledger SET seq = 3 WHERE seq = -2",
      "UPDATE ledger SET seq = 2 WHERE seq = -3"], 2),
    (["UPDATE ledger SET recorded_by = 'mallory' WHERE seq = 4"], 4),
])
def test_verify_names_the_first_row_edited_behind_the_tools_back(tmp_path, edit, bad_row):
    path = tmp_path / "asl.reviews.sqlite"
    _filled(path)
    assert clirun.run_cli("reviews", "verify", "--reviews", path).returncode == 0
    _edit(path, *edit)
    result = clirun.run_cli("reviews", "verify", "--reviews", path, "--format", "csv")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: the reviews ledger's chain breaks at row {bad_row}: ")
    assert result.stdout.splitlines()[1].split(",")[1] == str(bad_row)


def test_two_writers_at_once_both_land_without_a_gap(tmp_path):
    path = str(tmp_path / "asl.reviews.sqlite")
    with open_ledger(path) as opened:
        review_id = actions.open_review(opened, actor="maker", title="t", snapshot_id=SNAPSHOT, as_of="2026-12-01")
        decision_id = actions.decide(opened, review_id, actor="maker", kind="other", detail="d")
    start = threading.Barrier(2)
    signed: list[str] = []

    def signer(person: str) -> None:
        with open_ledger(path) as own:  # each thread its own connection, as each process would
            start.wait(timeout=WAIT_S)
            for _ in range(10):
                signed.append(actions.sign(own, decision_id, actor=person, approve=True))

    threads = [threading.Thread(target=signer, args=(person,)) for person in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_S)
    with open_ledger(path) as opened:
        entries = opened.entries()
        assert entries["seq"].tolist() == list(range(1, 23)) and len(set(signed)) == 20
        assert opened.verify() == (None, "")
        row = model.decisions_frame(entries, 2).iloc[0]
        assert (row["approvals"], bool(row["in_effect"])) == (2, True)  # each person once


def test_two_processes_appending_at_once(tmp_path):
    path = tmp_path / "asl.reviews.sqlite"
    open_ledger(str(path)).close()
    children = [subprocess.Popen([sys.executable, "-c", APPENDER, str(path), person, "15"],
                                 stdout=subprocess.PIPE, text=True, cwd=REPO, env=_child_env())
                for person in ("ann", "bob")]
    printed = [child.communicate(timeout=WAIT_S)[0].split() for child in children]
    assert [child.returncode for child in children] == [0, 0]
    with open_ledger(str(path)) as opened:
        entries = opened.entries()
        assert entries["seq"].tolist() == list(range(1, 31)) and opened.verify() == (None, "")
        assert sorted(printed[0] + printed[1], key=lambda e: int(e[1:])) == entries["entry_id"].tolist()


APPENDER = """
import sys
from dashboard.reviews.ledger import open_ledger
path, person, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open_ledger(path) as ledger:
    for number in range(count):
        print(ledger.append("review", None, {"title": f"{person} {number}"}, actor=person), flush=True)
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    return env


def appended_until_killed(location: str, count: int) -> list[str]:
    """Start a child appending to the ledger in a loop, printing each id once its COMMIT returned;
    kill -9 it after count ids; every id it printed."""
    child = subprocess.Popen([sys.executable, "-c", APPENDER, location, "ann", "1000000"], stdout=subprocess.PIPE,
                             text=True, cwd=REPO, env=_child_env())
    acknowledged = []
    try:
        while len(acknowledged) < count:
            line = child.stdout.readline()
            assert line, "the appender stopped early"
            acknowledged.append(line.strip())
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=WAIT_S)
    assert child.returncode == -signal.SIGKILL
    return acknowledged + [line.strip() for line in child.stdout.read().splitlines() if line.strip()]


def test_kill_9_during_writes_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "asl.reviews.sqlite"
    open_ledger(str(path)).close()
    acknowledged = appended_until_killed(str(path), 200)
    with open_ledger(str(path)) as opened:
        assert set(acknowledged) <= set(opened.entries()["entry_id"]) and opened.verify() == (None, "")


def test_an_empty_ledger_lists_its_columns_in_every_format(tmp_path):
    path = tmp_path / "asl.reviews.sqlite"
    header = ",".join(model.REVIEW_COLUMNS)
    assert clirun.run_cli("reviews", "list", "--reviews", path).stdout == header + "\n"
    assert clirun.run_cli("reviews", "list", "--reviews", path, "--format", "table").stdout == header.replace(",", " ") + "\n"
    assert clirun.run_cli("reviews", "list", "--reviews", path, "--format", "markdown").stdout.startswith("| review_id |")


def test_a_ledger_that_cannot_be_opened_is_one_line(tmp_path):
    with pytest.raises(LedgerError, match="does not exist"):
        open_ledger(str(tmp_path / "missing" / "x.sqlite"))
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(LedgerError) as failed:
        open_ledger(str(tmp_path / "junk.sqlite"))
    assert "\n" not in str(failed.value)
    with pytest.raises(LedgerError, match="neither a file path nor"):
        open_ledger("mysql://user:hunter2@host/db")
    assert "hunter2" not in ledger_module.shown_location("postgresql://u:hunter2@h/db")


def test_a_writer_waits_a_bounded_time_then_says_so(tmp_path, monkeypatch):
    path = str(tmp_path / "asl.reviews.sqlite")
    open_ledger(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(ledger_module, "BUSY_TIMEOUT_S", 0.2)
    try:
        with open_ledger(path) as waiting, pytest.raises(LedgerError, match="locked by another writer for more than 0.2 s"):
            waiting.append("review", None, {}, actor="ann")
    finally:
        holder.rollback()
        holder.close()


# --- the commands ----------------------------------------------------------------------------------

def test_the_commands_open_decide_sign_show_and_refuse(demo_store, tmp_path):
    ledger_path = tmp_path / "reviews.sqlite"
    base = ["--store", demo_store, "reviews"]

    def run(*args, user="ann"):
        return clirun.run_cli(*base, *args, "--reviews", ledger_path,
                              env={"LOGNAME": user, "USER": user, "LNAME": None, "USERNAME": None})

    opened = run("open", "--title", "Cobalt 3 bio eval", "--model", "cobalt-3", "--asl", "4",
                 "--incident-category", "critical_safety_incident", "--aware-at", "2026-11-30T12:00:00Z")
    assert (opened.returncode, opened.stdout) == (0, "R1\n")
    assert opened.stderr == "recorded as os:ann (the operating-system user)\n"
    assert run("decide", "R1", "--kind", "reclassify", "--detail", "to ASL-4").stdout == "D2\n"
    refused = run("sign", "D2", "--approve")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == "error: you made this decision: another person must sign it\n"
    assert run("sign", "D2", "--approve", user="bob").stdout == "S3\n"
    assert run("sign", "D2", "--approve", "--comment", "agreed", user="cy").stdout == "S4\n"
    shown = run("show", "R1")
    assert shown.stdout.splitlines()[0] == "decision_id,kind,detail,made_by,made_at,approvals,rejections,in_effect"
    assert shown.stdout.splitlines()[1].startswith("D2,reclassify,to ASL-4,os:ann,")
    assert shown.stdout.splitlines()[1].endswith(",2,0,true")
    listed = run("list", "--format", "markdown").stdout.splitlines()
    assert listed[0].startswith("| review_id | title |") and "| decided |" in listed[2]
    with open_ledger(str(ledger_path)) as opened_ledger:
        pinned = model.reviews_frame(opened_ledger.entries(), 2).iloc[0]
    assert pinned["snapshot_id"] and pinned["as_of"]  # the latest snapshot and its own date
    unknown = run("open", "--title", "x", "--model", "no-such-model", "--asl", "3")
    assert (unknown.returncode, unknown.stderr) == (2, "error: model 'no-such-model' is unknown in this snapshot\n")
    assert run("decide", "R1", "--kind", "reclassify", "--detail", "x", "--asl", "99").returncode == 2
    unknown = run("decide", "R1", "--kind", "add_safeguard", "--detail", "x", "--safeguard", "no-such",
                  "--owner", "ops", "--due", "2027-01-15")
    assert (unknown.returncode, unknown.stderr) == (2, "error: safeguard 'no-such' is unknown in the review's snapshot\n")
    assert run("decide", "R1", "--kind", "add_safeguard", "--detail", "x", "--safeguard", "input_classifier",
               "--owner", "ops", "--due", "2027-01-15").stdout == "D5\n"
    assert run("close", "R1").stdout == "C6\n"
    assert run("sign", "D5", "--approve", user="bob").stderr == "error: review R1 is closed: open a new review\n"
    assert run("verify").returncode == 0


def test_open_pins_the_given_snapshot_or_the_latest_and_never_writes_the_store(tmp_path):
    store = tmp_path / "lab.duckdb"
    older = ingest(lab_folder(tmp_path, 1000), store, progress=quiet_progress).snapshot_id
    latest = ingest(lab_folder(tmp_path, 1500), store, progress=quiet_progress).snapshot_id
    before = hashlib.sha256(store.read_bytes()).hexdigest(), sorted(path.name for path in tmp_path.rglob("*.duckdb"))
    pinned_older = clirun.run_cli("--store", store, "reviews", "open", "--title", "then", "--snapshot", older)
    pinned_latest = clirun.run_cli("--store", store, "reviews", "open", "--title", "now", "--as-of", "2025-06-01",
                                   "--model", "base", "--asl", "3", "--domain", "cbrn")
    assert (pinned_older.stdout, pinned_latest.stdout) == ("R1\n", "R2\n"), pinned_latest.stderr
    with open_ledger(str(tmp_path / "lab.reviews.sqlite")) as opened:  # the file beside the store
        reviews = model.reviews_frame(opened.entries(), 2).set_index("review_id")
    older_date = snapshot_questions.snapshot_date(store_module.open_snapshot(store, older)).isoformat()
    assert (reviews.loc["R1", "snapshot_id"], reviews.loc["R1", "as_of"]) == (older, older_date)
    assert reviews.loc["R2", ["snapshot_id", "as_of", "model_id", "asl", "domain"]].tolist() == [
        latest, "2025-06-01", "base", 3, "cbrn"]
    # A date after the snapshot's own is accepted, as on the pages, and said as the other commands say it.
    latest_date = snapshot_questions.snapshot_date(store_module.open_snapshot(store, latest))
    later = (latest_date + dt.timedelta(days=30)).isoformat()
    after_snapshot = clirun.run_cli("--store", store, "reviews", "open", "--title", "later", "--as-of", later)
    assert after_snapshot.stdout == "R3\n"
    assert after_snapshot.stderr.splitlines()[0] == (
        f"note: as of {later} is after the snapshot's date {latest_date.isoformat()}: nothing after that date is known")
    after = hashlib.sha256(store.read_bytes()).hexdigest(), sorted(path.name for path in tmp_path.rglob("*.duckdb"))
    assert after == before  # reviews live beside the store, never in a snapshot


@pytest.mark.parametrize("typed", ["postgresql://lead:S3cretPW@db/asl", "\x1b[31m2026-12-07\x07", "9" * 41,
                                   "2026-12-07T07:05:00Z<script>"])
def test_a_moment_that_is_not_one_is_refused_in_one_line_without_repeating_it(typed):
    with pytest.raises(ReviewRefused) as refused:
        actions.parse_moment("reported_at", typed)
    message = str(refused.value)
    assert message == "reported_at is not a moment: write it as 2026-12-07T07:05:00Z"
    assert "S3cretPW" not in message and "\n" not in message
