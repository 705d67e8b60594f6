"""Reporting an ingest: its result (row counts, rate, the data's date) and, for the command line,
the exit status and the one message of each outcome."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest.problems import IngestBusy, IngestError, PublishError, SourceError


def ingest_outcome(run, say, scrub=lambda text: text) -> int:
    """Run an ingest (run() returns its IngestResult) and turn its outcome into the command's exit
    status and one message, for a folder and a database alike: 0 published, 1 refused (problems in
    the data), 2 the store cannot be published to, 3 another ingest is running, 4 the source could
    not be read. scrub: what every message goes through (a database URL's password is taken out)."""
    try:
        result = run()
    except IngestError as error:
        say(scrub(error.report()))
        return 1
    except PublishError as error:
        say(f"error: {scrub(str(error))}")
        return 2
    except IngestBusy as error:
        say(f"error: {scrub(str(error))}")
        return 3
    except SourceError as error:
        say(f"error: {scrub(str(error))}")
        return 4
    say(result.summary())
    return 0


@dataclass
class IngestResult:
    store: Path
    row_counts: dict[str, int]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    snapshot_date: dt.date | None = None
    snapshot_id: str | None = None
    content_hash: str | None = None
    published_at: dt.datetime | None = None
    unchanged: bool = False  # the content equals the latest snapshot's: nothing published
    removed: list[str] = field(default_factory=list)  # snapshot ids the retention rule removed
    retention_refused: str | None = None  # why nothing was removed (the reviews' pins could not be read)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def summary(self) -> str:
        if self.unchanged:
            return (f"Unchanged: the data equals the latest snapshot {self.snapshot_id} of {self.store}, "
                    f"so no snapshot was added ({self.total_rows:,} rows checked in {self.seconds:.1f} s).")
        removed = (f" Removed {len(self.removed)} older snapshot(s) under the retention rule: {', '.join(self.removed)}."
                   if self.removed else "")
        if self.retention_refused:
            removed = " Removed no older snapshot: the snapshots reviews pin could not be read."
        rate = self.total_rows / self.seconds if self.seconds > 0 else float("inf")
        counts = ", ".join(f"{name} {count:,}" for name, count in self.row_counts.items())
        return (f"Published {self.store} ({self.total_rows:,} rows in {self.seconds:.1f} s, "
                f"{rate:,.0f} rows/s; data as of {self.snapshot_date}) as snapshot {self.snapshot_id}: {counts}.{removed}")
