"""PostgreSQL as an ingest source, against a real server the tests start themselves.

bench/pgserver.py runs Debian's PostgreSQL (initdb into a temporary folder, 127.0.0.1, a free port,
as `nobody` when the tests run as root). The demo data (data/demo) is loaded into schemas:

- lab: the contract's tables with PostgreSQL types (dates, timestamptz, float8, bigint, boolean);
- own + mapped: the lab's "own" differently named tables (renamed columns, an array, numeric, an
  enum, a yes/no text flag) and a schema of views over them, as docs/operations.md tells a lab to do;
- broken: every column text, so bad values can be stored and refused.

Every ingest runs through the command line, as a scheduled job would.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import clirun
from bench import pgserver
from waits import WAIT_S
from dashboard.snapshots import list_snapshots
from dashboard.store import read_identity
from dashboard.ingest import ingest
from dashboard.ingest.postgres import PostgresSource, SourceURL
from dashboard.ingest.postgres.failures import first_line
from dashboard.ingest.problems import SourceError
from dashboard.store import DEMO_DIR
from dashboard.tables import TABLES

REPO = Path(__file__).resolve().parent.parent
READER_PASSWORD = "s3cret-Reader-pw"

# How a lab maps its own tables: the views docs/operations.md shows, over tables with other names.
MAPPED_SCHEMA_SQL = """
CREATE SCHEMA own;
CREATE TYPE own.deployment_state AS ENUM ('onboarding', 'active', 'paused', 'ended');
CREATE TABLE own.policy_book AS SELECT * FROM lab.policies;
CREATE TABLE own.levels AS SELECT * FROM lab.asl_levels;
CREATE TABLE own.controls AS SELECT safeguard_id AS control, name, kind, description FROM lab.safeguards;
CREATE TABLE own.level_controls AS SELECT asl_level, safeguard_id AS control FROM lab.asl_required_safeguards;
CREATE TABLE own.model_registry AS SELECT model_id AS id, name AS display_name, family, parent_model_id AS parent,
    derivation, asl_level, policy_id, status FROM lab.models;
CREATE TABLE own.training_checkpoints AS SELECT model_id AS model, step, recorded_at AS at, training_flop,
    effective_compute FROM lab.checkpoints;
CREATE TABLE own.eval_results AS SELECT * FROM lab.evaluations;
CREATE TABLE own.accounts AS SELECT customer_id AS account_id, name, segment, sector, region,
    CASE WHEN business_critical THEN 'yes' WHEN NOT business_critical THEN 'no' END AS critical FROM lab.customers;
CREATE TABLE own.contracts AS SELECT deployment_id AS id, model_id, customer_id AS account_id, surface, use_case,
    string_to_array(risk_domains, ';') AS domains, status::own.deployment_state AS state, started_at, ended_at,
    monthly_requests::numeric AS requests, 'internal note' AS note FROM lab.deployments;
CREATE TABLE own.contract_controls AS SELECT deployment_id AS contract, safeguard_id AS control FROM lab.deployment_safeguards;
CREATE TABLE own.level_log AS SELECT * FROM lab.asl_history;
CREATE TABLE own.regulatory_clocks AS SELECT obligation_id AS clock_id, name, jurisdiction, threshold_flop, measure,
    clock, deadline_days, applies_from, source, deadline_hours AS hours, categories AS incident_kinds FROM lab.obligations;
CREATE TABLE own.filings AS SELECT obligation_id AS clock_id, model_id, done_on AS filed_on, reference
    FROM lab.obligation_records;
CREATE SCHEMA mapped;
CREATE VIEW mapped.policies AS SELECT * FROM own.policy_book;
CREATE VIEW mapped.asl_levels AS SELECT * FROM own.levels;
CREATE VIEW mapped.safeguards AS SELECT control AS safeguard_id, name, kind, description FROM own.controls;
CREATE VIEW mapped.asl_required_safeguards AS SELECT asl_level, control AS safeguard_id FROM own.level_controls;
CREATE VIEW mapped.models AS SELECT id AS model_id, display_name AS name, family, parent AS parent_model_id,
    derivation, asl_level, policy_id, status FROM own.model_registry;
CREATE VIEW mapped.checkpoints AS SELECT model AS model_id, step, at AS recorded_at, training_flop, effective_compute
    FROM own.training_checkpoints;
CREATE VIEW mapped.evaluations AS SELECT * FROM own.eval_results;
CREATE VIEW mapped.customers AS SELECT account_id AS customer_id, name, segment, sector, region,
    critical = 'yes' AS business_critical FROM own.accounts;
CREATE VIEW mapped.deployments AS SELECT id AS deployment_id, model_id, account_id AS customer_id, surface, use_case,
    domains AS risk_domains, state AS status, started_at, ended_at, requests AS monthly_requests, note FROM own.contracts;
CREATE VIEW mapped.deployment_safeguards AS SELECT contract AS deployment_id, control AS safeguard_id
    FROM own.contract_controls;
CREATE VIEW mapped.asl_history AS SELECT * FROM own.level_log;
CREATE VIEW mapped.obligations AS SELECT clock_id AS obligation_id, name, jurisdiction, threshold_flop, measure, clock,
    deadline_days, applies_from, source, hours AS deadline_hours, incident_kinds AS categories FROM own.regulatory_clocks;
CREATE VIEW mapped.obligation_records AS SELECT clock_id AS obligation_id, model_id, filed_on AS done_on, reference
    FROM own.filings;
