"""The input contract of DESIGN section 3: which files a folder holds and their columns.

The order of TABLES is the load order: a table comes after the tables it refers to.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[str, ...]
    required: bool = True
    optional: tuple[str, ...] = ()  # columns (among columns) a source may leave out: read as empty
    # The columns that name a row, when more than the first (pairs, checkpoints, histories).
    compound_key: tuple[str, ...] = ()
    # Whether the ingest refuses two rows with the same key (it does not for histories and records).
    key_unique: bool = True

    @property
    def key(self) -> str:
        return self.columns[0]

    def present_in(self, header) -> TableSpec:
        """This spec without the optional columns a source's header leaves out."""
        absent = [column for column in self.optional if column not in header]
        return replace(self, columns=tuple(c for c in self.columns if c not in absent)) if absent else self

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The row's key: what the PostgreSQL source orders by and corrections match rows on."""
        return self.compound_key or (self.columns[0],)


TABLES: tuple[TableSpec, ...] = (
    TableSpec("policies", ("policy_id", "name", "eval_compute_multiple", "buffer_multiple",
                           "eval_interval_days", "source", "required_domains"), optional=("required_domains",)),
    TableSpec("asl_levels", ("asl_level", "name", "description")),
    TableSpec("safeguards", ("safeguard_id", "name", "kind", "description")),
    TableSpec("asl_required_safeguards", ("asl_level", "safeguard_id"), compound_key=("asl_level", "safeguard_id")),
    TableSpec("models", ("model_id", "name", "family", "parent_model_id", "derivation", "asl_level",
                         "policy_id", "status")),
    TableSpec("checkpoints", ("model_id", "step", "recorded_at", "training_flop", "effective_compute"),
              compound_key=("model_id", "step")),
    TableSpec("evaluations", ("eval_id", "model_id", "step", "completed_at", "domain", "kind",
                              "target_asl_level", "outcome", "score", "trigger_score", "elicitation")),
    TableSpec("customers", ("customer_id", "name", "segment", "sector", "region", "business_critical")),
    TableSpec("deployments", ("deployment_id", "model_id", "customer_id", "surface", "use_case",
                              "risk_domains", "status", "started_at", "ended_at", "monthly_requests")),
    TableSpec("deployment_safeguards", ("deployment_id", "safeguard_id"),
              compound_key=("deployment_id", "safeguard_id")),
    TableSpec("asl_history", ("model_id", "asl_level", "effective_from", "reason"), required=False,
              compound_key=("model_id", "effective_from"), key_unique=False),
    TableSpec("public_models", ("public_model_id", "name", "organization", "published_on",
                                "training_compute_flop", "base_model_name", "accessibility", "source"),
              required=False),
    # DESIGN section 9: regulatory and framework clocks, and what was done about them.
    TableSpec("obligations", ("obligation_id", "name", "jurisdiction", "threshold_flop", "measure", "clock",
                              "deadline_days", "applies_from", "source", "deadline_hours", "categories"),
              required=False, optional=("deadline_hours", "categories")),
    TableSpec("obligation_records", ("obligation_id", "model_id", "done_on", "reference"), required=False,
              compound_key=("obligation_id", "model_id"), key_unique=False),
)

TABLES_BY_NAME = {spec.name: spec for spec in TABLES}
