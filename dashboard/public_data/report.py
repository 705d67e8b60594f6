"""The import's report: counts, reasons, and the ATTRIBUTION.md written beside the data."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest.problems import MAX_PROBLEMS_KEPT
from dashboard.public_data.names import MATCH_RULE


@dataclass
class ImportReport:
    epoch_file: str = ""
    rows_read: int = 0
    public_models: int = 0
    frontier_rows: int = 0
    models_with_compute: int = 0
    models_without_compute: int = 0  # added for a publicly announced ASL classification
    rows_skipped: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # the first MAX_PROBLEMS_KEPT of problems_total
    problems_total: int = 0
    skipped_files: list[str] = field(default_factory=list)  # models.dev files and folders not read
    missing_columns: list[str] = field(default_factory=list)
    parents_linked: int = 0
    base_models_without_compute: int = 0
    base_models_not_found: int = 0
    asl_announcements: int = 0
    providers: int = 0
    listings_total: int = 0
    listings_matched: int = 0
    match_by: Counter = field(default_factory=Counter)
    unmatched_reasons: Counter = field(default_factory=Counter)
    link_files: int = 0
    inherited_from_base: int = 0
    deployments_ended: int = 0
    ended_before_start: int = 0
    unmatched_file: Path | None = None
    row_counts: dict[str, int] = field(default_factory=dict)

    def problem(self, text: str) -> None:
        """Keep the first problems and count them all: memory stays bounded on a file of bad rows."""
        self.problems_total += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(text)

    def skip(self, text: str) -> None:
        if len(self.skipped_files) < MAX_PROBLEMS_KEPT:
            self.skipped_files.append(text)

    @property
    def listings_unmatched(self) -> int:
        return self.listings_total - self.listings_matched

    @property
    def models(self) -> int:
        return self.models_with_compute + self.models_without_compute

    def lines(self, max_problems: int = 50) -> list[str]:
        lines = [f"Epoch rows read: {self.rows_read:,} ({self.epoch_file}); frontier-flagged: {self.frontier_rows:,}",
                 f"models with a training compute estimate: {self.models_with_compute:,}; "
                 f"added without compute for a public ASL classification: {self.models_without_compute:,}",
                 f"rows skipped as models: {sum(self.rows_skipped.values()):,}"]
        lines += [f"  {count:,} {reason}" for reason, count in sorted(self.rows_skipped.items())]
        lines += [f"column not found: {column}" for column in self.missing_columns]
        lines += [f"  {problem}" for problem in self.problems[:max_problems]]
        total = max(self.problems_total, len(self.problems))
        if total > max_problems:
            lines.append(f"  ... and {total - min(max_problems, len(self.problems)):,} more")
        lines.append(f"parents through Base model: {self.parents_linked:,} linked; "
                     f"{self.base_models_without_compute:,} base models without usable compute; "
                     f"{self.base_models_not_found:,} not found or ambiguous")
        lines.append(f"public ASL classifications: {self.asl_announcements} (asl_history.csv)")
        if self.providers:
            lines += [f"models.dev providers: {self.providers:,}; listings: {self.listings_total:,} "
                      f"({self.link_files:,} link files, {self.inherited_from_base:,} inherit a base_model "
                      f"listing); matched {self.listings_matched:,}, unmatched {self.listings_unmatched:,}",
                      "  matched by: " + ", ".join(f"{rule} {count:,}" for rule, count in sorted(self.match_by.items())),
                      "  unmatched: " + ", ".join(f"{reason} {count:,}" for reason, count in
                                                  sorted(self.unmatched_reasons.items())),
                      f"  deployments ended (deprecated listings): {self.deployments_ended:,}"
                      + (f"; {self.ended_before_start:,} with last_updated before release_date ended on release_date"
                         if self.ended_before_start else ""),
                      f"  unmatched listings written to {self.unmatched_file}"]
        lines += [f"  skipped {text}" for text in self.skipped_files[:max_problems]]
        if len(self.skipped_files) > max_problems:
            lines.append(f"  ... and {len(self.skipped_files) - max_problems:,} more skipped")
        lines.append("match rule: " + MATCH_RULE)
        lines.append("effective compute = Epoch training compute: no algorithmic multiplier is applied")
        return lines