"""



def documented_role_sql() -> str:
    """The documented read-only role, word for word (docs/operations.md: "Point the dashboard at your
    database"), for the schema of views `mapped`: the role gets nothing on the lab's own schema."""
    text = (REPO / "docs" / "operations.md").read_text()
    start = text.index("CREATE ROLE asl_reader")
    block = text[start:text.index("```", start)]
    return block.replace("'...'", f"'{READER_PASSWORD}'").replace("asl_dashboard", "mapped")

# A view that stops for a minute in the middle of the checkpoints (after the rows before it are sent).
SLOW_SCHEMA_SQL = """
CREATE SCHEMA slow;
CREATE VIEW slow.checkpoints AS SELECT c.* FROM lab.checkpoints c
    CROSS JOIN LATERAL (SELECT pg_sleep(CASE WHEN c.model_id = 'cobalt-1' AND c.step = 1000 THEN 60 ELSE 0 END)) pause;
"""


def require_server_programs() -> None:
    """Skip without PostgreSQL's server programs (fail in CI, which must run these tests)."""
    if not pgserver.available():
        if os.environ.get("CI") == "true":
            pytest.fail("no PostgreSQL server programs: CI must run these tests (apt-get install postgresql)")
        pytest.skip("PostgreSQL's initdb/pg_ctl not found: apt-get install postgresql")


@pytest.fixture(scope="session")
def pg():
    require_server_programs()
    with pgserver.PostgresServer() as server:
        server.load_folder(DEMO_DIR, "lab")
        server.load_folder(DEMO_DIR, "broken", typed=False)
        server.execute(MAPPED_SCHEMA_SQL)
        server.execute(documented_role_sql())
        server.execute(SLOW_SCHEMA_SQL)
        for spec in TABLES:
            if spec.name != "checkpoints":
                server.execute(f"CREATE VIEW slow.{spec.name} AS SELECT * FROM lab.{spec.name}")
        yield server


def run_cli(*args: str, env: dict | None = None, password: str | None = None) -> subprocess.CompletedProcess:
    """The command line in-process, with no source URL or password from this machine's environment."""
    return clirun.run_cli(*args, env={"ASL_SOURCE_URL": None, "PGPASSWORD": password, **(env or {})})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def published(tmp_path, demo_store) -> Path:
    """A store already published (the CSV demo), that a failed ingest must leave byte-identical."""
    store = tmp_path / "store" / "asl.duckdb"
    store.parent.mkdir()
    shutil.copy(demo_store, store)
    return store


def assert_refused(result: subprocess.CompletedProcess, store: Path, before: str, code: int) -> list[str]:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert sha256(store) == before
    assert [p.name for p in store.parent.iterdir() if ".build-" in p.name] == []
    return result.stderr.strip().splitlines()


def ingest_pg(store: Path, url: str, *extra: str, password: str | None = None) -> subprocess.CompletedProcess:
    return run_cli("--store", str(store), "ingest", url, *extra, password=password)


# --- The same answers as the CSV ingest ------------------------------------------------------------

SCENARIOS = [("status",), ("status", "--as-of", "2026-03-01", "--policy", "fsf-v1.0", "--format", "table"),
             ("at-risk", "--model", "cobalt-1", "--asl", "3", "--domain", "cbrn")]


_CSV_OUTPUTS: dict[tuple, subprocess.CompletedProcess] = {}


def same_outputs(store: Path, csv_store: Path) -> None:
    for scenario in SCENARIOS:
        if (csv_store, scenario) not in _CSV_OUTPUTS:
            _CSV_OUTPUTS[(csv_store, scenario)] = run_cli("--store", str(csv_store), *scenario)
        expected = _CSV_OUTPUTS[(csv_store, scenario)]
        got = run_cli("--store", str(store), *scenario)
        assert expected.returncode == 0 and expected.stdout.count("\n") > 3, expected.stderr
        assert got.stdout == expected.stdout, scenario


def published_tables(store: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        names = [row[0] for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name <> 'snapshot_info'").fetchall()]
        return {name: sorted(con.table(name).fetchall(), key=repr) for name in names}
    finally:
        con.close()


def snapshot_info(store: Path) -> dict:
    con = duckdb.connect(str(store), read_only=True)
    try:
        frame = con.table("snapshot_info").df()
    finally:
        con.close()
    return frame.iloc[0].to_dict()


def test_demo_schema_gives_what_the_csv_ingest_gives(pg, tmp_path, demo_store):
    store = tmp_path / "pg.duckdb"
    # The URL from ASL_SOURCE_URL (no argument), the password from PGPASSWORD, as a cron job would.
    result = run_cli("--store", str(store), "ingest", env={"ASL_SOURCE_URL": pg.url(schema="lab")}, password=pg.password)
    assert result.returncode == 0, result.stderr
    assert "Published" in result.stderr and "checkpoints 14,000" in result.stderr
    assert pg.password not in result.stderr
    same_outputs(store, demo_store)
    assert published_tables(store) == published_tables(demo_store)
    info = snapshot_info(store)
    assert info["source"] == pg.shown_url("lab")
    assert info["dataset"] == "lab"
    assert info["snapshot_date"] == snapshot_info(demo_store)["snapshot_date"]


def test_a_schema_of_views_over_the_labs_own_tables_with_a_read_only_role(pg, tmp_path, demo_store):
    store = tmp_path / "mapped.duckdb"
    url = pg.url(schema="mapped", user="asl_reader", password=READER_PASSWORD)
    result = run_cli("--store", str(store), "ingest", "--dataset", "Our lab", env={"ASL_SOURCE_URL": url})
    assert result.returncode == 0, result.stderr
    # The view's extra column is ignored with a warning, as a CSV file's would be.
    assert "warning: deployments: ignoring unknown column(s) note" in result.stderr
    assert READER_PASSWORD not in result.stderr
    same_outputs(store, demo_store)
    expected = published_tables(demo_store)
    expected["public_models"] = []  # an optional table the schema does not have
    assert published_tables(store) == expected
    info = snapshot_info(store)
    assert info["source"] == pg.shown_url("mapped")  # recorded without user-info
    assert READER_PASSWORD not in repr(info)


def test_every_table_is_read_as_of_one_moment(pg, tmp_path, demo_store):
    """Three tables pause while read, holding every reader; a deployment committed meanwhile, before
    the deployments are read, is not in the snapshot (a READ COMMITTED read would publish it)."""
    pg.execute("""
        CREATE SCHEMA IF NOT EXISTS moment;
        CREATE OR REPLACE VIEW moment.checkpoints AS SELECT c.* FROM lab.checkpoints c
            CROSS JOIN LATERAL (SELECT pg_sleep(CASE WHEN c.model_id = 'aster-1' AND c.step = 50 THEN 4 ELSE 0 END)) p;
        CREATE OR REPLACE VIEW moment.evaluations AS SELECT e.* FROM lab.evaluations e
            CROSS JOIN LATERAL (SELECT pg_sleep(CASE WHEN e.eval_id = 'ev-0000001' THEN 4 ELSE 0 END)) p;
        CREATE OR REPLACE VIEW moment.customers AS SELECT c.* FROM lab.customers c
            CROSS JOIN LATERAL (SELECT pg_sleep(CASE WHEN c.customer_id = 'cust-00001' THEN 4 ELSE 0 END)) p;
    """)
    for spec in TABLES:
        if spec.name not in ("checkpoints", "evaluations", "customers"):
            pg.execute(f"CREATE OR REPLACE VIEW moment.{spec.name} AS SELECT * FROM lab.{spec.name}")
    store = tmp_path / "moment.duckdb"
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "--store", str(store), "ingest",
                                pg.url(schema="moment")], cwd=REPO, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "PGPASSWORD": pg.password})
    try:
        with pg.connect() as admin:
            deadline = time.monotonic() + WAIT_S
            while len(admin.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = 'asl-dashboard ingest' "
                                    "AND wait_event = 'PgSleep'").fetchall()) < 3:
                assert time.monotonic() < deadline and process.poll() is None, "the readers never paused"
                time.sleep(0.05)
            admin.execute("INSERT INTO lab.deployments SELECT 'dep-late', model_id, customer_id, surface, use_case, "
                          "risk_domains, status, started_at, ended_at, monthly_requests FROM lab.deployments "
                          "WHERE deployment_id = 'dep-0000001'")
        _stdout, stderr = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
        pg.execute("DELETE FROM lab.deployments WHERE deployment_id = 'dep-late'")
    assert process.returncode == 0, stderr
    assert "deployments 2,200" in stderr
    assert published_tables(store) == published_tables(demo_store)


