"""`asl-dashboard obligations [--as-of DATE] [--format csv|table]` (DESIGN section 9): one row per model
and obligation with a state as of the date, most urgent first; the same query as the /obligations page."""
from __future__ import annotations

from dashboard.obligations import CLI_COLUMNS, obligations_frame


def _cmd_obligations(args) -> int:
    from dashboard import cli

    snap = cli._open_snapshot(args)
    scope = cli.resolve_scope(snap, args.as_of, None)  # the pages' date rules, with their notice on stderr
    cli._print_frame(obligations_frame(snap, scope.as_of)[CLI_COLUMNS], args.format)
    return 0


def register(commands, suppress_store) -> None:
    """Add the obligations command to the CLI's subcommands."""
    parser = commands.add_parser("obligations",
                                 help="one row per model and regulatory or framework clock: crossing, due date, state")
    parser.add_argument("--store", default=suppress_store, help=suppress_store)
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")
    parser.add_argument("--format", choices=["csv", "table"], default="csv")
    parser.set_defaults(handler=_cmd_obligations)
