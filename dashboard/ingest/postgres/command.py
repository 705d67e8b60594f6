"""The command line: asl-dashboard ingest postgresql://... (the cli hands it over)."""
from __future__ import annotations

from dashboard.ingest.outcome import ingest_outcome
from dashboard.ingest.postgres.source import PostgresSource
from dashboard.ingest.postgres.url import SourceURL
from dashboard.ingest.problems import SourceError
from dashboard.ingest.publish import ingest


def cli_ingest(args, store, say) -> int:
    """Exit 0 published; 1 refused (problems in the data); 2 a bad URL or a store that cannot be
    published to; 3 another ingest is running; 4 the source could not be read (connection, password,
    rights, locks, timeouts)."""
    try:
        url = SourceURL(args.dir)
    except SourceError as error:
        say(f"error: {error}")
        return 2
    if url.password and not getattr(args, "from_env", False):
        say("warning: a password in the command line stays in the shell history and the process list: "
            "set ASL_SOURCE_URL, PGPASSWORD or ~/.pgpass instead")
    say(f"Ingesting {url.redacted} into {store} ...")

    def run():
        with PostgresSource(args.dir, lock_timeout=args.lock_timeout, statement_timeout=args.statement_timeout,
                            stall_timeout=getattr(args, "stall_timeout", None), progress=say) as source:
            return ingest(source, store, progress=say, dataset=args.dataset, wait_seconds=args.wait,
                          retention=args.retention, pinned=getattr(args, "pinned", None))

    return ingest_outcome(run, say, url.scrub)
