"""dashboard/webhook.py: how a webhook URL is shown (scheme and host only), and post_text against real
HTTP servers on 127.0.0.1 started here: one that redirects, one that drips its answer, one whose
answer never ends."""
from __future__ import annotations

import json
import socket
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler

import pytest

from dashboard.webhook import ANSWER_CAP, PostError, check_url, post_text, where
from localhttp import LocalServer
from waits import WAIT_S


@pytest.mark.parametrize("url, shown", [
    ("https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com"),
    ("http://bot:TOKEN@host/services/T0/B0/XYZ", "http://host"),
    ("http://bot:TOKEN@host:8080/p?token=SECRET#frag", "http://host:8080"),
    ("HTTPS://user@Example.ORG:443/x", "https://example.org:443"),
    ("http://[::1]:8065/hooks/abc", "http://[::1]:8065"),
    ("http://a:b@[::1]/hooks/abc", "http://[::1]"),
    ("http://host:/x", "http://host"),
    ("ftp://bot:TOKEN@host/x", "an invalid URL"),
    ("http://bot:TOKEN@host:99999/x", "an invalid URL"),
    ("http://bot:TOKEN@host:port/x", "an invalid URL"),
    ("http:///services/TOKEN", "an invalid URL"),
    ("services/T0/B0/XYZ", "an invalid URL"),
    ("http://ev il/TOKEN", "an invalid URL"),
    ("", "an invalid URL"),
    (None, "an invalid URL"),
])
def test_where_shows_scheme_and_host_only(url, shown):
    assert where(url) == shown
    for secret in ("TOKEN", "XYZ", "SECRET", "bot", "frag", "abc"):
        assert secret not in where(url)


@pytest.mark.parametrize("url", ["ftp://x/TOKEN", "http://bot:TOKEN@host:99999/hook", "https:///TOKEN-no-host",
                                 "http://host/TOKEN with space", "http://host/TOKEN\u00e9", "mailto:bot@TOKEN"])
def test_a_malformed_url_is_refused_without_repeating_it(url):
    with pytest.raises(PostError) as refused:
        check_url(url)
    message = str(refused.value)
    assert "TOKEN" not in message and "\n" not in message and "needs an http:// or https:// URL" in message


# --- real servers on 127.0.0.1 -------------------------------------------------------------------

class Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def take(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, body))
        return body


class Accepts(Quiet):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.take()
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_GET


def redirector(status, target):
    class Redirects(Quiet):
        def do_POST(self):  # noqa: N802
            self.take()
            self.send_response(status)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
    return Redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failure_that_names_where_it_pointed(status):
    with LocalServer(Accepts) as elsewhere:
        target = elsewhere.base.replace("http://", "http://bot:PASSWORD@") + "/other/SECRET-PATH?token=SECRET"
        with LocalServer(redirector(status, target)) as webhook:
            with pytest.raises(PostError) as failed:
                post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=2, attempts=3, backoff=0)
        assert elsewhere.server.seen == []  # neither a GET nor a re-POST reached the other server
    assert len(webhook.server.seen) == 1  # a redirect is final: not retried
    message = str(failed.value)
    assert message.startswith(f"{webhook.base} did not take the digest: HTTP {status} ")
    assert f"pointing to {elsewhere.base} (redirects are not followed" in message
    for secret in ("TOKEN", "PASSWORD", "SECRET", "bot"):
        assert secret not in message


def test_a_relative_redirect_names_the_webhook_host():
    with LocalServer(redirector(302, "/login?next=SECRET")) as webhook:
        with pytest.raises(PostError, match=f"pointing to {webhook.base} ") as failed:
            post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=2, attempts=1)
    assert "SECRET" not in str(failed.value) and "TOKEN" not in str(failed.value)


def test_only_a_2xx_to_the_post_itself_is_success():
    with LocalServer(Accepts) as webhook:
        assert post_text(webhook.base + "/hooks/TOKEN", "the digest", timeout=2, attempts=1) == 200
    assert webhook.server.seen == [("POST", "/hooks/TOKEN", json.dumps({"text": "the digest"}).encode())]


