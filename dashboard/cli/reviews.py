"""`asl-dashboard reviews ...` (DESIGN 12): open a review of a pinned view, record decisions, sign
them, close the review, record an incident's report; list, show and verify the ledger.

The writing subcommands record the operating-system user (os:<user>), say so on stderr and print
the new id on stdout; a refusal is one line and exit status 2. The reading ones print CSV (default),
a table or Markdown. `--reviews PATH_OR_URL` (or $ASL_REVIEWS_URL) picks the ledger; by default the
file beside the store."""
from __future__ import annotations

import datetime as dt
import sys

from dashboard import store as store_module
from dashboard.cli.common import (markdown_table, note_as_of_after_snapshot, open_snapshot, print_err, print_frame,
                                  snapshot_option, store_option)
from dashboard.questions import reviews as review_questions
from dashboard.reviews import actions
from dashboard.reviews.actions import ReviewRefused, os_actor
from dashboard.reviews.ledger import LedgerError
from dashboard.reviews.model import DECISION_KINDS
from dashboard.text import neutralise, one_line

FORMATS = ["csv", "table", "markdown"]


def register(commands) -> None:
    parser = commands.add_parser("reviews", help="incident reviews: decisions, sign-offs, and the ledger's chain")
    store_option(parser)
    actions = parser.add_subparsers(dest="review_command", required=True, metavar="SUBCOMMAND")

    opened = _subcommand(actions, "open", "open a review of a view (pinned: snapshot, as-of date, policy)", run_open)
    opened.add_argument("--title", required=True, help="what the review is about (up to 200 characters)")
    opened.add_argument("--model", help="the scenario's model (with --asl)")
    opened.add_argument("--asl", help="the level the scenario reclassifies the model to")
    opened.add_argument("--domain", help="the capability domain that triggered (optional, with --model)")
    opened.add_argument("--incident-category", metavar="C",
                        help="the incident's category, such as critical_safety_incident (with --aware-at)")
    opened.add_argument("--aware-at", metavar="TIMESTAMP",
                        help="when the lab became aware of the incident, such as 2026-12-07T07:05:00Z")
    opened.add_argument("--as-of", metavar="D", help="the view's date, YYYY-MM-DD (default: the snapshot's own date)")
    opened.add_argument("--policy", metavar="ID", help="the view's policy (default: each model's own)")
    snapshot_option(opened)

    decided = _subcommand(actions, "decide", "record a decision of an open review", run_decide)
    decided.add_argument("review_id", metavar="REVIEW_ID")
    decided.add_argument("--kind", required=True, choices=DECISION_KINDS, metavar="K",
                         help="one of " + ", ".join(DECISION_KINDS))
    decided.add_argument("--detail", required=True, metavar="TEXT", help="what was decided and why (up to 2,000 characters)")
    decided.add_argument("--model", metavar="ID", help="the model (reclassify, halt_onboarding; default: the review's)")
    decided.add_argument("--asl", metavar="N", help="the level (reclassify; default: the review's scenario's)")
    decided.add_argument("--safeguard", metavar="ID", help="the safeguard to add (add_safeguard, with --owner and --due)")
    decided.add_argument("--owner", metavar="O", help="who puts the safeguard in place (add_safeguard)")
    decided.add_argument("--due", metavar="DATE", help="by when, YYYY-MM-DD (add_safeguard)")
    decided.add_argument("--supersedes", metavar="DECISION_ID",
                         help="an earlier decision of the review that this one corrects (it stands until this one is in effect)")

    signed = _subcommand(actions, "sign", "approve or reject a decision (not one you made)", run_sign)
    signed.add_argument("decision_id", metavar="DECISION_ID")
    verdict = signed.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true", help="approve the decision")
    verdict.add_argument("--reject", action="store_true", help="reject the decision")
    signed.add_argument("--comment", metavar="TEXT", default="", help="why (up to 2,000 characters)")

    closed = _subcommand(actions, "close", "close a review (no more decisions, sign-offs or reports)", run_close)
    closed.add_argument("review_id", metavar="REVIEW_ID")

    reported = _subcommand(actions, "report", "record that an incident's report was made (marks its clock done)",
                           run_report)
    reported.add_argument("review_id", metavar="REVIEW_ID")
    reported.add_argument("--obligation", required=True, metavar="ID", help="the obligation reported under")
    reported.add_argument("--reference", required=True, metavar="TEXT", help="the report's reference (up to 2,000 characters)")
    reported.add_argument("--reported-at", metavar="TIMESTAMP",
                          help="when the report was made, such as 2026-12-07T07:05:00Z (default: now)")

    listed = _subcommand(actions, "list", "every review: open first, newest first", run_list)
    _format_option(listed)
    shown = _subcommand(actions, "show", "one row per decision of a review, with its approvals", run_show)
    shown.add_argument("review_id", metavar="ID")
    _format_option(shown)
    verified = _subcommand(actions, "verify", "recompute the ledger's hash chain; name the first row that does not match",
                           run_verify)
    _format_option(verified)


