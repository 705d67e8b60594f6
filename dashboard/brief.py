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

from dashboard import plan as plan_module
from dashboard.questions import reclassify
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
                affected: pd.DataFrame | None = None, plan: pd.DataFrame | None = None) -> Brief:
    """The brief of one scenario. deployments, affected and plan may be passed in when already at hand
    (the page has them); otherwise they are queried here, exactly as the command line does."""
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

    brief = Brief(title=f"Reclassification brief: {model_name} ({model_id}) to ASL-{new_level}")
    # The scenario
    brief.ul([
        ["Scenario: ", f"{model_name} ({model_id}) moves from ASL-{current_level} to ASL-{new_level}; "
                       f"triggering domain: {domain or 'not given'}."],
        [f"As of: {as_of.isoformat()} (data set ", str(info.get("dataset", "")),
         f", snapshot of {_date(info.get('snapshot_date'))}"
         + (f", snapshot id {info['snapshot_id']}" if info.get("snapshot_id") else "") + "; policy: ",
         policy_id or "each model's own", ")."],
        ["Link: ", Link(link)] if link.startswith("http") else
        ["Link: ", link, " (set ASL_PUBLIC_URL to the dashboard's address for a full link)"],
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

    # The models whose onboarding halts, each with its own status
    brief.h2("Models whose onboarding halts")
    if len(affected):
        rows, triggered = [], []
        for _, row in affected.iterrows():
            own = status.loc[row["model_id"]] if row["model_id"] in status.index else None
            safety = own["status"] if own is not None else "unknown"
            level = int(own["asl_level"]) if own is not None else int(row["asl_level"])
            if safety == "triggered" and row["model_id"] != model_id:
                triggered.append(f"{row['name']} ({row['model_id']})")
            rows.append([row["name"], row["model_id"], f"ASL-{level}", row["status"],
                         [Strong(safety)] if safety == "triggered" else safety])
        brief.table(["model", "id", "level", "lifecycle", "safety status"], rows)
        if triggered:
            brief.p(Strong("Already triggered on its own evaluations"), ": ", "; ".join(triggered), ".")
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
                "deployments, then is lacking in the most, then in the most monthly requests, then the smallest id "
                "(the deployments under emergency review or adding safeguards; onboarding stays halted).")
        brief.table(["step", "safeguard", "id", "kind", "lacking", "newly covered", "covered so far",
                     "monthly requests covered so far"],
                    [[str(int(row["step"])), row["name"], row["safeguard_id"], row["kind"], _count(row["lacking"]),
                      _count(row["newly_covered"]), _count(row["covered_total"]), _count(row["requests_covered_total"])]
                     for _, row in plan.iterrows()])
    if known:
        gaps = reclassify.at_risk_summary(deployments, affected)["safeguard_gaps"]
        if len(gaps):
            brief.h3("Minimum additional safeguards: live deployments lacking each")
            catalogue = required.set_index("safeguard_id")
            brief.table(["safeguard", "id", "kind", "deployments lacking it"],
                        [[catalogue["name"].get(row["safeguard_id"], row["safeguard_id"]), row["safeguard_id"],
                          catalogue["kind"].get(row["safeguard_id"], ""), _count(row["deployments_missing"])]
                         for _, row in gaps.iterrows()])

    # The deployments per action
    brief.h2("Deployments per action")
    model_names = models["name"].to_dict()
    for action in ACTIONS:
        chosen = deployments[deployments["action"] == action]
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


def _date(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")
