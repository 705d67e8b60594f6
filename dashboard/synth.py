"""A deterministic synthetic lab in the input format of DESIGN section 3.

`python -m dashboard.synth` regenerates the committed demo (data/demo, scale s, CSV);
`asl-dashboard synth --scale s|m|l --out DIR [--seed N]` writes any scale (Parquet for m and l).

The lab is designed backwards from the snapshot date: each model is given the situation it should
be in on that date (on track, due soon by compute or by time, overdue by compute or by time, buffer
breached, triggered, never evaluated), and its training run, checkpoints and evaluation rounds are
laid out so that the policy arithmetic of DESIGN section 4 finds exactly that. Names are fictional.
Same seed, same bytes: no wall clock, no unordered iteration, fixed number formatting.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.obligations import BUNDLED_OBLIGATIONS
from dashboard.reference import DOMAINS, LEVELS, POLICIES, SAFEGUARDS, SURFACES
from dashboard.tables import TABLES_BY_NAME

SNAPSHOT_DATE = dt.date(2026, 11, 20)
END = np.datetime64("2026-11-20T18:00:00")
DAY = np.timedelta64(1, "D")
EPOCH_CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "epoch-ai" / "notable_ai_models.csv"
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
# Real public models (Epoch AI, CC BY 4.0) in the public_models format, committed so that the
# generator needs nothing outside the repository; `python -m dashboard.synth --refresh-public`
# rebuilds it from ../shared/data/epoch-ai/notable_ai_models.csv.
DEFAULT_SEED = 20261126
PUBLIC_REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference" / "public_models.csv"


@dataclass(frozen=True)
class Scale:
    models: int
    checkpoints: int
    customers: int
    deployments: int
    evaluations_hint: int
    max_depth: int


SCALES = {
    "s": Scale(models=48, checkpoints=14_000, customers=320, deployments=2_200, evaluations_hint=600, max_depth=2),
    "m": Scale(models=200, checkpoints=1_000_000, customers=5_000, deployments=100_000, evaluations_hint=10_000, max_depth=3),
    "l": Scale(models=1_000, checkpoints=10_000_000, customers=20_000, deployments=1_000_000, evaluations_hint=50_000, max_depth=4),
}

FAMILIES = ["Aster", "Borealis", "Cobalt", "Dune", "Ember", "Fjord", "Garnet", "Halcyon", "Iris", "Juniper"]
SECTORS = ["healthcare", "biotech", "pharma", "finance", "insurance", "government", "defence", "education", "legal",
           "retail", "software", "security", "energy", "media", "research", "telecom"]
SEGMENTS = ["enterprise", "mid-market", "startup", "public-sector"]
REGIONS = ["us", "eu", "uk", "apac", "latam", "mea"]
USE_CASES = [  # (use case, risk domains)
    ("customer support assistant", ""), ("document summarisation", ""), ("contract review", ""),
    ("code completion", ""), ("autonomous coding agent", "autonomy;ai_rd"), ("ML research assistant", "ai_rd"),
    ("security operations copilot", "cyber"), ("penetration test automation", "cyber"),
    ("malware triage", "cyber"), ("drug discovery assistant", "cbrn"), ("lab protocol Q&A", "cbrn"),
    ("clinical notes", ""), ("tutoring", ""), ("data analysis agent", "autonomy"), ("search and answers", ""),
]
NAME_PARTS_A = ["North", "Blue", "Silver", "Bright", "Iron", "Green", "Clear", "Red", "Stone", "Cedar", "Harbor",
                "Summit", "Pioneer", "Atlas", "Vector", "Quantum", "Lumen", "Orbit", "Meridian", "Keystone"]
NAME_PARTS_B = ["Health", "Bank", "Labs", "Systems", "Analytics", "Bio", "Capital", "Works", "Security", "Learning",
                "Logistics", "Energy", "Media", "Legal", "Robotics", "Insurance", "Therapeutics", "Networks"]
NAME_PARTS_C = ["Inc", "Ltd", "GmbH", "Group", "Co", "AG", "LLC", "plc"]

# What each model should show on the snapshot date, and how often (by role).
TRAINING_TARGETS = ["on_track", "eval_due_soon", "eval_overdue", "buffer_breached", "triggered", "never_evaluated"]
SERVING_TARGETS = ["on_track", "eval_due_soon_time", "on_track", "eval_overdue_time", "on_track", "eval_due_soon_time",
                   "on_track", "triggered"]


@dataclass
class ModelPlan:
    model_id: str
    name: str
    family: str
    parent: str
    derivation: str
    depth: int
    asl_level: int
    policy_id: str
    status: str
    target: str
    start: np.datetime64
    end: np.datetime64
    c_start: float
    c_end: float
    checkpoints: int
    history: list = field(default_factory=list)


def _fmt(values: np.ndarray) -> np.ndarray:
    """Floats as short, exact-enough text (6 significant digits), the same on every run."""
    return np.char.mod("%.6g", values.astype(float)).astype(object)


def _plan_models(rng: np.random.Generator, scale: Scale) -> list[ModelPlan]:
    families = FAMILIES[: max(5, min(len(FAMILIES), scale.models // 8))]
    plans: list[ModelPlan] = []
    per_family = scale.models // len(families)
    training_cycle = iter(np.resize(TRAINING_TARGETS, scale.models))
    serving_cycle = iter(np.resize(SERVING_TARGETS, scale.models))
    for family_index, family in enumerate(families):
        slug = family.lower()
        budget = per_family + (1 if family_index < scale.models - per_family * len(families) else 0)
        generations = max(3, budget // 5)
        pretrains: list[ModelPlan] = []
        for generation in range(1, generations + 1):
            # The newest generation is training now; in every other family the one before it too.
            newest = generation == generations or (generation == generations - 1 and family_index % 2 == 0)
            # Older generations are smaller and long deployed; the newest is training now.
            c_end = 10 ** (23.3 + 3.3 * generation / generations + rng.uniform(-0.2, 0.1))
            if newest:
                start = END - (120 + int(rng.integers(0, 60))) * DAY
                end, status, target = END - int(rng.integers(0, 2)) * DAY, "training", next(training_cycle)
            else:
                start = END - (900 - 700 * generation // generations + int(rng.integers(0, 60))) * DAY
                end = start + (90 + int(rng.integers(0, 40))) * DAY
                status, target = ("retired", "on_track") if generation == 1 and generations > 2 else ("deployed", next(serving_cycle))
            policy = "rsp-v1.0" if family_index % 5 != 4 else ["rsp-v2.0", "fsf-v1.0", "pf-beta"][generation % 3]
            level = 3 if newest and c_end > 1e25 and family_index % 2 == 0 else 2
            plan = ModelPlan(f"{slug}-{generation}", f"{family} {generation}", family, "", "pretrain", 0, level, policy,
                             status, target, start, end, c_end / 10 ** rng.uniform(1.8, 2.3), c_end,
                             0)
            pretrains.append(plan)
            plans.append(plan)
        # Derived models: fine-tunes, distillations and snapshots, at most max_depth below a pretrain.
        frontier = [plan for plan in pretrains if plan.status != "training"] or pretrains[:1]
        count = 0
        remaining = budget - generations
        while count < remaining:
            parent = frontier[int(rng.integers(0, len(frontier)))]
            if parent.depth >= scale.max_depth:
                frontier.remove(parent)
                continue
            kind = ["fine-tune", "fine-tune", "distillation", "snapshot"][int(rng.integers(0, 4))]
            suffix = {"fine-tune": ["ft-chat", "ft-code", "ft-agent", "ft-med", "ft-sec", "ft-edu"],
                      "distillation": ["mini", "nano", "lite"], "snapshot": ["2025-06", "2025-11", "2026-03"]}[kind]
            label = suffix[int(rng.integers(0, len(suffix)))]
            model_id = f"{parent.model_id}-{label}"
            while any(plan.model_id == model_id for plan in plans):
                model_id = f"{model_id}-{count}"
            start = max(parent.end + int(rng.integers(2, 30)) * DAY, END - 400 * DAY)
            if start > END - 20 * DAY:
                start = END - 20 * DAY
            evaluating = rng.random() < 0.12
            days = int(rng.integers(5, 20)) if kind != "distillation" else int(rng.integers(20, 45))
            end = min(start + days * DAY, END - DAY)
            c_base = parent.c_end * (1.0 if kind != "distillation" else 10 ** -rng.uniform(1.0, 2.0))
            growth = 10 ** rng.uniform(0.01, 0.12) if kind != "distillation" else 10 ** rng.uniform(1.0, 1.5)
            c_start = c_base * (1.001 if kind != "distillation" else 10 ** -rng.uniform(0.5, 1.0))
            status = "evaluating" if evaluating else "deployed"
            target = "never_evaluated" if evaluating else next(serving_cycle)
            plan = ModelPlan(model_id, f"{parent.name} {label.replace('ft-', '').title()}", family, parent.model_id,
                             kind, parent.depth + 1, parent.asl_level if rng.random() < 0.8 else max(2, parent.asl_level - 1),
                             parent.policy_id, status, target, start, end, c_start,
                             max(c_start * 1.0001, min(c_base * growth, c_base * growth)), 0)
            plans.append(plan)
            frontier.append(plan)
            count += 1
    # Share the checkpoint budget: a pretrain run gets many, a fine-tune few.
    weights = np.array([8.0 if plan.derivation == "pretrain" else 1.5 if plan.derivation == "distillation" else 0.6
                        for plan in plans])
    counts = np.maximum(20, (weights / weights.sum() * scale.checkpoints).astype(int))
    counts[0] += scale.checkpoints - counts.sum()
    for plan, count in zip(plans, counts):
        plan.checkpoints = int(max(count, 20))
    return plans


def _trajectory(rng, plan: ModelPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Timestamps, training FLOP and effective compute of one run (monotone, S-shaped in log space)."""
    n = plan.checkpoints
    fraction = np.linspace(0.0, 1.0, n)
    seconds = ((plan.end - plan.start) / np.timedelta64(1, "s")) * fraction
    times = plan.start + seconds.astype("int64").astype("timedelta64[s]")
    if plan.status == "training":
        shape = fraction  # a run in progress: steady exponential growth
    else:
        shape = (1 - np.exp(-3.0 * fraction)) / (1 - np.exp(-3.0))  # a finished run: fast early, slower late
    noise = np.maximum.accumulate(np.cumsum(rng.normal(0, 0.0005, n)))
    log_c = np.log10(plan.c_start) + (np.log10(plan.c_end) - np.log10(plan.c_start)) * shape + noise
    log_c = np.maximum.accumulate(log_c)
    effective = 10 ** log_c
    multiplier = 1.0 + 2.0 * fraction  # algorithmic gains found during the run
    training = effective / multiplier
    return times, training, effective