def test_the_readers_adopt_the_main_connections_snapshot(pg, monkeypatch):
    """A reader connected after a commit still reads as of the main connection's snapshot."""
    monkeypatch.setenv("PGPASSWORD", pg.password)

    def levels(connection) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM lab.asl_levels")
            return cursor.fetchone()[0]

    with PostgresSource(pg.url(schema="lab"), progress=lambda _: None) as source:
        source.find_sources()
        assert source._snapshot is not None
        pg.execute("INSERT INTO lab.asl_levels VALUES (9, 'ASL-9', 'committed after the read began')")
        shared, own = source._open(source._snapshot), source._open()
        try:
            assert (levels(shared), levels(own)) == (4, 5)
        finally:
            shared.close()
            own.close()
            pg.execute("DELETE FROM lab.asl_levels WHERE asl_level = 9")


class OneConnection(PostgresSource):
    """The source as it reads from a server that cannot export its snapshot (every table in turn on
    the one connection): the same server and data, only that path forced."""

    def _connect(self) -> None:
        super()._connect()
        self._snapshot = None


def test_tables_read_in_turn_on_one_connection_give_the_same_snapshot(pg, tmp_path, demo_store, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", pg.password)
    stores = {}
    for name, source_class in (("parallel", PostgresSource), ("in_turn", OneConnection)):
        stores[name] = tmp_path / f"{name}.duckdb"
        with source_class(pg.url(schema="lab"), progress=lambda _: None) as source:
            ingest(source, stores[name], progress=lambda _: None)
    assert published_tables(stores["in_turn"]) == published_tables(stores["parallel"]) == published_tables(demo_store)


def test_the_password_from_a_pgpass_file(pg, tmp_path):
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg.port}:{pg.database}:asl_reader:{READER_PASSWORD}\n")
    pgpass.chmod(0o600)  # libpq ignores a password file others may read
    store = tmp_path / "pgpass.duckdb"
    result = run_cli("--store", str(store), "ingest", pg.url(schema="mapped", user="asl_reader"),
                     env={"PGPASSFILE": str(pgpass)})
    assert result.returncode == 0, result.stderr
    assert "deployments 2,200" in result.stderr
    assert READER_PASSWORD not in result.stderr and "warning: a password" not in result.stderr


