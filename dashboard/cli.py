"""The asl-dashboard command line (DESIGN section 6). It runs the very same queries as the pages."""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from dashboard import settings
from dashboard import store as store_module
from dashboard.ingest import ensure_store
from dashboard.params import ParamError


def _print_err(message: str) -> None:
    print(message, file=sys.stderr)


def _seconds(text: str) -> float:
    """--wait: a finite number of seconds >= 0 (nan or inf would wait without bound)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds >= 0")
    return value


def _cmd_ingest(args) -> int:
    from dashboard.ingest import ingest, ingest_outcome

    store = store_module.store_path(args.store)
    if args.dir is None:  # a scheduled job keeps the URL (and any password) out of its command line
        if not settings.source_url():
            _print_err("error: name a folder or a postgresql:// URL, or set ASL_SOURCE_URL")
            return 2
        args.dir = _folder_or_url(settings.source_url())
        args.from_env = True
    if isinstance(args.dir, str):  # a database (dashboard/ingest/postgres/)
        from dashboard.ingest.postgres import cli_ingest

        return cli_ingest(args, store, _print_err)
    print(f"Ingesting {args.dir} into {store} ...", file=sys.stderr)
    return ingest_outcome(lambda: ingest(args.dir, store, progress=_print_err, dataset=args.dataset,
                                         wait_seconds=args.wait), _print_err)


def _folder_or_url(text: str):
    return text if "://" in text else Path(text)


def _open_snapshot(args):
    path = ensure_store(store_module.store_path(args.store), say=_print_err)
    return store_module.snapshot(path)


def _shown_text(frame, keep_lines: bool = False):
    """frame with every text cell neutralised (controls, bidirectional and zero-width characters as
    visible escapes: no ESC sequence from the data reaches a terminal); line breaks become spaces
    unless keep_lines (CSV quotes them)."""
    from dashboard.text import neutralise, one_line

    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or str(shown[column].dtype) in ("string", "str"):
            shown[column] = shown[column].map(
                lambda value: value if not isinstance(value, str)
                else neutralise(value, keep_newlines=True) if keep_lines else neutralise(one_line(value)))
    return shown


def _print_frame(frame, fmt: str) -> None:
    from dashboard.export import to_csv

    if fmt == "table":
        import pandas as pd

        # For reading: an empty cell stays empty (not NaN, <NA> or None); floats keep pandas' format.
        readable = _shown_text(frame)
        for column in readable.columns:
            values = readable[column]
            if values.dtype.kind != "f" and values.isna().any():
                readable[column] = values.astype(object).where(values.notna(), "")
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
            print(readable.to_string(index=False, na_rep=""))
    elif sys.stdout.isatty():
        # CSV read on a terminal: neutralised like the table. Piped or redirected, it is the exact data.
        sys.stdout.write(to_csv(_shown_text(frame, keep_lines=True)))
    else:
        sys.stdout.write(to_csv(frame))


def resolve_scope(snap, as_of_text, policy_text):
    """The pages' scope rules (dashboard/params.py parse_as_of); a date after the snapshot's own
    date is accepted with the pages' notice, printed on stderr. Every command with --as-of uses it."""
    from dashboard import views
    from dashboard.params import as_of_notice

    scope = views.resolve_scope(snap, as_of_text, policy_text)
    notice = as_of_notice(scope.as_of, views.snapshot_date(snap))
    if notice:
        _print_err(f"note: {notice}")
    return scope


def _cmd_status(args) -> int:
    from dashboard import views

    snap = _open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, args.policy)
    _print_frame(views.status_frame(snap, scope)[views.STATUS_COLUMNS], args.format)
    return 0


def _cmd_at_risk(args) -> int:
    from dashboard import views

    snap = _open_snapshot(args)
    scope = resolve_scope(snap, args.as_of, None)
    scenario = views.resolve_scenario(snap, args.model, args.asl, args.domain, as_of=scope.as_of)
    from dashboard.plan import safeguards_known, with_unknown_safeguards  # unknown stays unknown (issue 15)
    _print_frame(with_unknown_safeguards(views.at_risk_frame(snap, scope, scenario)[views.AT_RISK_COLUMNS],
                                         safeguards_known(views.snapshot_info(snap))), args.format)
    return 0


