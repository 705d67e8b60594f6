"""The incident brief (DESIGN section 5): its content on the hand-made reclassification lab, clean
GitHub-flavoured Markdown that renders hostile names as inert text (markdown-it-py with GFM tables,
strikethrough and linkify), the same content as a self-contained HTML page (checked in a real
browser too), unknown safeguards, and the `brief` command.

The lab is tests/labdata.py's reclassification lab (see test_reclassify.py), with ft1-ft's own cbrn
evaluation triggered on 2025-03-01, and with hostile names in the model, customer, use case,
safeguard and data set."""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from dashboard import brief as brief_module
from dashboard.brief import build_brief, to_html, to_markdown
from dashboard.text import brief_md as md
from dashboard.ingest import ingest
from dashboard.links import public_base_url, scenario_link
from dashboard.store import snapshot
from labdata import reclassify_tables, write_folder
from browsing import dialogs_recorded
from clirun import run_cli

AS_OF = dt.date(2025, 6, 1)
LINK = "https://asl.example.com/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"
HOSTILE_MODEL = ('**bold** _em_ [link](javascript:alert(1)) <script>alert(1)</script> `code` ~~gone~~ $x$ '
                 'www.evil.com https://evil.example/x a@b.com @someone &amp; | pipe\\\rcr\u2028ls\u2029ps\nnl')
HOSTILE_CUSTOMER = '=HYPERLINK("http://evil") <img src=x onerror=alert(1)> *star*'
HOSTILE_USE_CASE = "# heading > quote 1. item ![img](http://x/y.png) <b>bold</b>"
HOSTILE_SAFEGUARD = "Input | classifier <i>x</i>"
HOSTILE_DATASET = "lab <u>set</u> [x](y)"


def hostile_tables():
    tables = reclassify_tables()
    names = {"base": HOSTILE_MODEL, "ft1": "GPT-4 (Mar 2023)", "ft1-ft": "borealis-2"}
    for row in tables["models"]:
        row["name"] = names.get(row["model_id"], row["name"])
    tables["customers"][0]["name"] = HOSTILE_CUSTOMER  # c1: d1 and d3
    tables["deployments"][0]["use_case"] = HOSTILE_USE_CASE  # d1
    tables["safeguards"][0]["name"] = HOSTILE_SAFEGUARD  # input_classifier
    tables["evaluations"] = [{"eval_id": "e1", "model_id": "ft1-ft", "step": "1", "completed_at": "2025-03-01T12:00:00",
                              "domain": "cbrn", "kind": "comprehensive", "target_asl_level": "3",
                              "outcome": "triggered", "score": "", "trigger_score": "", "elicitation": ""}]
    return tables


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("brief") / "brief.duckdb"
    ingest(write_folder(tmp_path_factory.mktemp("brief-src") / "src", hostile_tables()), store,
           progress=lambda _: None, dataset=HOSTILE_DATASET)
    return store


@pytest.fixture(scope="module")
def unknown_store(tmp_path_factory):
    """The same lab without a single deployment_safeguards row (as in the public data set)."""
    tables = reclassify_tables()
    tables["deployment_safeguards"] = []
    store = tmp_path_factory.mktemp("unknown") / "unknown.duckdb"
    ingest(write_folder(tmp_path_factory.mktemp("unknown-src") / "src", tables), store, progress=lambda _: None)
    return store


def make_brief(store, domain="cbrn", link=LINK):
    snap = snapshot(store)
    info = snap.query("snapshot_info").iloc[0].to_dict()
    return build_brief(snap, model_id="base", new_level=3, domain=domain, as_of=AS_OF, policy_id=None, info=info,
                       link=link)


# --- Escaping: only what would become markup --------------------------------------------------------

@pytest.mark.parametrize("text", ["borealis-2", "jailbreak_rapid_response", "GPT-4 (Mar 2023)", "Claude 3.5 Sonnet",
                                  "Borealis 2 Agent 2025-06", "R&D", "a+b=c", "50% #1 (beta)!", "dep-0000002"])
def test_plain_names_keep_no_backslash(text):
    assert md(text) == text and md(text, cell=True) == text


@pytest.mark.parametrize("text, expected", [
    ("_em_", "\\_em\\_"), ("a*b*c", "a\\*b\\*c"), ("`x`", "\\`x\\`"), ("[a](b)", "\\[a\\](b)"),
    ("<script>", "\\<script>"), ("~~x~~", "\\~\\~x\\~\\~"), ("$x$", "\\$x\\$"), ("&amp;", "\\&amp;"),
    ("www.evil.com", "www\\.evil\\.com"), ("https://x.io/a", "https\\://x\\.io/a"), ("javascript:alert(1)", "javascript\\:alert(1)"),
    ("@someone", "\\@someone"), ("a@b.com", "a@b\\.com"), ("back\\", "back\\\\"), ("a\\*", "a\\\\\\*"),
    ("line\r\nbreak\u2028ls\u2029ps", "line  break ls ps"),
])
def test_markup_characters_are_escaped(text, expected):
    assert md(text) == expected


