"""`asl-dashboard import-public`: convert Epoch AI (and models.dev) data into an input folder."""
from __future__ import annotations

from pathlib import Path

from dashboard.cli.common import print_err
from dashboard.public_import import import_public


def register(commands) -> None:
    parser = commands.add_parser("import-public", help="convert Epoch AI (and models.dev) data into an input folder")
    parser.add_argument("--epoch", type=Path, required=True, help="Epoch AI 'Notable AI Models' CSV export")
    parser.add_argument("--models-dev", type=Path, help="models.dev providers/ folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.set_defaults(handler=run)


def run(args) -> int:
    if not args.epoch.is_file():
        print_err(f"error: no Epoch AI CSV at {args.epoch}")
        return 2
    if args.models_dev is not None and not args.models_dev.is_dir():
        print_err(f"error: no models.dev providers folder at {args.models_dev}")
        return 2
    try:
        import_public(args.epoch, args.models_dev, args.out, progress=print_err)
    except ValueError as error:
        print_err(f"error: {error}")
        return 2
    print_err(f"Wrote an input folder to {args.out}: publish it with `asl-dashboard ingest {args.out}`")
    return 0
