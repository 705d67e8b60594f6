"""`asl-dashboard plan` and `asl-dashboard brief` (DESIGN sections 5 and 6): the safeguard plan of a
reclassification scenario, and its incident brief (Markdown or HTML)."""
from __future__ import annotations

import sys


def _scenario_arguments(command) -> None:
    command.add_argument("--model", required=True, help="the model reclassified")
    command.add_argument("--asl", required=True, help="the new ASL level (above the model's current one)")
    command.add_argument("--domain", help="the capability domain that triggered it (e.g. cbrn)")
    command.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")


def register(commands, store_argument) -> None:
    """Add the two commands to the CLI's subparsers (store_argument adds the --store option)."""
    plan = commands.add_parser("plan", help="the order in which to add the missing safeguards (safeguard plan)")
    store_argument(plan)
    _scenario_arguments(plan)
    plan.add_argument("--format", choices=["csv", "table"], default="csv")
    plan.set_defaults(handler=_cmd_plan)

    brief = commands.add_parser("brief", help="the incident brief of a reclassification (Markdown or HTML)")
    store_argument(brief)
    _scenario_arguments(brief)
    brief.add_argument("--policy", help="statuses under this policy (default: each model's own)")
    brief.add_argument("--format", choices=["markdown", "html"], default="markdown")
    brief.set_defaults(handler=_cmd_brief)


def _scenario(args, policy=None):
    from dashboard import views
    from dashboard.cli import _open_snapshot, resolve_scope

    snap = _open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, policy)  # the pages' date rules, with their notice on stderr
    scenario = views.resolve_scenario(snap, args.model, args.asl, args.domain, as_of=scope.as_of)
    return snap, scope, scenario, views.snapshot_info(snap)


def _cmd_plan(args) -> int:
    from dashboard import plan, views
    from dashboard.cli import _print_frame

    snap, scope, scenario, info = _scenario(args)
    if not plan.safeguards_known(info):
        print(f"error: no plan: {plan.UNKNOWN_NOTE}", file=sys.stderr)
        return 1
    _print_frame(plan.plan_frame(snap, views.at_risk_frame(snap, scope, scenario)), args.format)
    return 0


def _cmd_brief(args) -> int:
    from dashboard import brief, links, settings

    settings.public_url_required()  # an invalid ASL_PUBLIC_URL is refused at start, in one line
    snap, scope, scenario, info = _scenario(args, args.policy)
    link = links.scenario_link(links.public_base_url(None), scenario.model_id, scenario.asl_level, scenario.domain,
                              scope.as_of, scope.policy_id)
    document = brief.build_brief(snap, model_id=scenario.model_id, new_level=scenario.asl_level,
                                 domain=scenario.domain, as_of=scope.as_of, policy_id=scope.policy_id, info=info,
                                 link=link)
    sys.stdout.write(brief.to_html(document) if args.format == "html" else brief.to_markdown(document))
    return 0
