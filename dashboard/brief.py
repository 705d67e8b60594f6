"""The incident brief: a Markdown summary of a reclassification scenario, ready to paste into an
incident review document. Every value from data is escaped so it stays plain text."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.params import md_escape

ACTION_TEXT = {
    "emergency_review": "review now for a safety emergency (the triggering domain is in its use case)",
    "halt_onboarding": "halt: still onboarding, no new customers may be added",
    "add_safeguards": "add the missing safeguards to keep serving",
    "covered": "already has every required safeguard",
}


def incident_brief(*, model_id: str, model_name: str, current_level: int, new_level: int, domain: str | None,
                   as_of: dt.date, link: str, dataset: str, snapshot_date: dt.date, summary: dict,
                   deployments: pd.DataFrame) -> str:
    """summary: the at-risk summary (see views.at_risk_summary); deployments: the at-risk rows."""
    domain_text = md_escape(domain) if domain else "not given"
    lines = [
        f"# Reclassification brief: {md_escape(model_name)} ({md_escape(model_id)}) to ASL-{new_level}",
        "",
        f"- Scenario: {md_escape(model_id)} moves from ASL-{current_level} to ASL-{new_level}; triggering domain: {domain_text}.",
        f"- As of: {as_of.isoformat()} (data set {md_escape(dataset)}, snapshot of {snapshot_date.isoformat()}).",
        f"- Link: <{link}>",
        "",
        "## Decision summary",
        "",
        f"- Onboarding of new customers halts for {len(summary['halted_models'])} model(s): "
        + ", ".join(md_escape(model) for model in summary["halted_models"]) + ".",
    ]
    for action, count in summary["actions"].items():
        lines.append(f"- {action}: {count} deployment(s): {ACTION_TEXT.get(action, '')}.")
    lines += [
        f"- Distinct customers affected: {summary['customers']}; business-critical: {summary['business_critical_customers']}.",
        f"- Monthly requests at risk: {summary['monthly_requests_at_risk']:,}.",
        "",
        "## Minimum additional safeguards",
        "",
    ]
    gaps = summary["safeguard_gaps"]
    if len(gaps):
        lines += ["| safeguard | deployments lacking it |", "|---|---|"]
        lines += [f"| {md_escape(row['safeguard_id'])} | {int(row['deployments_missing'])} |" for _, row in gaps.iterrows()]
    else:
        lines.append("No deployment lacks a required safeguard.")
    review = deployments[deployments["action"] == "emergency_review"]
    lines += ["", f"## Emergency review ({len(review)} deployment(s))", ""]
    if len(review):
        lines += ["| deployment | customer | surface | use case | monthly requests | missing safeguards |",
                  "|---|---|---|---|---|---|"]
        for _, row in review.iterrows():
            requests = "" if pd.isna(row["monthly_requests"]) else f"{int(row['monthly_requests']):,}"
            customer = md_escape(row["customer_name"]) if pd.notna(row["customer_name"]) else "first-party"
            lines.append(f"| {md_escape(row['deployment_id'])} | {customer} | {md_escape(row['surface'])} | "
                         f"{md_escape(row['use_case']) if pd.notna(row['use_case']) else ''} | {requests} | "
                         f"{md_escape(row['missing_safeguards'])} |")
    else:
        lines.append("None: no live deployment's use case touches the triggering domain." if domain
                     else "No triggering domain was given, so no deployment is flagged for emergency review.")
    lines.append("")
    return "\n".join(lines)
