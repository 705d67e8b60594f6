"""The incident brief of a reclassification (DESIGN section 5): one document, rendered as clean
GitHub-flavoured Markdown to paste into an incident document, or as a self-contained printable HTML
page with the same content.

The content is built once (build_brief -> Brief.blocks) from the same queries as the page and the
command line; the two renderers only escape and lay it out. Every value from the data is plain
text: in Markdown only the characters that would turn it into markup are escaped (so `borealis-2`
and `jailbreak_rapid_response` stay as they are), in HTML everything goes through html.escape
(the rules: dashboard/text.py, brief_md and brief_html).
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

import pandas as pd

from dashboard import decisions as decisions_module
from dashboard import display, links
from dashboard import plan as plan_module
from dashboard.questions import reclassify
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import status_frame
from dashboard.text import brief_html, brief_md, plain
from dashboard.store import Snapshot

ACTION_TEXT = {
    "emergency_review": "review now for a safety emergency (the triggering domain is in its use case)",
    "halt_onboarding": "halt: still onboarding, no new customers may be added",
    "add_safeguards": "add the missing safeguards to keep serving",
    "covered": "already has every required safeguard",
}
ACTION_TITLES = {"emergency_review": "Emergency review", "halt_onboarding": "Halt onboarding",
                 "add_safeguards": "Add safeguards", "covered": "Covered"}
ACTIONS = list(ACTION_TITLES)
# With safeguards unknown, "add" would claim they are missing: the brief asks to confirm them instead.
UNKNOWN_TITLES = {**ACTION_TITLES, "add_safeguards": "Confirm safeguards"}


# --- The document: blocks of plain text pieces -----------------------------------------------------

@dataclass(frozen=True)
class Strong:
    """Emphasised text (used for the brief's own words, such as a status; escaped all the same)."""
    text: str


@dataclass(frozen=True)
class Link:
    """The scenario's link (an http(s) URL the brief builds itself, never a value from the data)."""
    url: str


@dataclass
class Brief:
    title: str
    blocks: list = field(default_factory=list)  # ("h2"|"h3", text) | ("p", pieces) | ("ul", [pieces]) | ("table", header, rows)

    def h2(self, text):
        self.blocks.append(("h2", text))

    def h3(self, text):
        self.blocks.append(("h3", text))

    def p(self, *pieces):
        self.blocks.append(("p", list(pieces)))

    def ul(self, items):
        self.blocks.append(("ul", [list(item) if isinstance(item, (list, tuple)) else [item] for item in items]))

    def table(self, header, rows):
        self.blocks.append(("table", list(header), [list(row) for row in rows]))


# --- Plain text, escaped for each output (the rules: dashboard/text.py) ------------------------

def _md_pieces(pieces, *, cell: bool = False) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, Strong):
            out.append(f"**{brief_md(piece.text, cell=cell)}**")
        elif isinstance(piece, Link):
            out.append(f"<{piece.url}>" if _safe_url(piece.url) else brief_md(piece.url, cell=cell))
        else:
            out.append(brief_md(piece, cell=cell))
    return "".join(out)


def _safe_url(url: str) -> bool:
    return bool(re.fullmatch(r"https?://[^\s<>\"'`\\]+", url))


def to_markdown(brief: Brief) -> str:
    lines = [f"# {brief_md(brief.title)}", ""]
    for block in brief.blocks:
        kind = block[0]
        if kind in ("h2", "h3"):
            lines += [f"{'#' * int(kind[1])} {brief_md(block[1])}", ""]
        elif kind == "p":
            lines += [_md_pieces(block[1]), ""]
        elif kind == "ul":
            lines += [f"- {_md_pieces(item)}" for item in block[1]] + [""]
        elif kind == "table":
            header, rows = block[1], block[2]
            lines.append("| " + " | ".join(brief_md(cell, cell=True) for cell in header) + " |")
            lines.append("|" + "|".join("---:" if _numeric_column(rows, index) else "---" for index in range(len(header))) + "|")
            for row in rows:
                lines.append("| " + " | ".join(_md_pieces(cell if isinstance(cell, list) else [cell], cell=True)
                                               for cell in row) + " |")
            lines.append("")
    return "\n".join(lines)


