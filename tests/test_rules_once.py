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