def test_the_read_only_role_reads_only_the_views(pg):
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=pg.port, user="asl_reader", password=READER_PASSWORD,
                         dbname=pg.database, autocommit=True) as con:
        assert con.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert con.execute("SELECT count(*) FROM mapped.customers").fetchone() == (320,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("SELECT count(*) FROM own.accounts")


# --- Problems in the data: table, key and column; every one at once; store untouched ---------------


def test_bad_values_are_named_by_table_key_and_column(pg, published):
    # broken is the demo as text; each statement below makes exactly one mistake.
    pg.execute("""
        UPDATE broken.deployments SET started_at = 'soon' WHERE deployment_id = 'dep-0000007';
        UPDATE broken.deployments SET surface = 'fax' WHERE deployment_id = 'dep-0000002';
        UPDATE broken.checkpoints SET effective_compute = '2.4e2x' WHERE model_id = 'aster-1' AND step = '100';
        UPDATE broken.customers SET business_critical = 'maybe' WHERE customer_id = 'cust-00003';
        INSERT INTO broken.policies SELECT * FROM broken.policies WHERE policy_id = 'rsp-v1.0';
    """)
    try:
        before = sha256(published)
        lines = assert_refused(ingest_pg(published, pg.url(schema="broken"), password=pg.password), published, before, 1)
    finally:
        pg.execute("""
            UPDATE broken.deployments SET started_at = '2026-02-04' WHERE deployment_id = 'dep-0000007';
            UPDATE broken.deployments SET surface = 'api' WHERE deployment_id = 'dep-0000002';
            UPDATE broken.checkpoints SET effective_compute = '2.78571e+22' WHERE model_id = 'aster-1' AND step = '100';
            UPDATE broken.customers SET business_critical = 'false' WHERE customer_id = 'cust-00003';
            DELETE FROM broken.policies WHERE ctid = (SELECT max(ctid) FROM broken.policies WHERE policy_id = 'rsp-v1.0');
        """)
    problems = [line for line in lines if line.startswith(("deployments", "checkpoints", "customers", "policies"))]
    assert problems == [
        'checkpoints (model_id=aster-1, step=100): effective_compute "2.4e2x" is not a number',
        'customers (customer_id=cust-00003): business_critical "maybe" is not true or false',
        'deployments (deployment_id=dep-0000002): surface "fax" is not one of api, cloud, consumer, enterprise, internal',
        'deployments (deployment_id=dep-0000007): started_at "soon" is not an ISO-8601 date YYYY-MM-DD',
        'policies (policy_id=rsp-v1.0): policy_id "rsp-v1.0" is not a unique policy_id (another row has the same key)',
    ]
    assert lines[-1] == "Refused: 5 problem(s). The published store was not changed."


def test_missing_tables_and_columns_are_all_reported(pg, published):
    pg.execute("""
        CREATE SCHEMA partial;
        CREATE VIEW partial.policies AS SELECT * FROM lab.policies;
        CREATE VIEW partial.asl_levels AS SELECT * FROM lab.asl_levels;
        CREATE VIEW partial.safeguards AS SELECT * FROM lab.safeguards;
        CREATE VIEW partial.asl_required_safeguards AS SELECT * FROM lab.asl_required_safeguards;
        CREATE VIEW partial.models AS SELECT * FROM lab.models;
        CREATE VIEW partial.checkpoints AS SELECT model_id, step, recorded_at, training_flop FROM lab.checkpoints;
        CREATE VIEW partial.evaluations AS SELECT * FROM lab.evaluations;
        CREATE VIEW partial.customers AS SELECT * FROM lab.customers;
        CREATE VIEW partial.deployment_safeguards AS SELECT * FROM lab.deployment_safeguards;
    """)
    before = sha256(published)
    lines = assert_refused(ingest_pg(published, pg.url(schema="partial"), password=pg.password), published, before, 1)
    assert lines[-3:] == [
        "checkpoints: missing column(s) effective_compute; expected columns model_id, step, recorded_at, "
        "training_flop, effective_compute",
        "deployments: required table is missing: expected a table or view partial.deployments with columns "
        "deployment_id, model_id, customer_id, surface, use_case, risk_domains, status, started_at, ended_at, "
        "monthly_requests",
        "Refused: 2 problem(s). The published store was not changed.",
    ]


# --- What a scheduled job meets: one line, non-zero exit, nothing published -----------------------


def test_server_down(published):
    before = sha256(published)
    port = pgserver.free_port()  # nothing listens there
    lines = assert_refused(ingest_pg(published, f"postgresql://postgres@127.0.0.1:{port}/postgres?schema=lab"),
                           published, before, 4)
    assert lines[-1].startswith(f"error: cannot connect to postgresql://127.0.0.1:{port}/postgres?schema=lab: ")
    assert "Connection refused" in lines[-1]


def test_wrong_password_is_never_shown(pg, published):
    before = sha256(published)
    wrong = "Wr0ng-pa55word"
    for result in (ingest_pg(published, pg.url(schema="lab", password=wrong)),
                   run_cli("--store", str(published), "ingest", env={"ASL_SOURCE_URL": pg.url(schema="lab")}, password=wrong)):
        lines = assert_refused(result, published, before, 4)
        assert lines[-1] == (f"error: cannot connect to {pg.shown_url('lab')}: password authentication failed "
                             "(check PGPASSWORD, ~/.pgpass or the password in ASL_SOURCE_URL)")
        assert wrong not in result.stderr
    assert "warning: a password in the command line" in ingest_pg(published, pg.url(schema="lab", password=wrong)).stderr


def test_missing_schema_and_a_role_without_rights(pg, published):
    before = sha256(published)
    lines = assert_refused(ingest_pg(published, pg.url(schema="nowhere"), password=pg.password), published, before, 4)
    assert lines[-1] == f'error: schema "nowhere" does not exist in {pg.shown_url("nowhere")} (name it with ?schema=NAME)'
    # asl_reader may use schema own and mapped but not lab.
    lines = assert_refused(ingest_pg(published, pg.url(schema="lab", user="asl_reader"), password=READER_PASSWORD),
                           published, before, 4)
    assert lines[-1] == 'error: the role may not use schema "lab" (GRANT USAGE ON SCHEMA "lab" TO ...)'


def test_a_view_the_role_may_not_read(pg, published):
    pg.execute("""
        CREATE SCHEMA half;
        GRANT USAGE ON SCHEMA half TO asl_reader;
    """)
    for spec in TABLES:
        pg.execute(f"CREATE VIEW half.{spec.name} AS SELECT * FROM lab.{spec.name}")
        if spec.name != "deployments":
            pg.execute(f"GRANT SELECT ON half.{spec.name} TO asl_reader")
    before = sha256(published)
    lines = assert_refused(ingest_pg(published, pg.url(schema="half", user="asl_reader"), password=READER_PASSWORD),
                           published, before, 1)
    assert lines[-2:] == ['deployments: the role may not read half.deployments (GRANT SELECT ON ALL TABLES IN SCHEMA '
                          '"half" TO ...)', "Refused: 1 problem(s). The published store was not changed."]


def test_a_table_locked_by_a_long_transaction(pg, published):
    before = sha256(published)
    with pg.connect(autocommit=False) as locker:
        locker.execute("LOCK TABLE lab.checkpoints IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        result = ingest_pg(published, pg.url(schema="lab"), "--lock-timeout", "1", password=pg.password)
        assert time.monotonic() - started < 30
        locker.rollback()
    lines = assert_refused(result, published, before, 4)
    assert lines[-1] == ("error: lab.checkpoints is locked by another transaction (waited 1 s, --lock-timeout): "
                         "nothing was published; try again when that transaction has finished")


def test_a_read_slower_than_the_statement_timeout(pg, published):
    before = sha256(published)
    lines = assert_refused(ingest_pg(published, pg.url(schema="slow"), "--statement-timeout", "1", password=pg.password),
                           published, before, 4)
    assert lines[-1] == "error: reading slow.checkpoints took longer than 1 s (--statement-timeout): nothing was published"


def test_the_connection_dropped_in_the_middle_of_a_read(pg, published):
    before = sha256(published)
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "--store", str(published), "ingest",
                                pg.url(schema="slow")], cwd=REPO, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "PGPASSWORD": pg.password})
    try:
        with pg.connect() as admin:
            deadline = time.monotonic() + WAIT_S
            while True:  # wait until the ingest's read of slow.checkpoints is under way (in the pause)
                rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'asl-dashboard ingest' "
                                     "AND state = 'active' AND wait_event = 'PgSleep'").fetchall()
                if rows:
                    break
                assert time.monotonic() < deadline and process.poll() is None, "the read never started"
                time.sleep(0.1)
            admin.execute("SELECT pg_terminate_backend(%s)", [rows[0][0]])
        stdout, stderr = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    lines = assert_refused(result, published, before, 4)
    assert lines[-1] == (f"error: the connection to {pg.shown_url('slow')} was lost while reading slow.checkpoints: "
                         "terminating connection due to administrator command; nothing was published")