def _numeric_column(rows, index) -> bool:
    values = [row[index] for row in rows if not isinstance(row[index], list)]
    return bool(values) and all(isinstance(value, str) and re.fullmatch(r"[0-9][0-9,]*", value) for value in values)


def _html_pieces(pieces) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, Strong):
            out.append(f"<strong>{brief_html(piece.text)}</strong>")
        elif isinstance(piece, Link) and _safe_url(piece.url):
            out.append(f'<a href="{html.escape(piece.url)}">{html.escape(piece.url)}</a>')
        else:
            out.append(brief_html(piece.url if isinstance(piece, Link) else piece))
    return "".join(out)


_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; } h2 { font-size: 1.25rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f3f4f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
a { color: #1d4ed8; overflow-wrap: anywhere; }
th { white-space: nowrap; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; } h1 { font-size: 1.3rem; }
  table { font-size: 9.5px; } th { white-space: normal; } thead { display: table-header-group; } tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; } a { color: #111; text-decoration: none; }
}
"""


def to_html(brief: Brief) -> str:
    """A self-contained page (no script, no external resource; the CSP forbids both) that prints well."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{brief_html(brief.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{brief_html(brief.title)}</h1>",
    ]
    for block in brief.blocks:
        kind = block[0]
        if kind in ("h2", "h3"):
            parts.append(f"<{kind}>{brief_html(block[1])}</{kind}>")
        elif kind == "p":
            parts.append(f"<p>{_html_pieces(block[1])}</p>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{_html_pieces(item)}</li>" for item in block[1]) + "</ul>")
        elif kind == "table":
            header, rows = block[1], block[2]
            numeric = [_numeric_column(rows, index) for index in range(len(header))]
            cell_tags = ['<td class="num">' if flag else "<td>" for flag in numeric]
            parts.append("<table><thead><tr>" + "".join(f"<th>{brief_html(cell)}</th>" for cell in header)
                         + "</tr></thead><tbody>")
            for row in rows:
                parts.append("<tr>" + "".join(
                    f"{cell_tags[index]}{_html_pieces(cell if isinstance(cell, list) else [cell])}</td>" for index, cell in enumerate(row))
                    + "</tr>")
            parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- The content -----------------------------------------------------------------------------------

def _count(value) -> str:
    return f"{int(value):,}"


def _total_requests(deployments: pd.DataFrame) -> str:
    """The sum of monthly requests; "unknown" when no deployment has a figure (the public data set)."""
    values = deployments["monthly_requests"]
    if len(values) and values.isna().all():
        return "unknown (not in this data set)"
    return _count(values.fillna(0).sum())


def _requests(value) -> str:
    return "" if pd.isna(value) else f"{int(value):,}"


def _names(ids: str, names: dict) -> str:
    """A `;`-joined list of safeguard ids as their names, comma-separated."""
    if not isinstance(ids, str) or not ids:
        return ""
    return ", ".join(names.get(item, item) for item in ids.split(";"))


