"""The views shared by the command line and the pages: each takes validated parameters and
returns the DataFrame a person sees, with the contract's column names (DESIGN section 6)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from dashboard.params import ParamError, check_policy, parse_as_of, shown
from dashboard.store import Snapshot

STATUS_COLUMNS = [
    "model_id", "name", "family", "asl_level", "policy_id", "c_now", "c_eval", "compute_multiple",
    "next_eval_compute", "buffer_edge_compute", "buffer_used_pct", "days_since_eval", "next_eval_date",
    "status",
]

# The statuses of DESIGN section 4, in order of urgency (status.sql's severity 1..6), then
# no_checkpoint (DESIGN 4a, severity 7): a model with no checkpoint yet on the as-of date, listed
# last and never counted among the models that need attention.
STATUSES = ["triggered", "never_evaluated", "buffer_breached", "eval_overdue", "eval_due_soon", "on_track",
            "no_checkpoint"]

# The statuses that need attention (no_checkpoint and on_track do not).
ATTENTION_STATUSES = ["triggered", "never_evaluated", "buffer_breached", "eval_overdue", "eval_due_soon"]

# The columns status.sql adds after the contract's (DESIGN 4a figures the pages use).
STATUS_EXTRA_COLUMNS = [
    "eval_step", "last_checkpoint_on", "is_training", "eval_completed_on", "next_eval_crossed_on",
    "buffer_edge_crossed_on", "triggered_on", "triggered_step", "triggered_domains", "triggered_eval_ids",
    "overdue_by", "overdue_since", "due_soon_since", "severity",
]


@dataclass(frozen=True)
class ViewScope:
    """What every view is computed for: the as-of date and the policy override (None: each model's)."""
    as_of: dt.date
    policy_id: str | None
    as_of_is_default: bool


def snapshot_info(snap: Snapshot) -> dict:
    return snap.query("snapshot_info").iloc[0].to_dict()


def snapshot_date(snap: Snapshot) -> dt.date:
    value = snapshot_info(snap)["snapshot_date"]
    return value if isinstance(value, dt.date) else dt.date.today()


def resolve_scope(snap: Snapshot, as_of_text: str | None, policy_text: str | None) -> ViewScope:
    """Validate as_of and policy. Without an as-of date, the snapshot's own date is used."""
    default = snapshot_date(snap)
    as_of = parse_as_of(as_of_text, default)
    policy = check_policy(policy_text, snap.query("policies"))
    return ViewScope(as_of=as_of, policy_id=policy, as_of_is_default=not as_of_text)


def status_frame(snap: Snapshot, scope: ViewScope) -> pd.DataFrame:
    """Every model's figures and status, most urgent first (severity, then model_id): the contract's
    STATUS_COLUMNS, then STATUS_EXTRA_COLUMNS (eval_step, crossing dates, training flag, ...)."""
    return snap.query("status", as_of=scope.as_of, policy_id=scope.policy_id)


AT_RISK_COLUMNS = [
    "deployment_id", "model_id", "customer_id", "customer_name", "surface", "use_case", "status",
    "business_critical", "monthly_requests", "missing_safeguards", "action",
]

SURFACES = ["api", "cloud", "consumer", "enterprise", "internal"]

# The actions of DESIGN section 5, most urgent first (the order of the at-risk table).
ACTIONS = ["emergency_review", "halt_onboarding", "add_safeguards", "covered"]


@dataclass(frozen=True)
class Scenario:
    """A reclassification: model M to level L, optionally triggered in domain D."""
    model_id: str | None
    asl_level: int | None
    domain: str | None
    current_level: int | None


def known_domains(snap: Snapshot) -> list[str]:
    return list(snap.query("capability_domains")["domain"])


def model_levels(snap: Snapshot, as_of: dt.date) -> pd.Series:
    """Every model's ASL level as of the date (DESIGN 4a: from asl_history), indexed by model_id."""
    return snap.query("model_levels", as_of=as_of).set_index("model_id")["asl_level"]


def resolve_scenario(snap: Snapshot, model_text: str | None, asl_text: str | None, domain_text: str | None,
                     *, partial: bool = False, as_of: dt.date | None = None) -> Scenario:
    """Validate a scenario. partial=True lets model or level be missing (a page still being filled in).
    The model's current level is its level as of the date (default: the snapshot's own date)."""
    models = snap.query("models").set_index("model_id")
    if not model_text:
        if partial:
            model_id = None
        else:
            raise ParamError("no model given: choose the model to reclassify (--model ID)")
    elif model_text not in models.index:
        raise ParamError(f"model {shown(model_text)} is unknown in this snapshot")
    else:
        model_id = model_text
    if model_id:
        current = int(model_levels(snap, snapshot_date(snap) if as_of is None else as_of).loc[model_id])
    else:
        current = None
    level = None
    if asl_text is None or asl_text == "":
        if not partial:
            raise ParamError("no level given: choose the ASL level to reclassify to (--asl N)")
    else:
        if not re.fullmatch(r"[0-9]{1,3}", asl_text):
            raise ParamError(f"asl {shown(asl_text)} is not a level: give a whole number such as 3")
        level = int(asl_text)
        defined = [int(value) for value in snap.query("asl_levels")["asl_level"]]
        if level not in defined:
            raise ParamError(f"ASL-{level} is not defined in this snapshot: levels are "
                             + ", ".join(f"ASL-{value}" for value in defined))
        if current is not None and level <= current:
            raise ParamError(f"{model_id} is already at ASL-{current}: choose a level above it")
    domain = None
    if domain_text:
        domains = known_domains(snap)
        if domain_text not in domains:
            raise ParamError(f"domain {shown(domain_text)} is not a known capability domain: "
                             + (", ".join(domains) if domains else "this snapshot names none"))
        domain = domain_text
    return Scenario(model_id=model_id, asl_level=level, domain=domain, current_level=current)


def at_risk_frame(snap: Snapshot, scope: ViewScope, scenario: Scenario) -> pd.DataFrame:
    return snap.query("at_risk", model_id=scenario.model_id, asl_level=scenario.asl_level, domain=scenario.domain,
                      as_of=scope.as_of)


def at_risk_summary(deployments: pd.DataFrame, affected_models: pd.DataFrame) -> dict:
    """The decision summary of DESIGN section 5.

    monthly_requests_at_risk counts the live deployments whose action is not 'covered' (a covered
    deployment keeps serving as it is). safeguard_gaps counts, for each required safeguard, the
    live deployments that lack it, whatever their action: the minimum additional safeguards to
    keep serving existing customers, most needed first.
    """
    actions = {action: int((deployments["action"] == action).sum()) for action in ACTIONS}
    customers = deployments.dropna(subset=["customer_id"])
    at_risk = deployments[deployments["action"] != "covered"]
    missing = (deployments["missing_safeguards"].fillna("").str.split(";").explode())
    missing = missing[missing != ""]
    gaps = (missing.value_counts().rename_axis("safeguard_id").reset_index(name="deployments_missing")
            .sort_values(["deployments_missing", "safeguard_id"], ascending=[False, True], ignore_index=True))
    return {
        "halted_models": list(affected_models["model_id"]),
        "actions": actions,
        "customers": int(customers["customer_id"].nunique()),
        "business_critical_customers": int(customers.loc[customers["business_critical"].astype(bool), "customer_id"].nunique()),
        "monthly_requests_at_risk": int(at_risk["monthly_requests"].fillna(0).sum()),
        "safeguard_gaps": gaps,
    }


# The name the reclassification brief uses for a scenario (model, new level, triggering domain).
ReclassifyScenario = Scenario

AT_RISK_GAP_COLUMNS = ["safeguard_id", "name", "kind", "required_from", "deployments_missing"]


def at_risk_models_frame(snap: Snapshot, scenario: Scenario, as_of: dt.date | None = None) -> pd.DataFrame:
    """The affected models in lineage-tree order: model_id, name, parent_model_id, depth, path, asl_level
    (as of the date; default: the snapshot's own date), status."""
    return snap.query("at_risk_models", model_id=scenario.model_id, asl_level=scenario.asl_level,
                      as_of=snapshot_date(snap) if as_of is None else as_of)


def at_risk_safeguard_gaps(snap: Snapshot, scenario: Scenario, gaps: pd.DataFrame) -> pd.DataFrame:
    """The summary's safeguard_gaps (from at_risk_summary) with each safeguard's name, kind and the
    lowest level requiring it: one row per safeguard that at least one considered deployment lacks,
    most needed first (then by id).

    The counts are not recomputed: they come from at_risk.sql's missing_safeguards through
    at_risk_summary, so the rules live in one place. Every considered deployment counts, whatever
    its action (an onboarding deployment that lacks a safeguard needs it before it may resume);
    a covered deployment lacks nothing, so it never counts.
    """
    required = snap.query("at_risk_safeguard_gaps", asl_level=scenario.asl_level)
    merged = gaps[["safeguard_id", "deployments_missing"]].merge(required, on="safeguard_id", how="left",
                                                                 validate="one_to_one")
    return (merged.sort_values(["deployments_missing", "safeguard_id"], ascending=[False, True], ignore_index=True)
            [AT_RISK_GAP_COLUMNS])
