"""Post a text to an incoming webhook as JSON {"text": ...}: the shape Slack, Mattermost and Microsoft
Teams workflows accept. Standard library only (http.client).

Delivered means: the POST that carried the text got a 2xx answer. Redirects are not followed (a 3xx
is a failure naming where it pointed, scheme and host only), because following one would send the
text, or a GET without it, somewhere the operator did not configure. Each attempt has one deadline
for everything (connect, send, the status line, the headers and the answer), and at most
ANSWER_CAP bytes of the answer are read before the connection is closed."""
from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import threading
import time
import urllib.parse

ANSWER_CAP = 64 * 1024  # bytes of the webhook's answer read at most; the rest is never received
_HOST = re.compile(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]")


class PostError(RuntimeError):
    """The text could not be delivered. str(error) is one line for people (no secret URL part)."""


def where(url: str | None) -> str:
    """A webhook URL as people may see it: scheme and host (with a port, if any) only. Never the
    user-info, path, query or fragment, which often hold the webhook's secret; "an invalid URL"
    when even those cannot be told safely."""
    try:
        parts = urllib.parse.urlsplit(url or "")
        port = parts.port
    except ValueError:
        return "an invalid URL"
    host = parts.netloc.rpartition("@")[2]
    host = host[: host.rfind(":")] if port is not None or host.endswith(":") else host
    if parts.scheme.lower() not in ("http", "https") or not host or not _HOST.fullmatch(host):
        return "an invalid URL"
    return f"{parts.scheme.lower()}://{host.lower()}" + (f":{port}" if port is not None else "")


def check_url(url: str) -> str:
    """The URL when it is an http(s) URL with a host (and a valid port); PostError otherwise, with a
    message that does not repeat the URL (it may be mistyped around its secret)."""
    if where(url) == "an invalid URL" or not url.isascii() or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise PostError("--post needs an http:// or https:// URL with a host name (the URL given is not one; "
                        "it is not repeated here, as a webhook URL holds a secret)")
    return url


class _Attempt:
    """One POST on its own connection, closed when the deadline passes whatever it is waiting for."""

    def __init__(self, url: str, body: bytes, timeout: float):
        parts = urllib.parse.urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme.lower() == "https" else http.client.HTTPConnection
        self.connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "asl-dashboard",
                        "Connection": "close"}
        if parts.username is not None:  # user-info is sent as Basic authentication, as curl does
            secret = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self.headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
        self.body = body
        self.expired = False
        self.timer = threading.Timer(timeout, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.connection.sock
        if sock is not None:
            try:  # the plain socket's shutdown (an SSL socket's own would unwrap it under the reader's feet)
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # wakes up a blocked send or receive
            except OSError:
                pass

    def run(self) -> tuple[int, str, str | None]:
        """(status, reason, Location header). Reads at most ANSWER_CAP bytes of the answer."""
        self.timer.start()
        try:
            self.connection.connect()  # bounded by the socket timeout (the deadline), name lookup excepted
            if self.expired:
                raise TimeoutError
            self.connection.request("POST", self.path, body=self.body, headers=self.headers)
            response = self.connection.getresponse()
            self._drain(response)
            return response.status, response.reason, response.getheader("Location")
        finally:
            self.timer.cancel()
            self.connection.close()

    def _drain(self, response) -> None:
        """Read (and drop) the answer up to ANSWER_CAP bytes or the deadline: the status is known."""
        received = 0
        try:
            while received < ANSWER_CAP and not self.expired:
                chunk = response.read1(ANSWER_CAP - received)
                if not chunk:
                    break
                received += len(chunk)
        except (OSError, ValueError, http.client.HTTPException):
            pass  # an answer cut short: its status has already been received


def post_text(url: str, text: str, *, timeout: float = 10.0, attempts: int = 4, backoff: float = 2.0,
              sleep=time.sleep) -> int:
    """POST {"text": text} to url. Retries 5xx answers, timeouts and connection errors, waiting
    backoff, 2 x backoff, 4 x backoff, ... seconds between attempts; a 3xx or 4xx answer is final.
    timeout bounds each attempt as a whole. Returns the HTTP status of the successful (2xx) answer;
    raises PostError when it fails for good."""
    check_url(url)
    body = json.dumps({"text": text}).encode("utf-8")
    last = "no attempt made"
    for attempt_number in range(1, attempts + 1):
        attempt = _Attempt(url, body, timeout)
        try:
            status, reason, location = attempt.run()
        except (OSError, ValueError, http.client.HTTPException) as error:
            if attempt.expired or isinstance(error, (TimeoutError, socket.timeout)):
                last = f"no complete answer within {timeout:g} s"
            else:
                last = _error_text(error)
        else:
            if 200 <= status < 300:
                return status
            last = f"HTTP {status} {_one_line(reason)}".rstrip()
            if 300 <= status < 400:
                pointed = where(urllib.parse.urljoin(url, location)) if location else "nowhere (no Location)"
                raise PostError(f"{where(url)} did not take the digest: {last} pointing to {pointed} "
                                "(redirects are not followed; set --post to the webhook's own URL)")
            if status < 500:
                raise PostError(f"{where(url)} refused the digest: {last}")
        if attempt_number < attempts:
            sleep(backoff * 2 ** (attempt_number - 1))
    raise PostError(f"could not post the digest to {where(url)} after {attempts} attempt(s): {last}")


def _one_line(text) -> str:
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(text or ""))[:80]


def _error_text(error: BaseException) -> str:
    """A connection error as one line. The errors name the host at most (the request never echoes the
    path), but certificate and name errors can be long: keep them short."""
    if isinstance(error, http.client.RemoteDisconnected):
        return "the webhook closed the connection without an answer"
    return _one_line(str(error) or type(error).__name__)