def test_pipes_are_escaped_only_in_table_cells():
    assert md("a | b") == "a | b" and md("a | b", cell=True) == "a \\| b"


# --- The content --------------------------------------------------------------------------------------

def test_brief_content(hostile_store):
    text = to_markdown(make_brief(hostile_store))
    assert text.startswith("# Reclassification brief: ")
    assert f"- Link: <{LINK}>" in text
    assert "- As of: 2025-06-01 (data set " in text and "snapshot of 2025-07-01" in text  # d7 starts 2025-07-01
    # The decision summary (test_reclassify.py's scenario): 2 emergency reviews, 1 halted, 2 to add, 1 covered;
    # customers c1, c2, c3 (c1 and c3 business-critical); requests not covered 1000+700+300+50+5000 = 7050.
    assert "- **Emergency review**: 2 deployment(s)" in text and "- **Covered**: 1 deployment(s)" in text
    assert "- Distinct customers: 3; business-critical customers: 2." in text
    assert "- Monthly requests at risk (deployments not covered): 7,050." in text
    # The halted models with their own status: ft1-ft ("borealis-2") triggered on its own and stands out.
    assert "| borealis-2 | ft1-ft | ASL-2 | deployed | **triggered** |" in text
    assert "| GPT-4 (Mar 2023) | ft1 | ASL-2 | deployed | never_evaluated |" in text
    assert "**Already triggered on its own evaluations**: borealis-2 (ft1-ft)." in text
    # The plan by name, ids beside (test_plan.py: weight_security, input_classifier, monitoring).
    assert "| 1 | Weight security | weight_security | security | 4 | 1 | 1 | 5,000 |" in text
    assert "| 2 | Input \\| classifier \\<i>x\\</i> | input_classifier | deployment | 3 | 2 | 3 | 6,700 |" in text
    assert "| 3 | Usage monitoring | monitoring | deployment | 1 | 1 | 4 | 6,750 |" in text
    # Deployments per action, customer names, first-party, business-critical flags, safeguard names.
    assert "### Emergency review (2)" in text and "### Halt onboarding (1)" in text and "### Covered (1)" in text
    assert "| d4 | borealis-2 | first-party (consumer) |  | consumer | chat | 5,000 | Weight security |" in text
    assert "| d9 | Dist-Child | Gamma Gov | **yes** | api | chat | 700 | Input \\| classifier \\<i>x\\</i>, Weight security |" in text
    assert "| d2 | Base | Beta Bank | no | enterprise | chat | 2,000 |  |" not in text  # base's name is hostile
    assert "Beta Bank | no | enterprise | chat | 2,000 |  |" in text


def test_brief_without_a_public_address_gives_the_path():
    link = scenario_link(public_base_url(None, environ={}), "base", 3, "cbrn", AS_OF)
    assert link == "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"


def test_public_address_wins_over_the_request_host():
    environ = {"ASL_PUBLIC_URL": "https://asl.example.com/dash/"}
    assert public_base_url("http://127.0.0.1:8501/reclassify?model=x", environ=environ) == "https://asl.example.com/dash"
    assert public_base_url("http://dash.internal:8501/reclassify?model=x", environ={}) == "http://dash.internal:8501"
    assert public_base_url("javascript:alert(1)", environ={}) is None
    assert public_base_url(None, environ={"ASL_PUBLIC_URL": "not a url"}) is None
    assert public_base_url(None, environ={"ASL_PUBLIC_URL": 'https://x.example/a"><script>'}) is None


# --- Rendered: inert text -------------------------------------------------------------------------------

class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_data(self, data):
        self.text.append(data)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


BRIEF_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "a"}
HOSTILE_TEXTS = [HOSTILE_MODEL, HOSTILE_CUSTOMER, HOSTILE_USE_CASE, HOSTILE_SAFEGUARD, HOSTILE_DATASET]


def test_markdown_renders_hostile_names_as_inert_text(hostile_store):
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("gfm-like").render(to_markdown(make_brief(hostile_store)))  # tables, ~~, linkify
    parsed = Elements()
    parsed.feed(rendered)
    assert set(parsed.tags) <= BRIEF_TAGS, set(parsed.tags) - BRIEF_TAGS
    assert parsed.links == [LINK]  # the scenario's own link, and nothing from the data
    shown = flat("".join(parsed.text))
    for hostile in HOSTILE_TEXTS:
        assert flat(brief_module.plain(hostile)) in shown, hostile
    # No stray backslashes once rendered, and none in the source around plain names.
    assert "\\" not in shown.replace("pipe\\", "")
    source = to_markdown(make_brief(hostile_store))
    assert "borealis-2" in source and "GPT-4 (Mar 2023)" in source and "input_classifier" in source
    # Every table row keeps its columns: the pipe in the safeguard's name did not split a cell.
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        widths = {row.count("<td") + row.count("<th") for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)}
        assert len(widths) == 1