def build_brief(snap: Snapshot, *, model_id: str, new_level: int, domain: str | None, as_of: dt.date,
                policy_id: str | None, info: dict, link: str, deployments: pd.DataFrame | None = None,
                affected: pd.DataFrame | None = None, plan: pd.DataFrame | None = None,
                reviews: decisions_module.ReviewsView | None = None, base_url: str | None = None) -> Brief:
    """The brief of one scenario. deployments, affected and plan may be passed in when already at hand
    (the page has them); otherwise they are queried here, exactly as the command line does. reviews:
    the review ledger's views (dashboard/questions/reviews.py); the reviews of this scenario on this
    snapshot get a section, their links on base_url (dashboard.links.public_base_url)."""
    scope = ViewScope(as_of=as_of, policy_id=policy_id, as_of_is_default=False)
    scenario = reclassify.Scenario(model_id=model_id, asl_level=new_level, domain=domain, current_level=None)
    if deployments is None:
        deployments = reclassify.at_risk_frame(snap, scope, scenario)
    if affected is None:
        affected = reclassify.at_risk_models_frame(snap, scenario, as_of)
    known = plan_module.safeguards_known(info)
    if plan is None and known:
        plan = plan_module.plan_frame(snap, deployments)
    models = snap.query("models").set_index("model_id")
    status = status_frame(snap, scope).set_index("model_id")
    required = snap.query("at_risk_safeguard_gaps", model_id=model_id, asl_level=new_level, domain=domain, as_of=as_of)
    safeguard_names = dict(zip(required["safeguard_id"], required["name"]))  # every missing one is required
    model_name = models.loc[model_id, "name"]
    current_level = int(status.loc[model_id, "asl_level"]) if model_id in status.index else int(models.loc[model_id, "asl_level"])

    policies = snapshot_questions.policies(snap)

    brief = Brief(title=f"Reclassification brief: {model_name} ({model_id}) to ASL-{new_level}")
    # The scenario
    brief.ul([
        ["Scenario: ", f"{model_name} ({model_id}) moves from ASL-{current_level} to ASL-{new_level}; "
                       f"triggering domain: {domain or 'not given'}."],
        [f"As of: {as_of.isoformat()} (data set ", str(info.get("dataset", "")),
         f", snapshot of {_date(info.get('snapshot_date'))}"
         + (f", snapshot id {info['snapshot_id']}" if info.get("snapshot_id") else "") + "; policy: ",
         display.policy_with_source(policies, policy_id) if policy_id
         else "each model's own, named with the models whose onboarding halts", ")."],
        _link_item(link),
    ])

    # The decision summary
    actions = {action: int((deployments["action"] == action).sum()) for action in ACTIONS}
    with_customer = deployments.dropna(subset=["customer_id"])
    customers = with_customer["customer_id"].nunique()
    critical = with_customer.loc[with_customer["business_critical"].astype(bool), "customer_id"].nunique()
    brief.h2("Decision summary")
    items = [[f"Onboarding of new customers halts on {len(affected)} model(s) (listed below)."],
             [f"Live deployments considered: {_count(len(deployments))}."]]
    if known:
        items += [[Strong(ACTION_TITLES[action]), f": {_count(actions[action])} deployment(s): {ACTION_TEXT[action]}."]
                  for action in ACTIONS]
        at_risk = _total_requests(deployments[deployments["action"] != "covered"])
        items.append([f"Distinct customers: {_count(customers)}; business-critical customers: {_count(critical)}."])
        items.append([f"Monthly requests at risk (deployments not covered): {at_risk}."])
        if plan is not None and len(plan):
            last = plan.iloc[-1]
            items.append([f"Safeguard plan: {len(plan)} safeguard(s) to add, in the order below; after the last step "
                          f"{_count(last['covered_total'])} deployment(s) with {_count(last['requests_covered_total'])} "
                          "monthly requests are covered."])
    else:
        items += [
            [Strong("Safeguards in place: unknown"), ": this snapshot holds no per-deployment safeguards, so no "
             "deployment can be called covered or lacking: confirm the safeguards ASL-", str(new_level),
             " requires on each."],
            [Strong(UNKNOWN_TITLES["emergency_review"]), f": {_count(actions['emergency_review'])} deployment(s): "
             "the triggering domain is in its use case and its safeguards are unknown: review these first."],
            [Strong(UNKNOWN_TITLES["halt_onboarding"]), f": {_count(actions['halt_onboarding'])} deployment(s): "
             f"{ACTION_TEXT['halt_onboarding']}."],
            [Strong(UNKNOWN_TITLES["add_safeguards"]),
             f": {_count(actions['add_safeguards'] + actions['covered'])} deployment(s): confirm the required "
             "safeguards are in place."],
            [f"Distinct customers: {_count(customers)}; business-critical customers: {_count(critical)}."],
            [f"Monthly requests of the live deployments considered: {_total_requests(deployments)}"
             + ("." if deployments["monthly_requests"].isna().all() else
                " (how many are at risk depends on the safeguards in place, which are unknown).")],
        ]
    brief.ul(items)

    if reviews is not None:
        review_sections(brief, decisions_module.scenario_reviews(reviews, model_id, new_level, info.get("snapshot_id")),
                        base_url)

    _evidence(brief, snap, affected, domain, as_of, policy_id)

    # The models whose onboarding halts, each with its own status
    brief.h2("Models whose onboarding halts")
    if len(affected):
        rows, triggered, used = [], [], []
        for _, row in affected.iterrows():
            own = status.loc[row["model_id"]] if row["model_id"] in status.index else None
            safety = own["status"] if own is not None else "unknown"
            level = int(own["asl_level"]) if own is not None else int(row["asl_level"])
            if safety == "triggered" and row["model_id"] != model_id:
                triggered.append(f"{row['name']} ({row['model_id']})")
            policy = policy_id or (models.loc[row["model_id"], "policy_id"] if row["model_id"] in models.index else None)
            rows.append([row["name"], row["model_id"], f"ASL-{level}", row["status"],
                         [Strong(safety)] if safety == "triggered" else safety, display.policy_name(policies, policy)])
            used.append(policy)
        brief.table(["model", "id", "level", "lifecycle", "safety status", "policy"], rows)
        if triggered:
            brief.p(Strong("Already triggered on its own evaluations"), ": ", "; ".join(triggered), ".")
        sources = [f"{display.policy_name(policies, policy)}: {display.policy_source(policies, policy)}"
                   for policy in dict.fromkeys(used) if display.policy_source(policies, policy)]
        if sources:
            brief.p("Policy sources: ", "; ".join(sources), ".")
    else:
        brief.p("None: the model and its descendants are already at ASL-", str(new_level), " or above.")

    # The plan
    brief.h2("Safeguard plan")
    if not known:
        brief.p("No plan: the safeguards each deployment has are unknown in this snapshot. ASL-", str(new_level),
                " requires: ", "; ".join(f"{row['name']} ({row['safeguard_id']})" for _, row in required.iterrows())
                or "nothing", ".")
    elif plan is None or not len(plan):
        brief.p("No safeguard to add: no deployment under emergency review or adding safeguards lacks one.")
    else:
        brief.p("Add the safeguards in this order. Each step picks the safeguard that fully covers the most "
                "deployments, then is lacking in the most, then in the most monthly requests, then the smallest id. "
                f"The plan's work set is the {_count(actions['emergency_review'] + actions['add_safeguards'])} "
                f"deployment(s) under emergency review ({_count(actions['emergency_review'])}) or adding safeguards "
                f"({_count(actions['add_safeguards'])}); the {_count(actions['halt_onboarding'])} deployment(s) still "
                "onboarding are halted and not in it. \"Lacking\" counts the work set's deployments that lack the safeguard "
                "(none of them is covered before it is added).")
        brief.table(["step", "safeguard", "id", "kind", "lacking", "newly covered", "covered so far",
                     "monthly requests covered so far"],
                    [[str(int(row["step"])), row["name"], row["safeguard_id"], row["kind"], _count(row["lacking"]),
                      _count(row["newly_covered"]), _count(row["covered_total"]), _count(row["requests_covered_total"])]
                     for _, row in plan.iterrows()])
    if known:
        gaps = reclassify.at_risk_summary(deployments, affected)["safeguard_gaps"]
        if len(gaps):
            brief.h3("Minimum additional safeguards: live deployments lacking each")
            halted = actions["halt_onboarding"]
            brief.p(f"Every live deployment counts here, the {_count(halted)} halted onboarding(s) included: the "
                    "deployments lacking a safeguard are those of the plan's work set lacking it (the plan's "
                    "\"lacking\") plus the halted onboardings lacking it (a covered deployment lacks nothing).")
            catalogue = required.set_index("safeguard_id")
            work_set = _lacking_counts(deployments[deployments["action"].isin(plan_module.PLAN_ACTIONS)])
            onboarding = _lacking_counts(deployments[deployments["action"] == "halt_onboarding"])
            brief.table(["safeguard", "id", "kind", "deployments lacking it", "in the plan's work set",
                         "halted onboardings"],
                        [[catalogue["name"].get(row["safeguard_id"], row["safeguard_id"]), row["safeguard_id"],
                          catalogue["kind"].get(row["safeguard_id"], ""), _count(row["deployments_missing"]),
                          _count(work_set.get(row["safeguard_id"], 0)), _count(onboarding.get(row["safeguard_id"], 0))]
                         for _, row in gaps.iterrows()])

    # The deployments per action
    brief.h2("Deployments per action")
    brief.p("In each action, business-critical customers first, then by monthly requests (most first).")
    model_names = models["name"].to_dict()
    for action in ACTIONS:
        chosen = _most_at_stake_first(deployments[deployments["action"] == action])
        if not known and action == "covered" and not len(chosen):
            continue
        brief.h3(f"{(ACTION_TITLES if known else UNKNOWN_TITLES)[action]} ({_count(len(chosen))})")
        if not len(chosen):
            brief.p("None.")
            continue
        rows = []
        for _, row in chosen.iterrows():
            customer = (row["customer_name"] if pd.notna(row["customer_name"]) else
                        row["customer_id"] if pd.notna(row["customer_id"]) else f"first-party ({row['surface']})")
            critical_text = "" if pd.isna(row["customer_id"]) else ("yes" if bool(row["business_critical"]) else "no")
            missing = (_names(row["missing_safeguards"], safeguard_names) if known
                       else ("unknown" if row["missing_safeguards"] else ""))
            rows.append([row["deployment_id"], model_names.get(row["model_id"], row["model_id"]), customer,
                         [Strong(critical_text)] if critical_text == "yes" else critical_text, row["surface"],
                         plain(row["use_case"]), _requests(row["monthly_requests"]), missing])
        brief.table(["deployment", "model", "customer", "business-critical", "surface", "use case",
                     "monthly requests", "missing safeguards" if known else "safeguards in place"], rows)
    return brief


