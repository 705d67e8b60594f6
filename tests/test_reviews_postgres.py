"""The reviews ledger on a real PostgreSQL server (bench/pgserver.py: 127.0.0.1, a free port, stopped
after): the same code path as the SQLite file, for a lab's `ASL_REVIEWS_URL=postgresql://...`.
Each test uses its own schema (the URL's ?schema=)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import psycopg
import pytest

import clirun
from bench import pgserver
from test_ingest_postgres import require_server_programs
from test_reviews import APPENDER, SNAPSHOT, appended_until_killed
from waits import WAIT_S
from dashboard.reviews import actions, ledger as ledger_module, model
from dashboard.reviews.ledger import LedgerError, open_ledger

REPO = Path(__file__).resolve().parent.parent
WRITER_PASSWORD = "Wr1ter-s3cret-pw"


@pytest.fixture(scope="module")
def pg():
    require_server_programs()
    with pgserver.PostgresServer() as server:
        yield server


def schema_url(pg, name: str) -> str:
    """A fresh schema and the superuser's URL to it, with the password in the URL (never printed)."""
    pg.execute(f"CREATE SCHEMA {name}")
    return pg.url(schema=name, password=pg.password)


def test_the_same_actions_and_rules_on_postgresql(pg):
    url = schema_url(pg, "same_path")
    with open_ledger(url) as ledger:
        assert ledger.location == pg.shown_url(schema="same_path")
        r1 = actions.open_review(ledger, actor="ann@lab.org", title="t", snapshot_id=SNAPSHOT, as_of="2026-12-01")
        d2 = actions.decide(ledger, r1, actor="ann@lab.org", kind="other", detail="d")
        with pytest.raises(actions.ReviewRefused, match="another person must sign it"):
            actions.sign(ledger, d2, actor="ann@lab.org", approve=True)
        actions.sign(ledger, d2, actor="bob@lab.org", approve=True)
        actions.sign(ledger, d2, actor="cy@lab.org", approve=True)
        entries = ledger.entries()
        assert entries["entry_id"].tolist() == ["R1", "D2", "S3", "S4"] and ledger.verify() == (None, "")
        assert model.reviews_frame(entries, 2)["state"].tolist() == ["decided"]
    # The rows are those the SQLite file would hold: the same hashes from the same fields.
    assert ledger_module.first_break(entries) == (None, "")


@pytest.mark.parametrize("edit, bad_row", [
    ("UPDATE {s}.ledger SET body = replace(body, '\"d1\"', '\"dX\"') WHERE seq = 3", 3),
    ("DELETE FROM {s}.ledger WHERE seq = 2", 3),
    ("UPDATE {s}.ledger SET seq = -seq WHERE seq IN (2, 3); UPDATE {s}.ledger SET seq = 3 WHERE seq = -2; "
     "UPDATE {s}.ledger SET seq = 2 WHERE seq = -3", 2),
], ids=["body", "deleted", "reordered"])
def test_verify_names_the_first_row_edited_in_the_database(pg, edit, bad_row):
    schema = f"edited_{len(edit)}"
    url = schema_url(pg, schema)
    with open_ledger(url) as ledger:
        r1 = actions.open_review(ledger, actor="ann", title="t", snapshot_id=SNAPSHOT, as_of="2026-12-01")
        for number in range(3):
            actions.decide(ledger, r1, actor="ann", kind="other", detail=f"d{number}")
    pg.execute(edit.format(s=schema))
    result = clirun.run_cli("reviews", "verify", "--reviews", url)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: the reviews ledger's chain breaks at row {bad_row}: ")
    assert pg.password not in result.stdout + result.stderr


def test_two_processes_and_two_threads_append_at_once(pg):
    url = schema_url(pg, "concurrent")
    open_ledger(url).close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [subprocess.Popen([sys.executable, "-c", APPENDER, url, person, "10"], stdout=subprocess.PIPE,
                                 text=True, cwd=REPO, env=env) for person in ("ann", "bob")]
    start = threading.Barrier(2)
    appended: list[str] = []

    def appender(person: str) -> None:
        with open_ledger(url) as own:
            start.wait(timeout=WAIT_S)
            for number in range(10):
                appended.append(own.append("review", None, {"title": f"{person} {number}"}, actor=person))

    threads = [threading.Thread(target=appender, args=(person,)) for person in ("cy", "di")]
    for thread in threads:
        thread.start()
    printed = [line for child in children for line in child.communicate(timeout=WAIT_S)[0].split()]
    for thread in threads:
        thread.join(timeout=WAIT_S)
    assert [child.returncode for child in children] == [0, 0]
    with open_ledger(url) as ledger:
        entries = ledger.entries()
        assert entries["seq"].tolist() == list(range(1, 41)) and ledger.verify() == (None, "")
        assert sorted(printed + appended) == sorted(entries["entry_id"])


def test_kill_9_during_writes_loses_nothing_acknowledged(pg):
    url = schema_url(pg, "killed")
    open_ledger(url).close()
    acknowledged = appended_until_killed(url, 50)
    with open_ledger(url) as ledger:
        assert set(acknowledged) <= set(ledger.entries()["entry_id"]) and ledger.verify() == (None, "")


