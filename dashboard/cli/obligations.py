"""`asl-dashboard obligations [--as-of DATE] [--format csv|table]` (DESIGN section 9): one row per model
and obligation with a state as of the date, most urgent first; the same question as the /obligations page."""
from __future__ import annotations

from dashboard.cli.common import open_snapshot, print_frame, resolve_scope, snapshot_option, store_option
from dashboard.obligations import CLI_COLUMNS
from dashboard.questions.obligations import obligations_frame


def register(commands) -> None:
    parser = commands.add_parser("obligations",
                                 help="one row per model and regulatory or framework clock: crossing, due date, state")
    store_option(parser)
    snapshot_option(parser)
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")
    parser.add_argument("--format", choices=["csv", "table"], default="csv")
    parser.set_defaults(handler=run)


def run(args) -> int:
    snap = open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, None)  # the pages' date rules, with their notice on stderr
    print_frame(obligations_frame(snap, scope.as_of)[CLI_COLUMNS], args.format)
    return 0
