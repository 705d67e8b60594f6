"""How numbers, dates and statuses read on screen (dashboard/display.py), on hand-made rows."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard import display

AS_OF = dt.date(2025, 4, 11)


@pytest.mark.parametrize("value, text", [
    (2.5176180000000002e+25, "2.52e25"),  # float noise gone, exponent without "+"
    (591588150000000000, "5.92e17"),      # an integer above 2^53: the same form, no warning flag
    (7.638e13, "7.64e13"),
    (6.2e+21, "6.20e21"),
    (1e26, "1.00e26"),
    (9.995e24, "1.00e25"),                # rounding carries into the exponent
    (None, ""), (float("nan"), ""), (pd.NA, ""),
])
def test_flop_reads_as_three_significant_figures(value, text):
    assert display.flop(value) == text


def test_multiples_and_percentages():
    assert display.multiple(math.sqrt(10)) == "3.16x"  # 3.1622776...
    assert display.multiple(2.0) == "2.00x"
    assert display.percent(38.685280723454154) == "39%"  # 100 ln 2 / ln 6
    assert display.percent(None) == "" and display.multiple(float("nan")) == ""


def test_a_past_reevaluation_date_is_never_a_deadline_ahead():
    assert display.reevaluation_text(dt.date(2025, 4, 10), AS_OF) == "was due 2025-04-10"
    assert display.reevaluation_text(dt.date(2025, 4, 11), AS_OF) == "2025-04-11"  # due today: still ahead
    assert display.reevaluation_text(None, AS_OF) == ""


def test_severity_order_without_and_with_the_severity_column():
    frame = pd.DataFrame({"model_id": ["z", "a", "m", "b", "n"],
                          "status": ["on_track", "no_checkpoint", "triggered", "eval_overdue", "never_evaluated"]})
    # DESIGN 4 order: triggered, never_evaluated, buffer_breached, eval_overdue, due soon, on_track; no_checkpoint last.
    assert list(display.severity_order(frame)["model_id"]) == ["m", "n", "b", "z", "a"]
    frame["severity"] = [6, 7, 1, 4, 2]
    assert list(display.severity_order(frame)["model_id"]) == ["m", "n", "b", "z", "a"]


def status_row(**values):
    base = {"status": "on_track", "c_now": 2e24, "compute_multiple": 2.0, "buffer_used_pct": 38.685, "days_since_eval": 22,
            "next_eval_date": dt.date(2025, 8, 8), "next_eval_compute": 4e24, "triggered_on": None,
            "triggered_domains": None, "triggered_eval_ids": None, "buffer_edge_crossed_on": None, "overdue_by": None,
            "overdue_since": None, "due_soon_since": None}
    return pd.Series({**base, **values})


def test_headline_on_track_shows_the_deadline_ahead():
    assert display.headline(status_row(), dt.date(2025, 6, 1)) == [
        ("Status", "On track"), ("Next evaluation by", "2025-08-08"), ("Next evaluation at", "4.00e24"),
        ("C now (FLOP-equivalent)", "2.00e24"), ("Multiple since last clean eval", "2.00x"), ("Buffer used", "39%"),
        ("Days since last clean eval", "22")]


def test_headline_triggered_says_when_where_and_which_evaluations():
    row = status_row(status="triggered", triggered_on=dt.date(2025, 2, 7), triggered_domains="cbrn;cyber",
                     triggered_eval_ids="t-200-cbrn;t-200-cyber", next_eval_date=dt.date(2025, 4, 5))
    figures = dict(display.headline(row, AS_OF))
    assert figures["Triggered on"] == "2025-02-07" and figures["Domain"] == "cbrn, cyber"
    assert figures["Evaluation ids"] == "t-200-cbrn, t-200-cyber"
    assert "Next evaluation by" not in figures and "2025-04-05" not in figures.values()  # no past "deadline"


def test_headline_buffer_breached_gives_the_crossing_date():
    row = status_row(status="buffer_breached", compute_multiple=7.0, buffer_edge_crossed_on=dt.date(2025, 3, 20),
                     overdue_by="compute", overdue_since=dt.date(2025, 3, 1), next_eval_date=dt.date(2025, 12, 5))
    figures = dict(display.headline(row, dt.date(2025, 3, 25)))
    assert figures["Buffer edge crossed on"] == "2025-03-20"
    assert figures["Overdue (compute) since"] == "2025-03-01"
    assert "Next evaluation by" not in figures  # a projection "already reached" beside a future deadline misled


def test_headline_overdue_says_what_made_it_overdue_and_since_when():
    row = status_row(status="eval_overdue", compute_multiple=1.0, overdue_by="time", overdue_since=dt.date(2025, 4, 11),
                     next_eval_date=dt.date(2025, 4, 10))
    figures = display.headline(row, AS_OF)
    assert ("Overdue by", "time") in figures and ("Overdue (time) since", "2025-04-11") in figures
    assert all("2025-04-10" not in value for _, value in figures)
    both = dict(display.headline(row.copy().replace({"time": "compute_and_time"}), AS_OF))
    assert both["Overdue by"] == "compute and time"


def test_headline_due_soon_marks_a_past_date():
    row = status_row(status="eval_due_soon", due_soon_since=dt.date(2025, 3, 19), next_eval_date=dt.date(2025, 4, 10))
    figures = dict(display.headline(row, AS_OF))
    assert figures["Due soon since"] == "2025-03-19" and figures["Re-evaluate by"] == "was due 2025-04-10"


def test_headline_no_checkpoint_and_never_evaluated():
    assert display.headline(status_row(status="no_checkpoint", c_now=None), AS_OF) == [
        ("Status", "No checkpoint yet"), ("First checkpoint", "none by 2025-04-11")]
    never = dict(display.headline(status_row(status="never_evaluated", compute_multiple=None, c_now=3.1e26), AS_OF))
    assert never["Clean evaluation"] == "none yet" and never["C now (FLOP-equivalent)"] == "3.10e26"


def test_training_text():
    assert display.training_text(pd.Series({"last_checkpoint_on": dt.date(2025, 4, 1), "is_training": True}), AS_OF) == \
        "Training: latest checkpoint 2025-04-01."
    stopped = display.training_text(pd.Series({"last_checkpoint_on": dt.date(2025, 1, 1), "is_training": False}), AS_OF)
    assert stopped.startswith("Not training: no checkpoint since 2025-01-01 (100 days before 2025-04-11)")


def test_status_table_reads_like_the_screen():
    status = pd.DataFrame([
        {"model_id": "a", "name": "A", "family": "f", "asl_level": 2, "policy_id": "p", "c_now": 2.5176180000000002e+25,
         "c_eval": 1e25, "compute_multiple": 2.5176180000000002, "next_eval_compute": 4e25, "buffer_edge_compute": 6e25,
         "buffer_used_pct": 51.5, "days_since_eval": 95, "next_eval_date": dt.date(2025, 4, 1), "status": "eval_overdue"},
        {"model_id": "b", "name": "B", "family": "f", "asl_level": 3, "policy_id": "p", "c_now": 3.1e26, "c_eval": None,
         "compute_multiple": None, "next_eval_compute": None, "buffer_edge_compute": None, "buffer_used_pct": None,
         "days_since_eval": None, "next_eval_date": None, "status": "never_evaluated"},
    ])
    table = display.status_table(status, AS_OF)
    assert list(table["model_id"]) == ["b", "a"]  # never evaluated (2) before overdue (4)
    assert list(table["status_label"]) == ["Never evaluated", "Evaluation overdue"]
    assert table.loc[1, "c_now"] == "2.52e25" and table.loc[1, "multiple"] == "2.52x"
    assert table.loc[1, "reevaluate_by"] == "was due 2025-04-01" and table.loc[0, "c_now"] == "3.10e26"
    assert list(display.STATUS_TABLE_COLUMNS)[0] == "status_label"


def test_first_party_customer():
    assert display.surface_customer(None, "consumer") == "first-party (consumer)"
    assert display.surface_customer(float("nan"), "api") == "first-party (api)"
    assert display.surface_customer("Acme Bio", "api") == "Acme Bio"


def test_the_halted_models_read_as_a_lineage_tree():
    """Worked by hand: a is the reclassified model; b (ASL-3 already) is skipped; c under b is shown
    under a, naming b; d under a is triggered and says so in red; a name from data stays text."""
    from dashboard.display import lineage_tree_markdown

    affected = pd.DataFrame({
        "model_id": ["a", "c", "d"], "name": ["Alpha", "Gamma *x*", "Delta"], "path": ["a", "a/b/c", "a/d"],
        "asl_level": [2, 2, 2], "status": ["deployed", "training", "deployed"]})
    text = lineage_tree_markdown(affected, {"a": "on_track", "d": "triggered"}, 3)
    assert text.splitlines() == [
        "- **Alpha** (a), ASL-2, deployed; safety status: on track",
        "    - **Gamma \\*x\\*** (c), ASL-2, training; safety status: unknown (via b, already at or above ASL-3)",
        "    - **Delta** (d), ASL-2, deployed; safety status: **:red[triggered]**",
    ]
    assert lineage_tree_markdown(affected.iloc[0:0], {}, 3) == "None."


# --- Names two models share; a deadline is never ahead for a model that is due now ------------------


def test_distinct_names_add_the_id_only_where_a_name_is_shared():
    assert display.distinct_names(["f-1", "f-2", "g", "h", "i"], ["Fjord", "Fjord", "Gale", None, ""]) == [
        "Fjord (f-1)", "Fjord (f-2)", "Gale", "h", "i"]
    # A name equal to another model's id: both shown apart, the id alone stays as it is.
    assert display.distinct_names(["x", "y"], ["y", None]) == ["y (x)", "y"]
    assert display.distinct_names([], []) == []


def test_a_model_due_now_has_no_deadline_ahead():
    ahead = dt.date(2025, 5, 1)  # after AS_OF (2025-04-11)
    # On track or due soon: the date ahead is the deadline.
    assert display.reevaluation(ahead, AS_OF, "on_track") == ("ahead", "2025-05-01")
    assert display.reevaluation_sentence(ahead, AS_OF, "eval_due_soon") == "re-evaluate by 2025-05-01"
    # Overdue or past the buffer by compute while the time limit is still ahead: overdue, since when.
    for status in ("eval_overdue", "buffer_breached"):
        kind, text = display.reevaluation(ahead, AS_OF, status, overdue_since=dt.date(2025, 3, 23), overdue_by="compute")
        assert (kind, text) == ("overdue", "overdue since 2025-03-23 (by compute)")
        assert "2025-05-01" not in display.reevaluation_sentence(ahead, AS_OF, status, overdue_since=dt.date(2025, 3, 23))
    # Triggered: no re-evaluation deadline at all, past or ahead.
    assert display.reevaluation(ahead, AS_OF, "triggered", triggered_on=dt.date(2025, 3, 2)) == (
        "triggered", "none: triggered on 2025-03-02")
    assert display.reevaluation_text(dt.date(2025, 1, 1), AS_OF, "triggered") == "none: triggered"
    # A past date reads "was due", whatever the status.
    assert display.reevaluation_sentence(dt.date(2025, 4, 1), AS_OF, "eval_overdue") == "re-evaluation was due 2025-04-01"


def test_the_status_table_and_headline_show_no_deadline_ahead_for_a_model_due_now():
    rows = pd.DataFrame([
        {"model_id": "c2", "name": "Cobalt 2", "family": "f", "asl_level": 3, "policy_id": "p", "c_now": 3e25,
         "c_eval": 3.4e24, "compute_multiple": 8.9, "next_eval_compute": 1.4e25, "buffer_edge_compute": 2.1e25,
         "buffer_used_pct": 122.0, "days_since_eval": 75, "next_eval_date": dt.date(2026, 12, 5),
         "status": "buffer_breached", "overdue_since": dt.date(2026, 10, 23), "overdue_by": "compute",
         "triggered_on": None},
        {"model_id": "t", "name": "T", "family": "f", "asl_level": 3, "policy_id": "p", "c_now": 3e25,
         "c_eval": 3e25, "compute_multiple": 1.0, "next_eval_compute": 1.2e26, "buffer_edge_compute": 1.8e26,
         "buffer_used_pct": 0.0, "days_since_eval": 14, "next_eval_date": dt.date(2027, 2, 4),
         "status": "triggered", "overdue_since": None, "overdue_by": None, "triggered_on": dt.date(2026, 11, 18)},
    ])
    table = display.status_table(rows, dt.date(2026, 11, 20)).set_index("model_id")
    assert table.loc["c2", "reevaluate_by"] == "overdue since 2026-10-23 (by compute)"
    assert table.loc["t", "reevaluate_by"] == "none: triggered on 2026-11-18"
    for row in rows.to_dict("records"):
        assert not any("2026-12-05" in value or "2027-02-04" in value
                       for _, value in display.headline(pd.Series(row), dt.date(2026, 11, 20)))


def test_rows_chosen_keeps_the_rows_among_each_columns_choice_and_ignores_empty_choices():
    frame = pd.DataFrame({"state": ["open", "closed", "open"], "model_id": ["a", "a", "b"]})
    assert display.rows_chosen(frame, {"state": ["open"], "model_id": []}).index.tolist() == [0, 2]
    assert display.rows_chosen(frame, {"state": ("open",), "model_id": ("a",)}).index.tolist() == [0]
    assert display.rows_chosen(frame, {"state": None, "model_id": ()}).index.tolist() == [0, 1, 2]
