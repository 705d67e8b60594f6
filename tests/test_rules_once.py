"""Each rule and vocabulary is written once (issue 14): where SQL must restate a Python list, a test
pins the two together, so a change to one fails here until the other follows."""
from __future__ import annotations

import duckdb
import pytest

from dashboard import reference
from dashboard.sqlfiles import internal_sql

VOCABULARIES = {
    "surfaces": reference.SURFACES,
    "deployment_statuses": reference.DEPLOYMENT_STATUSES,
    "model_statuses": reference.MODEL_STATUSES,
    "derivations": reference.DERIVATIONS,
    "safeguard_kinds": reference.SAFEGUARD_KINDS,
    "evaluation_kinds": reference.EVALUATION_KINDS,
    "outcomes": reference.OUTCOMES,
}


@pytest.fixture(scope="module")
def ingest_macros():
    con = duckdb.connect()
    con.execute(internal_sql("ingest/macros.sql"))
    yield con
    con.close()


@pytest.mark.parametrize("macro", VOCABULARIES)
def test_the_ingest_vocabularies_are_the_reference_ones(ingest_macros, macro):
    assert ingest_macros.execute(f"SELECT {macro}()").fetchone()[0] == VOCABULARIES[macro]


@pytest.fixture(scope="module")
def store_rules(lab_store):
    """A reader's connection, where rules.sql's macros live (dashboard/store.py)."""
    from dashboard.store import snapshot

    snap = snapshot(lab_store)
    cursor = snap._database.cursor()
    cursor.execute(snap._use_store)
    yield cursor
    cursor.close()


def test_the_orders_and_the_due_soon_fraction_are_the_reference_ones(store_rules):
    assert store_rules.execute("SELECT status_order()").fetchone()[0] == reference.STATUSES
    assert store_rules.execute("SELECT action_order()").fetchone()[0] == reference.ACTIONS
    assert store_rules.execute("SELECT due_soon_fraction()").fetchone()[0] == reference.DUE_SOON_FRACTION
    assert store_rules.execute("SELECT training_days()").fetchone()[0] == reference.TRAINING_DAYS
    assert store_rules.execute("SELECT projection_window_days()").fetchone()[0] == reference.PROJECTION_WINDOW_DAYS


# What each shared rule looks like when written out; only dashboard/sql/rules.sql may hold it.
RESTATED = {
    "the lineage walk": "JOIN models child ON child.parent_model_id",
    "the round classification": "bool_and(e.outcome",
    "the level as of a date": "arg_max(h.asl_level",
    "the status order": "WHEN 'never_evaluated' THEN",
    "the action order": "WHEN 'halt_onboarding' THEN 1",
    "the due-soon fraction": "0.75",
    "the training window": "<= 14",
    "the projection window": "INTERVAL 60 DAY",
    "the crossing of a line": "arg_min(c.recorded_at, c.step)",
}


def test_no_query_restates_a_shared_rule():
    from dashboard.sqlfiles import REPO_ROOT

    for path in sorted((REPO_ROOT / "queries").glob("*.sql")):
        text = "\n".join(line.split("--")[0] for line in path.read_text().splitlines())  # code, not comments
        for rule, marker in RESTATED.items():
            assert marker not in text, f"queries/{path.name} restates {rule}: use the macro in dashboard/sql/rules.sql"


def test_the_ingest_refuses_in_ids_the_characters_neutralise_makes_visible(ingest_macros):
    """has_invisible (the id rule of the ingest) and neutralise (every escaping function) name the
    same characters, over the Basic Multilingual Plane."""
    from dashboard.text import neutralise

    characters = [chr(code) for code in range(1, 0x10000) if not 0xD800 <= code <= 0xDFFF]
    flagged = ingest_macros.execute(
        "SELECT list_transform($chars, lambda c: has_invisible(c))", {"chars": characters}).fetchone()[0]
    mismatched = [f"U+{ord(char):04X}" for char, sql in zip(characters, flagged) if sql != (neutralise(char) != char)]
    assert not mismatched, mismatched[:20]
