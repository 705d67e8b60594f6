"""Post a text to an incoming webhook as JSON {"text": ...}: the shape Slack, Mattermost and Microsoft
Teams workflows accept. Standard library only (urllib)."""
from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request


class PostError(RuntimeError):
    """The text could not be delivered. str(error) is one line for people (no secret URL path)."""


def where(url: str) -> str:
    """The webhook's scheme and host only: the path of a webhook URL is often its secret."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PostError(f"--post needs an http:// or https:// URL, not {url[:40]!r}")
    return url


def post_text(url: str, text: str, *, timeout: float = 10.0, attempts: int = 4, backoff: float = 2.0,
              sleep=time.sleep) -> int:
    """POST {"text": text} to url. Retries 5xx answers, timeouts and connection errors, waiting
    backoff, 2 x backoff, 4 x backoff, ... seconds between attempts; a 4xx answer is final.
    Returns the HTTP status of the successful answer; raises PostError when it fails for good."""
    check_url(url)
    body = json.dumps({"text": text}).encode("utf-8")
    last = "no attempt made"
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8",
                                                  "User-Agent": "asl-dashboard"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code} {error.reason}"
            if error.code < 500:
                raise PostError(f"{where(url)} refused the digest: {last}") from None
        except (TimeoutError, socket.timeout):
            last = f"no answer within {timeout:g} s"
        except urllib.error.URLError as error:
            reason = error.reason
            last = f"no answer within {timeout:g} s" if isinstance(reason, (TimeoutError, socket.timeout)) else f"{reason}"
        except (ConnectionError, OSError, http.client.HTTPException) as error:
            last = str(error) or type(error).__name__
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
    raise PostError(f"could not post the digest to {where(url)} after {attempts} attempt(s): {last}")
