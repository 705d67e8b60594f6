"""DESIGN section 9's optional tables in the ingest: obligations.csv and obligation_records.csv are
validated like every other table (file, line, column; every problem; the store untouched on refusal),
and the store always has both tables, empty when the files are absent."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib

import duckdb
import pytest

from dashboard.ingest import IngestError, ingest
from labdata import base_tables, write_folder
from clirun import run_cli

EU = {"obligation_id": "eu-ai-act-art52", "name": "EU AI Act: notify the Commission", "jurisdiction": "EU",
      "threshold_flop": "1e25", "measure": "training_flop", "clock": "after_crossing", "deadline_days": "14",
      "applies_from": "2025-08-02", "source": "Regulation (EU) 2024/1689, Art. 51(2) and 52(1)"}
CA = {"obligation_id": "ca-sb53-frontier", "name": "SB 53 transparency report", "jurisdiction": "California",
      "threshold_flop": "1e26", "measure": "training_flop", "clock": "before_first_deployment", "deadline_days": "",
      "applies_from": "2026-01-01", "source": "California SB 53 (2025)"}
# DESIGN 12: a clock an incident starts (no line, a deadline in hours, the categories it applies to).
INCIDENT = {"obligation_id": "eu-cop-cybersecurity", "name": "Code of Practice: serious cybersecurity incident",
            "jurisdiction": "EU", "threshold_flop": "", "measure": "", "clock": "after_awareness", "deadline_days": "",
            "applies_from": "2025-08-02", "source": "GPAI Code of Practice", "deadline_hours": "120",
            "categories": " weights_exfiltration ; cybersecurity;cybersecurity"}
RECORD = {"obligation_id": "eu-ai-act-art52", "model_id": "base", "done_on": "2025-09-01", "reference": "ticket 1"}


def tables_with_obligations():
    tables = base_tables()
    tables["obligations"] = [dict(EU), dict(CA), dict(INCIDENT)]
    tables["obligation_records"] = [dict(RECORD)]
    return tables


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def quiet(_message):
    pass


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A store published from a good folder; every refused ingest below must leave it byte-identical."""
    root = tmp_path_factory.mktemp("obligations-ingest")
    store = root / "store" / "asl.duckdb"
    ingest(write_folder(root / "good", tables_with_obligations()), store, progress=quiet)
    return store


def read(store, sql):
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def refused(tmp_path, store, tables):
    before = sha256(store)
    with pytest.raises(IngestError) as raised:
        ingest(write_folder(tmp_path / "bad", tables), store, progress=quiet)
    assert sha256(store) == before, "a refused ingest changed the published store"
    return [str(problem) for problem in raised.value.problems]


def test_good_obligations_are_published_with_their_types(published):
    assert read(published, "SELECT obligation_id, threshold_flop, measure, clock, deadline_days, applies_from "
                           "FROM obligations ORDER BY obligation_id") == [
        ("ca-sb53-frontier", 1e26, "training_flop", "before_first_deployment", None, dt.date(2026, 1, 1)),
        ("eu-ai-act-art52", 1e25, "training_flop", "after_crossing", 14, dt.date(2025, 8, 2)),
        ("eu-cop-cybersecurity", None, None, "after_awareness", None, dt.date(2025, 8, 2)),
    ]
    # The categories as words, sorted, each once; the hours a whole number; empty for the other clocks.
    assert read(published, "SELECT obligation_id, deadline_hours, categories FROM obligations ORDER BY obligation_id") == [
        ("ca-sb53-frontier", None, None), ("eu-ai-act-art52", None, None),
        ("eu-cop-cybersecurity", 120, "cybersecurity;weights_exfiltration")]
    types = dict(read(published, "SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name IN ('obligations', 'obligation_records')"))
    assert types["threshold_flop"] == "DOUBLE" and types["deadline_days"] == "INTEGER"
    assert types["applies_from"] == "DATE" and types["done_on"] == "DATE" and types["deadline_hours"] == "INTEGER"
    assert read(published, "SELECT * FROM obligation_records") == [
        ("eu-ai-act-art52", "base", dt.date(2025, 9, 1), "ticket 1")]


def test_without_the_files_the_tables_exist_and_are_empty(tmp_path):
    store = tmp_path / "plain.duckdb"
    result = ingest(write_folder(tmp_path / "plain", base_tables()), store, progress=quiet)
    assert result.row_counts["obligations"] == 0 and result.row_counts["obligation_records"] == 0
    assert read(store, "SELECT count(*) FROM obligations") == [(0,)]
    assert read(store, "SELECT count(*) FROM obligation_records") == [(0,)]
    columns = [row[0] for row in read(store, "SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'obligations' ORDER BY ordinal_position")]
    assert columns == ["obligation_id", "name", "jurisdiction", "threshold_flop", "measure", "clock",
                       "deadline_days", "applies_from", "source", "deadline_hours", "categories"]


