"""Refresh under load: browser sessions read every page while snapshots are published.

python scripts/refresh_under_load.py [--source data/demo] [--sessions 8] [--snapshots 20] [--interval 1.0]
Prints sessions, page loads, snapshots published, errors (must be 0) and p50/p95 page time.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadcheck  # noqa: E402
from dashboard.store import DEMO_DIR  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEMO_DIR)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between publishes")
    parser.add_argument("--model", help="model for the trajectory and reclassify pages (default: the first)")
    parser.add_argument("--level", type=int, default=4, help="level for the reclassify page (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asl-load-") as workdir:
        result = loadcheck.run(args.source, Path(workdir), sessions=args.sessions, snapshots=args.snapshots,
                               interval=args.interval, model=args.model, level=args.level,
                               say=lambda message: print(message, file=sys.stderr))
    for error in result.errors:
        print("  error:", error)
    print(result.report())
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
