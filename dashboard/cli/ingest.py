"""`asl-dashboard ingest SOURCE`: validate an input folder (or a PostgreSQL schema) and publish it as the store."""
from __future__ import annotations

import sys

from dashboard import settings
from dashboard import store as store_module
from dashboard.cli.common import folder_or_url, print_err, seconds, store_option, whole_number
from dashboard.ingest import ingest, ingest_outcome
from dashboard.ingest.postgres import cli_ingest
from dashboard.questions import reviews as review_questions
from dashboard.snapshots import DEFAULT_RETENTION, Retention


def register(commands) -> None:
    parser = commands.add_parser("ingest", help="validate an input folder and publish it as the store")
    parser.add_argument("dir", nargs="?", type=folder_or_url, metavar="SOURCE",
                        help="folder with one CSV (or Parquet) file per table, or postgresql://USER@HOST:PORT/DB?schema=NAME "
                             "(default: $ASL_SOURCE_URL)")
    store_option(parser)
    parser.add_argument("--dataset", help="name shown in the page header (default: the folder's name)")
    parser.add_argument("--wait", type=seconds, default=30.0,
                        help="seconds to wait for another ingest of the same store (default 30)")
    parser.add_argument("--lock-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="database source: wait at most this long for a table another transaction locked (default 30)")
    parser.add_argument("--statement-timeout", type=float, default=1800.0, metavar="SECONDS",
                        help="database source: give up reading one table after this long (default 1800)")
    parser.add_argument("--stall-timeout", type=seconds, default=None, metavar="SECONDS",
                        help="database source: give up on any one exchange with the server after this long, "
                             "even when the server or a proxy stays silent (default: --statement-timeout + 60)")
    parser.add_argument("--keep-last", type=whole_number(1), default=DEFAULT_RETENTION.keep_last, metavar="N",
                        help="snapshot history: keep the N newest snapshots whatever their age "
                             f"(default {DEFAULT_RETENTION.keep_last}; at least 1)")
    parser.add_argument("--keep-daily", type=whole_number(0), default=DEFAULT_RETENTION.daily_days, metavar="DAYS",
                        help="snapshot history: also keep the newest snapshot of each of the last DAYS days, UTC "
                             f"(default {DEFAULT_RETENTION.daily_days}; 0: none). Snapshots a review pins are always kept")
    parser.add_argument("--reviews", metavar="PATH_OR_URL",
                        help="the reviews ledger whose pinned snapshots are kept (default: $ASL_REVIEWS_URL, else the "
                             "file beside the store); when it cannot be read, no snapshot is removed")
    parser.set_defaults(handler=run)


def run(args) -> int:
    store = store_module.store_path(args.store)
    args.retention = Retention(keep_last=args.keep_last, daily_days=args.keep_daily)
    args.pinned = lambda: review_questions.pinned_snapshot_ids(store, args.reviews)
    if args.dir is None:  # a scheduled job keeps the URL (and any password) out of its command line
        if not settings.source_url():
            print_err("error: name a folder or a postgresql:// URL, or set ASL_SOURCE_URL")
            return 2
        args.dir = folder_or_url(settings.source_url())
        args.from_env = True
    if isinstance(args.dir, str):  # a database (dashboard/ingest/postgres/)
        return cli_ingest(args, store, print_err)
    print(f"Ingesting {args.dir} into {store} ...", file=sys.stderr)
    return ingest_outcome(lambda: ingest(args.dir, store, progress=print_err, dataset=args.dataset,
                                         wait_seconds=args.wait, retention=args.retention, pinned=args.pinned),
                          print_err)