def review_sections(brief: Brief, view: decisions_module.ReviewsView, base_url: str | None) -> None:
    """One section per review of the scenario (DESIGN 12): who opened it and when, its pinned view, its
    decisions as the ledger holds them and their sign-offs. Every value from the ledger is plain text."""
    for _, review in view.reviews.iterrows():
        review_id = review["review_id"]
        brief.h2(f"Review {review_id}: {decisions_module.plain_value(review['title'])}")
        level = decisions_module.level_of(review["asl"])
        pinned = links.scenario_link(base_url, review["model_id"], level, decisions_module.plain_value(review["domain"]) or None,
                                     dt.date.fromisoformat(str(review["as_of"])[:10]),
                                     decisions_module.plain_value(review["policy"]) or None, review["snapshot_id"])
        brief.ul([
            ["Opened by ", decisions_module.plain_value(review["opened_by"]), " on ",
             decisions_module.shown_time(review["opened_at"]), "; state: ", Strong(decisions_module.plain_value(review["state"])), "."],
            ["Pinned view: snapshot ", str(review["snapshot_id"]), ", as of ", str(review["as_of"])[:10], ": ",
             *_url_pieces(pinned)],
            ["Review page: ", *_url_pieces(links.review_url(base_url, review_id))],
        ])
        made = view.decisions[view.decisions["review_id"] == review_id]
        brief.h3(f"Decisions ({_count(len(made))})")
        if not len(made):
            brief.p("None yet.")
            continue
        brief.p("As the review ledger holds them when this brief was made: a decision takes effect with the "
                "approvals the lab requires from people other than its maker, and none rejecting.")
        brief.table(["decision", "decision made", "detail", "made by", "made at", "approvals", "rejections", "state"],
                    [[row["decision_id"], decisions_module.summary(row, review), decisions_module.plain_value(row["detail"]),
                      decisions_module.plain_value(row["made_by"]), decisions_module.shown_time(row["made_at"]),
                      _count(row["approvals"]), _count(row["rejections"]),
                      [Strong(state)] if (state := decisions_module.current_state(row)) == decisions_module.IN_EFFECT
                      else state]
                     for _, row in made.iterrows()])
        signed = view.signoffs[view.signoffs["decision_id"].isin(made["decision_id"])]
        brief.h3(f"Sign-offs ({_count(len(signed))})")
        if not len(signed):
            brief.p("None yet.")
            continue
        brief.table(["decision", "signed by", "signed at", "verdict", "comment"],
                    [[row["decision_id"], decisions_module.plain_value(row["signed_by"]),
                      decisions_module.shown_time(row["signed_at"]), decisions_module.plain_value(row["verdict"]),
                      decisions_module.plain_value(row["comment"])]
                     for _, row in signed.iterrows()])


