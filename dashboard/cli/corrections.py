"""`asl-dashboard corrections`: what a newer snapshot corrected in an older one (DESIGN 11): the
models whose status moved, and with --rows the row changes; markdown prints both."""
from __future__ import annotations

import sys

from dashboard import corrections
from dashboard import store as store_module
from dashboard.cli.common import print_err, print_frame, snapshot_id, store_option
from dashboard.ingest import ensure_store
from dashboard.params import as_of_notice, check_policy, parse_as_of
from dashboard.questions import corrections as corrections_questions
from dashboard.questions import snapshot as snapshot_questions


def register(commands) -> None:
    parser = commands.add_parser(
        "corrections", help="what a newer snapshot corrected in an older one: statuses moved, and the row changes")
    store_option(parser)
    parser.add_argument("--from", dest="from_id", metavar="A", required=True, type=snapshot_id,
                        help="the older snapshot's id (the snapshots command lists them)")
    parser.add_argument("--to", dest="to_id", metavar="B", type=snapshot_id,
                        help="the newer snapshot's id (default: the latest)")
    parser.add_argument("--as-of", help="compare statuses as of this date, YYYY-MM-DD (default: snapshot A's own date)")
    parser.add_argument("--policy", help="apply this policy to every model's status (default: each model's own)")
    parser.add_argument("--rows", action="store_true", help="print the row changes instead of the consequences")
    parser.add_argument("--format", choices=["csv", "table", "markdown"], default="csv",
                        help="csv (default), table, or markdown (both parts, for a document)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    store = ensure_store(store_module.store_path(args.store), say=print_err)
    pair = corrections_questions.open_pair(store, args.from_id, args.to_id)
    older_date = snapshot_questions.snapshot_date(pair.older)
    as_of = parse_as_of(args.as_of, older_date)
    notice = as_of_notice(as_of, older_date)
    if notice:
        print_err(f"note: {notice} (snapshot A)")
    policy_id = check_policy(args.policy, snapshot_questions.policies(pair.older))
    check_policy(policy_id, snapshot_questions.policies(pair.newer))
    rows = corrections_questions.row_changes(pair)
    cut = corrections_questions.truncated(rows)
    if args.format == "markdown":
        consequences = corrections_questions.consequences(pair, as_of, policy_id)
        sys.stdout.write(corrections.markdown(
            consequences, rows, older_id=pair.older.snapshot_id or "(no id)",
            newer_id=pair.newer.snapshot_id or "(no id)", as_of=as_of, policy_id=policy_id, truncated=cut))
    elif args.rows:
        print_frame(rows[corrections.ROW_COLUMNS], args.format)
    else:
        print_frame(corrections_questions.consequences(pair, as_of, policy_id), args.format)
    for table, total in sorted(cut.items()):
        print_err(f"note: only the first {corrections_questions.ROW_LIMIT} row changes of {table} are listed "
                  f"({total} in all)")
    return 0
