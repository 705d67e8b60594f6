"""What an ingest reports when it refuses or fails: the problems found in the data (each naming its
file or table, line or key, and column), and the errors that stop an ingest before it publishes."""
from __future__ import annotations

from dataclasses import dataclass

from dashboard.text import neutralise
from dashboard.store import StoreError


MAX_PROBLEMS_SHOWN = 500


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # as a text editor counts it: the header is line 1
    message: str
    row_label: str = "line"
    key: str | None = None  # a database row is named by its key: "deployments (deployment_id=d07): ..."

    def __str__(self) -> str:
        if self.key is not None:
            return f"{self.file} ({self.key}): {self.message}"
        where = f" {self.row_label} {self.line}" if self.line is not None else ""
        return f"{self.file}{where}: {self.message}"


# Problems kept per check: a folder with millions of bad rows is refused with the first ones and an
# exact count, without holding millions of messages in memory.
MAX_PROBLEMS_KEPT = 10_000


class IngestError(Exception):
    """The input folder was refused. problems lists the problems found (at most MAX_PROBLEMS_KEPT of
    each check); total counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(f"{self.total} problem(s) in the input folder")

    def report(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        lines = [str(problem) for problem in self.problems[:limit]]
        hidden = self.total - min(limit, len(self.problems))
        if hidden > 0:
            lines.append(f"... and {hidden:,} more problem(s) not shown")
        lines.append(f"Refused: {self.total:,} problem(s). The published store was not changed.")
        return "\n".join(lines)


class Kept:
    """At most MAX_PROBLEMS_KEPT problems of one file; the rest are counted and said in one more line."""

    def __init__(self, label: str):
        self.label, self.problems, self.hidden = label, [], 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)
        else:
            self.hidden += 1

    def result(self) -> list[Problem]:
        if not self.hidden:
            return self.problems
        return self.problems + [Problem(self.label, None, f"and {self.hidden:,} more line(s) with problems like these")]


class IngestBusy(Exception):
    """Another ingest holds the store's lock."""


class SourceError(Exception):
    """A database source could not be read (connection, permissions, timeouts). One line, no password."""


class PublishError(StoreError):
    """The store cannot be published to (a folder, a file this tool did not publish, a read-only or
    full disk, a bad --wait). The message is one line naming the path and the cause. A StoreError, so
    the app and every command that builds the default store show it as one line too."""


def show_value(value) -> str:
    if value is None:
        return ""
    text = neutralise(value)  # \r and \n as \x0d and \x0a; no ESC sequence reaches the terminal
    return text if len(text) <= 80 else text[:77] + "..."