class Drips(Quiet):
    """Answers one byte at a time, a byte every 0.1 s, forever (until the client goes away): in the
    status line when self.server.events["where"] is "status", in the body of a 200 otherwise."""

    def do_POST(self):  # noqa: N802
        self.take()
        if self.server.events.get("where") != "status":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        try:
            for _ in range(600):  # at most a minute, should the client never leave
                self.wfile.write(b"H" if self.server.events.get("where") == "status" else b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass
        self.close_connection = True


def test_a_dripping_answer_cannot_outlive_the_deadline_of_an_attempt():
    with LocalServer(Drips) as webhook:
        webhook.server.events["where"] = "status"
        started = time.monotonic()
        with pytest.raises(PostError) as failed:
            post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=0.5, attempts=2, backoff=0.05)
        elapsed = time.monotonic() - started
    # Two attempts of 0.5 s and a 0.05 s wait; each byte came within the old per-read timeout, so
    # bounding each read only would have waited the server's minute.
    assert elapsed < 30, elapsed  # far below the minute the server would drip for
    assert len(webhook.server.seen) == 2
    assert str(failed.value) == (f"could not post the digest to {webhook.base} after 2 attempt(s): "
                                 "no complete answer within 0.5 s")


def test_a_2xx_status_followed_by_a_dripping_body_is_delivered_within_the_deadline():
    with LocalServer(Drips) as webhook:
        started = time.monotonic()
        assert post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=0.5, attempts=1) == 200
        assert time.monotonic() - started < 1.5


class Endless(Quiet):
    """Claims a 600 MB answer and streams zeros until the client closes; counts what it could send."""

    def do_POST(self):  # noqa: N802
        self.take()
        self.send_response(int(self.server.events.get("status", 200)))
        self.send_header("Content-Length", str(600 * 1024 * 1024))
        self.end_headers()
        zeros = bytes(16 * 1024)
        sent = 0
        try:
            while sent < 600 * 1024 * 1024:
                self.wfile.write(zeros)
                sent += len(zeros)
        except OSError:
            pass
        self.server.events["sent"] = sent
        self.close_connection = True


@pytest.mark.parametrize("status", [200, 503])
def test_a_huge_answer_is_read_up_to_the_cap_only(status):
    with LocalServer(Endless) as webhook:
        webhook.server.events["status"] = status
        tracemalloc.start()
        started = time.monotonic()
        try:
            if status == 200:
                assert post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=5, attempts=1) == 200
            else:
                with pytest.raises(PostError, match="HTTP 503"):
                    post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=5, attempts=1)
            elapsed = time.monotonic() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        deadline = time.monotonic() + WAIT_S
        while "sent" not in webhook.server.events and time.monotonic() < deadline:
            time.sleep(0.01)  # the server notices the closed connection when its send buffer fills
    # The client closed the connection after ANSWER_CAP bytes: the server could only fill the socket
    # buffers (a few MB at most), far from its 600 MB, and the client's memory stayed small.
    print(f"server sent {webhook.server.events['sent']} bytes; client peak {peak} bytes; {elapsed:.3f} s")
    assert webhook.server.events["sent"] < 64 * 1024 * 1024
    assert peak < 4 * ANSWER_CAP + 1024 * 1024, peak


def test_a_webhook_that_closes_without_answering_is_retried_then_named():
    class Closes(Quiet):
        def do_POST(self):  # noqa: N802
            self.take()
            self.close_connection = True  # no answer at all

    with LocalServer(Closes) as webhook:
        with pytest.raises(PostError) as failed:
            post_text(webhook.base + "/hooks/TOKEN", "digest", timeout=2, attempts=2, backoff=0)
    assert len(webhook.server.seen) == 2
    assert str(failed.value) == (f"could not post the digest to {webhook.base} after 2 attempt(s): "
                                 "the webhook closed the connection without an answer")


def test_a_refused_connection_names_scheme_and_host_only():
    with socket.socket() as probe:  # a free port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PostError) as failed:
        post_text(f"http://bot:TOKEN@127.0.0.1:{port}/hooks/SECRET", "digest", timeout=1, attempts=1)
    assert str(failed.value) == (f"could not post the digest to http://127.0.0.1:{port} after 1 attempt(s): "
                                 "[Errno 111] Connection refused")