def write_old_obligations(folder, rows):
    """obligations.csv as written before deadline_hours and categories existed."""
    with open(folder / "obligations.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EU), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_an_older_obligations_file_without_the_incident_columns_still_ingests(tmp_path):
    """deadline_hours and categories are optional columns: a file written before them reads as empty."""
    folder = write_folder(tmp_path / "old", tables_with_obligations())
    write_old_obligations(folder, [EU, CA])
    store = tmp_path / "old.duckdb"
    assert ingest(folder, store, progress=quiet).row_counts["obligations"] == 2
    assert read(store, "SELECT obligation_id, clock, deadline_days, deadline_hours, categories FROM obligations "
                       "ORDER BY obligation_id") == [
        ("ca-sb53-frontier", "before_first_deployment", None, None, None),
        ("eu-ai-act-art52", "after_crossing", 14, None, None)]
    # ... and such a file with a row that needs the new columns is refused, the row named.
    write_old_obligations(folder, [EU, CA, INCIDENT])
    before = sha256(store)
    with pytest.raises(IngestError) as raised:
        ingest(folder, store, progress=quiet)
    assert sha256(store) == before
    problems = [str(problem) for problem in raised.value.problems]
    assert any(problem.startswith("obligations.csv line 4: deadline_hours is empty, expected a whole number of hours")
               for problem in problems), problems
    assert any(problem.startswith("obligations.csv line 4: categories is empty") for problem in problems), problems


def change(table, row, **values):
    def edit(tables):
        tables[table][row].update(values)
    return edit


def add(table, **values):
    def edit(tables):
        tables[table].append({**tables[table][0], **values})
    return edit


# (defect id, change, the problem expected: file, line (header = line 1), column, what was expected)
DEFECTS = [
    ("threshold-text", change("obligations", 0, threshold_flop="1e25x"),
     'obligations.csv line 2: threshold_flop "1e25x" is not a number'),
    ("threshold-zero", change("obligations", 0, threshold_flop="0"),
     'obligations.csv line 2: threshold_flop "0" is not a FLOP count greater than 0'),
    ("threshold-negative", change("obligations", 1, threshold_flop="-1e26"),
     'obligations.csv line 3: threshold_flop "-1e26" is not a FLOP count greater than 0'),
    ("threshold-inf", change("obligations", 0, threshold_flop="inf"),
     'obligations.csv line 2: threshold_flop "inf" is not a finite number (not NaN or infinity)'),
    ("threshold-nan", change("obligations", 0, threshold_flop="NaN"),
     'obligations.csv line 2: threshold_flop "NaN" is not a finite number (not NaN or infinity)'),
    ("threshold-log10", change("obligations", 0, threshold_flop="25"),
     'obligations.csv line 2: threshold_flop "25" is not a FLOP count of at least 1e6; this looks like log10 FLOP'),
    ("threshold-empty", change("obligations", 0, threshold_flop=""),
     "obligations.csv line 2: threshold_flop is empty, expected a number (required, found nothing)"),
    ("measure", change("obligations", 0, measure="params"),
     'obligations.csv line 2: measure "params" is not one of training_flop, effective_compute'),
    ("clock", change("obligations", 1, clock="on_release"),
     'obligations.csv line 3: clock "on_release" is not one of after_crossing, before_first_deployment'),
    ("deadline-missing", change("obligations", 0, deadline_days=""),
     "obligations.csv line 2: deadline_days is empty, expected a whole number of days (0 or more), "
     "required for clock after_crossing"),
    ("deadline-not-whole", change("obligations", 0, deadline_days="14.5"),
     'obligations.csv line 2: deadline_days "14.5" is not a whole number of days (0 or more)'),
    ("deadline-negative", change("obligations", 0, deadline_days="-1"),
     'obligations.csv line 2: deadline_days "-1" is not a whole number of days from 0 to 100000'),
    ("deadline-for-deployment-clock", change("obligations", 1, deadline_days="30"),
     'obligations.csv line 3: deadline_days "30" is not empty for clock before_first_deployment'),
    ("incident-threshold", change("obligations", 2, threshold_flop="1e25"),
     'obligations.csv line 4: threshold_flop "1e25" is not empty for clock after_awareness'),
    ("incident-measure", change("obligations", 2, measure="training_flop"),
     'obligations.csv line 4: measure "training_flop" is not empty for clock after_awareness'),
    ("incident-days", change("obligations", 2, deadline_days="5"),
     'obligations.csv line 4: deadline_days "5" is not empty for clock after_awareness'),
    ("incident-hours-missing", change("obligations", 2, deadline_hours=""),
     "obligations.csv line 4: deadline_hours is empty, expected a whole number of hours (1 or more), "
     "required for clock after_awareness"),
    ("incident-hours-zero", change("obligations", 2, deadline_hours="0"),
     'obligations.csv line 4: deadline_hours "0" is not a whole number of hours from 1 to 100000'),
    ("incident-hours-fraction", change("obligations", 2, deadline_hours="1.5"),
     'obligations.csv line 4: deadline_hours "1.5" is not a whole number of hours from 1 to 100000'),
    ("incident-hours-huge", change("obligations", 2, deadline_hours="100001"),
     'obligations.csv line 4: deadline_hours "100001" is not a whole number of hours from 1 to 100000'),
    ("incident-categories-missing", change("obligations", 2, categories=" ; "),
     'obligations.csv line 4: categories " ; " is not incident categories separated by ";"'),
    ("incident-categories-case", change("obligations", 2, categories="Death"),
     'obligations.csv line 4: categories "Death" is not incident categories separated by ";", each a lowercase word'),
    ("incident-categories-markup", change("obligations", 2, categories="death;<b>x</b>"),
     'obligations.csv line 4: categories "death;<b>x</b>" is not incident categories separated by ";"'),
    ("hours-for-crossing-clock", change("obligations", 0, deadline_hours="24"),
     'obligations.csv line 2: deadline_hours "24" is not empty unless the clock is after_awareness'),
    ("categories-for-deployment-clock", change("obligations", 1, categories="death"),
     'obligations.csv line 3: categories "death" is not empty unless the clock is after_awareness'),
    ("applies-from", change("obligations", 1, applies_from="2026-02-30"),
     'obligations.csv line 3: applies_from "2026-02-30" is not an ISO-8601 date YYYY-MM-DD'),
    ("obligation-id-empty", change("obligations", 1, obligation_id=""),
     "obligations.csv line 3: obligation_id is empty, expected an obligation id"),
    ("obligation-dup", add("obligations"),
     'obligations.csv line 5: obligation_id "eu-ai-act-art52" is not a unique obligation_id (see line 2)'),
    ("record-obligation", change("obligation_records", 0, obligation_id="us-eo-14110"),
     'obligation_records.csv line 2: obligation_id "us-eo-14110" is not an obligation_id listed in obligations'),
    ("record-model", add("obligation_records", model_id="ghost"),
     'obligation_records.csv line 3: model_id "ghost" is not a model_id listed in models'),
    ("record-date", change("obligation_records", 0, done_on="last week"),
     'obligation_records.csv line 2: done_on "last week" is not an ISO-8601 date YYYY-MM-DD'),
    ("record-date-empty", change("obligation_records", 0, done_on=""),
     "obligation_records.csv line 2: done_on is empty, expected an ISO-8601 date YYYY-MM-DD"),
    ("record-model-empty", change("obligation_records", 0, model_id=""),
     "obligation_records.csv line 2: model_id is empty, expected a model id"),
]


@pytest.mark.parametrize("defect, edit, expected", DEFECTS, ids=[row[0] for row in DEFECTS])
def test_each_obligation_defect_is_refused_with_file_line_and_column(tmp_path, published, defect, edit, expected):
    tables = tables_with_obligations()
    edit(tables)
    problems = refused(tmp_path, published, tables)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_obligation_problem_is_reported(tmp_path, published):
    tables = tables_with_obligations()
    tables["obligations"][0].update(measure="params", deadline_days="")      # line 2: two problems
    tables["obligations"][1].update(threshold_flop="big")                     # line 3
    tables["obligation_records"].append({**RECORD, "done_on": "soon"})        # records line 3
    problems = refused(tmp_path, published, tables)
    assert [problem.split(": ")[0] + ":" + problem.split(": ")[1].split(" ")[0] for problem in problems] == [
        "obligation_records.csv line 3:done_on", "obligations.csv line 2:measure",
        "obligations.csv line 2:deadline_days", "obligations.csv line 3:threshold_flop"]


def test_the_cli_refuses_with_the_line_and_exit_status(tmp_path, published):
    tables = tables_with_obligations()
    tables["obligations"][1]["clock"] = "whenever"
    folder = write_folder(tmp_path / "bad", tables)
    before = sha256(published)
    done = run_cli("--store", published, "ingest", folder)
    assert done.returncode != 0
    assert 'obligations.csv line 3: clock "whenever" is not one of after_crossing, before_first_deployment' in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert sha256(published) == before