def test_html_has_the_same_content_escaped(hostile_store):
    brief = make_brief(hostile_store)
    page = to_html(brief)
    parsed = Elements()
    parsed.feed(page)
    assert set(parsed.tags) <= BRIEF_TAGS | {"html", "head", "meta", "title", "style", "body"}
    assert parsed.links == [LINK] and "<script" not in page and "http-equiv=\"Content-Security-Policy\"" in page
    shown = flat("".join(parsed.text))  # the parser has turned &lt; and friends back into characters
    for hostile in HOSTILE_TEXTS:
        assert flat(brief_module.plain(hostile)) in shown, hostile
    assert "@media print" in page
    # The same content as the Markdown, character for character (layout whitespace aside).
    from markdown_it import MarkdownIt

    def text_of(rendered):
        parsed = Elements()
        parsed.feed(rendered)
        return re.sub(r"\s+", "", "".join(parsed.text))

    assert text_of(page.split("<body>", 1)[1]) == text_of(MarkdownIt("gfm-like").render(to_markdown(brief)))


# --- Unknown safeguards -----------------------------------------------------------------------------------

def test_unknown_safeguards_brief(unknown_store):
    text = to_markdown(make_brief(unknown_store))
    assert "**Safeguards in place: unknown**" in text
    assert "No plan: the safeguards each deployment has are unknown in this snapshot." in text
    assert "Monthly requests at risk" not in text and "deployments lacking it" not in text
    assert "### Covered" not in text and "**Covered**" not in text and "covered so far" not in text
    assert "### Confirm safeguards (2)" in text and "### Add safeguards" not in text
    assert "| d1 | Base | Acme Bio | **yes** | api | chat | 1,000 | unknown |" in text
    # 1000 + 2000 + 300 + 700 + 50 + 5000: every live deployment, labelled as such.
    assert "Monthly requests of the live deployments considered: 9,050 (how many are at risk depends on" in text


def test_cli_unknown_safeguards(unknown_store):
    plan = run_cli("--store", str(unknown_store), "plan", "--model", "base", "--asl", "3", "--as-of", "2025-06-01")
    assert plan.returncode == 1 and plan.stdout == ""
    assert "no plan" in plan.stderr and "unknown, not missing" in plan.stderr and len(plan.stderr.splitlines()) == 1
    at_risk = run_cli("--store", str(unknown_store), "at-risk", "--model", "base", "--asl", "3", "--as-of", "2025-06-01")
    assert at_risk.returncode == 0
    assert "d1,base,c1,Acme Bio,api,chat,active,true,1000,unknown,add_safeguards" in at_risk.stdout


def on_its_snapshot(store):
    """The brief the command prints: it names its snapshot id, and its link carries it."""
    snap = snapshot(store)
    info = {**snap.query("snapshot_info").iloc[0].to_dict(), "snapshot_id": snap.snapshot_id}
    return build_brief(snap, model_id="base", new_level=3, domain="cbrn", as_of=AS_OF, policy_id=None, info=info,
                       link=f"{LINK}&snapshot={snap.snapshot_id}")


def test_cli_brief_markdown_and_html(hostile_store):
    env = {"ASL_PUBLIC_URL": "https://asl.example.com"}
    markdown = run_cli("--store", str(hostile_store), "brief", "--model", "base", "--asl", "3", "--domain", "cbrn",
                       "--as-of", "2025-06-01", env=env)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout == to_markdown(on_its_snapshot(hostile_store))
    assert f"snapshot id {snapshot(hostile_store).snapshot_id}" in markdown.stdout
    page = run_cli("--store", str(hostile_store), "brief", "--model", "base", "--asl", "3", "--domain", "cbrn",
                   "--as-of", "2025-06-01", "--format", "html", env=env)
    assert page.returncode == 0 and page.stdout == to_html(on_its_snapshot(hostile_store))
    bad = run_cli("--store", str(hostile_store), "brief", "--model", "base", "--asl", "3", env={"ASL_PUBLIC_URL": "ftp:x"})
    assert bad.returncode == 2 and bad.stderr.startswith("error: ASL_PUBLIC_URL is not an http:// or https:// URL")


@pytest.mark.browser
def test_html_brief_in_a_real_browser(hostile_store, page, request):
    dialogs = dialogs_recorded(page, request)
    page.set_content(to_html(make_brief(hostile_store)))
    tags = set(page.eval_on_selector_all("*", "elements => elements.map(e => e.tagName.toLowerCase())"))
    assert tags <= BRIEF_TAGS | {"html", "head", "meta", "title", "style", "body"}, tags
    assert page.eval_on_selector_all("a", "links => links.map(a => a.href)") == [LINK]
    body = flat(page.inner_text("body"))
    for hostile in HOSTILE_TEXTS:
        assert flat(brief_module.plain(hostile)) in body, hostile
    assert "\\" not in body.replace("pipe\\", "") and not dialogs
