"""Review decisions where the dashboard shows its data (DESIGN 11 and 12), end to end on a real
SQLite ledger beside a real store, written by the ledger's own actions: `changes` (kind `decision`,
the command and the question), the model's timeline on /trajectory (true for the view's as-of date,
hovered in a real browser), the brief's review section (the command), and retention keeping every
snapshot a review pins (and removing nothing when the ledger cannot be read)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import urllib.parse

import pytest

from clirun import run_cli
from dashboard import display
from dashboard.ingest import ingest
from dashboard.questions import reviews as review_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.reviews.actions import decide, open_review, sign
from dashboard.reviews.ledger import default_location, open_ledger
from dashboard.snapshots import list_snapshots
from dashboard.store import snapshot
from browsing import dialogs_recorded, metric_values, open_link_cell, open_page
from labdata import reclassify_tables, write_folder
from pagelinks import metrics, open_link
from waits import streamlit_server

HOSTILE = "<img src=x onerror=alert(1)> <script>alert(1)</script> **bold**"
# The same in the brief's Markdown: only what would turn it into markup escaped.
HOSTILE_MD = "\\<img src=x onerror=alert(1)> \\<script>alert(1)\\</script> \\*\\*bold\\*\\*"
BASE = "https://asl.example.com"


def quiet(_message: str) -> None:
    pass


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A store with one review of base to ASL-3 on its snapshot, one decision brought into effect by
    two others' approvals (the default approvals needed), its detail and a comment hostile."""
    root = tmp_path_factory.mktemp("wiring")
    store = root / "lab.duckdb"
    ingest(write_folder(root / "src", reclassify_tables()), store, progress=quiet)
    assert not default_location(store).exists()
    with open_ledger(str(default_location(store))) as ledger:
        review = open_review(ledger, actor="os:lead", title=f"Base {HOSTILE}", snapshot_id=snapshot(store).snapshot_id,
                             as_of="2025-06-01", model_id="base", asl=3, domain="cbrn")
        decision = decide(ledger, review, actor="os:maker", kind="reclassify", detail=f"raise it {HOSTILE}", asl=3)
        sign(ledger, decision, actor="os:first", approve=True, comment=f"agreed {HOSTILE}")
        sign(ledger, decision, actor="os:second", approve=True)
    return store, review, decision


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_changes_list_the_decision_made_and_come_into_effect(lab):
    store, review, decision = lab
    day = today().isoformat()
    window = ("--since", (today() - dt.timedelta(days=1)).isoformat(), "--as-of", day)
    printed = run_cli("--store", store, "changes", *window)
    assert printed.returncode == 0, printed.stderr
    decisions = [row for row in rows_of(printed.stdout) if row["kind"] == "decision"]
    made = f"reclassify · review {review} Base {HOSTILE} · raise it {HOSTILE} · made by os:maker"
    # One day, one kind, one model: DESIGN 8's order goes on by detail.
    assert decisions == [
        {"event_date": day, "kind": "decision", "model_id": "base", "model_name": "Base", "before": "",
         "after": "reclassify to ASL-3: proposed", "detail": made, "link": f"/review?id={review}"},
        {"event_date": day, "kind": "decision", "model_id": "base", "model_name": "Base",
         "before": "reclassify to ASL-3: proposed", "after": "in effect",
         "detail": made + " · approved by os:first, os:second", "link": f"/review?id={review}"},
    ]
    # The digest: the decisions' group, their text escaped, the review's link.
    digest = run_cli("--store", store, "changes", *window, "--format", "markdown", env={"ASL_PUBLIC_URL": BASE})
    assert digest.returncode == 0 and "### Review decisions: 2" in digest.stdout
    assert not re.search(r"(?<!\\)<(img|script)", digest.stdout) and "**bold**" not in digest.stdout
    assert f"[review]({BASE}/review?id={review})" in digest.stdout
    # Another ledger, missing: no decisions, and reading it created nothing.
    elsewhere = store.parent / "elsewhere.sqlite"
    without = run_cli("--store", store, "changes", *window, "--reviews", elsewhere)
    assert without.returncode == 0 and "decision" not in {row["kind"] for row in rows_of(without.stdout)}
    assert not elsewhere.exists()


def test_the_changes_page_counts_the_decisions_and_links_them_to_their_review(lab):
    store, review, _ = lab
    app = open_link(store, "app_pages/changes.py", since=(today() - dt.timedelta(days=1)).isoformat(),
                    as_of=today().isoformat())
    assert metrics(app)["Decisions"] == "2"
    table = app.dataframe[0].value
    chosen = table[table["kind"] == "decision"]
    assert list(chosen["open"]) == [f"./review?id={review}"] * 2
    assert list(chosen["change"]) == ["reclassify to ASL-3: proposed",
                                      "reclassify to ASL-3: proposed → in effect"]