def test_the_server_stopped_in_the_middle_of_a_read(published):
    """A server of its own (the shared one must live on), stopped at once while a table is read."""
    before = sha256(published)
    with pgserver.PostgresServer() as server:
        server.load_folder(DEMO_DIR, "lab")
        server.execute(SLOW_SCHEMA_SQL)
        for spec in TABLES:
            if spec.name != "checkpoints":
                server.execute(f"CREATE VIEW slow.{spec.name} AS SELECT * FROM lab.{spec.name}")
        process = subprocess.Popen([sys.executable, "-m", "dashboard", "--store", str(published), "ingest",
                                    server.url(schema="slow")], cwd=REPO, text=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env={**os.environ, "PGPASSWORD": server.password})
        try:
            with server.connect() as admin:
                deadline = time.monotonic() + WAIT_S
                while not admin.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = 'asl-dashboard ingest' "
                                        "AND wait_event = 'PgSleep'").fetchall():
                    assert time.monotonic() < deadline and process.poll() is None, "the read never started"
                    time.sleep(0.1)
            server.stop()
            stdout, stderr = process.communicate(timeout=WAIT_S)
        finally:
            if process.poll() is None:
                process.kill()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    lines = assert_refused(result, published, before, 4)
    # The tables are read by several connections at once: the one that reports the loss is the slow
    # checkpoints read, or a table whose read was queued behind it and could not begin.
    prefix = f"error: the connection to {server.shown_url('slow')} was lost while reading slow."
    assert lines[-1].startswith(prefix), lines[-1]
    assert lines[-1][len(prefix):].split(":")[0] in {spec.name for spec in TABLES}, lines[-1]
    assert lines[-1].endswith("; nothing was published")


def test_no_source_and_no_asl_source_url(published):
    before = sha256(published)
    lines = assert_refused(run_cli("--store", str(published), "ingest"), published, before, 2)
    assert lines == ["error: name a folder or a postgresql:// URL, or set ASL_SOURCE_URL"]


# --- The URL ---------------------------------------------------------------------------------------


