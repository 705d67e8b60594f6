"""`asl-dashboard snapshots [--format csv|table]` (DESIGN 11): every kept snapshot of the store,
newest first: snapshot_id, published_at, source (never a password), dataset, snapshot_date, rows, bytes."""
from __future__ import annotations

from dashboard import store as store_module
from dashboard.cli.common import print_frame, store_option
from dashboard.ingest.postgres.url import redact_url
from dashboard.questions.history import HISTORY_COLUMNS, kept_snapshots


def register(commands) -> None:
    parser = commands.add_parser("snapshots", help="every kept snapshot of the store, newest first")
    store_option(parser)
    parser.add_argument("--format", choices=["csv", "table"], default="csv")
    parser.set_defaults(handler=run)


def run(args) -> int:
    frame = kept_snapshots(store_module.store_path(args.store))
    # A database source is stored without its password already; redacted again in case an older
    # ingest stored more.
    frame["source"] = frame["source"].map(lambda text: redact_url(text) if isinstance(text, str) and "://" in text
                                          else text)
    print_frame(frame[HISTORY_COLUMNS], args.format)
    return 0