def _url_pieces(url: str) -> list:
    """A link the brief built: a Link when it is a full URL, else the path (no base known)."""
    return [Link(url)] if url.startswith("http") else [url]


def _link_item(link: str) -> list:
    """The scenario's link, and why it would not open for whoever it is pasted to: a path without
    the dashboard's address (the command line without ASL_PUBLIC_URL), or a loopback address."""
    if not link.startswith("http"):
        return ["Link: ", link, " (set ASL_PUBLIC_URL to the dashboard's address for a full link)"]
    if links.opens_only_here(link):
        return ["Link: ", Link(link), " (a loopback address: it opens only on the computer running the dashboard, "
                "not for whoever it is pasted to; set ASL_PUBLIC_URL to the dashboard's address for a full link)"]
    return ["Link: ", Link(link)]


def _lacking_counts(deployments: pd.DataFrame) -> dict:
    """How many of these deployments lack each safeguard (from their `;`-joined missing_safeguards)."""
    missing = deployments["missing_safeguards"].fillna("").str.split(";").explode()
    return missing[missing != ""].value_counts().to_dict()


def _most_at_stake_first(deployments: pd.DataFrame) -> pd.DataFrame:
    """Business-critical customers first, then the most monthly requests (unknown last), then the id."""
    keys = deployments.assign(_critical=deployments["business_critical"].fillna(False).astype(bool),
                              _requests=pd.to_numeric(deployments["monthly_requests"], errors="coerce"))
    return keys.sort_values(["_critical", "_requests", "deployment_id"], ascending=[False, False, True],
                            na_position="last", kind="stable")


