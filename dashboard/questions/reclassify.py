"""If a model were reclassified (DESIGN 5 and 6): the scenario checked, the deployments at risk, the
models whose onboarding halts, the decision summary and the safeguard plan, for /reclassify and
`asl-dashboard at-risk`, `plan` and `brief`."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from dashboard import changes, display, plan
from dashboard.params import ParamError, shown
from dashboard.questions import cached, question
from dashboard.questions.snapshot import ViewScope, asl_levels, capability_domains, models, snapshot_date
from dashboard.reference import ACTIONS
from dashboard.store import Snapshot

AT_RISK_COLUMNS = [
    "deployment_id", "model_id", "customer_id", "customer_name", "surface", "use_case", "status",
    "business_critical", "monthly_requests", "missing_safeguards", "action",
]



@dataclass(frozen=True)
class Scenario:
    """A reclassification: model M to level L, optionally triggered in domain D."""
    model_id: str | None
    asl_level: int | None
    domain: str | None
    current_level: int | None


def known_domains(snap: Snapshot) -> list[str]:
    return list(capability_domains(snap)["domain"])


@question(["model_id", "asl_level"])
def levels_as_of(snap: Snapshot, as_of: dt.date) -> pd.DataFrame:
    """Every model's ASL level as of the date (DESIGN 4a: from asl_history)."""
    return snap.query("model_levels", as_of=as_of)


def model_levels(snap: Snapshot, as_of: dt.date) -> pd.Series:
    """Every model's ASL level as of the date, indexed by model_id."""
    return levels_as_of(snap, as_of).set_index("model_id")["asl_level"]


def resolve_scenario(snap: Snapshot, model_text: str | None, asl_text: str | None, domain_text: str | None,
                     *, partial: bool = False, as_of: dt.date | None = None) -> Scenario:
    """Validate a scenario. partial=True lets model or level be missing (a page still being filled in).
    The model's current level is its level as of the date (default: the snapshot's own date)."""
    known_models = models(snap).set_index("model_id")
    if not model_text:
        if partial:
            model_id = None
        else:
            raise ParamError("no model given: choose the model to reclassify (--model ID)")
    elif model_text not in known_models.index:
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
        defined = [int(value) for value in asl_levels(snap)["asl_level"]]
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


# The scenario a page's link names, checked once per snapshot and link (a refused one raises again:
# errors are not cached).
checked_scenario = cached(resolve_scenario)


@question(AT_RISK_COLUMNS)
def at_risk_frame(snap: Snapshot, scope: ViewScope, scenario: Scenario) -> pd.DataFrame:
    """One row per live deployment affected by the scenario, emergency reviews first."""
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


AT_RISK_GAP_COLUMNS = ["safeguard_id", "name", "kind", "required_from", "deployments_missing"]


@question(["model_id", "name", "parent_model_id", "depth", "path", "asl_level", "status"])
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
    required = safeguards_required(snap, scenario.asl_level)
    merged = gaps[["safeguard_id", "deployments_missing"]].merge(required, on="safeguard_id", how="left",
                                                                 validate="one_to_one")
    return (merged.sort_values(["deployments_missing", "safeguard_id"], ascending=[False, True], ignore_index=True)
            [AT_RISK_GAP_COLUMNS])


@question(["safeguard_id", "name", "kind", "required_from"])
def safeguards_required(snap: Snapshot, asl_level: int) -> pd.DataFrame:
    """The safeguards the level requires, with each one's name, kind and the lowest level requiring it."""
    return snap.query("at_risk_safeguard_gaps", asl_level=asl_level)


@cached
def decision_summary(snap: Snapshot, scope: ViewScope, scenario: Scenario) -> dict:
    """at_risk_summary of the scenario's deployments and halted models."""
    return at_risk_summary(at_risk_frame(snap, scope, scenario), at_risk_models_frame(snap, scenario, scope.as_of))


TRIGGERING_EVALUATION_COLUMNS = ["eval_id", "model_id", "model_name", "step", "completed_at", "domain", "kind",
                                 "target_asl_level", "score", "trigger_score", "elicitation"]


@question(TRIGGERING_EVALUATION_COLUMNS)
def triggering_evaluations(snap: Snapshot, model_ids: tuple[str, ...], as_of: dt.date) -> pd.DataFrame:
    """The evidence: every evaluation of these models (the halted ones) that came out triggered,
    completed on or before the date, oldest first, with its score and trigger score."""
    return snap.query("triggering_evaluations", model_ids=list(model_ids), as_of=as_of)


@question(changes.COLUMNS)
def rule_2d_breaches(snap: Snapshot, model_ids: tuple[str, ...], since: dt.date, as_of: dt.date,
                     policy_id: str | None = None) -> pd.DataFrame:
    """The breaches of rule 2d on these models in the window (since, as_of]: the changes' events of kind
    onboarding_while_triggered (the rule: queries/changes.sql) under the policy in use, oldest first."""
    events = snap.query("changes", since=since, as_of=as_of, model_id=None, policy_id=policy_id)
    breaches = events[(events["kind"] == changes.BREACH) & events["model_id"].isin(list(model_ids))]
    return breaches.sort_values(["event_date", "model_id", "detail"], kind="stable", ignore_index=True)


@question(plan.PLAN_COLUMNS)
def safeguard_plan(snap: Snapshot, scope: ViewScope, scenario: Scenario) -> pd.DataFrame:
    """The order in which to add the missing safeguards (DESIGN 5), for the scenario's deployments."""
    return plan.plan_frame(snap, at_risk_frame(snap, scope, scenario))


@cached
def deployments_shown(snap: Snapshot, scope: ViewScope, scenario: Scenario, known: bool,
                      actions: tuple[str, ...], surfaces: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scenario's deployments with these actions and surfaces (all when none is chosen): the rows,
    and the same rows as shown, a first-party deployment (no customer) reading "first-party (surface)"."""
    table = plan.with_unknown_safeguards(at_risk_frame(snap, scope, scenario), known)
    if actions:
        table = table[table["action"].isin(actions)]
    if surfaces:
        table = table[table["surface"].isin(surfaces)]
    return table, table.assign(customer_name=[display.surface_customer(name, surface)
                                              for name, surface in zip(table["customer_name"], table["surface"])])
