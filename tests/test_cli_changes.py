"""`asl-dashboard changes`: CSV, table and the Markdown digest on the hand-made lab of
tests/changes_lab.py, and --post against a real HTTP server on 127.0.0.1 that the test starts
(success, 500 then success, a hang, a refused connection)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from changes_lab import changes_tables
from clirun import run_cli
from dashboard import changes
from dashboard.cli import main
from dashboard.ingest import ingest
from dashboard.sqlfiles import REPO_ROOT
from dashboard.store import read_identity
from labdata import write_folder
from localhttp import LocalServer


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("cli-changes-src") / "lab", changes_tables())
    path = tmp_path_factory.mktemp("cli-changes") / "lab.duckdb"
    ingest(folder, path, progress=lambda _: None, dataset="changes-lab")
    return path


def run(store, capsys, *args) -> tuple[int, str, str]:
    code = main(["--store", str(store), "changes", *args])
    out, err = capsys.readouterr()
    return code, out, err


# (2025-06-01, 2025-06-03] worked out by hand (tests/test_changes.py explains each): alpha's step 200
# round completes 06-03 triggered in cbrn; beta-d1 onboards 06-03 on triggered beta; alpha goes
# on_track -> triggered; alpha-d2 (first-party consumer) onboards 06-02 on triggered alpha.
WINDOW = ["--since", "2025-06-01", "--as-of", "2025-06-03"]


def test_csv_has_the_contract_columns_and_the_link_path(store, capsys):
    code, out, err = run(store, capsys, *WINDOW)
    assert code == 0, err
    sid = read_identity(store)[0]  # the links carry the snapshot they were made on
    assert out.splitlines() == [
        "event_date,kind,model_id,model_name,before,after,detail,link",
        "2025-06-03,evaluation_round,alpha,Alpha,,triggered,cbrn,/trajectory?model=alpha&as_of=2025-06-03&snapshot=" + sid,
        "2025-06-03,onboarding_while_triggered,beta,Beta,,,beta-d1 (customer c1 Customer One),/trajectory?model=beta&as_of=2025-06-03&snapshot=" + sid,
        "2025-06-03,status_change,alpha,Alpha,on_track,triggered,,/trajectory?model=alpha&as_of=2025-06-03&snapshot=" + sid,
        "2025-06-02,onboarding_while_triggered,alpha,Alpha,,,alpha-d2 (first-party consumer),/trajectory?model=alpha&as_of=2025-06-02&snapshot=" + sid,
    ]


def test_table_and_policy(store, capsys):
    code, out, _ = run(store, capsys, *WINDOW, "--format", "table", "--policy", "compute-only")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["event_date", "kind", "model_id", "model_name", "before", "after", "detail", "link"]
    # Under compute-only (k = 2) alpha was at 2x on 06-01: eval_overdue, not on_track.
    assert re.search(r"status_change\s+alpha\s+Alpha\s+eval_overdue\s+triggered\s+/trajectory\?model=alpha&as_of=2025-06-03&policy=compute-only", out)
    assert "nan" not in out and "None" not in out


DIGEST = """## What changed from 2025-06-01 to 2025-06-03

Window: after 2025-06-01, up to and including 2025-06-03 · data set changes\\-lab, snapshot {sid} of 2025-06-12 · each model's own policy

**4 events**: Onboarding while triggered (breach of rule 2d) 2 · Review decisions 0 · Status changes 1 · ASL level changes 0 · Regulatory lines crossed 0 · Evaluation rounds 1

### Onboarding while triggered (breach of rule 2d): 2