def test_the_trajectory_page_lists_the_decision_in_its_timeline(lab):
    store, review, _ = lab
    app = open_link(store, "app_pages/trajectory.py", model="base", as_of=today().isoformat())
    timeline = next(frame.value for frame in app.dataframe if "kind" in frame.value.columns
                    and "change" in frame.value.columns)
    chosen = timeline[timeline["kind"] == "decision"]
    assert list(chosen["change"]) == ["reclassify to ASL-3: in effect"] and list(chosen["open"]) == [f"./review?id={review}"]
    earlier = open_link(store, "app_pages/trajectory.py", model="base", as_of=(today() - dt.timedelta(days=1)).isoformat())
    assert not any("decision" in set(frame.value.get("kind", [])) for frame in earlier.dataframe)


def test_the_timeline_shows_the_decision_as_it_stood_on_the_views_date(lab):
    store, review, _ = lab
    snap = snapshot(store)

    def marks(as_of):
        view = review_questions.reviews_view(store, None, as_of)
        timeline = review_questions.timeline_with_decisions(snap, ViewScope(as_of, None, False, snap.snapshot_id),
                                                            "base", view)
        return [(row.after, row.review_id) for row in timeline.itertuples() if row.kind == "decision"]

    assert marks(today()) == [("reclassify to ASL-3: in effect", review)]
    assert marks(today() - dt.timedelta(days=1)) == []  # made after that as-of date: not there


