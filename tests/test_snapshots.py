"""The snapshot history (DESIGN 11): the retention rule on hand-worked cases (pure, fake clock),
then real ingests into a real store: unchanged data adds no snapshot, a changed one does, retention
removes old ones while a reader that holds one open keeps reading it, and the command line reprints
a snapshot's output byte for byte after later ingests; unknown, removed and malformed ids."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

import pytest

from clirun import run_cli
from dashboard import store as store_module
from dashboard.ingest import ensure_store, ingest
from dashboard.params import ParamError, carried_scope, check_snapshot_id
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import status_frame
from dashboard.snapshots import (Retention, UnknownSnapshot, history_dir, is_snapshot_id, list_snapshots,
                                 make_snapshot_id, published_at_of, resolve_snapshot, snapshots_to_keep)
from labdata import reclassify_tables, write_folder


def ids(*times: str) -> list[str]:
    """Ids published at the given times (YYYY-MM-DD HH:MM), each with its own content hash."""
    return [make_snapshot_id(dt.datetime.fromisoformat(time), f"{index:08x}") for index, time in enumerate(times)]


# --- The id -----------------------------------------------------------------------------------------

def test_an_id_is_the_publish_time_and_the_start_of_the_content_hash():
    snapshot_id = make_snapshot_id(dt.datetime(2026, 12, 6, 23, 12, 0, 999), "3f9a1c2b" + "0" * 56)
    assert snapshot_id == "20261206T231200Z-3f9a1c2b"
    assert is_snapshot_id(snapshot_id) and published_at_of(snapshot_id) == dt.datetime(2026, 12, 6, 23, 12)
    aware = dt.datetime(2026, 12, 7, 0, 12, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert make_snapshot_id(aware, "3f9a1c2b") == snapshot_id  # UTC whatever the zone given
    for bad in ("", "20261206T231200Z-3F9A1C2B", "20261206T231200Z-3f9a1c2", "20261206T231200-3f9a1c2b",
                "../asl", "20261206T231200Z-3f9a1c2b.duckdb", "x;DROP TABLE models"):
        assert not is_snapshot_id(bad)


def test_a_malformed_id_is_refused_in_params_with_its_form():
    assert check_snapshot_id(None) is None and check_snapshot_id("") is None
    assert check_snapshot_id("20261206T231200Z-3f9a1c2b") == "20261206T231200Z-3f9a1c2b"
    with pytest.raises(ParamError, match="is not a snapshot id: it looks like 20261206T231200Z-3f9a1c2b"):
        check_snapshot_id("<b>latest</b>")


# --- Retention (pure, hand-worked) -----------------------------------------------------------------

def test_retention_keeps_the_last_n_the_newest_of_each_recent_day_and_the_pinned():
    # Six snapshots over five days; now is 2026-01-05 13:00. keep_last=2 keeps 01-05 12:00 and
    # 01-03 18:00. daily_days=3 covers 01-05, 01-04 and 01-03: the newest of each is 01-05 12:00,
    # none, 01-03 18:00 (the same two). 01-03 08:00, 01-02 and 01-01 go, unless pinned: 01-01 10:00 is.
    j1a, j1b, j2, j3a, j3b, j5 = ids("2026-01-01 10:00", "2026-01-01 20:00", "2026-01-02 09:00",
                                     "2026-01-03 08:00", "2026-01-03 18:00", "2026-01-05 12:00")
    now = dt.datetime(2026, 1, 5, 13, 0)
    every = [j1a, j1b, j2, j3a, j3b, j5]
    rule = Retention(keep_last=2, daily_days=3)
    assert snapshots_to_keep(every, now, rule) == {j5, j3b}
    assert snapshots_to_keep(every, now, rule, pinned={j1a, "20200101T000000Z-00000000"}) == {j5, j3b, j1a}
    # A day later (01-06 13:00) the window is 01-06, 01-05, 01-04: 01-03 18:00 stays only as one of the last 2.
    assert snapshots_to_keep(every, dt.datetime(2026, 1, 6, 13, 0), Retention(keep_last=1, daily_days=3)) == {j5}


def test_the_default_keeps_one_a_day_for_90_days_and_the_last_ten_whatever_their_age():
    # One snapshot a day at 23:00 from 2026-01-01 to 2026-04-10 (100 days; 2026-04-10 is day 100 of
    # the year). At 2026-04-10 23:30 the 90 days are day 11 to day 100: 2026-01-11 .. 2026-04-10.
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(100)]
    every = ids(*(f"{day.isoformat()} 23:00" for day in days))
    kept = snapshots_to_keep(every, dt.datetime(2026, 4, 10, 23, 30))
    assert len(kept) == 90 and min(kept) == every[10] and every[10].startswith("20260111T230000Z")
    # Fifteen snapshots on one day 200 days ago and nothing since: the ten newest stay (nothing else).
    old = ids(*(f"2025-06-01 {hour:02d}:00" for hour in range(15)))
    assert snapshots_to_keep(old, dt.datetime(2025, 12, 18)) == set(old[5:])
    # Three a day for two recent days, keep_last 1: the newest of each day.
    recent = ids("2026-03-01 08:00", "2026-03-01 12:00", "2026-03-01 16:00",
                 "2026-03-02 08:00", "2026-03-02 12:00", "2026-03-02 16:00")
    assert snapshots_to_keep(recent, dt.datetime(2026, 3, 2, 17), Retention(keep_last=1)) == {recent[2], recent[5]}
    assert snapshots_to_keep([], dt.datetime(2026, 3, 2)) == set()


def test_a_retention_that_would_drop_the_latest_is_refused():
    with pytest.raises(ValueError):
        Retention(keep_last=0)
    with pytest.raises(ValueError):
        Retention(daily_days=-1)


# --- Real ingests ----------------------------------------------------------------------------------

def quiet(_message):
    pass


def lab_folder(root, requests_of_d1: int):
    tables = reclassify_tables()
    tables["deployments"][0]["monthly_requests"] = str(requests_of_d1)
    folder = root / f"lab-{requests_of_d1}"
    if folder.exists():
        shutil.rmtree(folder)
    return write_folder(folder, tables)


AT_RISK = ("at-risk", "--model", "base", "--asl", "3", "--domain", "cbrn", "--as-of", "2025-06-01")


def test_history_unchanged_ingest_retention_open_reader_and_exact_reprint(tmp_path):
    store = tmp_path / "lab.duckdb"
    first = ingest(lab_folder(tmp_path, 1000), store, progress=quiet)
    a = first.snapshot_id
    assert is_snapshot_id(a) and [entry.snapshot_id for entry in list_snapshots(store)] == [a]
    assert history_dir(store) == tmp_path / "lab.snapshots"
    assert (history_dir(store) / f"{a}.duckdb").stat().st_ino == store.stat().st_ino  # a hard link, no copy
    assert store_module.read_identity(store)[0] == a  # the file names itself
    status_a = run_cli("--store", store, "status", "--snapshot", a)
    at_risk_a = run_cli("--store", store, *AT_RISK, "--snapshot", a)
    brief_a = run_cli("--store", store, "brief", *AT_RISK[1:], "--snapshot", a)
    assert status_a.returncode == at_risk_a.returncode == brief_a.returncode == 0
    assert f"snapshot id {a}" in brief_a.stdout and f"snapshot={a}" in brief_a.stdout

    # The same data again: nothing published, and it says so.
    again = ingest(lab_folder(tmp_path, 1000), store, progress=quiet)
    assert again.unchanged and again.snapshot_id == a and "Unchanged" in again.summary()
    assert [entry.snapshot_id for entry in list_snapshots(store)] == [a]

    # Changed data: a second snapshot, newest first, and the store holds it.
    b = ingest(lab_folder(tmp_path, 1500), store, progress=quiet).snapshot_id
    assert b > a and [entry.snapshot_id for entry in list_snapshots(store)] == [b, a]
    # The latest by id is the store itself (its history entry is a hard link); caches key on the id.
    assert store_module.open_snapshot(store, b) is store_module.snapshot(store)
    assert store_module.open_snapshot(store, a).cache_key == a and store_module.snapshot(store).cache_key == b
    assert run_cli("--store", store, *AT_RISK).stdout != at_risk_a.stdout  # the latest differs...
    for args, before in (((*AT_RISK, "--snapshot", a), at_risk_a), (("status", "--snapshot", a), status_a),
                         (("brief", *AT_RISK[1:], "--snapshot", a), brief_a)):
        assert run_cli("--store", store, *args).stdout == before.stdout  # ...snapshot A reprints byte for byte
    listing = run_cli("--store", store, "snapshots")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0] == "snapshot_id,published_at,source,dataset,snapshot_date,rows,bytes"
    assert [line.split(",")[0] for line in lines[1:]] == [b, a]

    # A reader holds A open; an ingest with keep-last 1 removes A (and B) from the history.
    holder = store_module.open_snapshot(store, a)
    scope = ViewScope(dt.date(2025, 6, 1), None, False, a)
    figures = status_frame.uncached(holder, scope)
    c_result = ingest(lab_folder(tmp_path, 2000), store, progress=quiet, retention=Retention(keep_last=1, daily_days=0))
    c = c_result.snapshot_id
    assert c_result.removed == [a, b] and [entry.snapshot_id for entry in list_snapshots(store)] == [c]
    assert not (history_dir(store) / f"{a}.duckdb").exists()
    assert status_frame.uncached(holder, scope).equals(figures)  # still readable, the same rows
    holder.close()

    # A removed id: one line naming the oldest kept, on the command line and from the store.
    with pytest.raises(UnknownSnapshot, match=f"snapshot {a} is not kept .* the oldest kept is {c}"):
        resolve_snapshot(store, a)
    gone = run_cli("--store", store, "status", "--snapshot", a)
    assert gone.returncode == 2 and gone.stdout == ""
    assert gone.stderr.startswith(f"error: snapshot {a} is not kept") and "Traceback" not in gone.stderr
    malformed = run_cli("--store", store, "status", "--snapshot", "'; DROP TABLE models")
    assert malformed.returncode == 2 and "is not a snapshot id" in malformed.stderr


def outdated_copy(store: Path, target: Path) -> Path:
    """A copy of store as an older version published it: policies without required_domains."""
    shutil.copy(store, target)
    with duckdb.connect(str(target)) as database:
        database.execute("ALTER TABLE policies DROP COLUMN required_domains")
    return target


def test_a_store_from_an_older_version_is_refused_in_one_line(demo_store, tmp_path):
    old = outdated_copy(demo_store, tmp_path / "old.duckdb")
    result = run_cli("status", "--store", old)
    assert result.returncode != 0 and "older version" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_bundled_demo_store_from_an_older_version_is_built_again(demo_store, tmp_path, monkeypatch):
    old = outdated_copy(demo_store, tmp_path / "asl.duckdb")
    monkeypatch.setattr(store_module, "DEFAULT_STORE", old)
    said = []
    assert ensure_store(old.resolve(), say=said.append) == old.resolve()
    assert any("older version" in line for line in said)
    assert len(run_cli("status", "--store", old).stdout.splitlines()) > 1


def test_page_menu_links_carry_only_a_well_formed_view():
    sid = "20261206T231200Z-3f9a1c2b"
    assert carried_scope({"as_of": ["2025-06-01"], "policy": ["rsp-v2.0"], "snapshot": [sid]}) == \
        {"as_of": "2025-06-01", "policy": "rsp-v2.0", "snapshot": sid}
    assert carried_scope({"as_of": [], "policy": [], "snapshot": []}) == {}
    # Malformed, markup or repeated values stay behind: the page they were on already said why.
    assert carried_scope({"as_of": ["2025-6-1"], "policy": ["<b>x</b>"], "snapshot": [sid, sid]}) == {}
    assert carried_scope({"policy": ["a" * 65], "snapshot": ["../etc"]}) == {}