def _cmd_synth(args) -> int:
    from dashboard.synth import DEFAULT_SEED, generate

    seed = DEFAULT_SEED if args.seed is None else args.seed
    counts = generate(args.scale, args.out, seed=seed, fmt=args.format, progress=_print_err)
    _print_err(f"Wrote a synthetic lab (scale {args.scale}) to {args.out}: "
               + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    return 0


def _cmd_import_public(args) -> int:
    from dashboard.public_import import import_public

    if not args.epoch.is_file():
        _print_err(f"error: no Epoch AI CSV at {args.epoch}")
        return 2
    if args.models_dev is not None and not args.models_dev.is_dir():
        _print_err(f"error: no models.dev providers folder at {args.models_dev}")
        return 2
    try:
        import_public(args.epoch, args.models_dev, args.out, progress=_print_err)
    except ValueError as error:
        _print_err(f"error: {error}")
        return 2
    _print_err(f"Wrote an input folder to {args.out}: publish it with `asl-dashboard ingest {args.out}`")
    return 0


def _load_bench():
    """The benchmark lives beside the product (bench/ in a checkout of the repository), not in it."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "bench" / "__init__.py").exists():
        raise ParamError("the benchmark runs from a checkout of the repository (bench/ is not installed)")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bench import run

    return run


def _cmd_bench(args) -> int:
    try:
        bench = _load_bench()
    except ParamError as error:
        _print_err(f"error: {error}")
        return 2
    if args.source == "postgres":  # bench/postgres.py
        from bench import postgres as bench_postgres

        results = bench_postgres.run(args.scale, source_url=args.source_url,
                                     repeats=args.repeats, say=_print_err)
        print(bench_postgres.report(results))
        if args.json:
            print(bench_postgres.json_line(results))
        return 0
    if args.meeting is not None:  # bench/meeting.py
        from bench import meeting as bench_meeting

        if args.meeting < 1:
            _print_err("error: --meeting needs at least 1 session")
            return 2
        results = bench_meeting.run(args.meeting, scale=args.scale, say=_print_err)
        print(bench_meeting.report(results))
        if args.json:
            print(bench_meeting.json_line(results))
        return 0 if results["errors"] == 0 and results["fairness"]["errors"] == 0 else 1

    results = bench.run(args.scale, browser=args.browser, repeats=args.repeats, say=_print_err)
    print(bench.report(results))
    if args.json:
        print(bench.json_line(results))
    return 0


def _cmd_serve(args) -> int:
    from dashboard.auth import audit_log_path, audit_log_problem, is_loopback, serve_allowed_hosts, sign_in_configured_in

    settings.public_url_required()  # an invalid ASL_PUBLIC_URL is refused at start, in one line

    repo_root = Path(__file__).resolve().parent.parent  # Streamlit runs there, reading its .streamlit/
    secrets = [Path.home() / ".streamlit" / "secrets.toml", repo_root / ".streamlit" / "secrets.toml"]
    signed_in = sign_in_configured_in(secrets)
    if not is_loopback(args.address) and not signed_in and not args.insecure_allow_anyone:
        _print_err(f"error: refusing to serve on {args.address} without sign-in: configure [auth] in "
                   ".streamlit/secrets.toml (see secrets.example.toml), or pass --insecure-allow-anyone")
        return 2
    env = settings.child_environment()
    if env.get("ASL_AUDIT_LOG"):  # relative to where serve was started, not to repo_root
        env["ASL_AUDIT_LOG"] = str(Path(env["ASL_AUDIT_LOG"]).expanduser().resolve())
    audit_log = Path(env.get("ASL_AUDIT_LOG") or audit_log_path())
    problem = audit_log_problem(audit_log)
    if problem:  # a server started now would record no view
        _print_err(f"error: the audit log {audit_log} cannot be written ({problem}): make its folder writable, "
                   "or point ASL_AUDIT_LOG at a writable file")
        return 2
    store = store_module.store_path(args.store)
    ensure_store(store, say=_print_err)
    env["ASL_STORE"] = str(store)
    if args.insecure_allow_anyone:
        env["ASL_INSECURE_ALLOW_ANYONE"] = "1"
    app = Path(__file__).resolve().parent / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.address", args.address, "--server.port", str(args.port)]
    for host in serve_allowed_hosts(args.address, secrets, open_mode=not signed_in and args.insecure_allow_anyone):
        command += ["--server.allowedHosts", host]  # DNS rebinding: the websocket refuses any other Host
    # Become the server rather than wait for it: a signal sent to this process (SIGTERM from a
    # service manager, kill <pid>) then reaches Streamlit itself and no server outlives `serve`,
    # and its exit status is the command's.
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(repo_root)
    os.execve(sys.executable, command, env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asl-dashboard",
        description="ASL compute dashboard: compute trajectories against safety thresholds, "
                    "and deployments at risk on reclassification.")
    parser.add_argument("--store", help="snapshot to read or publish (default: $ASL_STORE or data/asl.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="validate an input folder and publish it as the store")
    ingest.add_argument("dir", nargs="?", type=_folder_or_url, metavar="SOURCE",
                        help="folder with one CSV (or Parquet) file per table, or postgresql://USER@HOST:PORT/DB?schema=NAME "
                             "(default: $ASL_SOURCE_URL)")
    ingest.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    ingest.add_argument("--dataset", help="name shown in the page header (default: the folder's name)")
    ingest.add_argument("--wait", type=_seconds, default=30.0,
                        help="seconds to wait for another ingest of the same store (default 30)")
    ingest.add_argument("--lock-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="database source: wait at most this long for a table another transaction locked (default 30)")
    ingest.add_argument("--statement-timeout", type=float, default=1800.0, metavar="SECONDS",
                        help="database source: give up reading one table after this long (default 1800)")
    ingest.add_argument("--stall-timeout", type=_seconds, default=None, metavar="SECONDS",
                        help="database source: give up on any one exchange with the server after this long, "
                             "even when the server or a proxy stays silent (default: --statement-timeout + 60)")
    ingest.set_defaults(handler=_cmd_ingest)

    status = commands.add_parser("status", help="one row per model: compute since its last clean evaluation, status")
    status.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    status.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")
    status.add_argument("--policy", help="apply this policy to every model (default: each model's own)")
    status.add_argument("--format", choices=["csv", "table"], default="csv")
    status.set_defaults(handler=_cmd_status)

    at_risk = commands.add_parser("at-risk", help="one row per live deployment affected if a model is reclassified")
    at_risk.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    at_risk.add_argument("--model", required=True, help="the model reclassified")
    at_risk.add_argument("--asl", required=True, help="the new ASL level (above the model's current one)")
    at_risk.add_argument("--domain", help="the capability domain that triggered it (e.g. cbrn)")
    at_risk.add_argument("--as-of", help="YYYY-MM-DD (default: the snapshot's own date)")
    at_risk.add_argument("--format", choices=["csv", "table"], default="csv")
    at_risk.set_defaults(handler=_cmd_at_risk)

    from dashboard import cli_plan  # plan and brief (issue 15)
    cli_plan.register(commands, lambda command: command.add_argument("--store", default=argparse.SUPPRESS,
                                                                     help=argparse.SUPPRESS))

    public = commands.add_parser("import-public", help="convert Epoch AI (and models.dev) data into an input folder")
    public.add_argument("--epoch", type=Path, required=True, help="Epoch AI 'Notable AI Models' CSV export")
    public.add_argument("--models-dev", type=Path, help="models.dev providers/ folder")
    public.add_argument("--out", type=Path, required=True)
    public.set_defaults(handler=_cmd_import_public)

    synth = commands.add_parser("synth", help="write a synthetic lab as an input folder (s: the demo's size)")
    synth.add_argument("--scale", choices=["s", "m", "l"], default="s")
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--seed", type=int, help="random seed (default 20261126, the one the benchmark uses)")
    synth.add_argument("--format", choices=["csv", "parquet"], help="default: csv for s, parquet for m and l")
    synth.set_defaults(handler=_cmd_synth)

    bench = commands.add_parser("bench", help="measure ingest, queries and pages on a synthetic lab, against baselines")
    bench.add_argument("--scale", choices=["s", "m", "l"], default="m")
    bench.add_argument("--browser", action="store_true", help="also time each page in headless Chromium")
    bench.add_argument("--json", action="store_true", help="end with one line holding a JSON object of the figures")
    bench.add_argument("--repeats", type=int, default=3, help="ingest runs to take the median of (default 3)")
    bench.add_argument("--source", choices=["folder", "postgres"], default="folder",
                       help="postgres: ingest from a PostgreSQL schema against pandas.read_sql (issue 18)")
    bench.add_argument("--source-url", help="with --source postgres: a schema holding the synthetic lab "
                                            "(default: $ASL_BENCH_SOURCE_URL, else a throwaway server)")
    bench.add_argument("--meeting", type=int, metavar="N",
                       help="instead: N sessions open the same deep link at once while a snapshot is published "
                            "(errors, p50/p95 time to a finished run, sessions per second, server CPU per session), "
                            "then another viewer's cached overview alone and while N sessions of one other client "
                            "ask as-of dates no one asked before (medians and their ratio, target 2 x)")
    bench.set_defaults(handler=_cmd_bench)

    from dashboard import cli_changes  # asl-dashboard changes (DESIGN section 8)

    cli_changes.add_parser(commands)
    from dashboard import cli_obligations
    cli_obligations.register(commands, argparse.SUPPRESS)

    serve = commands.add_parser("serve", help="start the dashboard (streamlit run) on the store")
    serve.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="127.0.0.1")
    serve.add_argument("--insecure-allow-anyone", action="store_true",
                       help="serve on a non-loopback address without sign-in (anyone who can reach it sees everything)")
    serve.set_defaults(handler=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "store"):
        args.store = None
    try:
        return args.handler(args)
    except ParamError as error:
        _print_err(f"error: {error}")
        return 2
    except store_module.StoreError as error:
        _print_err(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        _print_err("interrupted")
        return 130
