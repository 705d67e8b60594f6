"""The brief's evidence and the policies by name, on tests/labdata.py's brief_evidence_tables() lab
(its docstring lists what triggered and which deployments started while triggered), as of
2025-06-01, scenario base -> ASL-3 after a cbrn trigger. Worked out by hand:

- Halted models: base, ft1, ft1-ft, dist-child. Triggering evaluations by 2025-06-01, oldest first:
  ft1-ft cbrn 2025-03-01 (hostile id, no score, trigger 0.5), base cbrn 2025-04-10 (0.72 against 0.6),
  ft1 cyber 2025-05-20 (preliminary, 0.81 against 0.8); two of them in cbrn. Not listed: base cyber
  (below threshold), base autonomy 2025-06-10 (after the date), other and dist (not halted).
- Rule 2d breaches from 2025-03-01 (the first of them) to 2025-06-01: d13 on ft1-ft started
  2025-04-01 (Beta Bank), d14 on base started 2025-05-01 (Gamma Gov). Not: d15 (other is not halted),
  d16 (started before base triggered), d3 (ft1's triggered evaluation is preliminary: no round).
- Live deployments: emergency review d1 (Acme Bio, business-critical, 1,000), d9 (Gamma Gov,
  business-critical, 700); halt onboarding d3; add safeguards d14 (Gamma Gov, business-critical, 10),
  d4 (first-party, 5,000), d13 (Beta Bank, 400), d12 (Beta Bank, 50), in that order: business-critical
  first, then by requests; covered d2.
- Lacking (work set d1 d9 d12 d4 d13 d14; halted d3): weight_security 7 = 6 + 1, input_classifier
  6 = 5 + 1, monitoring 3 = 2 + 1; the plan's steps weight_security (lacking 6), input_classifier (5),
  monitoring (2).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from bench.server import wait_for_app
from browsing import open_view_controls
from dashboard import changes, display
from dashboard.brief import build_brief, to_html, to_markdown
from dashboard.ingest import ingest
from dashboard.links import opens_only_here
from dashboard.store import snapshot
from dashboard.text import brief_md, plain
from test_brief import BRIEF_TAGS, Elements, flat  # the brief's own test: how a rendered brief is read
from labdata import HOSTILE_EVAL_ID, HOSTILE_EVAL_MODEL, brief_evidence_tables, write_folder
from waits import streamlit_server

AS_OF = dt.date(2025, 6, 1)
LINK = "https://asl.example.com/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"


@pytest.fixture(scope="module")
def evidence_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("evidence") / "lab.duckdb"
    ingest(write_folder(tmp_path_factory.mktemp("evidence-src") / "src", brief_evidence_tables()), store,
           progress=lambda _: None, dataset="evidence lab")
    return store


def make_brief(store, *, link=LINK, policy_id=None, domain="cbrn"):
    snap = snapshot(store)
    info = snap.query("snapshot_info").iloc[0].to_dict()
    return build_brief(snap, model_id="base", new_level=3, domain=domain, as_of=AS_OF, policy_id=policy_id,
                       info=info, link=link)


def section(text: str, heading: str) -> str:
    """The Markdown from a heading line to the next heading of any level."""
    start = text.index(heading + "\n")
    following = re.search(r"\n#{1,3} ", text[start + len(heading):])
    return text[start: start + len(heading) + (following.start() if following else len(text))]


def deployment_ids(block: str) -> list[str]:
    return re.findall(r"^\| (d[0-9]+) \|", block, flags=re.M)


# --- The evidence -----------------------------------------------------------------------------------

def test_triggering_evaluations_with_scores_against_trigger_scores(evidence_store):
    text = to_markdown(make_brief(evidence_store))
    evidence = section(text, "### Triggering evaluations (3)")
    model = brief_md(HOSTILE_EVAL_MODEL, cell=True)
    assert (f"| 2025-03-01 | {brief_md(HOSTILE_EVAL_ID, cell=True)} | {model} | ft1-ft | 1 | cbrn | comprehensive "
            "| not recorded | 0.5 |") in evidence
    assert "| 2025-04-10 | ev-base-cbrn | Base | base | 1 | cbrn | comprehensive | 0.72 | 0.6 |" in evidence
    assert "| 2025-05-20 | ev-ft1-pre | Ft1 | ft1 | 1 | cyber | preliminary | 0.81 | 0.8 |" in evidence
    assert evidence.index("2025-03-01") < evidence.index("2025-04-10") < evidence.index("2025-05-20")
    assert "In the triggering domain given (cbrn): 2 of them." in evidence
    for not_evidence in ("ev-base-cyber", "ev-base-late", "ev-other", "ev-dist"):
        assert not_evidence not in text
    assert "## Evidence" in text and text.index("## Decision summary") < text.index("## Evidence")


def test_rule_2d_breaches_in_the_window(evidence_store):
    text = to_markdown(make_brief(evidence_store))
    breaches = section(text, "### Breaches of rule 2d: onboarding while triggered")
    assert "from the first triggering evaluation (2025-03-01) up to and including 2025-06-01" in breaches
    assert "2 deployment(s) started on these models while they stood triggered" in breaches
    rows = re.findall(r"^\| (2025-[0-9-]+) \|.*\| ([^|]+) \| (d[0-9]+ \(customer [^|]*\)) \|$", breaches, flags=re.M)
    assert rows == [("2025-04-01", "ft1-ft", "d13 (customer c2 Beta Bank)"),
                    ("2025-05-01", "base", "d14 (customer c3 Gamma Gov)")]


def test_no_triggering_evaluation_means_no_breach_to_look_for(evidence_store):
    snap = snapshot(evidence_store)
    info = snap.query("snapshot_info").iloc[0].to_dict()
    # dist-child alone (to ASL-3): no evaluation of it triggered.
    text = to_markdown(build_brief(snap, model_id="dist-child", new_level=3, domain=None, as_of=AS_OF, policy_id=None,
                                   info=info, link=LINK))
    assert "### Triggering evaluations (0)" in text
    assert "None: no evaluation of the models whose onboarding halts came out triggered by 2025-06-01" in text
    assert "None: no breach is possible without a triggered evaluation." in text


def test_deployments_business_critical_first_then_by_requests(evidence_store):
    text = to_markdown(make_brief(evidence_store))
    assert deployment_ids(section(text, "### Add safeguards (4)")) == ["d14", "d4", "d13", "d12"]
    assert deployment_ids(section(text, "### Emergency review (2)")) == ["d1", "d9"]
    assert "In each action, business-critical customers first, then by monthly requests (most first)." in text


def test_the_plan_and_the_gaps_counts_explain_each_other(evidence_store):
    text = to_markdown(make_brief(evidence_store))
    assert ("The plan's work set is the 6 deployment(s) under emergency review (2) or adding safeguards (4); the 1 "
            "deployment(s) still onboarding are halted and not in it.") in text
    assert "| 1 | Weight security | weight_security | security | 6 | 1 | 1 | 5,000 |" in text
    gaps = section(text, "### Minimum additional safeguards: live deployments lacking each")
    assert "Every live deployment counts here, the 1 halted onboarding(s) included" in gaps
    assert "| safeguard | id | kind | deployments lacking it | in the plan's work set | halted onboardings |" in gaps
    assert "| Weight security | weight_security | security | 7 | 6 | 1 |" in gaps
    assert "| Input classifier | input_classifier | deployment | 6 | 5 | 1 |" in gaps
    assert "| Usage monitoring | monitoring | deployment | 3 | 2 | 1 |" in gaps


# --- The link ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:8501/reclassify?model=x", True), ("http://localhost:8501/x", True),
    ("http://[::1]:8501/x", True), ("http://127.1.2.3/x", True),
    ("https://asl.example.com/x", False), ("http://10.0.0.5:8501/x", False), ("/reclassify?model=x", False),
])
def test_a_loopback_link_opens_only_here(url, loopback):
    assert opens_only_here(url) is loopback


def test_a_loopback_link_says_it_is_dead_when_pasted(evidence_store):
    loopback = "http://127.0.0.1:8501/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"
    text = to_markdown(make_brief(evidence_store, link=loopback))
    assert (f"- Link: <{loopback}> (a loopback address: it opens only on the computer running the dashboard, not "
            "for whoever it is pasted to; set ASL_PUBLIC_URL to the dashboard's address for a full link)") in text
    assert "loopback" not in to_markdown(make_brief(evidence_store))  # a public address: no note
    assert "(set ASL_PUBLIC_URL to the dashboard's address for a full link)" in to_markdown(
        make_brief(evidence_store, link="/reclassify?model=base&asl=3"))  # the command line's note, as before


# --- Hostile values stay text, in both formats -----------------------------------------------------------

def parsed(markup: str) -> Elements:
    elements = Elements()
    elements.feed(markup)
    return elements


@pytest.mark.parametrize("render", ["markdown", "html"])
def test_a_hostile_evaluation_id_and_model_name_stay_text(evidence_store, render):
    brief = make_brief(evidence_store)
    markup = MarkdownIt("gfm-like").render(to_markdown(brief)) if render == "markdown" else to_html(brief)
    elements = parsed(markup)
    assert set(elements.tags) <= BRIEF_TAGS | {"html", "head", "meta", "title", "style", "body"}, set(elements.tags)
    assert elements.links == [LINK]
    shown = flat("".join(elements.text))
    assert flat(plain(HOSTILE_EVAL_ID)) in shown and flat(plain(HOSTILE_EVAL_MODEL)) in shown
    # Controls are visible escapes, never the characters themselves.
    assert "\\x1b[2J\\x07\\u202eevil\\u200b nl" in shown
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e\u200b]", markup)
    # Every table keeps its columns: the pipes in the id and the name split no cell.
    for table in re.findall(r"<table>.*?</table>", markup, flags=re.S):
        widths = {row.count("<td") + row.count("<th") for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)}
        assert len(widths) == 1


# --- Policies by name -----------------------------------------------------------------------------------

POLICIES = pd.DataFrame([
    {"policy_id": "fsf-v1.0", "name": "Google DeepMind FSF v1.0",
     "source": "Google DeepMind Frontier Safety Framework v1.0, 2024-05-17"},
    {"policy_id": "bare", "name": "", "source": ""},
])


def test_a_policy_reads_by_its_name_and_source():
    assert display.policy_name(POLICIES, "fsf-v1.0") == "Google DeepMind FSF v1.0"
    assert display.policy_with_source(POLICIES, "fsf-v1.0") == (
        "Google DeepMind FSF v1.0 (source: Google DeepMind Frontier Safety Framework v1.0, 2024-05-17)")
    assert display.policy_option(POLICIES, "fsf-v1.0") == "Google DeepMind FSF v1.0 (fsf-v1.0)"
    # No name, or not in the table: the id is all there is.
    assert display.policy_name(POLICIES, "bare") == "bare" and display.policy_with_source(POLICIES, "bare") == "bare"
    assert display.policy_option(POLICIES, "bare") == "bare" and display.policy_name(POLICIES, "gone") == "gone"
    assert display.policy_name(POLICIES.set_index("policy_id"), "fsf-v1.0") == "Google DeepMind FSF v1.0"


def test_the_status_table_names_each_models_policy():
    status = pd.DataFrame([{"model_id": "a", "name": "A", "family": "f", "asl_level": 2, "policy_id": "fsf-v1.0",
                            "c_now": 1e25, "c_eval": None, "compute_multiple": None, "next_eval_compute": None,
                            "buffer_edge_compute": None, "buffer_used_pct": None, "days_since_eval": None,
                            "next_eval_date": None, "status": "never_evaluated"}])
    assert list(display.status_table(status, AS_OF, POLICIES)["policy_id"]) == ["Google DeepMind FSF v1.0"]


def test_the_brief_names_the_policies(evidence_store):
    own = to_markdown(make_brief(evidence_store))
    assert "policy: each model's own, named with the models whose onboarding halts)." in own
    assert "| Base | base | ASL-2 | deployed | **triggered** | RSP v1.0 |" in own
    assert "Policy sources: RSP v1.0: Anthropic RSP v1.0." in own
    chosen = to_markdown(make_brief(evidence_store, policy_id="compute-only"))
    assert "policy: Compute only (source: test))." in chosen and "| Compute only |" in chosen
    assert "compute-only" not in chosen  # the id is for the URL (the link here carries none)


def test_the_digest_names_its_policy():
    info = {"snapshot_date": AS_OF, "dataset": "lab"}
    text = changes.digest(pd.DataFrame(columns=changes.COLUMNS), since=AS_OF - dt.timedelta(days=7), as_of=AS_OF,
                          info=info, policy_id="fsf-v1.0", base_url=None, policies=POLICIES)
    assert "policy Google DeepMind FSF v1\\.0 \\(source\\: Google DeepMind Frontier Safety Framework v1\\.0, 2024\\-05\\-17\\)" in text


# --- In a real browser: the policy selector and the brief on /reclassify ----------------------------------

@pytest.fixture(scope="module")
def evidence_server(evidence_store, tmp_path_factory):
    with streamlit_server(evidence_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


@pytest.mark.browser
def test_policy_selector_names_and_the_brief_shows_its_evidence(page, evidence_server):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(evidence_server.url + "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01")
    wait_for_app(page)
    # The policy selector offers names (typing an id still finds one); choosing one keeps its id in the URL.
    sidebar = page.get_by_test_id("stSidebar")
    open_view_controls(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Policy").click()
    options = [flat(text).strip() for text in page.get_by_role("option").all_inner_texts()]
    assert options == ["Compute only (compute-only)", "No buffer (no-buffer)", "RSP v1.0 (rsp-v1.0)"], options
    page.get_by_role("option", name="No buffer (no-buffer)").click()
    page.wait_for_url(re.compile(r".*policy=no-buffer.*"))
    wait_for_app(page)
    assert sidebar.get_by_text("No buffer: evaluate every 4x effective compute").is_visible()
    assert sidebar.get_by_text("Source: test").is_visible()
    assert page.get_by_text("policy: No buffer").first.is_visible()
    # The brief on the page, when asked for: its evidence, hostile values as text.
    page.get_by_text("Show the brief on this page").click()
    code = page.get_by_test_id("stCode")
    code.get_by_text("### Triggering evaluations (3)").wait_for()
    shown = code.inner_text()
    assert "| 2025-04-10 | ev-base-cbrn | Base | base | 1 | cbrn | comprehensive | 0.72 | 0.6 |" in shown
    assert "d13 (customer c2 Beta Bank)" in shown and "d14 (customer c3 Gamma Gov)" in shown
    assert brief_md(HOSTILE_EVAL_ID, cell=True) in shown
    assert "policy: No buffer (source: test)" in shown
    # The downloaded brief is the same text.
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download brief (Markdown)").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "### Triggering evaluations (3)" in markdown and "d14 (customer c3 Gamma Gov)" in markdown
    assert "(a loopback address: it opens only on the computer running the dashboard" in markdown