def test_a_user_without_create_works_on_a_table_made_beforehand(pg):
    pg.execute(f"CREATE USER writer PASSWORD '{WRITER_PASSWORD}'")
    pg.execute("CREATE SCHEMA made_before")
    pg.execute("SET search_path TO made_before; "
               + (REPO / "dashboard/sql/reviews/create_ledger.sql").read_text())
    pg.execute("GRANT USAGE ON SCHEMA made_before TO writer; GRANT SELECT, INSERT ON made_before.ledger TO writer")
    pg.execute("CREATE SCHEMA not_made; GRANT USAGE ON SCHEMA not_made TO writer")
    url = pg.url(schema="made_before", user="writer", password=WRITER_PASSWORD)
    with open_ledger(url) as ledger:
        assert actions.open_review(ledger, actor="ann", title="t", snapshot_id=SNAPSHOT, as_of="2026-12-01") == "R1"
        assert ledger.verify() == (None, "")
    with pytest.raises(LedgerError) as refused:
        open_ledger(pg.url(schema="not_made", user="writer", password=WRITER_PASSWORD))
    message = str(refused.value)
    assert "CREATE" in message and "\n" not in message and WRITER_PASSWORD not in message


def test_failures_are_one_line_without_the_password_and_bounded(pg, monkeypatch):
    url = schema_url(pg, "failures")
    with pytest.raises(LedgerError) as wrong:
        open_ledger(pg.url(schema="failures", password="not-the-" + pg.password))
    assert "\n" not in str(wrong.value) and pg.password not in str(wrong.value)
    unreachable = pg.url(schema="failures", password=pg.password, port=pgserver.free_port())
    result = clirun.run_cli("reviews", "list", "--reviews", unreachable)
    assert result.returncode == 2 and result.stderr.startswith("error: cannot reach the reviews database postgresql://127.0.0.1:")
    assert pg.password not in result.stderr and len(result.stderr.splitlines()) == 1
    # Another appender holding the lock: the wait ends at lock_timeout, with one line.
    open_ledger(url).close()
    monkeypatch.setattr(ledger_module, "LOCK_TIMEOUT_S", 0.3)
    with pg.connect(autocommit=False) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (ledger_module.LOCK_KEY,))
        with open_ledger(url) as ledger, pytest.raises(LedgerError, match="locked by another writer for more than 0.3 s"):
            ledger.append("review", None, {}, actor="ann")
        holder.rollback()


def lab_setup_blocks() -> list[str]:
    """The SQL blocks of docs/reviews.md's "Setting up PostgreSQL for a lab", in order."""
    text = (REPO / "docs/reviews.md").read_text()
    section = text.split("## Setting up PostgreSQL for a lab", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    return [textwrap.dedent("\n".join(line.removeprefix("   ") for line in block.splitlines())) for block in blocks]


def run_statements(pg, database: str, block: str) -> None:
    """A block's statements one by one, as psql would (CREATE DATABASE refuses a transaction), with
    psql's `\\i FILE` read from the repository."""
    with psycopg.connect(host="127.0.0.1", port=pg.port, user=pg.superuser, password=pg.password,
                         dbname=database, autocommit=True) as con:
        for line in block.strip().splitlines():
            statement = (REPO / line.split()[1]).read_text() if line.startswith("\\i ") else line
            con.execute(statement)


def test_the_lab_setup_in_the_docs_works_as_written(pg, demo_store):
    """docs/reviews.md's steps, run as written: the database, the user, the schema it owns (the
    ledger made on the first run); then the stricter schema whose table another owner made, where
    the database refuses an edit through the dashboard's user. The password never in the URL and
    never printed."""
    create_user, owned_schema, strict_schema = lab_setup_blocks()
    password = "Lab-" + WRITER_PASSWORD
    run_statements(pg, pg.database, create_user.replace("change-me", password))
    run_statements(pg, "asl", owned_schema)
    url = f"postgresql://asl_reviews@127.0.0.1:{pg.port}/asl?schema=reviews"
    env = {"ASL_REVIEWS_URL": url, "PGPASSWORD": password, "LOGNAME": "ann", "USER": "ann"}

    def run(*args):
        result = clirun.run_cli("--store", demo_store, "reviews", *args, env=env)
        assert password not in result.stdout + result.stderr
        return result

    assert run("verify").stdout.splitlines()[1].startswith("0,")
    assert run("open", "--title", "owned schema").stdout == "R1\n"
    assert run("verify").returncode == 0
    run_statements(pg, "asl", "DROP SCHEMA reviews CASCADE")
    run_statements(pg, "asl", strict_schema)
    assert run("open", "--title", "strict schema").stdout == "R1\n"
    verified = run("verify")
    assert verified.returncode == 0 and verified.stdout.splitlines()[1].startswith("1,")
    with psycopg.connect(host="127.0.0.1", port=pg.port, user="asl_reviews", password=password, dbname="asl",
                         autocommit=True) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("UPDATE reviews.ledger SET recorded_by = 'mallory'")
    wrong = clirun.run_cli("reviews", "list", env={**env, "PGPASSWORD": "not-" + password})
    assert wrong.returncode == 2 and password not in wrong.stderr and len(wrong.stderr.splitlines()) == 1
