"""The asl-dashboard command line (DESIGN section 6). It asks the very same questions as the pages
(dashboard/questions).

One module per command or group of commands; each exposes `register(commands)`, which adds its
subcommands to the parser with a handler. dashboard/cli/common.py holds what they share."""
from __future__ import annotations

import argparse

from dashboard import store as store_module
from dashboard.cli import (
    bench,
    changes,
    corrections,
    ingest,
    obligations,
    public,
    reclassify,
    reviews,
    serve,
    snapshots,
    status,
    synth,
)
from dashboard.cli.common import print_err
from dashboard.params import ParamError
from dashboard.snapshots import UnknownSnapshot

# In the order `asl-dashboard --help` lists them.
COMMANDS = (ingest, status, reclassify, public, synth, bench, changes, obligations, snapshots, corrections, reviews,
            serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asl-dashboard",
        description="ASL compute dashboard: compute trajectories against safety thresholds, "
                    "and deployments at risk on reclassification.")
    parser.add_argument("--store", help="snapshot to read or publish (default: $ASL_STORE or data/asl.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "store"):
        args.store = None
    try:
        return args.handler(args)
    except ParamError as error:
        print_err(f"error: {error}")
        return 2
    except UnknownSnapshot as error:
        print_err(f"error: {error}")
        return 2
    except store_module.StoreError as error:
        print_err(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        print_err("interrupted")
        return 130
