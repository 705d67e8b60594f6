"""DESIGN sections 4 and 4a once more, as plain Python over the input folder's CSV files.

Written from the design text alone (no SQL, nothing from dashboard/), to check queries/status.sql:
tests/test_status.py compares the two on the demo data at dates before, inside and after the data.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

SEVERITY = {"triggered": 1, "never_evaluated": 2, "buffer_breached": 3, "eval_overdue": 4, "eval_due_soon": 5,
            "on_track": 6, "no_checkpoint": 7}


def read(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def day_of(timestamp: str) -> dt.date:
    """The UTC date of an ISO-8601 timestamp (without zone: UTC)."""
    value = dt.datetime.fromisoformat(timestamp)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.date()


def number(text: str) -> float | None:
    return float(text) if text.strip() else None


class Lab:
    def __init__(self, folder: Path):
        self.models = read(folder, "models")
        self.policies = {row["policy_id"]: row for row in read(folder, "policies")}
        self.checkpoints: dict[str, list[dict]] = {}
        for row in read(folder, "checkpoints"):
            self.checkpoints.setdefault(row["model_id"], []).append(
                {"step": int(row["step"]), "day": day_of(row["recorded_at"]), "c": float(row["effective_compute"])})
        self.evaluations: dict[str, list[dict]] = {}
        for row in read(folder, "evaluations"):
            self.evaluations.setdefault(row["model_id"], []).append(
                {"eval_id": row["eval_id"], "step": int(row["step"]), "at": dt.datetime.fromisoformat(row["completed_at"]),
                 "day": day_of(row["completed_at"]), "domain": row["domain"], "kind": row["kind"],
                 "outcome": row["outcome"]})
        self.history: dict[str, list[tuple[dt.date, int]]] = {}
        for row in read(folder, "asl_history"):
            self.history.setdefault(row["model_id"], []).append(
                (dt.date.fromisoformat(row["effective_from"]), int(row["asl_level"])))

    def level(self, model: dict, as_of: dt.date) -> int:
        rows = sorted(self.history.get(model["model_id"], []))
        if not rows:
            return int(model["asl_level"])
        known = [level for day, level in rows if day <= as_of]
        return known[-1] if known else rows[0][1]

    def status(self, as_of: dt.date, policy_id: str | None = None) -> list[dict]:
        rows = [self.model_status(model, as_of, policy_id) for model in self.models]
        return sorted(rows, key=lambda row: (row["severity"], row["model_id"]))

    def model_status(self, model: dict, as_of: dt.date, policy_id: str | None) -> dict:
        policy = self.policies[policy_id or model["policy_id"]]
        k = float(policy["eval_compute_multiple"])
        b = number(policy["buffer_multiple"])
        t = number(policy["eval_interval_days"])
        all_checkpoints = {row["step"]: row for row in self.checkpoints.get(model["model_id"], [])}
        seen = sorted((row for row in all_checkpoints.values() if row["day"] <= as_of), key=lambda row: row["step"])
        c_now = seen[-1]["c"] if seen else None
        last_day = max((row["day"] for row in seen), default=None)

        # Rounds: comprehensive evaluations at one step, rows dated on or before the as-of date.
        rounds: dict[int, list[dict]] = {}
        for row in self.evaluations.get(model["model_id"], []):
            if row["kind"] == "comprehensive" and row["day"] <= as_of:
                rounds.setdefault(row["step"], []).append(row)

        # The policy's required domains (empty or absent: none), written out here independently.
        required = {item.strip() for item in (policy.get("required_domains") or "").split(";") if item.strip()}

        def outcome(rows):
            if any(row["outcome"] == "triggered" for row in rows):
                return "triggered"
            if any(row["outcome"] != "below_threshold" for row in rows):
                return "inconclusive"
            return "clean" if required <= {row["domain"] for row in rows} else "incomplete"

        clean_steps = [step for step, rows in rounds.items() if outcome(rows) == "clean"]
        eval_step = max(clean_steps, default=None)
        triggered_steps = sorted(step for step, rows in rounds.items() if outcome(rows) == "triggered"
                                 and (eval_step is None or step > eval_step))
        c_eval = t_eval = multiple = days = next_date = None
        if eval_step is not None:
            c_eval = all_checkpoints[eval_step]["c"]
            t_eval = max(row["at"] for row in rounds[eval_step]).date()
            days = (as_of - t_eval).days
            next_date = t_eval + dt.timedelta(days=int(t)) if t is not None else None
            if c_now is not None:
                multiple = c_now / c_eval

        def crossed(threshold):
            """The date of the first checkpoint (lowest step) above the clean round reaching threshold x C_eval."""
            if eval_step is None or threshold is None:
                return None
            for row in seen:
                if row["step"] > eval_step and row["c"] / c_eval >= threshold:
                    return row["day"]
            return None

        overdue_compute = multiple is not None and multiple >= k
        overdue_time = t is not None and days is not None and days > t
        soon_compute = multiple is not None and multiple >= k ** 0.75
        soon_time = t is not None and days is not None and days > 0.75 * t
        if c_now is None:
            status = "no_checkpoint"
        elif triggered_steps:
            status = "triggered"
        elif eval_step is None:
            status = "never_evaluated"
        elif b is not None and multiple >= b:
            status = "buffer_breached"
        elif overdue_compute or overdue_time:
            status = "eval_overdue"
        elif soon_compute or soon_time:
            status = "eval_due_soon"
        else:
            status = "on_track"

        overdue_by = overdue_since = due_soon_since = None
        if status in ("buffer_breached", "eval_overdue"):
            overdue_by = {(True, True): "compute_and_time", (True, False): "compute", (False, True): "time"}[
                (overdue_compute, overdue_time)]
            candidates = ([crossed(k)] if overdue_compute else []) + ([next_date + dt.timedelta(days=1)] if overdue_time else [])
            overdue_since = min(candidates)
        if status == "eval_due_soon":
            # More than 0.75 T days: the first such day is t_eval + floor(0.75 T) + 1.
            candidates = (([crossed(k ** 0.75)] if soon_compute else [])
                          + ([t_eval + dt.timedelta(days=math.floor(0.75 * t) + 1)] if soon_time else []))
            due_soon_since = min(candidates)

        triggered = {"triggered_on": None, "triggered_step": None, "triggered_domains": None, "triggered_eval_ids": None}
        if triggered_steps:
            step = triggered_steps[0]
            fired = [row for row in rounds[step] if row["outcome"] == "triggered"]
            triggered = {"triggered_on": max(row["at"] for row in rounds[step]).date(), "triggered_step": step,
                         "triggered_domains": ";".join(sorted({row["domain"] for row in fired})),
                         "triggered_eval_ids": ";".join(sorted(row["eval_id"] for row in fired))}

        return {
            "model_id": model["model_id"], "name": model["name"], "family": model["family"],
            "asl_level": self.level(model, as_of), "policy_id": policy["policy_id"],
            "c_now": c_now, "c_eval": c_eval, "compute_multiple": multiple,
            "next_eval_compute": k * c_eval if c_eval is not None else None,
            "buffer_edge_compute": b * c_eval if c_eval is not None and b is not None else None,
            "buffer_used_pct": 100 * math.log(multiple) / math.log(b) if multiple is not None and b is not None else None,
            "days_since_eval": days, "next_eval_date": next_date, "status": status,
            "eval_step": eval_step, "last_checkpoint_on": last_day,
            "is_training": last_day is not None and (as_of - last_day).days <= 14,
            "eval_completed_on": t_eval,
            "next_eval_crossed_on": crossed(k), "buffer_edge_crossed_on": crossed(b),
            **triggered,
            "overdue_by": overdue_by, "overdue_since": overdue_since, "due_soon_since": due_soon_since,
            "severity": SEVERITY[status],
        }