@pytest.fixture(scope="module")
def server(lab, tmp_path_factory):
    store, _, _ = lab
    with streamlit_server(store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as running:
        yield running


@pytest.fixture()
def alerts(page, request):
    """Every dialog a page opens (an alert() the ledger's text managed to run), dismissed."""
    return dialogs_recorded(page, request)


def no_markup_made(page, alerts) -> None:
    """The hostile text ran nothing and made no element: no alert, no <img src=x>, no script of it."""
    assert not alerts
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert page.locator("strong", has_text="bold").count() == 0


@pytest.mark.browser
def test_hovering_the_decisions_diamond_on_the_trajectory(lab, server, page, alerts):
    store, review, _ = lab
    open_page(page, server, f"/trajectory?model=base&as_of={today().isoformat()}", width=1280, height=720)
    chart = page.locator("[data-testid='stPlotlyChart']").first
    diamond = chart.locator(".scatterlayer .trace .points path.point").evaluate_all("""els => els.filter(el => {
        const trace = el.closest('.trace').__data__[0].trace; return trace.name === 'review decision';
    }).map(el => { const b = el.getBoundingClientRect(); return {x: b.x + b.width / 2, y: b.y + b.height / 2}; })""")
    assert len(diamond) == 1
    page.mouse.move(diamond[0]["x"] - 40, diamond[0]["y"] + 40)
    page.mouse.move(diamond[0]["x"], diamond[0]["y"])
    hover = chart.locator(".hoverlayer .hovertext").first
    hover.wait_for()
    text = hover.text_content()
    assert f"decision {today().isoformat()}: reclassify to ASL-3: in effect" in text, text
    # The review's title and the decision's text as typed, letter for letter.
    assert f"review {review} Base {HOSTILE}" in text and f"raise it {HOSTILE}" in text and "made by os:maker" in text, text
    no_markup_made(page, alerts)


@pytest.mark.browser
def test_the_changes_page_lists_the_decisions_with_their_reviews_link(lab, server, page, alerts):
    _, review, _ = lab
    since, day = (today() - dt.timedelta(days=1)).isoformat(), today().isoformat()
    open_page(page, server, f"/changes?since={since}&as_of={day}", width=1440, height=900)
    assert metric_values(page)["Decisions"] == "2"
    page.wait_for_selector("[data-testid='glide-cell-0-0']", state="attached")
    rows = [[page.locator(f"[data-testid='glide-cell-{column}-{row}']").text_content() for column in range(7)]
            for row in range(page.locator("[data-testid='stDataFrame'] tbody tr").count())]
    made = f"reclassify · review {review} Base {HOSTILE} · raise it {HOSTILE} · made by os:maker"
    # Columns on screen: link, breach, date, kind, model, change (before -> after), detail.
    assert sorted(rows) == sorted([
        [f"./review?id={review}", "", day, "decision", "Base (base)", "reclassify to ASL-3: proposed", made],
        [f"./review?id={review}", "", day, "decision", "Base (base)", "reclassify to ASL-3: proposed → in effect",
         made + " · approved by os:first, os:second"],
    ])
    no_markup_made(page, alerts)
    # Clicking "open" on a decision's row opens its review's page.
    opened = open_link_cell(page, 1, row_height=display.wrapped_row_height(3))
    # The address the new tab loaded (Streamlit rewrites the address bar of a page it does not know).
    loaded = opened.evaluate("() => performance.getEntriesByType('navigation')[0].name")
    assert urllib.parse.urlsplit(loaded)[2:4] == ("/review", f"id={review}"), loaded


@pytest.mark.browser
def test_the_reclassify_pages_brief_downloads_have_the_review(lab, server, page, alerts):
    store, review, decision = lab
    open_page(page, server, "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01", width=1440, height=900)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download brief (Markdown)").click()
    markdown = open(download.value.path(), encoding="utf-8").read()
    assert f"## Review {review}: Base {HOSTILE_MD}" in markdown
    assert f"| {decision} | reclassify to ASL-3 | raise it {HOSTILE_MD} | os:maker |" in markdown
    assert f"| approve | agreed {HOSTILE_MD} |" in markdown and "| 2 | 0 | **in effect** |" in markdown
    with page.expect_download() as download:
        page.get_by_role("button", name="Download brief (HTML)").click()
    html_text = open(download.value.path(), encoding="utf-8").read()
    assert "<img" not in html_text and "<script>" not in html_text
    assert "raise it &lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt; **bold**" in html_text
    # Shown on the page, the brief is the download's text, the hostile strings as typed.
    page.get_by_text("Show the brief on this page").click()
    code = page.locator("[data-testid='stCode']").filter(has_text="# Reclassification brief")
    code.wait_for()
    assert f"raise it {HOSTILE_MD}" in code.inner_text()
    no_markup_made(page, alerts)


def test_the_brief_has_the_scenarios_review(lab):
    store, review, decision = lab
    brief = run_cli("--store", store, "brief", "--model", "base", "--asl", "3", "--domain", "cbrn", "--as-of",
                    "2025-06-01", env={"ASL_PUBLIC_URL": BASE})
    assert brief.returncode == 0, brief.stderr
    text = brief.stdout
    assert f"## Review {review}: Base {HOSTILE_MD}" in text
    assert f"- Review page: <{BASE}/review?id={review}>" in text
    assert f"| {decision} | reclassify to ASL-3 | raise it {HOSTILE_MD} | os:maker |" in text
    assert "| 2 | 0 | **in effect** |" in text
    assert "| os:first |" in text and f"| approve | agreed {HOSTILE_MD} |" in text
    page = run_cli("--store", store, "brief", "--model", "base", "--asl", "3", "--format", "html", "--as-of",
                   "2025-06-01", env={"ASL_PUBLIC_URL": BASE})
    assert "<script>" not in page.stdout and "<img" not in page.stdout
    assert "raise it &lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt; **bold**" in page.stdout
    # Another level: no review of that scenario.
    other = run_cli("--store", store, "brief", "--model", "base", "--asl", "4", "--as-of", "2025-06-01")
    assert other.returncode == 0 and "## Review" not in other.stdout


def test_the_reclassify_pages_brief_has_the_review(lab):
    store, review, decision = lab
    app = open_link(store, "app_pages/reclassify.py", model="base", asl="3", domain="cbrn", as_of="2025-06-01")
    app.toggle(key="show_brief").set_value(True).run()
    brief = next(block.value for block in app.code if block.value.startswith("# Reclassification brief"))
    assert f"## Review {review}: Base {HOSTILE_MD}" in brief
    assert f"| {decision} | reclassify to ASL-3 |" in brief and "**in effect**" in brief


def lab_version(root, requests: int):
    tables = reclassify_tables()
    tables["deployments"][0]["monthly_requests"] = str(requests)
    return write_folder(root / f"src-{requests}", tables)


def test_retention_keeps_what_a_review_pins_and_removes_nothing_when_the_ledger_cannot_be_read(tmp_path):
    store = tmp_path / "lab.duckdb"
    a = ingest(lab_version(tmp_path, 1000), store, progress=quiet).snapshot_id
    b = ingest(lab_version(tmp_path, 1500), store, progress=quiet).snapshot_id
    with open_ledger(str(default_location(store))) as ledger:
        open_review(ledger, actor="os:lead", title="the meeting of A", snapshot_id=a, as_of="2025-06-01")
    keep_one = ("--keep-last", "1", "--keep-daily", "0")
    published = run_cli("--store", store, "ingest", lab_version(tmp_path, 2000), *keep_one)
    assert published.returncode == 0, published.stderr
    c = list_snapshots(store)[0].snapshot_id
    assert [entry.snapshot_id for entry in list_snapshots(store)] == [c, a]  # A pinned, B gone
    assert f"Removed 1 older snapshot(s) under the retention rule: {b}." in published.stderr

    # A PostgreSQL ledger that does not answer: nothing removed, one line saying so, the publish stands.
    unreachable = run_cli("--store", store, "ingest", lab_version(tmp_path, 2500), *keep_one,
                          "--reviews", "postgresql://asl:secret@127.0.0.1:1/reviews")
    assert unreachable.returncode == 0, unreachable.stderr
    d = list_snapshots(store)[0].snapshot_id
    assert [entry.snapshot_id for entry in list_snapshots(store)] == [d, c, a]
    warnings = [line for line in unreachable.stderr.splitlines() if line.startswith("warning: no older snapshot removed")]
    assert len(warnings) == 1 and "secret" not in unreachable.stderr and "Traceback" not in unreachable.stderr
    assert "Removed no older snapshot" in unreachable.stderr

    # No ledger file at all: nothing pinned, and none created.
    bare = tmp_path / "bare.duckdb"
    first = ingest(lab_version(tmp_path, 1000), bare, progress=quiet).snapshot_id
    assert run_cli("--store", bare, "ingest", lab_version(tmp_path, 1500), *keep_one).returncode == 0
    assert first not in {entry.snapshot_id for entry in list_snapshots(bare)}
    assert not default_location(bare).exists()
