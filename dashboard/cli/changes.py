"""`asl-dashboard changes`: what changed between two dates (DESIGN section 8), as CSV, a table or a
Markdown digest, optionally posted to a chat webhook (`--post URL`)."""
from __future__ import annotations

import sys
import time

from dashboard import changes, settings
from dashboard import store as store_module
from dashboard.cli.common import (open_snapshot, print_err, print_frame, resolve_scope, reviews_option, snapshot_option,
                                  store_option)
from dashboard.questions import changes as changes_questions
from dashboard.questions import reviews as review_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions.snapshot import snapshot_info
from dashboard.reviews.ledger import LedgerError
from dashboard.webhook import PostError, check_url, post_text, where


def register(commands) -> None:
    parser = commands.add_parser(
        "changes", help="what changed between two dates: status, rounds, ASL levels, regulatory lines, breaches, "
                        "review decisions")
    store_option(parser)
    snapshot_option(parser)
    reviews_option(parser)
    parser.add_argument("--since", required=True, help="start of the window, YYYY-MM-DD (excluded)")
    parser.add_argument("--as-of", help="end of the window, YYYY-MM-DD, included (default: the snapshot's own date)")
    parser.add_argument("--policy", help="apply this policy to every model's status (default: each model's own)")
    parser.add_argument("--format", choices=["csv", "table", "markdown"],
                        help="csv (default), table, or markdown (a digest for a chat channel or an e-mail)")
    parser.add_argument("--post", metavar="URL",
                        help='send the Markdown digest to this incoming webhook as JSON {"text": ...}')
    parser.add_argument("--always", action="store_true", help="with --post: post even when nothing changed")
    parser.add_argument("--post-timeout", type=float, default=10.0, metavar="S",
                        help="seconds each attempt may take in all: connect, send, the whole answer (default 10)")
    parser.add_argument("--post-attempts", type=int, default=4, metavar="N",
                        help="attempts on 5xx answers, timeouts and connection errors (default 4)")
    parser.add_argument("--post-backoff", type=float, default=2.0, metavar="S",
                        help="seconds before the second attempt, doubled before each later one (default 2)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    if args.post:
        if args.post_attempts < 1 or args.post_timeout <= 0 or args.post_backoff < 0:
            print_err("error: --post-attempts must be at least 1, --post-timeout above 0, --post-backoff 0 or more")
            return 2
        try:
            check_url(args.post)
        except PostError as error:
            print_err(f"error: {error}")
            return 2
    base = settings.public_url_required() if args.format == "markdown" or args.post else None  # refused at start
    snap = open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, args.policy)  # with the note for a date after the snapshot's
    since = changes.resolve_since(args.since, scope.as_of, changes_questions.first_date(snap), default_days=None)
    try:  # the decisions as the ledger stood at the end of the as-of date
        view = review_questions.reviews_view(store_module.store_path(args.store), args.reviews, scope.as_of)
    except LedgerError as error:
        print_err(f"error: {error}")
        return 2
    frame = review_questions.changes_with_decisions(snap, scope, since, view)
    text = None
    if args.format == "markdown" or args.post:
        text = changes.digest(frame, since=since, as_of=scope.as_of, info=snapshot_info(snap),
                              policy_id=scope.policy_id, base_url=base, policies=snapshot_questions.policies(snap))
    if args.format == "markdown":
        sys.stdout.write(text)
    elif args.format is not None or not args.post:
        print_frame(changes.with_links(frame, scope.policy_id, scope.snapshot_id), args.format or "csv")
    if args.post:
        if frame.empty and not args.always:
            print_err(f"No changes from {since} to {scope.as_of}: nothing posted (--always posts anyway).")
            return 0
        try:
            status = post_text(args.post, text, timeout=args.post_timeout, attempts=args.post_attempts,
                               backoff=args.post_backoff, sleep=time.sleep)
        except PostError as error:
            print_err(f"error: {error}")
            return 1
        print_err(f"Posted the digest ({len(frame)} event(s)) to {where(args.post)}: HTTP {status}.")
    return 0

