"""`asl-dashboard bench`: measure ingest, queries and pages on a synthetic lab, against baselines. The
benchmark lives beside the product (bench/ in a checkout of the repository), not in it: it is loaded
by name when the command runs."""
from __future__ import annotations

import importlib
import json
import sys

from dashboard.cli.common import print_err, replica_count
from dashboard.params import ParamError
from dashboard.proxy import ProxyError
from dashboard.sqlfiles import REPO_ROOT


def register(commands) -> None:
    parser = commands.add_parser("bench", help="measure ingest, queries and pages on a synthetic lab, against baselines")
    parser.add_argument("--scale", choices=["s", "m", "l"], default="m")
    parser.add_argument("--browser", action="store_true", help="also time each page in headless Chromium")
    parser.add_argument("--json", action="store_true", help="end with one line holding a JSON object of the figures")
    parser.add_argument("--repeats", type=int, default=3, help="ingest runs to take the median of (default 3)")
    parser.add_argument("--source", choices=["folder", "postgres"], default="folder",
                        help="postgres: ingest from a PostgreSQL schema against pandas.read_sql")
    parser.add_argument("--source-url", help="with --source postgres: a schema holding the synthetic lab "
                                             "(default: $ASL_BENCH_SOURCE_URL, else a throwaway server)")
    parser.add_argument("--meeting", type=int, metavar="N",
                        help="instead: N sessions open the same deep link at once while a snapshot is published "
                             "(errors, p50/p95 time to a finished run, sessions per second, server CPU per session), "
                             "then another viewer's cached overview alone and while N sessions of one other client "
                             "ask as-of dates no one asked before (medians and their ratio, target 2 x)")
    parser.add_argument("--replicas", type=replica_count, metavar="R",
                        help="with --meeting: the meeting through nginx in front of R processes (serve --replicas R) "
                             "and, in the same run, through nginx in front of 1; per configuration errors, p50/p95, "
                             "server CPU per session summed over the processes, sessions per process, and the ratios")
    parser.add_argument("--snapshots", action="store_true",
                        help="instead: publish two snapshots of the lab, open the older by id and the latest, each "
                             "cold in a new process (median of --repeats, target 2 s, ratio printed), and the disk "
                             "use per snapshot")
    parser.add_argument("--corrections", action="store_true",
                        help="instead: the corrections between two snapshots differing in 1%% of checkpoints and 5%% "
                             "of evaluations (time and peak memory, against 15 s and 2 GB at scale l)")
    parser.add_argument("--first-view", action="store_true",
                        help="instead: the overview as the first page of a pasted link in a new browser (after a server "
                             "start, on a warm server, after a new snapshot) on the demo data and the --scale lab, "
                             "against the bare baseline page (medians over --repeats server starts, ratios, target 1.2 x)")
    parser.set_defaults(handler=run)


def load(name: str):
    """bench.NAME from the checkout this package runs from (bench/ is not installed)."""
    if not (REPO_ROOT / "bench" / "__init__.py").exists():
        raise ParamError("the benchmark runs from a checkout of the repository (bench/ is not installed)")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    return importlib.import_module(f"bench.{name}")


def _report(module, args, results: dict) -> int:
    """One benchmark's report, and with --json its JSON line (without per-run detail)."""
    print(module.report(results))
    if args.json:
        line = getattr(module, "json_line", None)
        print(line(results) if line else json.dumps({key: value for key, value in results.items() if key != "runs"}))
    return 0


def run(args) -> int:
    try:
        bench = load("run")
    except ParamError as error:
        print_err(f"error: {error}")
        return 2
    if args.replicas is not None and args.meeting is None:
        print_err("error: --replicas goes with --meeting N")
        return 2
    if args.corrections:  # bench/corrections.py
        module = load("corrections")
        return _report(module, args, module.run(args.scale, repeats=args.repeats, say=print_err))
    if args.source == "postgres":  # bench/postgres.py
        module = load("postgres")
        return _report(module, args, module.run(args.scale, source_url=args.source_url, repeats=args.repeats, say=print_err))
    if args.snapshots:  # bench/snapshots.py
        module = load("snapshots")
        return _report(module, args, module.run(args.scale, repeats=args.repeats, say=print_err))
    if args.first_view:  # bench/first_view.py
        module = load("first_view")
        return _report(module, args, module.run(args.scale, starts=args.repeats, say=print_err))
    if args.meeting is not None:  # bench/meeting.py
        bench_meeting = load("meeting")
        if args.meeting < 1:
            print_err("error: --meeting needs at least 1 session")
            return 2
        if args.replicas is not None:
            try:
                results = bench_meeting.run_replicas(args.meeting, args.replicas, scale=args.scale, say=print_err)
            except ProxyError as error:
                print_err(f"error: {error}")
                return 2
            _report(bench_meeting, args, results)
            return 0 if all(configuration["errors"] == 0 and (configuration.get("after_snapshot") or {"errors": 0})["errors"] == 0
                            for configuration in results["configurations"]) else 1
        results = bench_meeting.run(args.meeting, scale=args.scale, say=print_err)
        _report(bench_meeting, args, results)
        return 0 if results["errors"] == 0 and results["fairness"]["errors"] == 0 else 1

    results = bench.run(args.scale, browser=args.browser, repeats=args.repeats, say=print_err)
    print(bench.report(results))
    if args.json:
        print(bench.json_line(results))
    return 0
