"""`asl-dashboard obligations [--as-of DATE] [--format csv|table]` (DESIGN section 9): one row per model
and obligation with a state as of the date, most urgent first; the same question as the /obligations page.
With `--incidents` (DESIGN 12): one row per clock an incident review started, soonest due first, read at
the wall clock (UTC), or with --as-of at the end of that day."""
from __future__ import annotations

import datetime as dt

from dashboard.cli.common import open_snapshot, print_err, print_frame, resolve_scope, snapshot_option, store_option
from dashboard.incident_clocks import clock_time, clocks_table
from dashboard.obligations import CLI_COLUMNS
from dashboard.questions.obligations import incident_clocks_of_ledger, obligations_frame
from dashboard.reviews.ledger import LedgerError
from dashboard.text import neutralise, one_line


def register(commands) -> None:
    parser = commands.add_parser("obligations",
                                 help="one row per model and regulatory or framework clock: crossing, due date, state")
    store_option(parser)
    snapshot_option(parser)
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date; with --incidents: now)")
    parser.add_argument("--format", choices=["csv", "table"], default="csv")
    parser.add_argument("--incidents", action="store_true",
                        help="the clocks incident reviews started instead: due time (UTC), hours left, state")
    parser.add_argument("--reviews", metavar="PATH_OR_URL",
                        help="with --incidents, the reviews ledger: a file or a postgresql:// URL "
                             "(default: $ASL_REVIEWS_URL, else the file beside the store)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    snap = open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, None)  # the pages' date rules, with their notice on stderr
    if not args.incidents:
        print_frame(obligations_frame(snap, scope.as_of)[CLI_COLUMNS], args.format)
        return 0
    read_at = clock_time(dt.datetime.now(dt.timezone.utc), scope.as_of if args.as_of else None)
    try:
        clocks = incident_clocks_of_ledger(snap, read_at.at, args.store, args.reviews)
    except LedgerError as error:
        print_err(f"error: {neutralise(one_line(error))}")
        return 2
    print_err(f"note: {read_at.statement}")
    print_frame(clocks_table(clocks, read_at.text), args.format)
    return 0
