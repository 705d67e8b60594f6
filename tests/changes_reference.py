"""An independent implementation of DESIGN section 8 (and the status of section 4/4a it needs), in
plain Python over an input folder's CSV files: no DuckDB, no SQL, no code from dashboard/.
tests/test_changes.py compares it with the dashboard's changes on the demo data at several windows."""
from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

DEFAULT_LINES = [("EU AI Act Art. 51(2) (1e25 training FLOP)", 1e25, "training_flop"),
                 ("California SB 53 frontier model (1e26 training FLOP)", 1e26, "training_flop")]


def _rows(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


class Lab:
    def __init__(self, folder: Path):
        self.models = {row["model_id"]: row for row in _rows(folder, "models")}
        self.policies = {row["policy_id"]: row for row in _rows(folder, "policies")}
        self.customers = {row["customer_id"]: row for row in _rows(folder, "customers")}
        self.deployments = _rows(folder, "deployments")
        self.checkpoints = defaultdict(list)  # model -> [(step, date, training, effective)]
        for row in _rows(folder, "checkpoints"):
            self.checkpoints[row["model_id"]].append(
                (int(row["step"]), _day(row["recorded_at"]), float(row["training_flop"]), float(row["effective_compute"])))
        self.evaluations = defaultdict(list)  # model -> [(step, completed_at text, domain, outcome)]
        for row in _rows(folder, "evaluations"):
            if row["kind"] == "comprehensive":
                self.evaluations[row["model_id"]].append((int(row["step"]), row["completed_at"], row["domain"], row["outcome"]))
        self.history = defaultdict(list)  # model -> [(effective_from, level, reason)] by date
        for row in _rows(folder, "asl_history"):
            self.history[row["model_id"]].append((dt.date.fromisoformat(row["effective_from"]), int(row["asl_level"]), row["reason"]))
        for rows in self.history.values():
            rows.sort(key=lambda item: (item[0], item[1]))
        obligations = _rows(folder, "obligations")
        # an incident starts the after_awareness clocks: they draw no compute line
        self.lines = ([(row["name"], float(row["threshold_flop"]), row["measure"]) for row in obligations
                       if row.get("clock") != "after_awareness"] or DEFAULT_LINES)

    # --- rounds and status (DESIGN 4, 4a) -------------------------------------------------------
    def required_domains(self, model_id: str, policy_id: str | None) -> set[str]:
        policy = self.policies[policy_id or self.models[model_id]["policy_id"]]
        return {item.strip() for item in (policy.get("required_domains") or "").split(";") if item.strip()}

    def rounds(self, model_id: str, day: dt.date, policy_id: str | None = None) -> dict[int, tuple[str, str, list[str]]]:
        """step -> (outcome, latest completed_at text, triggered domains or, for an incomplete round,
        the required domains it misses), rows completed by day, under the policy in use."""
        required = self.required_domains(model_id, policy_id)
        by_step = defaultdict(list)
        for step, completed, domain, outcome in self.evaluations[model_id]:
            if _day(completed) <= day:
                by_step[step].append((completed, domain, outcome))
        result = {}
        for step, rows in by_step.items():
            outcomes = {outcome for _, _, outcome in rows}
            missing = sorted(required - {domain for _, domain, _ in rows})
            kind = ("triggered" if "triggered" in outcomes else "inconclusive" if outcomes != {"below_threshold"}
                    else "incomplete" if missing else "clean")
            result[step] = (kind, max(completed for completed, _, _ in rows),
                            sorted({domain for _, domain, outcome in rows if outcome == "triggered"}))
            if kind == "incomplete":
                result[step] = (kind, result[step][1], ["missing " + ", ".join(missing)])
        return result

    def status(self, model_id: str, day: dt.date, policy_id: str | None) -> str:
        policy = self.policies[policy_id or self.models[model_id]["policy_id"]]
        k = float(policy["eval_compute_multiple"])
        b = float(policy["buffer_multiple"]) if policy["buffer_multiple"] else None
        t = float(policy["eval_interval_days"]) if policy["eval_interval_days"] else None
        dated = [item for item in self.checkpoints[model_id] if item[1] <= day]
        if not dated:
            return "no_checkpoint"
        c_now = max(dated)[3]
        rounds = self.rounds(model_id, day, policy_id)
        clean = [step for step, (kind, _, _) in rounds.items() if kind == "clean"]
        triggered = [step for step, (kind, _, _) in rounds.items() if kind == "triggered"]
        if triggered and (not clean or max(triggered) > max(clean)):
            return "triggered"
        if not clean:
            return "never_evaluated"
        eval_step = max(clean)
        c_eval = next(item[3] for item in self.checkpoints[model_id] if item[0] == eval_step)
        multiple = c_now / c_eval
        days = (day - _day(rounds[eval_step][1])).days
        if b is not None and multiple >= b:
            return "buffer_breached"
        if multiple >= k or (t is not None and days > t):
            return "eval_overdue"
        if multiple >= math.pow(k, 0.75) or (t is not None and days > 0.75 * t):
            return "eval_due_soon"
        return "on_track"

    def level_before(self, model_id: str, day: dt.date) -> int:
        """The level as of the day before `day` (4a: before the first row, the first row's level)."""
        rows = self.history[model_id]
        earlier = [level for effective, level, _ in rows if effective < day]
        if earlier:
            return earlier[-1]  # rows are sorted by (date, level): of two rows on one date, the higher
        return max(level for effective, level, _ in rows if effective == rows[0][0])

    # --- DESIGN 8 ---------------------------------------------------------------------------------
    def changes(self, since: dt.date, as_of: dt.date, policy_id: str | None = None) -> list[tuple]:
        inside = lambda day: since < day <= as_of  # noqa: E731
        events = []
        for model_id, model in self.models.items():
            name = model["name"]
            before, after = self.status(model_id, since, policy_id), self.status(model_id, as_of, policy_id)
            if before != after:
                events.append((as_of, "status_change", model_id, name, before, after, None))
            for step, (kind, completed, domains) in self.rounds(model_id, as_of, policy_id).items():
                if inside(_day(completed)):
                    events.append((_day(completed), "evaluation_round", model_id, name, None, kind,
                                   ", ".join(domains) or None))
            for effective, level, reason in self.history[model_id]:
                if inside(effective):
                    events.append((effective, "asl_change", model_id, name, str(self.level_before(model_id, effective)),
                                   str(level), reason))
            for line_name, threshold, measure in self.lines:
                index = 2 if measure == "training_flop" else 3
                reaching = [item for item in self.checkpoints[model_id] if item[1] <= as_of and item[index] >= threshold]
                if reaching and inside(min(reaching)[1]):
                    events.append((min(reaching)[1], "threshold_crossed", model_id, name, None, None, line_name))
        for deployment in self.deployments:
            started = dt.date.fromisoformat(deployment["started_at"])
            if not inside(started):
                continue
            model_id = deployment["model_id"]
            rounds = self.rounds(model_id, started, policy_id)
            open_rounds = [(step, completed) for step, (kind, completed, _) in rounds.items() if kind == "triggered"
                           and not any(other > step and rounds[other][0] == "clean" for other in rounds)]
            if not open_rounds:
                continue
            since_trigger = max(_day(completed) for _, completed in open_rounds)
            raised = any(since_trigger <= effective <= started and level > self.level_before(model_id, effective)
                         for effective, level, _ in self.history[model_id])
            if raised:
                continue
            customer = deployment["customer_id"]
            who = (f"customer {customer} {self.customers[customer]['name']}" if customer
                   else f"first-party {deployment['surface']}")
            events.append((started, "onboarding_while_triggered", model_id, self.models[model_id]["name"], None, None,
                           f"{deployment['deployment_id']} ({who})"))
        events.sort(key=lambda event: (event[1], event[2], event[6] or "", event[5] or ""))
        events.sort(key=lambda event: event[0], reverse=True)
        return events