def _subcommand(actions, name: str, help_text: str, handler):
    parser = actions.add_parser(name, help=help_text)
    store_option(parser)
    parser.add_argument("--reviews", metavar="PATH_OR_URL",
                        help="the reviews ledger: a file, or postgresql://USER@HOST:PORT/DB?schema=NAME "
                             "(default: $ASL_REVIEWS_URL, else the file beside the store)")
    parser.set_defaults(handler=lambda args: _run(handler, args))
    return parser


def _format_option(parser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default), table or markdown")


def _run(handler, args) -> int:
    try:
        return handler(args)
    except (ReviewRefused, LedgerError) as error:
        print_err(f"error: {neutralise(one_line(error))}")
        return 2


def _ledger(args):
    return review_questions.review_ledger(store_module.store_path(args.store), getattr(args, "reviews", None))


def _recorded(actor: str, new_id: str) -> int:
    print_err(f"recorded as {neutralise(actor)} (the operating-system user)")
    print(new_id)
    return 0


def _print(frame, fmt: str) -> None:
    if fmt == "markdown":
        sys.stdout.write(markdown_table(frame))
    else:
        print_frame(frame, fmt)


# --- writing -------------------------------------------------------------------------------------

def run_open(args) -> int:
    actor = os_actor()
    snap = open_snapshot(args)
    if not snap.snapshot_id:
        raise ReviewRefused("this snapshot has no id (an older version published it): ingest again to pin it")
    view = review_questions.check_review_view(snap, args.as_of, args.policy, args.model, args.asl, args.domain)
    note_as_of_after_snapshot(snap, view.scope.as_of)  # accepted, as on the pages, and said
    scenario = view.scenario
    with _ledger(args) as ledger:
        new_id = actions.open_review(ledger, actor=actor, title=args.title, snapshot_id=view.snapshot_id,
                             as_of=view.scope.as_of, policy=view.scope.policy_id,
                             model_id=scenario.model_id if scenario else None,
                             asl=scenario.asl_level if scenario else None,
                             domain=scenario.domain if scenario else None,
                             incident_category=args.incident_category, aware_at=args.aware_at)
    return _recorded(actor, new_id)


def run_decide(args) -> int:
    actor = os_actor()
    with _ledger(args) as ledger:
        detail = review_questions.review_detail(ledger, args.review_id, approvals_needed=1)
        review = detail.review
        model = args.model or (review["model_id"] if args.kind in ("reclassify", "halt_onboarding") else None)
        if model or args.asl or args.safeguard:
            # Checked against the snapshot the review pinned, as of its date.
            snap = store_module.open_snapshot(store_module.store_path(args.store), review["snapshot_id"])
            review_questions.check_decision_values(snap, model, args.asl, args.safeguard,
                                                   dt.date.fromisoformat(review["as_of"]))
        new_id = actions.decide(ledger, args.review_id, actor=actor, kind=args.kind, detail=args.detail,
                                model_id=args.model, asl=_level(args.asl), safeguard_id=args.safeguard,
                                owner=args.owner, due_on=args.due, supersedes=args.supersedes)
    return _recorded(actor, new_id)


def _level(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if not text.isdigit() or len(text) > 2:
        raise ReviewRefused(f"asl {text[:20]!r} is not a level: a whole number such as 3")
    return int(text)


def run_sign(args) -> int:
    actor = os_actor()
    with _ledger(args) as ledger:
        new_id = actions.sign(ledger, args.decision_id, actor=actor, approve=bool(args.approve), comment=args.comment)
    return _recorded(actor, new_id)


def run_close(args) -> int:
    actor = os_actor()
    with _ledger(args) as ledger:
        new_id = actions.close_review(ledger, args.review_id, actor=actor)
    return _recorded(actor, new_id)


def run_report(args) -> int:
    actor = os_actor()
    with _ledger(args) as ledger:
        new_id = actions.record_report(ledger, args.review_id, actor=actor, obligation_id=args.obligation,
                               reference=args.reference, reported_at=args.reported_at)
    return _recorded(actor, new_id)


# --- reading -------------------------------------------------------------------------------------

def run_list(args) -> int:
    with _ledger(args) as ledger:
        _print(review_questions.reviews_list(ledger), args.format)
    return 0


def run_show(args) -> int:
    with _ledger(args) as ledger:
        _print(review_questions.review_decisions(ledger, args.review_id), args.format)
    return 0


def run_verify(args) -> int:
    with _ledger(args) as ledger:
        result = review_questions.ledger_verification(ledger)
    _print(result, args.format)
    row = result.iloc[0]
    if row["problem"]:
        print_err(f"error: the reviews ledger's chain breaks at row {row['first_bad_row']}: {row['problem']}")
        return 1
    print_err(f"the chain holds: {row['rows']} rows")
    return 0