def test_the_url_is_redacted_and_schema_is_ours():
    url = SourceURL("postgresql://lab:p%40ss%2Fword@db.example.org:6543/prod?schema=asl&sslmode=require&password=x2")
    assert url.redacted == "postgresql://db.example.org:6543/prod?schema=asl&sslmode=require"
    assert url.schema == "asl"
    assert url.password == "x2"  # libpq's own password parameter wins over the one in the user part
    assert "schema" not in url.libpq and "connect_timeout=10" in url.libpq
    assert "application_name=asl-dashboard%20ingest" in url.libpq
    assert url.scrub("failed for x2 at " + url.raw) == "failed for *** at " + url.redacted
    # A driver's message is cleaned before it is shortened: no part of the password survives the cut.
    assert "x2" not in first_line(Exception("y" * 299 + "x2 and more"), url)
    plain = SourceURL("postgres://reader@localhost/lab")
    assert plain.schema == "public" and plain.password is None
    assert plain.redacted == "postgres://localhost/lab"
    with pytest.raises(SourceError, match="not a number"):
        SourceURL("postgresql://reader:pw@localhost:54x/lab")


@pytest.mark.parametrize("url, refusal", [
    ("postgresql://u:s3cret@db\x1b[31m/lab", "control character"),
    ("postgresql://u:s3cret@db/lab\n", "control character"),
    ("postgresql://u:s3cret@db[/lab", "cannot be read"),
    ("postgresql://u:s3cret@db/" + "a" * 100_000, "at most 4,096"),
], ids=["escape", "line-break", "bracket", "100-kb"])
def test_a_hostile_url_is_one_line_without_its_secret(url, refusal):
    """A URL with an escape sequence, a line break, an unmatched bracket or 100 KB is refused in one
    line (the same class for the source and the reviews ledger), never a traceback, never the password."""
    with pytest.raises(SourceError, match=refusal) as refused:
        SourceURL(url)
    message = str(refused.value)
    assert "s3cret" not in message and "\n" not in message and len(message) < 200


