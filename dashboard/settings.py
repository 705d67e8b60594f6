"""Every setting from the environment, read and validated here only: no other module of dashboard/
reads os.environ (a test checks). A bad value is refused in one line that never repeats a value
that may hold a secret.

- ASL_STORE: the snapshot to read (store_path; --store wins).
- ASL_PUBLIC_URL: the base URL colleagues reach the dashboard at (public_url), for every link
  (dashboard/links.py: the brief's, the digest's, the allowed host names, `serve`).
- ASL_AUDIT_LOG: where views are recorded (audit_log).
- ASL_PAGE_RUNS: how many page runs at once (page_runs_limit).
- ASL_INSECURE_ALLOW_ANYONE: "1" when `serve --insecure-allow-anyone` started the server.
- ASL_SOURCE_URL: the lab's database (or folder) for `ingest` without an argument.
- ASL_REVIEWS_URL: where the reviews ledger lives (reviews_url; --reviews wins; default: a file
  beside the store).
- ASL_REVIEW_APPROVALS: how many approvals bring a decision into effect (approvals_needed; 1..10,
  default 2).
(The benchmark harness in bench/ reads its own variable; the product has no benchmark hook.)

ASL_PUBLIC_URL: a valid value is an http(s) URL with a host name, an optional port and an optional
path prefix made of letters, digits, - . _ ~ and %XX only: no user name or password (a secret in
every link), no query or fragment, nothing that could end a Markdown link or an HTML attribute. An
invalid value is refused in one line that does not repeat it (it may hold a secret): the command
line exits 2, the pages warn and use the address the request came to."""
from __future__ import annotations

import logging
import os
import re
import urllib.parse
from pathlib import Path
from typing import NamedTuple

from dashboard.params import ParamError

log = logging.getLogger("asl_dashboard")

STORE = "ASL_STORE"
AUDIT_LOG = "ASL_AUDIT_LOG"
PAGE_RUNS = "ASL_PAGE_RUNS"
INSECURE_ALLOW_ANYONE = "ASL_INSECURE_ALLOW_ANYONE"
SOURCE_URL = "ASL_SOURCE_URL"
REVIEWS_URL = "ASL_REVIEWS_URL"
REVIEW_APPROVALS = "ASL_REVIEW_APPROVALS"
DEFAULT_APPROVALS = 2


def _read(name: str, environ=None) -> str | None:
    """The one read of the environment (environ: a mapping in its place, for tests)."""
    return (os.environ if environ is None else environ).get(name)


def child_environment() -> dict[str, str]:
    """A copy of this process's environment, for a child process (`serve` starts Streamlit)."""
    return dict(os.environ)


def store_path(explicit: str | os.PathLike | None, default: str | os.PathLike) -> Path:
    """The store to read: explicit (--store), else $ASL_STORE, else default."""
    return Path(explicit or _read(STORE) or default).expanduser().resolve()


def audit_log(default: str | os.PathLike) -> Path:
    """The audit log: $ASL_AUDIT_LOG, else default."""
    return Path(_read(AUDIT_LOG) or default)


def insecure_allow_anyone() -> bool:
    """Whether `serve --insecure-allow-anyone` started this server (ASL_INSECURE_ALLOW_ANYONE=1)."""
    return _read(INSECURE_ALLOW_ANYONE) == "1"


def source_url() -> str | None:
    """The lab's database (or folder) for `ingest` without an argument: $ASL_SOURCE_URL, None when unset or empty."""
    return _read(SOURCE_URL) or None


def reviews_url(environ=None) -> str | None:
    """Where the reviews ledger lives (a postgresql:// URL or a file path): $ASL_REVIEWS_URL, None
    when unset or empty (then the file beside the store)."""
    value = (_read(REVIEWS_URL, environ) or "").strip()
    return value or None


class ReviewSettingError(ParamError):
    """ASL_REVIEW_APPROVALS is set but not a whole number from 1 to 10 (one line)."""


def approvals_needed(environ=None) -> int:
    """How many approvals, from people other than its maker, bring a decision into effect:
    $ASL_REVIEW_APPROVALS, a whole number from 1 to 10; 2 when unset or empty. Any other value is
    refused (ReviewSettingError), never replaced by a default: a lab that asked for 3 must not get 2."""
    value = (_read(REVIEW_APPROVALS, environ) or "").strip()
    if not value:
        return DEFAULT_APPROVALS
    if not value.isdigit() or len(value) > 2 or not 1 <= int(value) <= 10:
        raise ReviewSettingError(f"{REVIEW_APPROVALS}={value[:20]!r} is not a whole number from 1 to 10 "
                                 f"(unset, it is {DEFAULT_APPROVALS})")
    return int(value)


def page_runs_limit_from(value: str | None, cores: int | None) -> int:
    """The number of page runs allowed at once: the variable's value when it is a whole number from 1
    to 64, otherwise the number of cores (at least 2, at most 64)."""
    default = min(64, max(2, cores or 2))
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 64:
        log.warning("%s=%r is not a whole number from 1 to 64: using %d", PAGE_RUNS, value[:20], default)
        return default
    return number


def page_runs_limit() -> int:
    """ASL_PAGE_RUNS validated (page_runs_limit_from), on this machine's cores."""
    return page_runs_limit_from(_read(PAGE_RUNS), os.cpu_count())


# --- ASL_PUBLIC_URL --------------------------------------------------------------------------------

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


def public_url(environ=None) -> Setting:
    """ASL_PUBLIC_URL read and validated: (base, None) when valid, (None, None) when unset or empty,
    (None, the one-line problem) when set but invalid."""
    value = (_read(NAME, environ) or "").strip()
    if not value:
        return Setting(None, None)
    why = problem_with(value)
    if why:
        return Setting(None, f"{NAME} {why}: set it to the dashboard's address, such as https://asl.example.com "
                             "or https://example.org/asl (its value is not repeated here)")
    return Setting(base_url(value), None)


def public_url_required(environ=None) -> str | None:
    """The validated base URL, None when unset; PublicUrlError (one line) when set but invalid.
    For the command line, which refuses an invalid value at start."""
    setting = public_url(environ)
    if setting.problem:
        raise PublicUrlError(setting.problem)
    return setting.base
