"""Regulatory and framework clocks (DESIGN section 9): the bundled obligation rows and the small
helpers the page and the command line share. The arithmetic itself is queries/obligations.sql, asked
through dashboard/questions/obligations.py."""
from __future__ import annotations

import pandas as pd

from dashboard.tables import TABLES_BY_NAME

# The rows DESIGN sections 9 and 12 bundle with the demo and public data sets: a lab checks the current
# texts and edits its own. Regulatory lines count real training FLOP, not effective compute. The clocks
# after_awareness start when the lab becomes aware of an incident of one of their categories
# (dashboard/incident_clocks.py); their deadlines are in hours (15 days = 360 h).
_COP_SOURCE = "EU AI Act Art. 55(1)(c), GPAI Code of Practice (Safety and Security)"


def _incident_row(obligation_id: str, name: str, jurisdiction: str, hours: int, categories: str,
                  applies_from: str, source: str) -> dict[str, str]:
    return {"obligation_id": obligation_id, "name": name, "jurisdiction": jurisdiction, "threshold_flop": "",
            "measure": "", "clock": "after_awareness", "deadline_days": "", "applies_from": applies_from,
            "source": source, "deadline_hours": str(hours), "categories": categories}


BUNDLED_OBLIGATIONS: tuple[dict[str, str], ...] = (
    {"obligation_id": "eu-ai-act-art52",
     "name": "EU AI Act: notify the Commission of a general-purpose AI model with systemic risk",
     "jurisdiction": "EU", "threshold_flop": "1e25", "measure": "training_flop", "clock": "after_crossing",
     "deadline_days": "14", "applies_from": "2025-08-02",
     "source": "Regulation (EU) 2024/1689, Art. 51(2) and 52(1); GPAI obligations apply from 2 August 2025",
     "deadline_hours": "", "categories": ""},
    {"obligation_id": "ca-sb53-frontier",
     "name": "California SB 53: transparency report before or when deploying a frontier model",
     "jurisdiction": "California", "threshold_flop": "1e26", "measure": "training_flop",
     "clock": "before_first_deployment", "deadline_days": "", "applies_from": "2026-01-01",
     "source": "California SB 53 (2025), Transparency in Frontier Artificial Intelligence Act",
     "deadline_hours": "", "categories": ""},
    _incident_row("ca-sb53-incident", "California SB 53: report a critical safety incident", "California",
                  15 * 24, "critical_safety_incident", "2026-01-01",
                  "California SB 53: report a critical safety incident within 15 days of discovery"),
    _incident_row("ca-sb53-imminent", "California SB 53: report a critical safety incident posing an imminent risk",
                  "California", 24, "imminent_risk", "2026-01-01",
                  "SB 53: within 24 hours where there is an imminent risk of death or serious physical injury"),
    _incident_row("eu-cop-critical-infrastructure",
                  "EU GPAI Code of Practice: report a serious incident disrupting critical infrastructure", "EU",
                  2 * 24, "critical_infrastructure", "2025-08-02", _COP_SOURCE),
    _incident_row("eu-cop-cybersecurity",
                  "EU GPAI Code of Practice: report a serious cybersecurity breach, such as exfiltrated model weights",
                  "EU", 5 * 24, "cybersecurity;weights_exfiltration", "2025-08-02", _COP_SOURCE),
    _incident_row("eu-cop-death", "EU GPAI Code of Practice: report a serious incident that caused a death", "EU",
                  10 * 24, "death", "2025-08-02", _COP_SOURCE),
    _incident_row("eu-cop-serious-harm",
                  "EU GPAI Code of Practice: report serious harm to health, fundamental rights, property or the "
                  "environment", "EU", 15 * 24, "serious_harm", "2025-08-02",
                  _COP_SOURCE + ": serious harm to health, fundamental rights, property or the environment"),
    _incident_row("ny-raise-incident", "New York RAISE Act: report a safety incident", "New York", 72,
                  "critical_safety_incident;imminent_risk", "2027-01-01", "New York RAISE Act"),
)
assert all(tuple(row) == TABLES_BY_NAME["obligations"].columns for row in BUNDLED_OBLIGATIONS)

STATES = ("overdue", "due", "projected", "done_late", "done")  # most urgent first, as the query sorts
STATE_LABELS = {"overdue": "Overdue", "due": "Due", "projected": "Projected", "done_late": "Done late", "done": "Done"}
# The columns of `asl-dashboard obligations` (DESIGN section 9), in this order.
CLI_COLUMNS = ["model_id", "model_name", "obligation_id", "crossed_on", "due_on", "done_on", "state", "projected_on"]


def time_left(state: str, days_left, clock: str, projected_on=None) -> str:
    """Days left or overdue, in words, for one row of queries/obligations.sql."""
    if state == "overdue":
        return f"{-int(days_left)} day{'s' if -int(days_left) != 1 else ''} overdue"
    if state == "due":
        if days_left is None or pd.isna(days_left):
            return "no due date yet: not deployed" if clock == "before_first_deployment" else "no due date yet"
        days = int(days_left)
        return "due today" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"
    if state == "projected":
        return f"not crossed yet: projected {projected_on}" if projected_on is not None else "not crossed yet"
    return ""


DUE_SOON_DAYS = 14  # the overview counts, and /obligations filters on, clocks due within this many days


def due_within(frame: pd.DataFrame, within_days: int = DUE_SOON_DAYS) -> pd.Series:
    """Per row: still due (no record) and due today or within the next within_days days."""
    return (frame["state"] == "due") & frame["days_left"].between(0, within_days)


def attention_counts(frame: pd.DataFrame, within_days: int = DUE_SOON_DAYS) -> tuple[int, int]:
    """(overdue, due within the next within_days days, today included) for the overview."""
    overdue = int((frame["state"] == "overdue").sum())
    return overdue, int(due_within(frame, within_days).sum())
