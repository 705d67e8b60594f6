"""`asl-dashboard status`: one row per model, its compute since its last clean evaluation and its
status (DESIGN section 6); the overview's question."""
from __future__ import annotations

from dashboard.cli.common import open_snapshot, print_frame, resolve_scope, snapshot_option, store_option
from dashboard.questions.status import STATUS_COLUMNS, status_frame


def register(commands) -> None:
    parser = commands.add_parser("status", help="one row per model: compute since its last clean evaluation, status")
    store_option(parser)
    snapshot_option(parser)
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")
    parser.add_argument("--policy", help="apply this policy to every model (default: each model's own)")
    parser.add_argument("--format", choices=["csv", "table"], default="csv")
    parser.set_defaults(handler=run)


def run(args) -> int:
    snap = open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, args.policy)
    print_frame(status_frame(snap, scope)[STATUS_COLUMNS], args.format)
    return 0
