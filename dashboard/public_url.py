"""ASL_PUBLIC_URL: the base URL colleagues reach the dashboard at. Read and validated here only, for
every user of it (the brief's link, the digest's links, the allowed host names, `serve`).

A valid value is an http(s) URL with a host name, an optional port and an optional path prefix made
of letters, digits, - . _ ~ and %XX only: no user name or password (a secret in every link), no
query or fragment, nothing that could end a Markdown link or an HTML attribute. An invalid value is
refused in one line that does not repeat it (it may hold a secret): the command line exits 2, the
pages warn and use the address the request came to."""
from __future__ import annotations

import os
import re
import urllib.parse
from typing import NamedTuple

from dashboard.params import ParamError

NAME = "ASL_PUBLIC_URL"
MAX_LENGTH = 2048
PAGES = ("/trajectory", "/reclassify", "/changes", "/obligations")  # a page's URL pasted: its base is kept

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]+\]")
_PATH = re.compile(r"(?:/(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*)*")


class PublicUrlError(ParamError):
    """ASL_PUBLIC_URL is set but not a usable base URL. str(error) is one line without the value."""


class Setting(NamedTuple):
    base: str | None  # scheme://host[:port][/prefix], no trailing slash; None when unset or invalid
    problem: str | None  # the one-line refusal when set but invalid


def problem_with(url: str) -> str | None:
    """Why url cannot be a public base URL (a phrase that never repeats it), or None when it can."""
    if len(url) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if not url.isascii() or any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "holds spaces, control or non-ASCII characters"
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # a malformed port raises
    except ValueError:
        return "has a malformed host or port"
    if parts.scheme.lower() not in ("http", "https") or not url.lower().startswith(f"{parts.scheme.lower()}://"):
        return "is not an http:// or https:// URL"
    if "@" in parts.netloc:
        return "holds a user name or password (it would be in every link)"
    host = parts.netloc[: parts.netloc.rfind(":")] if parts.port is not None or parts.netloc.endswith(":") else parts.netloc
    if not _HOST.fullmatch(host):
        return "has no valid host name"
    if "?" in url or "#" in url:
        return "has a query or a fragment"
    if not _PATH.fullmatch(parts.path):
        return "has characters other than letters, digits, - . _ ~ and %XX in its path"
    return None


def base_url(url: str | None) -> str | None:
    """scheme://host[:port][/prefix] of a valid public URL (a page's own path and any trailing slash
    dropped); None when url is empty or invalid. Pure: the one rule for every base URL of a link."""
    url = (url or "").strip()
    if not url or problem_with(url):
        return None
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    for page in PAGES:
        if path.endswith(page):
            path = path[: -len(page)]
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def configured(environ=None) -> Setting:
    """ASL_PUBLIC_URL read and validated: (base, None) when valid, (None, None) when unset or empty,
    (None, the one-line problem) when set but invalid."""
    value = ((os.environ if environ is None else environ).get(NAME) or "").strip()
    if not value:
        return Setting(None, None)
    why = problem_with(value)
    if why:
        return Setting(None, f"{NAME} {why}: set it to the dashboard's address, such as https://asl.example.com "
                             "or https://example.org/asl (its value is not repeated here)")
    return Setting(base_url(value), None)


def required(environ=None) -> str | None:
    """The validated base URL, None when unset; PublicUrlError (one line) when set but invalid.
    For the command line, which refuses an invalid value at start."""
    setting = configured(environ)
    if setting.problem:
        raise PublicUrlError(setting.problem)
    return setting.base


def link_base(base: str | None) -> str:
    """The base a link is built on: "" for none (links are paths), the validated base otherwise.
    ValueError for an invalid one: whoever builds links passes a base from configured() or base_url()."""
    if not base:
        return ""
    valid = base_url(base)
    if valid is None:
        raise ValueError("a link's base URL must come from dashboard.public_url (it did not pass its rule)")
    return valid