def test_a_store_that_cannot_be_published_to_is_one_line_and_exit_2(pg, tmp_path):
    """The same outcome as for a folder: a store path that is a folder, or a file this tool did not
    publish, is refused with one line naming it (exit 2), not a traceback, and nothing is written."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    for store, named in ((tmp_path, str(tmp_path)), (notes, str(notes))):
        result = ingest_pg(store, pg.url(schema="lab"), password=pg.password)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, result.stderr
        assert lines[-1].startswith("error: ") and named in lines[-1] and "Traceback" not in result.stderr
    assert notes.read_text() == "my notes\n"


# --- Sizes, types and secrets of a database source; a stalled connection ---------------------------


def views_over_lab(pg, schema: str, replaced: dict[str, str], setup: str = "") -> None:
    """Schema `schema`: a view of every lab table, those in replaced given by their own SELECT."""
    pg.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; {setup}")
    for spec in TABLES:
        pg.execute(f"CREATE VIEW {schema}.{spec.name} AS {replaced.get(spec.name, f'SELECT * FROM lab.{spec.name}')}")


def refused_schema(pg, published: Path, schema: str) -> list[str]:
    """The lines of an ingest of schema over published, refused as bad input (exit 1) with the store untouched."""
    before = sha256(published)
    return assert_refused(ingest_pg(published, pg.url(schema=schema), password=pg.password), published, before, 1)


def test_a_value_over_the_field_limit_is_refused_before_it_is_read(pg, published):
    # On main: published with exit 0, the 2 MB name in the snapshot (a 30 MB one grew the server to 2.5 GB).
    views_over_lab(pg, "huge", {"models": "SELECT model_id, CASE WHEN model_id = 'cobalt-1' THEN repeat('n', 2097152) "
                                          "ELSE name END AS name, family, parent_model_id, derivation, asl_level, "
                                          "policy_id, status FROM lab.models"})
    lines = refused_schema(pg, published, "huge")
    assert lines[-2:] == ["models (model_id=cobalt-1): name is longer than 1,048,576 bytes, the limit for one field "
                          "(it has 2,097,152)", "Refused: 1 problem(s). The published store was not changed."]


def test_many_long_values_are_refused_as_bad_input_without_reading_them(pg, published):
    # On main: 320 names of 5 MB ended in "Out of Memory", exit 2, no table named.
    views_over_lab(pg, "many_huge", {"customers": "SELECT customer_id, repeat('n', 5 * 1024 * 1024) AS name, segment, "
                                                  "sector, region, business_critical FROM lab.customers"})
    lines = refused_schema(pg, published, "many_huge")
    named = [line for line in lines if line.startswith("customers (customer_id=")]
    assert len(named) == 10  # the first rows found, not all 320
    assert "customers: the first 10 rows found like these are named; more may follow" in lines
    assert all(line.endswith("name is longer than 1,048,576 bytes, the limit for one field (it has 5,242,880)")
               for line in named)


def test_types_that_are_not_what_they_say_are_refused_with_the_column_named(pg, published):
    # On main: bytea published as \x4d65... text, json as its text, the 2-D array flattened without its
    # NULLs, the lab's own "float8" read as the built-in, and 'infinity' shown as 290279-12-22 (BC).
    views_over_lab(pg, "odd", {
        "models": "SELECT model_id, convert_to(name, 'UTF8') AS name, family, parent_model_id, derivation, asl_level, "
                  "policy_id, status FROM lab.models",
        "customers": "SELECT customer_id, name, to_jsonb(segment) AS segment, sector, region, business_critical "
                     "FROM lab.customers",
        "deployments": "SELECT deployment_id, model_id, customer_id, surface, use_case, CASE WHEN deployment_id = "
                       "'dep-0000003' THEN ARRAY[['cyber', NULL], ['cbrn', 'bio']] ELSE string_to_array(risk_domains, ';') "
                       "END AS risk_domains, status, started_at, CASE WHEN deployment_id = 'dep-0000005' "
                       "THEN 'infinity'::date ELSE ended_at END AS ended_at, monthly_requests FROM lab.deployments",
        "obligations": "SELECT obligation_id, name, jurisdiction, ROW(threshold_flop)::odd.float8 AS threshold_flop, "
                       "measure, clock, deadline_days, applies_from, source FROM lab.obligations "
                       "WHERE obligation_id = 'eu-ai-act-art52'",
    }, setup="CREATE TYPE odd.float8 AS (value double precision);")
    lines = refused_schema(pg, published, "odd")
    assert lines[-6:] == [
        "customers: segment has the PostgreSQL type jsonb (json), which the contract has no place for: give it as "
        "text (a view can convert it)",
        "deployments (deployment_id=dep-0000003): risk_domains is an array of 2 dimensions: the contract's list is "
        "an array of one dimension",
        'deployments (deployment_id=dep-0000005): ended_at "infinity" is not a date the contract can hold (leave it empty)',
        "models: name has the PostgreSQL type bytea (binary), which the contract has no place for: give it as text "
        "(a view can convert it)",
        'obligations (obligation_id=eu-ai-act-art52): threshold_flop "(1e+25)" is not a number',
        "Refused: 5 problem(s). The published store was not changed.",
    ]


def test_an_obligations_table_without_the_incident_columns(pg, published, tmp_path):
    """deadline_hours and categories are optional: a lab's older table without them still ingests; a
    row that needs them (clock after_awareness) is refused, named by its key."""
    older = ("SELECT obligation_id, name, jurisdiction, threshold_flop, measure, clock, deadline_days, applies_from, "
             "source FROM lab.obligations")
    views_over_lab(pg, "older", {"obligations": older + " WHERE clock <> 'after_awareness'"})
    store = tmp_path / "older.duckdb"
    result = ingest_pg(store, pg.url(schema="older"), password=pg.password)
    assert result.returncode == 0, result.stderr
    assert "obligations 2," in result.stderr
    views_over_lab(pg, "older", {"obligations": older + " WHERE obligation_id IN ('eu-ai-act-art52', 'eu-cop-death')"})
    lines = refused_schema(pg, published, "older")
    assert [line for line in lines if line.startswith("obligations")] == [
        "obligations (obligation_id=eu-cop-death): deadline_hours is empty, expected a whole number of hours (1 or more), "
        "required for clock after_awareness",
        "obligations (obligation_id=eu-cop-death): categories is empty, expected incident categories separated by \";\" "
        "(such as death;serious_harm), required for clock after_awareness"]


def test_an_array_holding_a_null_is_refused(pg, published):
    views_over_lab(pg, "holes", {
        "deployments": "SELECT deployment_id, model_id, customer_id, surface, use_case, CASE WHEN deployment_id = "
                       "'dep-0000004' THEN ARRAY['cyber', NULL] ELSE string_to_array(risk_domains, ';') "
                       "END AS risk_domains, status, started_at, ended_at, monthly_requests FROM lab.deployments"})
    lines = refused_schema(pg, published, "holes")
    assert lines[-2] == ("deployments (deployment_id=dep-0000004): risk_domains is an array holding a NULL element: "
                         "the contract's list has no empty entry")


def test_secret_parameters_are_never_printed_stored_or_shown(pg, tmp_path):
    # On main: ?sslpassword=... was printed, and stored in the snapshot the overview shows to every viewer.
    store = tmp_path / "secret.duckdb"
    secret = "Ssl-Key-Pass-77"
    result = ingest_pg(store, pg.url(schema="lab") + f"&sslpassword={secret}", password=pg.password)
    assert result.returncode == 0, result.stderr
    assert secret not in result.stderr
    assert snapshot_info(store)["source"] == pg.shown_url("lab")


def test_a_password_holding_a_slash_is_refused_without_showing_any_of_it(pg, published):
    # On main: "cannot connect to postgresql://postgres:12345/SecretTail@..." (the password, whole or in part).
    before = sha256(published)
    for password in ("12345/SecretTail", "12345?SecretTail", "12345#SecretTail"):
        result = ingest_pg(published, f"postgresql://postgres:{password}@127.0.0.1:{pg.port}/postgres?schema=lab")
        lines = assert_refused(result, published, before, 2)
        assert "12345" not in result.stderr and "SecretTail" not in result.stderr
        assert lines[-1].startswith("error: the source URL cannot be read (postgresql://...): percent-encode")


class StallingProxy:
    """A TCP proxy on 127.0.0.1 to the test server that, once any one connection has passed
    stall_after bytes from the server, stops forwarding in both directions, without closing."""

    def __init__(self, port: int, stall_after: int):
        import socket
        import threading

        self.port, self.stall_after = port, stall_after
        self.stalled = threading.Event()
        self.closing = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.address = self.listener.getsockname()[1]
        self.sockets: list = []
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        import socket
        import threading

        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.port))
            self.sockets += [client, server]
            for source, sink, counted in ((client, server, False), (server, client, True)):
                thread = threading.Thread(target=self._pump, args=(source, sink, counted), daemon=True)
                thread.start()
                self.threads.append(thread)

    def _pump(self, source, sink, counted: bool) -> None:
        sent = 0
        source.settimeout(0.2)
        while not self.closing.is_set():
            if self.stalled.is_set():
                self.closing.wait(0.2)  # holds the connection open, forwards nothing
                continue
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            sent += len(data)
            if counted and sent > self.stall_after:
                self.stalled.set()
                continue
            sink.sendall(data)

    def close(self) -> None:
        self.closing.set()
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def test_a_connection_that_stalls_silently_is_given_up_and_the_lock_released(pg, published):
    # On main: the read never returned; the store's lock stayed held and every later ingest exited 3.
    before = sha256(published)
    proxy = StallingProxy(pg.port, stall_after=400_000)  # past the catalog, in the middle of the checkpoints
    try:
        started = time.monotonic()
        result = ingest_pg(published, pg.url(schema="lab", port=proxy.address), "--stall-timeout", "2",
                           password=pg.password)
        took = time.monotonic() - started
    finally:
        proxy.close()
    assert proxy.stalled.is_set()
    lines = assert_refused(result, published, before, 4)
    assert lines[-1].startswith(f"error: {pg.shown_url('lab', port=proxy.address)} sent nothing for 2 s while "), lines[-1]
    assert lines[-1].endswith("(--stall-timeout): the connection was given up (a stalled network or proxy?); "
                              "nothing was published")
    assert took < 30
    # The lock is free: the next ingest publishes at once, without waiting for another one.
    again = ingest_pg(published, pg.url(schema="lab"), "--wait", "0", password=pg.password)
    assert again.returncode == 0, again.stderr


def test_redact_url_keeps_no_secret_and_shows_a_malformed_url_as_its_scheme():
    from dashboard.ingest.postgres import redact_url

    assert redact_url("postgresql://lab:pw@db.example.org:6543/prod?schema=asl&sslmode=require&password=x&"
                      "sslpassword=y&passfile=/home/lab/.pgpass&oauth_client_secret=z&sslkey=/k.pem") == (
        "postgresql://db.example.org:6543/prod?schema=asl&sslmode=require&sslkey=%2Fk.pem")
    assert redact_url("postgres://reader@[::1]/lab") == "postgres://[::1]/lab"
    assert redact_url("postgresql://localhost") == "postgresql://localhost"
    for malformed in ("postgresql://postgres:12345/SecretTail@127.0.0.1:5432/postgres",
                      "postgresql://u:12345?SecretTail@h/db", "postgresql://u:12345#SecretTail@h/db",
                      "postgresql://u:12345@SecretTail@h/db", "postgresql://u:SecretTail@h:54x/db",
                      "postgresql://u:SecretTail@[::1/db"):
        assert redact_url(malformed) == "postgresql://", malformed
    assert redact_url("SecretTail") == "(a URL that cannot be read)"


def test_unfit_rows_become_problems_naming_table_key_and_column():
    """What unfit_rows.sql reports, as problems (on hand-made rows: the row limit cannot be reached by the
    contract's tables with every value under the field limit, they have at most 11 columns)."""
    from dashboard.ingest.postgres import ColumnType, PostgresTable
    from dashboard.tables import TABLES_BY_NAME

    text = ColumnType("pg_catalog", "text", "S", "pg_catalog", "text")
    table = PostgresTable(None, TABLES_BY_NAME["checkpoints"], {c: text for c in TABLES_BY_NAME["checkpoints"].columns})
    findings = [None, None, None, "bytes:2000000", None]
    assert [str(p) for p in table.unfit_problems([("m1", "200", findings, 2_000_000), ("m2", "", [None] * 5, 17_000_000)])] == [
        "checkpoints (model_id=m1, step=200): training_flop is longer than 1,048,576 bytes, the limit for one field "
        "(it has 2,000,000)",
        "checkpoints (model_id=m2, step=): row is longer than 16,777,216 bytes, the limit for one row (it has 17,000,000)"]
    assert ColumnType("lab", "float8", "C", "lab", "float8").native is False
    assert ColumnType("pg_catalog", "float8", "N", "pg_catalog", "float8").native is True
    assert ColumnType("lab", "blob", "U", "pg_catalog", "bytea").refused == "binary"
    assert ColumnType("pg_catalog", "_jsonb", "A", "pg_catalog", "_jsonb", "pg_catalog", "jsonb").refused == "an array of json"


def test_the_postgres_source_keeps_a_history_like_a_folder(pg, tmp_path, demo_store):
    store = tmp_path / "history.duckdb"
    first = ingest_pg(store, pg.url(schema="lab"), password=pg.password)
    assert first.returncode == 0, first.stderr
    snapshot_id = read_identity(store)[0]
    assert f"as snapshot {snapshot_id}" in first.stderr
    # The same tables as the demo folder: the same content hash, so the same end of the id.
    assert snapshot_id[-8:] == read_identity(demo_store)[0][-8:]
    again = ingest_pg(store, pg.url(schema="lab"), password=pg.password)
    assert again.returncode == 0 and "Unchanged: the data equals the latest snapshot " + snapshot_id in again.stderr
    assert [entry.snapshot_id for entry in list_snapshots(store)] == [snapshot_id]
    listing = run_cli("--store", str(store), "snapshots")
    assert listing.returncode == 0 and pg.password not in listing.stdout
    assert listing.stdout.splitlines()[1].split(",")[:3] == [snapshot_id, listing.stdout.splitlines()[1].split(",")[1],
                                                              pg.shown_url("lab")]
    refused = ingest_pg(store, pg.url(schema="lab"), "--keep-last", "0", password=pg.password)
    assert refused.returncode == 2 and "is not a whole number >= 1" in refused.stderr
