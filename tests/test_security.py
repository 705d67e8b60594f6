"""Least privilege, hostile data and hidden tracebacks."""
from __future__ import annotations

import tomllib

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.export import to_csv, to_download_csv
from dashboard.ingest import ingest
from dashboard.sqlfiles import REPO_ROOT
from dashboard.store import snapshot
from labdata import base_tables, write_folder
from clirun import run_cli
from waits import WAIT_S

APP = str(REPO_ROOT / "dashboard" / "app.py")
HOSTILE_NAME = '<script>alert("x")</script> **bold** [link](javascript:alert(1))\nsecond line'


def test_the_apps_connection_cannot_write(lab_store):
    snap = snapshot(lab_store)
    cursor = snap._database.cursor()
    cursor.execute("USE store")
    for statement in ("INSERT INTO models VALUES ('x','x','x',NULL,'pretrain',2,'rsp-v1.0','training')",
                      "DELETE FROM models", "DROP TABLE models", "CREATE TABLE evil AS SELECT 1"):
        with pytest.raises(duckdb.Error, match="read-only|read only"):
            cursor.execute(statement)
    assert len(snap.query("models")) == 13


def test_production_config_hides_tracebacks():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_an_unexpected_error_shows_an_id_and_logs_the_traceback(lab_store, monkeypatch, caplog):
    from dashboard.questions import status

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setenv("ASL_STORE", str(lab_store))
    monkeypatch.setattr(status, "status_frame", broken)
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
    app.run()
    message = app.error[0].value
    assert "error id" in message and "secret internal detail" not in message
    incident = message.split("error id ")[1].split(")")[0]
    assert any(incident in record.getMessage() for record in caplog.records)
    assert any(record.exc_info and "secret internal detail" in str(record.exc_info[1]) for record in caplog.records)


def test_an_unreadable_store_gets_a_message(tmp_path, monkeypatch):
    bad = tmp_path / "not-a-db.duckdb"
    bad.write_text("hello")
    monkeypatch.setenv("ASL_STORE", str(bad))
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
    app.run()
    assert "cannot be read" in app.error[0].value
    assert not app.exception


def store_with_names(tmp_path_factory, label: str, model_name: str, customer_name: str, use_case: str):
    """base_tables() with the model's and a customer's names and one deployment's use case set, published."""
    tables = base_tables()
    tables["models"][0]["name"] = model_name
    tables["customers"][0]["name"] = customer_name
    tables["deployments"] = [{"deployment_id": "d1", "model_id": "base", "customer_id": "c1", "surface": "api",
                              "use_case": use_case, "risk_domains": "cbrn", "status": "active",
                              "started_at": "2025-01-01", "ended_at": "", "monthly_requests": "5"}]
    store = tmp_path_factory.mktemp(label) / f"{label}.duckdb"
    ingest(write_folder(tmp_path_factory.mktemp(f"{label}-src") / "src", tables), store, progress=lambda _: None)
    return store


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    return store_with_names(tmp_path_factory, "hostile", HOSTILE_NAME, "=HYPERLINK(\"http://evil\",\"click\")",
                            "+cmd|' /C calc'!A0 <b>use</b>")


def test_hostile_names_show_as_plain_text_on_the_pages(hostile_store, monkeypatch):
    monkeypatch.setenv("ASL_STORE", str(hostile_store))
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
    app.switch_page("app_pages/trajectory.py")
    app.query_params["model"] = "base"
    app.run()
    assert not app.exception
    title = app.title[0].value
    assert "<script>" not in title and "**bold**" not in title and "](javascript" not in title
    assert "\\<script\\>" in title  # escaped, so Markdown shows the characters themselves
    # In the table the name is a plain cell value (st.dataframe never renders HTML or Markdown).
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
    app.run()
    assert HOSTILE_NAME in list(app.dataframe[0].value["name"])


def test_downloads_neutralise_formulas_but_the_cli_stays_exact(hostile_store):
    from dashboard.plan import safeguards_known, with_unknown_safeguards

    snap = snapshot(hostile_store)
    frame = snap.query("at_risk", model_id="base", asl_level=3, domain=None, as_of="2025-06-01")
    # This store holds no deployment safeguards: the CLI says `unknown`, not every required one.
    frame = with_unknown_safeguards(frame, safeguards_known(snap.query("snapshot_info").iloc[0].to_dict()))
    download = to_download_csv(frame)
    assert "'=HYPERLINK" in download and "'+cmd" in download
    exact = to_csv(frame)
    assert ',"=HYPERLINK(""http://evil"",""click"")",' in exact
    cli = run_cli("--store", hostile_store, "at-risk", "--model", "base", "--asl", "3", "--as-of", "2025-06-01").stdout
    assert cli == exact
    # Negative numbers are numbers, not formulas.
    import pandas as pd
    assert to_download_csv(pd.DataFrame({"x": [-5]})) == "x\n-5\n"


ESC_NAME = "\x1b[2J\x1b[31mfake alert\x1b[0m\x07 rtl\u202egnp.exe"


@pytest.fixture(scope="module")
def terminal_store(tmp_path_factory):
    return store_with_names(tmp_path_factory, "terminal", ESC_NAME, ESC_NAME, "chat\u200b")


def test_no_escape_sequence_from_the_data_reaches_the_cli_table(terminal_store):
    """ESC, BEL and bidirectional overrides in names are printed as visible escapes in the table
    format; CSV sent to a file or a program stays the exact data."""
    for args in (("status", "--format", "table"),
                 ("at-risk", "--model", "base", "--asl", "3", "--as-of", "2025-06-01", "--format", "table")):
        result = run_cli("--store", terminal_store, *args)
        assert result.returncode == 0, result.stderr
        for char in ("\x1b", "\x07", "\u202e", "\u200b"):
            assert char not in result.stdout + result.stderr, (args, repr(result.stdout))
        assert "\\x1b[31mfake alert" in result.stdout and "rtl\\u202egnp.exe" in result.stdout
    exact = run_cli("--store", terminal_store, "status").stdout
    assert ESC_NAME in exact


def test_csv_printed_on_a_terminal_is_neutralised(terminal_store):
    """On a terminal (a pseudo-terminal here), the CSV is neutralised like the table."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-m", "dashboard", "--store", str(terminal_store), "status"],
                                 stdout=follower, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert child.wait(60) == 0, child.stderr.read()
        child.stderr.close()
    finally:
        os.close(leader)
    text = output.decode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[31mfake alert" in text
