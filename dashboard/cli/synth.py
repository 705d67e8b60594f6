"""`asl-dashboard synth`: write a synthetic lab as an input folder."""
from __future__ import annotations

from pathlib import Path

from dashboard.cli.common import print_err
from dashboard.synth import DEFAULT_SEED, generate


def register(commands) -> None:
    parser = commands.add_parser("synth", help="write a synthetic lab as an input folder (s: the demo's size)")
    parser.add_argument("--scale", choices=["s", "m", "l"], default="s")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, help="random seed (default 20261126, the one the benchmark uses)")
    parser.add_argument("--format", choices=["csv", "parquet"], help="default: csv for s, parquet for m and l")
    parser.set_defaults(handler=run)


def run(args) -> int:
    seed = DEFAULT_SEED if args.seed is None else args.seed
    counts = generate(args.scale, args.out, seed=seed, fmt=args.format, progress=print_err)
    print_err(f"Wrote a synthetic lab (scale {args.scale}) to {args.out}: "
              + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    return 0
