"""Reference values written once: the contract's vocabularies and orders (DESIGN sections 3 to 5), and
the generic policies, levels and safeguards of DESIGN section 1 that the synthetic lab and the public
import both write. SQL that needs a vocabulary defines it once in a macro that a test checks against
this module (tests/test_rules_once.py)."""
from __future__ import annotations

# DESIGN section 3: the values each enumerated column may hold, in the contract's order.
SURFACES = ["api", "cloud", "consumer", "enterprise", "internal"]
DEPLOYMENT_STATUSES = ["onboarding", "active", "paused", "ended"]
MODEL_STATUSES = ["training", "evaluating", "deployed", "retired"]
DERIVATIONS = ["pretrain", "fine-tune", "distillation", "snapshot", "other"]
SAFEGUARD_KINDS = ["deployment", "security"]
EVALUATION_KINDS = ["comprehensive", "preliminary"]
OUTCOMES = ["below_threshold", "triggered", "inconclusive"]

# DESIGN section 4: the statuses in order of urgency (status.sql's severity 1..6), then no_checkpoint
# (DESIGN 4a, severity 7): a model with no checkpoint yet on the as-of date, listed last and never
# counted among the models that need attention.
STATUSES = ["triggered", "never_evaluated", "buffer_breached", "eval_overdue", "eval_due_soon", "on_track",
            "no_checkpoint"]

# The statuses that need attention (no_checkpoint and on_track do not).
ATTENTION_STATUSES = ["triggered", "never_evaluated", "buffer_breached", "eval_overdue", "eval_due_soon"]

# DESIGN section 4: an evaluation is due soon from this fraction of the cadence (k ** 0.75, 0.75 T).
DUE_SOON_FRACTION = 0.75

# DESIGN section 4a: training as of D means a checkpoint within this many days up to D; the trajectory
# projection (dashboard/projection.py, and queries/obligations.sql for projected crossings) fits the
# checkpoints of this many days before the latest one.
TRAINING_DAYS = 14
PROJECTION_WINDOW_DAYS = 60

# DESIGN section 5: the actions, most urgent first (the order of the at-risk table).
ACTIONS = ["emergency_review", "halt_onboarding", "add_safeguards", "covered"]

# DESIGN section 1: the capability domains evaluated.
DOMAINS = ["cbrn", "cyber", "autonomy", "ai_rd"]

# Every reference policy asks a round to cover each domain of DOMAINS to be clean (DESIGN 4:
# required_domains, the last field): a round that has finished one domain is not a clean round.
EVERY_DOMAIN = ";".join(DOMAINS)
POLICIES = [
    # fsf-v1.0 evaluates every 6x with a 6x buffer; the input rule asks buffer > eval multiple, so its
    # buffer is left empty here (the buffer equals the cadence and gives no margin).
    ("rsp-v1.0", "Anthropic RSP v1.0", "4", "6", "90", "Anthropic Responsible Scaling Policy v1.0, 2023-09-19",
     EVERY_DOMAIN),
    ("rsp-v2.0", "Anthropic RSP v2.0", "4", "", "182", "Anthropic Responsible Scaling Policy v2.0, 2024-10-15",
     EVERY_DOMAIN),
    ("fsf-v1.0", "Google DeepMind FSF v1.0", "6", "", "90", "Google DeepMind Frontier Safety Framework v1.0, 2024-05-17",
     EVERY_DOMAIN),
    ("pf-beta", "OpenAI Preparedness Framework (Beta)", "2", "", "", "OpenAI Preparedness Framework (Beta), 2023-12-18",
     EVERY_DOMAIN),
]
LEVELS = [(1, "ASL-1", "No meaningful catastrophic risk"),
          (2, "ASL-2", "Early signs of dangerous capabilities; standard safeguards"),
          (3, "ASL-3", "Substantially higher risk of catastrophic misuse; hardened safeguards"),
          (4, "ASL-4", "Qualitative escalation in misuse potential and autonomy")]
SAFEGUARDS = [  # (id, name, kind, level that introduces it)
    ("usage_policy_enforcement", "Usage policy enforcement", "deployment", 2),
    ("usage_monitoring", "Usage monitoring", "deployment", 2),
    ("baseline_weight_security", "Baseline weight security", "security", 2),
    ("input_classifier", "Input misuse classifier", "deployment", 3),
    ("output_classifier", "Output misuse classifier", "deployment", 3),
    ("jailbreak_rapid_response", "Jailbreak rapid response", "deployment", 3),
    ("two_party_weight_access", "Two-party weight access", "security", 3),
    ("egress_bandwidth_limits", "Egress bandwidth limits", "security", 3),
    ("trusted_user_vetting", "Trusted-user vetting", "deployment", 4),
    ("red_team_signoff", "Expert red-team sign-off", "deployment", 4),
    ("insider_risk_program", "Insider-risk programme", "security", 4),
    ("hardened_weight_enclave", "Hardened weight enclave", "security", 4),
]
