"""Each rule and vocabulary is written once: where SQL must restate a Python list, a test
pins the two together, so a change to one fails here until the other follows."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from dashboard import reference
from dashboard.obligations import STATES
from dashboard.sqlfiles import REPO_ROOT, internal_sql

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


# Every SQL file of the repository: the questions, the reader's and the ingest's SQL, the benchmarks'.
SQL_FILES = sorted({*REPO_ROOT.glob("queries/*.sql"), *REPO_ROOT.glob("dashboard/sql/**/*.sql"),
                    *REPO_ROOT.glob("bench/**/*.sql")})

_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRING = re.compile(r"('(?:[^']|'')*')")


def normalised(sql: str) -> str:
    """The code of a SQL text in one spelling: comments dropped, lower case, table aliases and
    qualifiers dropped (c.step and store.checkpoints read step and checkpoints), white space collapsed
    and none around operators, brackets and string literals, which are kept as they are."""
    pieces = _STRING.split(_COMMENT_OR_STRING.sub(_drop_comment, sql))
    for index in range(0, len(pieces), 2):  # the code between string literals (odd pieces)
        code = re.sub(r"\b[a-z_][a-z0-9_]*\.(?=[a-z_\"])", "", pieces[index].lower())
        pieces[index] = re.sub(r" ?([^\w\s$]) ?", r"\1", re.sub(r"\s+", " ", code)).strip()
    return "".join(pieces)


def _drop_comment(match: re.Match) -> str:
    return match.group(0) if match.group(0).startswith("'") else " "


def _ranked(names) -> str:
    """A CASE that ranks one of these names by a number: an order written out."""
    return r"\bwhen'(?:" + "|".join(map(re.escape, names)) + r")'then ?-?\d"


def _listed(names) -> str:
    """A list literal of two or more of these names: an order written out (an IN (...) set is not)."""
    name = "'(?:" + "|".join(map(re.escape, names)) + ")'"
    return rf"\[(?:{name},)+{name}"


_MEASURES = r"(?:training_flop|effective_compute)"
# Each rule: the one file that writes it, what writing it looks like on normalised() text (the
# comparisons and aggregates that define it, whatever the aliases, case or line breaks), and a
# restatement in another spelling that the pattern must catch.
RULES = {
    "a checkpoint's figure on a line's measure": (
        "dashboard/sql/shared_rules.sql", rf"\bmeasure(?:=| when|in\()'{_MEASURES}'|'{_MEASURES}'=measure\b",
        "IF(l.Measure = 'effective_compute', c.effective_compute, c.training_flop)"),
    "a checkpoint reaching a line": (
        "dashboard/sql/shared_rules.sql", r">=\w*threshold|\bthreshold\w*<=",
        "WHERE x.threshold_flop\n  <= ck.training_flop"),
    "the crossing: the first (lowest-step) checkpoint reaching a line": (
        "dashboard/sql/shared_rules.sql", r"\b(?:arg_?min|min_by)\(\w*recorded_at,\w*step\)",
        "MIN_BY(ch.recorded_at,\n ch.step)"),
    "the lineage walk": (
        "dashboard/sql/rules.sql", r"recursive.*\b(?:parent_model_id=\w*model_id|model_id=parent_model_id)\b",
        "WITH RECURSIVE d AS (...) SELECT * FROM d JOIN models m ON d.model_id = m.parent_model_id"),
    "the round classification": (
        "dashboard/sql/rules.sql", r"\boutcome(?:=|<>|!=|in\()'(?:below_threshold|triggered|inconclusive)'",
        "count(*) FILTER (WHERE ev.outcome <> 'below_threshold') = 0"),
    "the level as of a date": (
        "dashboard/sql/rules.sql", r"\b(?:arg_?max|max_by|arg_?min|min_by|first|last)\(\w*asl_level\b",
        "max_by(hist.asl_level, hist.effective_from)"),
    "the status order": (
        "dashboard/sql/rules.sql", f"{_ranked(reference.STATUSES)}|{_listed(reference.STATUSES)}",
        "CASE status WHEN 'triggered' THEN 0 WHEN 'never_evaluated' THEN 1 END"),
    "the action order": (
        "dashboard/sql/rules.sql", f"{_ranked(reference.ACTIONS)}|{_listed(reference.ACTIONS)}",
        "list_position(['emergency_review', 'halt_onboarding'], a.action)"),
    "the obligation state order": (
        "dashboard/sql/rules.sql", f"{_ranked(STATES)}|{_listed(STATES)}",
        "ORDER BY CASE x.state\n WHEN 'overdue' THEN 1 WHEN 'due' THEN 2 END"),
    "training as of a date": (
        "dashboard/sql/rules.sql", r"<=training_days\(\)|training_days\(\)>=",
        "date_diff('day', x.last_on, p.as_of) <= Training_Days()"),
    "the latest checkpoint as of a date": (
        "dashboard/sql/rules.sql", r"\b(?:arg_?max|max_by)\(\w*effective_compute,\w*last_step\)",
        "MAX_BY(cd.effective_compute, cd.last_step)"),
    "the due-soon fraction": ("dashboard/sql/rules.sql", r"(?<![\w.])0*\.750*(?![\w.])", "pow(k, .750)"),
    "the training window": (
        "dashboard/sql/rules.sql", r"(?:[<>]=?|\bas )14\b(?!\.)|\binterval ?'?14\b|to_days\(14\)",
        "recorded_at > as_of - INTERVAL 14 DAY"),
    "the projection window": (
        "dashboard/sql/rules.sql", r"(?:[<>]=?|\bas )60\b(?!\.)|\binterval ?'?60\b|to_days\(60\)",
        "date_diff('day', c.recorded_at, t.end_at) <= 60"),
    "the status of a model": (
        "queries/status.sql", r"then'(?:buffer_breached|eval_overdue|eval_due_soon)'",
        "CASE WHEN m >= b THEN 'buffer_breached' END"),
    "the state of an obligation": (
        "queries/obligations.sql", r"then'(?:done_late|overdue)'", "CASE WHEN due < d THEN 'overdue' END"),
}


CROSSING = "the crossing: the first (lowest-step) checkpoint reaching a line"


def _relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_is_written_in_one_sql_file(rule):
    """Scans every SQL file: a rule written out anywhere but its home fails here (call its macro)."""
    home, pattern, restated = RULES[rule]
    assert re.search(pattern, normalised(restated)), f"the scan for {rule} misses {restated!r}"
    found = [_relative(path) for path in SQL_FILES if re.search(pattern, normalised(path.read_text(encoding="utf-8")))]
    assert set(found) <= {home}, f"{rule} is written in {found}: only {home} may write it, the others use its macro"
    # The home really writes it (so the scan is not looking for a spelling nobody uses), except where
    # its macro names the arguments otherwise: at_crossing(figure, step).
    assert found == [home] or rule == CROSSING, f"the scan for {rule} does not find it in {home}"


def test_the_scan_reads_code_only():
    assert normalised("SELECT 'arg_min(c.recorded_at, c.step)' AS words -- arg_min(c.recorded_at, c.step)\n") \
        == "select'arg_min(c.recorded_at, c.step)'as words"


def test_the_obligation_state_order_is_the_pages(store_rules):
    """queries/obligations.sql sorts by obligation_state_order(); the page lists STATES in that order."""
    assert store_rules.execute("SELECT obligation_state_order()").fetchone()[0] == list(STATES)


def test_the_ingest_refuses_in_ids_the_characters_neutralise_makes_visible(ingest_macros):
    """has_invisible (the id rule of the ingest) and neutralise (every escaping function) name the
    same characters, over the Basic Multilingual Plane."""
    from dashboard.text import neutralise

    characters = [chr(code) for code in range(1, 0x10000) if not 0xD800 <= code <= 0xDFFF]
    flagged = ingest_macros.execute(
        "SELECT list_transform($chars, lambda c: has_invisible(c))", {"chars": characters}).fetchone()[0]
    mismatched = [f"U+{ord(char):04X}" for char, sql in zip(characters, flagged) if sql != (neutralise(char) != char)]
    assert not mismatched, mismatched[:20]
