"""`asl-dashboard at-risk`, `plan` and `brief` (DESIGN sections 5 and 6): the deployments at risk if a
model were reclassified, the safeguard plan of that scenario, and its incident brief (Markdown or HTML)."""
from __future__ import annotations

import sys

from dashboard import brief, links, plan, settings
from dashboard import store as store_module
from dashboard.cli.common import (open_snapshot, print_err, print_frame, resolve_scope, reviews_option, snapshot_option,
                                  store_option)
from dashboard.questions import reclassify
from dashboard.questions import reviews as review_questions
from dashboard.questions.snapshot import snapshot_info
from dashboard.reviews.ledger import LedgerError


def _scenario_arguments(command) -> None:
    command.add_argument("--model", required=True, help="the model reclassified")
    command.add_argument("--asl", required=True, help="the new ASL level (above the model's current one)")
    command.add_argument("--domain", help="the capability domain that triggered it (e.g. cbrn)")
    command.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")


def register(commands) -> None:
    at_risk = commands.add_parser("at-risk", help="one row per live deployment affected if a model is reclassified")
    store_option(at_risk)
    snapshot_option(at_risk)
    _scenario_arguments(at_risk)
    at_risk.add_argument("--format", choices=["csv", "table"], default="csv")
    at_risk.set_defaults(handler=run_at_risk)

    plan_command = commands.add_parser("plan", help="the order in which to add the missing safeguards (safeguard plan)")
    store_option(plan_command)
    snapshot_option(plan_command)
    _scenario_arguments(plan_command)
    plan_command.add_argument("--format", choices=["csv", "table"], default="csv")
    plan_command.set_defaults(handler=run_plan)

    brief_command = commands.add_parser("brief", help="the incident brief of a reclassification (Markdown or HTML)")
    store_option(brief_command)
    snapshot_option(brief_command)
    _scenario_arguments(brief_command)
    brief_command.add_argument("--policy", help="statuses under this policy (default: each model's own)")
    brief_command.add_argument("--format", choices=["markdown", "html"], default="markdown")
    reviews_option(brief_command)
    brief_command.set_defaults(handler=run_brief)


def _scenario(args, policy=None):
    snap = open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, policy)  # the pages' date rules, with their notice on stderr
    scenario = reclassify.resolve_scenario(snap, args.model, args.asl, args.domain, as_of=scope.as_of)
    return snap, scope, scenario, snapshot_info(snap)


def run_at_risk(args) -> int:
    snap, scope, scenario, info = _scenario(args)
    # Unknown safeguards stay unknown (a public data set holds none).
    print_frame(plan.with_unknown_safeguards(reclassify.at_risk_frame(snap, scope, scenario)[reclassify.AT_RISK_COLUMNS],
                                             plan.safeguards_known(info)), args.format)
    return 0


def run_plan(args) -> int:
    snap, scope, scenario, info = _scenario(args)
    if not plan.safeguards_known(info):
        print(f"error: no plan: {plan.UNKNOWN_NOTE}", file=sys.stderr)
        return 1
    print_frame(reclassify.safeguard_plan(snap, scope, scenario), args.format)
    return 0


def run_brief(args) -> int:
    settings.public_url_required()  # an invalid ASL_PUBLIC_URL is refused at start, in one line
    snap, scope, scenario, info = _scenario(args, args.policy)
    base = links.public_base_url(None)
    link = links.scenario_link(base, scenario.model_id, scenario.asl_level, scenario.domain,
                              scope.as_of, scope.policy_id, snap.snapshot_id)
    try:  # the reviews of this scenario, as the ledger holds them now
        reviews = review_questions.reviews_view(store_module.store_path(args.store), args.reviews)
    except LedgerError as error:
        print_err(f"error: {error}")
        return 2
    document = brief.build_brief(snap, model_id=scenario.model_id, new_level=scenario.asl_level,
                                 domain=scenario.domain, as_of=scope.as_of, policy_id=scope.policy_id, info=info,
                                 link=link, reviews=reviews, base_url=base)
    sys.stdout.write(brief.to_html(document) if args.format == "html" else brief.to_markdown(document))
    return 0