- 2025-06-03 · Beta (beta) · beta\\-d1 \\(customer c1 Customer One\\) · [trajectory](https://asl.example.org/trajectory?model=beta&as_of=2025-06-03)
- 2025-06-02 · Alpha (alpha) · alpha\\-d2 \\(first\\-party consumer\\) · [trajectory](https://asl.example.org/trajectory?model=alpha&as_of=2025-06-02)

### Status changes: 1

- 2025-06-03 · Alpha (alpha): on\\_track → triggered · [trajectory](https://asl.example.org/trajectory?model=alpha&as_of=2025-06-03)

### Evaluation rounds: 1

- 2025-06-03 · Alpha (alpha): triggered · cbrn · [trajectory](https://asl.example.org/trajectory?model=alpha&as_of=2025-06-03)
"""


def digest_of(store) -> str:
    """DIGEST for the store's snapshot: its id in the title line and in every link."""
    sid = read_identity(store)[0]
    return re.sub(r"(as_of=\d{4}-\d{2}-\d{2})\)", rf"\1&snapshot={sid})", DIGEST.replace("{sid}", sid))


def test_markdown_digest(store, capsys, monkeypatch):
    monkeypatch.setenv("ASL_PUBLIC_URL", "https://asl.example.org/")
    code, out, _ = run(store, capsys, *WINDOW, "--format", "markdown")
    assert code == 0
    assert out == digest_of(store)


def test_markdown_digest_without_a_public_url_prints_paths(store, capsys, monkeypatch):
    monkeypatch.delenv("ASL_PUBLIC_URL", raising=False)
    code, out, _ = run(store, capsys, *WINDOW, "--format", "markdown")
    assert code == 0 and f"· `/trajectory?model=beta&as_of=2025-06-03&snapshot={read_identity(store)[0]}`" in out


def test_empty_window_digest(store, capsys):
    code, out, _ = run(store, capsys, "--since", "2025-06-12", "--as-of", "2025-06-13", "--format", "markdown")
    assert code == 0
    assert out.endswith("No changes in this window.\n")


HOSTILE = ["[click](https://evil.example)", "<img src=x onerror=alert(1)>", "**bold** _it_ `code`",
           "line\nbreak", "cr\rbreak", "ls\u2028ps\u2029end", "@channel www.evil.example a@b.example http://evil.example",
           "# heading", "| pipe |", "&lt;entity&gt;"]


def test_data_in_the_digest_is_never_a_link_or_formatting():
    frame = pd.DataFrame([{"event_date": dt.date(2025, 6, 3), "kind": "asl_change", "model_id": text, "model_name": text,
                           "before": text, "after": text, "detail": text} for text in HOSTILE])
    text = changes.digest(frame, since=dt.date(2025, 6, 1), as_of=dt.date(2025, 6, 3),
                          info={"snapshot_date": "2025-06-03", "dataset": HOSTILE[0]}, policy_id=None,
                          base_url="https://asl.example.org")
    events = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(events) == len(HOSTILE)  # every line break inside the data was neutralised
    html = MarkdownIt("gfm-like").render(text)  # GFM with autolinks (linkify) on
    links = re.findall(r'<a href="([^"]*)"', html)
    assert len(links) == len(HOSTILE) and all(link.startswith("https://asl.example.org/trajectory?model=") for link in links)
    for tag in ("<img", "<em>", "<code>", "<h1>", "<table", "mailto:"):
        assert tag not in html
    assert html.count("<strong>") == 1  # the event count only
    assert "&lt;entity&gt;" not in html.replace("&amp;lt;entity&amp;gt;", "")  # shown as typed, not as <entity>


def test_bad_arguments_exit_non_zero_with_one_line(store, capsys):
    for args, message in [(["--since", "2025-06-03", "--as-of", "2025-06-03"], "is not before the as-of date"),
                          (["--since", "yesterday"], "is not a date"),
                          (["--since", "2020-01-01"], "is before the data"),
                          (["--since", "2025-06-01", "--policy", "nope"], "policy 'nope' is unknown"),
                          (["--since", "2025-06-01", "--post", "ftp://x"], "needs an http:// or https:// URL")]:
        code, out, err = run(store, capsys, *args)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and message in err, (args, err)


# --- --post against a local webhook -------------------------------------------------------------

class Receiver(LocalServer):
    """A webhook on 127.0.0.1 and a free port. script: what to answer to each request in turn
    (an HTTP status, or "hang" to answer nothing for 5 s); a GET is recorded and answered 200."""

    def __init__(self, script):
        self.script = list(script)
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.bodies.append({"json": json.loads(body), "type": self.headers["Content-Type"], "path": self.path})
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    time.sleep(5)
                    return
                self.send_response(action)
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self):  # noqa: N802 - what a client following a redirect as a GET sends
                receiver.bodies.append({"method": "GET", "path": self.path})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        super().__init__(Handler)
        self.url = f"{self.base}/hooks/secret-token"


POST_FAST = ["--post-timeout", "1", "--post-backoff", "0.05"]


def test_post_success_sends_the_digest(store, capsys, monkeypatch):
    monkeypatch.setenv("ASL_PUBLIC_URL", "https://asl.example.org")
    with Receiver([200]) as receiver:
        code, out, err = run(store, capsys, *WINDOW, "--post", receiver.url, *POST_FAST)
    assert code == 0, err
    assert out == ""  # with --post and no --format, nothing on stdout
    assert receiver.bodies == [{"json": {"text": digest_of(store)}, "type": "application/json; charset=utf-8", "path": "/hooks/secret-token"}]
    assert err.strip() == f"Posted the digest (4 event(s)) to http://127.0.0.1:{receiver.server.server_port}: HTTP 200."


def test_post_never_prints_the_webhook_secret(store, capsys):
    """User-info, path and query of the webhook URL never reach a message, success or error."""
    for status, code_expected in [(200, 0), (404, 1), (500, 1)]:
        with Receiver([status]) as receiver:
            url = receiver.url.replace("http://", "http://bot:TOKEN@") + "?token=QUERYSECRET"
            code, out, err = run(store, capsys, *WINDOW, "--post", url, *POST_FAST, "--post-attempts", "1")
        assert code == code_expected and len(receiver.bodies) == 1, err
        assert f"http://127.0.0.1:{receiver.server.server_port}" in err
        for secret in ("TOKEN", "bot", "secret-token", "QUERYSECRET", "hooks"):
            assert secret not in err and secret not in out
    for malformed in ["http://bot:TOKEN@host:99999/services/T0/B0/XYZ", "htp://bot:TOKEN@host/services/T0/B0/XYZ",
                      "http://host/services/T0/B0/XYZ TOKEN"]:
        code, out, err = run(store, capsys, *WINDOW, "--post", malformed)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
        assert "TOKEN" not in err and "XYZ" not in err and "services" not in err


def test_post_redirected_elsewhere_is_not_reported_as_posted(store, capsys):
    """A 302 to another port used to be followed as a GET without the digest and reported as posted."""
    with Receiver([200]) as elsewhere, Receiver([]) as webhook:
        class Redirects(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(302)
                self.send_header("Location", elsewhere.url)
                self.end_headers()

            def log_message(self, *args):
                pass

        webhook.server.RequestHandlerClass = Redirects
        code, out, err = run(store, capsys, *WINDOW, "--post", webhook.url, *POST_FAST)
    assert code == 1 and out == "" and elsewhere.bodies == []
    assert err.strip().splitlines() == [
        f"error: http://127.0.0.1:{webhook.server.server_port} did not take the digest: HTTP 302 Found pointing to "
        f"http://127.0.0.1:{elsewhere.server.server_port} (redirects are not followed; set --post to the webhook's own URL)"]


def test_post_retries_after_a_500(store, capsys):
    with Receiver([500, 200]) as receiver:
        code, _, err = run(store, capsys, *WINDOW, "--post", receiver.url, *POST_FAST, "--format", "csv")
    assert code == 0, err
    assert len(receiver.bodies) == 2 and receiver.bodies[0] == receiver.bodies[1]


def test_post_gives_up_after_500s_with_one_line(store, capsys):
    with Receiver([500, 502, 503]) as receiver:
        code, _, err = run(store, capsys, *WINDOW, "--post", receiver.url, *POST_FAST, "--post-attempts", "3")
    assert code == 1 and len(receiver.bodies) == 3
    assert err.strip().splitlines() == [
        f"error: could not post the digest to http://127.0.0.1:{receiver.server.server_port} after 3 attempt(s): "
        "HTTP 503 Service Unavailable"]
    assert "secret-token" not in err  # the webhook's path is its secret: never printed


def test_post_4xx_is_final(store, capsys):
    with Receiver([404]) as receiver:
        code, _, err = run(store, capsys, *WINDOW, "--post", receiver.url, *POST_FAST)
    assert code == 1 and len(receiver.bodies) == 1 and "refused the digest: HTTP 404 Not Found" in err


def test_post_a_hang_times_out(store, capsys):
    with Receiver(["hang", "hang"]) as receiver:
        started = time.monotonic()
        code, _, err = run(store, capsys, *WINDOW, "--post", receiver.url, "--post-timeout", "0.5",
                           "--post-backoff", "0.05", "--post-attempts", "2")
        elapsed = time.monotonic() - started
    assert code == 1 and len(receiver.bodies) == 2
    assert "after 2 attempt(s): no complete answer within 0.5 s" in err and len(err.strip().splitlines()) == 1
    assert elapsed < 4  # two timeouts of 0.5 s and a short wait, not the server's 5 s hangs


def test_post_a_refused_connection(store, capsys):
    with socket.socket() as probe:  # a free port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run(store, capsys, *WINDOW, "--post", f"http://127.0.0.1:{port}/hook", *POST_FAST,
                       "--post-attempts", "2")
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: could not post the digest to http://127.0.0.1:{port} after 2 attempt(s): [Errno 111] Connection refused"]


def test_empty_window_posts_nothing_unless_always(store, capsys):
    empty = ["--since", "2025-06-12", "--as-of", "2025-06-13"]
    with Receiver([200]) as receiver:
        code, _, err = run(store, capsys, *empty, "--post", receiver.url, *POST_FAST)
        assert code == 0 and receiver.bodies == [] and "nothing posted" in err
        code, _, _ = run(store, capsys, *empty, "--post", receiver.url, *POST_FAST, "--always")
        assert code == 0 and receiver.bodies[0]["json"]["text"].endswith("No changes in this window.\n")


def test_the_command_line_exit_status(store):
    result = subprocess.run([sys.executable, "-m", "dashboard", "--store", str(store), "changes", "--since", "2025-06-20",
                             "--as-of", "2025-06-12"], capture_output=True, text=True, cwd=REPO_ROOT,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == ("error: since 2025-06-20 is not before the as-of date 2025-06-12: "
                                     "the window (since, as of] would be empty; choose an earlier since date")


# --- ASL_PUBLIC_URL (dashboard/settings.py) -------------------------------------------------------

@pytest.mark.parametrize("value", ["javascript:alert(document.cookie)//",
                                   "https://asl.example.org/a)[x](https://evil.example/SECRET",
                                   "https://bot:SECRET@asl.example.org"])
def test_the_command_line_refuses_it_at_start_in_one_line(store, value):
    env = {"ASL_PUBLIC_URL": value}
    for args in (["changes", *WINDOW, "--format", "markdown"],
                 ["changes", *WINDOW, "--post", "http://127.0.0.1:9/hook"],  # refused before any post
                 ["brief", "--model", "alpha", "--asl", "3"],
                 ["serve", "--address", "0.0.0.0", "--port", "9"]):  # refused before starting Streamlit
        result = run_cli("--store", store, *args, env=env)
        assert result.returncode == 2 and result.stdout == "", (args, result)
        assert result.stderr.startswith("error: ASL_PUBLIC_URL ") and len(result.stderr.splitlines()) == 1, result.stderr
        for piece in ("SECRET", "javascript", "evil", "cookie"):
            assert piece not in result.stderr


def test_csv_without_links_to_build_does_not_need_it(store):
    result = run_cli("--store", store, "changes", *WINDOW, env={"ASL_PUBLIC_URL": "javascript:alert(1)"})
    assert result.returncode == 0 and "/trajectory?model=alpha" in result.stdout