def _score(value) -> str:
    return "not recorded" if value is None or pd.isna(value) else f"{float(value):g}"


def _evidence(brief: Brief, snap: Snapshot, affected: pd.DataFrame, domain: str | None, as_of: dt.date,
              policy_id: str | None) -> None:
    """Why: the halted models' triggering evaluations, and the breaches of rule 2d on them (deployments
    started while they stood triggered) from the first of those evaluations to the as-of date."""
    model_ids = tuple(affected["model_id"])
    evaluations = reclassify.triggering_evaluations(snap, model_ids, as_of)
    brief.h2("Evidence")
    brief.h3(f"Triggering evaluations ({_count(len(evaluations))})")
    if not len(evaluations):
        brief.p(f"None: no evaluation of the models whose onboarding halts came out triggered by {as_of.isoformat()} "
                "in this snapshot.")
    else:
        brief.p("Every evaluation of the models whose onboarding halts that came out triggered by "
                f"{as_of.isoformat()}, oldest first, with its score against the score that triggers.")
        brief.table(["completed", "evaluation", "model", "id", "step", "domain", "kind", "score", "trigger score"],
                    [[_date(row["completed_at"]), row["eval_id"], row["model_name"], row["model_id"], str(int(row["step"])),
                      row["domain"], row["kind"], _score(row["score"]), _score(row["trigger_score"])]
                     for _, row in evaluations.iterrows()])
        if domain:
            in_domain = int((evaluations["domain"] == domain).sum())
            brief.p(f"In the triggering domain given ({domain}): ",
                    f"{_count(in_domain)} of them." if in_domain else "none of them.")
    brief.h3("Breaches of rule 2d: onboarding while triggered")
    if not len(evaluations):
        brief.p("None: no breach is possible without a triggered evaluation.")
        return
    since = _date(evaluations["completed_at"].min())
    start = dt.date.fromisoformat(since) - dt.timedelta(days=1)
    breaches = reclassify.rule_2d_breaches(snap, model_ids, start, as_of, policy_id)
    window = (f"from the first triggering evaluation ({since}) up to and including {as_of.isoformat()}")
    if not len(breaches):
        brief.p(f"None {window}: no deployment started on these models while they stood triggered.")
        return
    brief.p(f"{_count(len(breaches))} deployment(s) started on these models while they stood triggered (a triggered "
            "round, no clean round at a higher step, the level not raised since), "
            f"{window}: onboarding should have halted.")
    brief.table(["started", "model", "id", "deployment (customer)"],
                [[_date(row["event_date"]), row["model_name"], row["model_id"], row["detail"]]
                 for _, row in breaches.iterrows()])


def _date(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")