def _rounds(rng, plan: ModelPlan, times: np.ndarray, effective: np.ndarray, k: float):
    """The comprehensive rounds (step index, completion time, outcome) that give the planned status."""
    n = len(effective)
    last = n - 1
    lag = lambda: int(rng.integers(2, 7)) * DAY  # noqa: E731 - evaluations take a few days
    rounds: list[tuple[int, np.datetime64, str]] = []

    def index_at_ratio(ratio: float) -> int:
        return int(np.searchsorted(effective, effective[last] / ratio))

    def history_before(index: int) -> None:
        """Earlier clean rounds roughly every k x effective compute, going back from index."""
        current = index
        while True:
            previous = int(np.searchsorted(effective, effective[current] / k))
            if previous >= current or previous <= 0:
                break
            rounds.append((previous, times[previous] + lag(), "below_threshold"))
            current = previous

    target = plan.target
    if target == "never_evaluated":
        if rng.random() < 0.5 and n > 10:
            rounds.append((n // 2, times[n // 2] + lag(), "inconclusive"))
        return rounds
    if plan.status == "training":
        ratio = {"on_track": 1.8, "eval_due_soon": 3.3, "eval_overdue": 4.9, "buffer_breached": 8.5,
                 "triggered": 2.2}[target] * rng.uniform(0.92, 1.06)
        ratio = min(ratio, effective[last] / effective[0] * 0.9)
        index = min(index_at_ratio(ratio), last)
        done = min(times[index] + lag(), END - DAY)
        rounds.append((index, done, "below_threshold"))
        history_before(index)
        if target == "triggered":
            later = min(last, index + max(1, (last - index) * 3 // 4))
            rounds.append((later, min(times[later] + lag(), END), "triggered"))
        return rounds
    # A served model: its final checkpoint is re-evaluated on a schedule; the last one decides.
    days_ago = {"on_track": rng.integers(8, 55), "eval_due_soon_time": rng.integers(70, 88),
                "eval_overdue_time": rng.integers(95, 170), "triggered": rng.integers(5, 30)}[target]
    final_done = END - int(days_ago) * DAY
    first_done = times[last] + lag()
    if final_done < first_done:
        final_done = first_done
    history_before(last)
    done = first_done
    while done < final_done - 80 * DAY:
        rounds.append((last, done, "below_threshold"))
        done = done + int(rng.integers(80, 92)) * DAY
    if target == "triggered":
        # Under-elicited: a re-evaluation of an earlier step passed, then better elicitation on the
        # final checkpoint triggered (a deployed model to reclassify).
        earlier = max(0, last - max(1, n // 10))
        rounds.append((earlier, times[earlier] + lag(), "below_threshold"))
        rounds.append((last, final_done, "triggered"))
        rounds[:] = [r for r in rounds if not (r[0] == last and r[2] == "below_threshold")]
    else:
        rounds.append((last, final_done, "below_threshold"))
    return rounds


def _evaluation_rows(rng, plan: ModelPlan, steps: np.ndarray, rounds, next_id: int) -> tuple[list[tuple], int]:
    rows = []
    elicitations = ["helpful-only fine-tune; agent scaffold v3", "best-of-16 sampling; expert prompts",
                    "tool use enabled; 3 attempts", "fine-tuned on domain corpus; chain of thought", ""]
    for index, done, outcome in sorted(rounds, key=lambda item: (int(item[0]), str(item[1]))):
        for domain_index, domain in enumerate(DOMAINS):
            # Domains of one round complete on different days; the last one closes the round.
            completed = done - int(rng.integers(0, 3)) * DAY if domain_index else done
            row_outcome = outcome
            if outcome == "triggered" and domain_index != 0:
                row_outcome = "below_threshold"
            if outcome == "inconclusive" and domain_index != 1:
                row_outcome = "below_threshold"
            trigger = round(float(rng.uniform(0.55, 0.8)), 3)
            score = round(trigger * (1.05 + rng.uniform(0, 0.2)) if row_outcome == "triggered"
                          else trigger * rng.uniform(0.3, 0.9), 3)
            rows.append((f"ev-{next_id:07d}", plan.model_id, int(steps[index]), completed, domain, "comprehensive",
                         plan.asl_level + 1, row_outcome, score, trigger,
                         elicitations[int(rng.integers(0, len(elicitations)))]))
            next_id += 1
    # A few preliminary checks between rounds: they form no round whatever their outcome.
    for _ in range(int(rng.integers(0, 3))):
        index = int(rng.integers(0, len(steps)))
        rows.append((f"ev-{next_id:07d}", plan.model_id, int(steps[index]), None, DOMAINS[int(rng.integers(0, 4))],
                     "preliminary", plan.asl_level + 1, ["below_threshold", "inconclusive"][int(rng.integers(0, 2))],
                     None, None, "quick automated probe"))
        next_id += 1
    return rows, next_id


def _preliminary_checks(rng, plans, checkpoint_parts, count: int, next_id: int) -> list[tuple]:
    model_index = rng.integers(0, len(plans), count)
    rows = []
    for offset, index in enumerate(model_index):
        plan, steps = plans[index], checkpoint_parts[index][1]
        step = int(steps[int(rng.integers(0, len(steps)))])
        rows.append((f"ev-{next_id + offset:07d}", plan.model_id, step, None, DOMAINS[int(rng.integers(0, 4))],
                     "preliminary", plan.asl_level + 1, ["below_threshold", "inconclusive"][int(rng.integers(0, 2))],
                     None, None, "quick automated probe"))
    return rows


def _company_names(rng, count: int) -> list[str]:
    names, seen = [], set()
    while len(names) < count:
        name = (f"{NAME_PARTS_A[int(rng.integers(0, len(NAME_PARTS_A)))]} "
                f"{NAME_PARTS_B[int(rng.integers(0, len(NAME_PARTS_B)))]} "
                f"{NAME_PARTS_C[int(rng.integers(0, len(NAME_PARTS_C)))]}")
        if name in seen:
            name = f"{name} {len(names)}"
        seen.add(name)
        names.append(name)
    return names


def _public_models() -> pd.DataFrame:
    return pd.read_csv(PUBLIC_REFERENCE, dtype=str, keep_default_na=False)


def public_models_from_epoch(epoch_csv: Path = EPOCH_CSV) -> pd.DataFrame:
    """Real reference models from Epoch AI's data (CC BY 4.0) published since 2018 with a compute
    estimate: compute exactly as Epoch gives it, names with their whitespace and newlines folded."""
    columns = list(TABLES_BY_NAME["public_models"].columns)
    rows, used = [], set()
    with open(epoch_csv, encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            compute = (record.get("Training compute (FLOP)") or "").strip()
            published = (record.get("Publication date") or "").strip()
            if not compute or not published or published < "2018-01-01":
                continue
            try:
                if not math.isfinite(float(compute)) or float(compute) < 1e6:
                    continue
            except ValueError:
                continue
            name = " ".join((record.get("Model") or "").split())
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "model"
            candidate, number = slug, 2
            while candidate in used:
                candidate, number = f"{slug}-{number}", number + 1
            used.add(candidate)
            organization = " ".join((record.get("Organization") or "").split())
            rows.append((candidate, name, organization, published[:10], compute,
                         " ".join((record.get("Base model") or "").split()),
                         " ".join((record.get("Model accessibility") or "").split()),
                         "Epoch AI, Notable AI Models (CC BY 4.0)"))
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["published_on", "public_model_id"], ignore_index=True)


def generate(scale: str, out_dir: Path, seed: int = DEFAULT_SEED, fmt: str | None = None, progress=print) -> dict[str, int]:
    """Write a synthetic lab of the given scale into out_dir; returns row counts per table."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    fmt = fmt or ("csv" if scale == "s" else "parquet")
    sizes = SCALES[scale]
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = _plan_models(rng, sizes)
    policy_k = {policy[0]: float(policy[2]) for policy in POLICIES}

    checkpoint_parts, evaluation_rows, history_rows = [], [], []
    next_eval = 1
    for plan in plans:
        times, training, effective = _trajectory(rng, plan)
        steps = (np.arange(len(times), dtype=np.int64) + 1) * 50
        checkpoint_parts.append((plan.model_id, steps, times, training, effective))
        rows, next_eval = _evaluation_rows(rng, plan, steps, _rounds(rng, plan, times, effective, policy_k[plan.policy_id]),
                                           next_eval)
        evaluation_rows += rows
        created = str(plan.start)[:10]
        if plan.asl_level >= 3 and plan.derivation == "pretrain":
            history_rows.append((plan.model_id, 2, created, "initial classification"))
            upgrade = str(plan.start + (plan.end - plan.start) // 2)[:10]
            history_rows.append((plan.model_id, plan.asl_level, upgrade, "capability evaluations: ASL-3 safeguards required"))
        else:
            history_rows.append((plan.model_id, plan.asl_level, created, "initial classification"))
    if len(evaluation_rows) < sizes.evaluations_hint:
        # Large labs run many quick preliminary checks between rounds (they form no round).
        evaluation_rows += _preliminary_checks(rng, plans, checkpoint_parts, sizes.evaluations_hint - len(evaluation_rows),
                                               next_eval)
    progress(f"  models: {len(plans):,}")

    models = pd.DataFrame([(p.model_id, p.name, p.family, p.parent, p.derivation, str(p.asl_level), p.policy_id, p.status)
                           for p in plans], columns=TABLES_BY_NAME["models"].columns)
    checkpoints = pd.DataFrame({
        "model_id": np.concatenate([np.full(len(part[1]), part[0], dtype=object) for part in checkpoint_parts]),
        "step": np.concatenate([part[1] for part in checkpoint_parts]).astype(str).astype(object),
        "recorded_at": np.concatenate([part[2] for part in checkpoint_parts]).astype("datetime64[s]").astype(str).astype(object),
        "training_flop": _fmt(np.concatenate([part[3] for part in checkpoint_parts])),
        "effective_compute": _fmt(np.concatenate([part[4] for part in checkpoint_parts])),
    })
    progress(f"  checkpoints: {len(checkpoints):,}")
    # Formatting to 6 digits can make two neighbouring values equal but never reverse their order;
    # recorded times beyond the snapshot are clipped so the snapshot date stays fixed.
    checkpoint_times = {(part[0], int(step)): time for part in checkpoint_parts for step, time in zip(part[1], part[2])}
    fixed_rows = []
    for row in evaluation_rows:
        recorded = checkpoint_times[(row[1], row[2])]
        when = recorded + DAY if row[3] is None else row[3]
        when = min(max(when, recorded + np.timedelta64(1, "h")), END)
        fixed_rows.append(row[:3] + (str(np.datetime64(when, "s")),) + row[4:])
    evaluations = pd.DataFrame(fixed_rows, columns=TABLES_BY_NAME["evaluations"].columns)
    for column in ("step", "target_asl_level"):
        evaluations[column] = evaluations[column].astype(str)
    for column in ("score", "trigger_score"):
        evaluations[column] = evaluations[column].map(lambda value: "" if value is None or pd.isna(value) else f"{value:g}")
    progress(f"  evaluations: {len(evaluations):,}")

    customer_names = _company_names(rng, sizes.customers)
    customers = pd.DataFrame({
        "customer_id": [f"cust-{index:05d}" for index in range(1, sizes.customers + 1)],
        "name": customer_names,
        "segment": np.array(SEGMENTS, dtype=object)[rng.integers(0, len(SEGMENTS), sizes.customers)],
        "sector": np.array(SECTORS, dtype=object)[rng.integers(0, len(SECTORS), sizes.customers)],
        "region": np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), sizes.customers)],
        "business_critical": np.where(rng.random(sizes.customers) < 0.25, "true", "false").astype(object),
    })

    deployments, deployment_safeguards = _deployments(rng, plans, customers, sizes.deployments)
    progress(f"  deployments: {len(deployments):,}")

    tables = {
        "policies": pd.DataFrame(POLICIES, columns=TABLES_BY_NAME["policies"].columns),
        "asl_levels": pd.DataFrame([(str(a), b, c) for a, b, c in LEVELS], columns=TABLES_BY_NAME["asl_levels"].columns),
        "safeguards": pd.DataFrame([(a, b, c, f"{b} ({c} safeguard, introduced at ASL-{d})") for a, b, c, d in SAFEGUARDS],
                                   columns=TABLES_BY_NAME["safeguards"].columns),
        "asl_required_safeguards": pd.DataFrame([(str(d), a) for a, _b, _c, d in SAFEGUARDS],
                                                columns=TABLES_BY_NAME["asl_required_safeguards"].columns),
        "models": models,
        "checkpoints": checkpoints,
        "evaluations": evaluations,
        "customers": customers,
        "deployments": deployments,
        "deployment_safeguards": deployment_safeguards,
        "asl_history": pd.DataFrame([(a, str(b), c, d) for a, b, c, d in history_rows],
                                    columns=TABLES_BY_NAME["asl_history"].columns),
        "public_models": _public_models(),
        "obligations": pd.DataFrame(list(BUNDLED_OBLIGATIONS), columns=TABLES_BY_NAME["obligations"].columns),
        "obligation_records": _obligation_records(checkpoints),
    }
    counts = {}
    for name, frame in tables.items():
        frame = frame.fillna("").astype(str)
        if fmt == "csv":
            frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
        else:
            # Row groups of DuckDB's own size, as an export from DuckDB or Spark has them (pyarrow's
            # default is a million rows): a reader can then share one file among its cores.
            frame.to_parquet(out_dir / f"{name}.parquet", index=False, row_group_size=122_880)
        counts[name] = len(frame)
        progress(f"  wrote {name}.{fmt}: {len(frame):,} rows")
    return counts


def _obligation_records(checkpoints: pd.DataFrame) -> pd.DataFrame:
    """Records of the bundled obligations (DESIGN 9) that make every state appear on the snapshot date.

    Worked out from the checkpoints as written (6 significant digits), without the random generator
    (the other tables keep their bytes). EU notification (1e25 training FLOP, 14 days from the later
    of the crossing and 2025-08-02): of the models whose deadline has passed, the two most recent
    stay overdue, every fifth other one was notified late (3 to 9 days after the deadline), the rest
    on time; a deadline still ahead stays due. SB 53 (1e26 training FLOP, before deployment): the
    first model to cross filed its report 3 days later (done); the others are due. Models still
    training towards a line show as projected, from their checkpoints alone.
    """
    columns = TABLES_BY_NAME["obligation_records"].columns
    rows = []
    for obligation in BUNDLED_OBLIGATIONS:
        if obligation["clock"] == "after_awareness":  # an incident starts it, not a crossing: no model record
            continue
        threshold = float(obligation["threshold_flop"])
        applies = dt.date.fromisoformat(obligation["applies_from"])
        reached = checkpoints[checkpoints["training_flop"].astype(float) >= threshold]
        # Checkpoints are written per model in step order: the first row per model is its crossing.
        crossed = reached.groupby("model_id", sort=True)["recorded_at"].first()
        crossings = sorted((dt.date.fromisoformat(text[:10]), model_id) for model_id, text in crossed.items())
        if obligation["clock"] == "before_first_deployment":
            for day, model_id in crossings[:1]:
                done = day + dt.timedelta(days=3)
                if done <= SNAPSHOT_DATE:
                    rows.append((obligation["obligation_id"], model_id, done.isoformat(),
                                 f"SB 53 transparency report for {model_id}, published {done.isoformat()}"))
            continue
        days = int(obligation["deadline_days"])
        dated = sorted((max(day, applies) + dt.timedelta(days=days), max(day, applies), model_id)
                       for day, model_id in crossings)
        passed = [entry for entry in dated if entry[0] < SNAPSHOT_DATE][:-2]
        for index, (due, start, model_id) in enumerate(passed):
            done = due + dt.timedelta(days=3 + index % 7) if index % 5 == 2 else min(due, start + dt.timedelta(days=index % 12))
            done = min(done, SNAPSHOT_DATE)
            rows.append((obligation["obligation_id"], model_id, done.isoformat(),
                         f"EU AI Office notification {start.year}-{index + 1:03d}"))
    return pd.DataFrame(sorted(rows), columns=columns)


def _deployments(rng, plans: list[ModelPlan], customers: pd.DataFrame, count: int):
    served = [plan for plan in plans if plan.status in ("deployed", "retired")]
    weights = np.array([3.0 if plan.derivation != "pretrain" else 1.5 for plan in served])
    model_index = rng.choice(len(served), size=count, p=weights / weights.sum())
    use_case_index = rng.integers(0, len(USE_CASES), count)
    surface = np.array(SURFACES, dtype=object)[
        rng.choice(5, size=count, p=[0.38, 0.2, 0.08, 0.26, 0.08])]
    first_party = (surface == "consumer") | (surface == "internal") | ((surface == "api") & (rng.random(count) < 0.05))
    customer_ids = customers["customer_id"].to_numpy(dtype=object)[rng.integers(0, len(customers), count)]
    customer_ids = np.where(first_party, "", customer_ids)
    released = np.array([plan.end for plan in served], dtype="datetime64[D]")[model_index]
    retired = np.array([plan.status == "retired" for plan in served])[model_index]
    span_days = np.maximum(((END.astype("datetime64[D]") - released) / DAY).astype(int), 1)
    started = released + (rng.random(count) * span_days).astype(int) * DAY
    roll = rng.random(count)
    status = np.where(roll < 0.70, "active", np.where(roll < 0.78, "paused", np.where(roll < 0.88, "onboarding", "ended"))).astype(object)
    status = np.where(retired, "ended", status)
    days_left = np.maximum(((END.astype("datetime64[D]") - started) / DAY).astype(int), 1)
    ended = started + (rng.random(count) * days_left).astype(int) * DAY
    ended_text = np.where(status == "ended", ended.astype(str), "").astype(object)
    deployments = pd.DataFrame({
        "deployment_id": [f"dep-{index:07d}" for index in range(1, count + 1)],
        "model_id": np.array([plan.model_id for plan in served], dtype=object)[model_index],
        "customer_id": customer_ids,
        "surface": surface,
        "use_case": np.array([use_case for use_case, _ in USE_CASES], dtype=object)[use_case_index],
        "risk_domains": np.array([domains for _, domains in USE_CASES], dtype=object)[use_case_index],
        "status": status,
        "started_at": started.astype(str).astype(object),
        "ended_at": ended_text,
        "monthly_requests": np.round(np.exp(rng.normal(10.5, 1.8, count))).astype(np.int64).astype(str).astype(object),
    })
    # Uneven coverage: each deployment has each safeguard its model's level needs with a
    # probability that depends on the customer's care (one draw per deployment), and now and then
    # a safeguard of a higher level.
    levels = np.array([plan.asl_level for plan in served])[model_index]
    care = rng.beta(5, 1.6, count)
    parts_deployment, parts_safeguard = [], []
    for safeguard_id, _name, _kind, introduced in SAFEGUARDS:
        needed = levels >= introduced
        # The most careful customers (about a quarter) already run next-level safeguards too.
        probability = np.where(needed, care, np.where(care > 0.9, care, 0.1 * care))
        has = rng.random(count) < probability
        parts_deployment.append(deployments["deployment_id"].to_numpy()[has])
        parts_safeguard.append(np.full(int(has.sum()), safeguard_id, dtype=object))
    safeguards = pd.DataFrame({"deployment_id": np.concatenate(parts_deployment),
                               "safeguard_id": np.concatenate(parts_safeguard)})
    safeguards = safeguards.sort_values(["deployment_id", "safeguard_id"], ignore_index=True)
    return deployments, safeguards


def main(argv: list[str] | None = None) -> int:
    if "--refresh-public" in (argv if argv is not None else sys.argv[1:]):
        public_models_from_epoch().to_csv(PUBLIC_REFERENCE, index=False, lineterminator="\n")
        print(f"rebuilt {PUBLIC_REFERENCE} from {EPOCH_CSV}", file=sys.stderr)
    generate("s", DEMO_DIR, progress=lambda message: print(message, file=sys.stderr))
    print(f"wrote the demo lab to {DEMO_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
