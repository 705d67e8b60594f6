"""The source URL: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?schema=NAME, read for sure or refused,
and as it may be shown (redact_url: no user-info, no secret parameter)."""
from __future__ import annotations

import re
import urllib.parse

from dashboard.ingest.problems import SourceError


SCHEMES = ("postgresql", "postgres")


DEFAULT_SCHEMA = "public"


# libpq parameters (and ones like them) whose value is a secret: never printed, stored or shown.
MAX_URL_LENGTH = 4096  # a database URL is a line of a setting, not a document
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
SECRET_PARAMETER = re.compile(r"password|passfile|secret|token", re.IGNORECASE)


# TCP keepalives and a send timeout, so a peer that vanished is noticed by the kernel (libpq names).
TCP_DEFAULTS = (("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"),
                ("keepalives_count", "6"), ("tcp_user_timeout", "90000"))


def _malformed(text: str) -> bool:
    """Whether text cannot be read as one URL for sure: a password holding an unencoded / ? # or @
    shifts the user-info into the path, query or fragment (or doubles the @), where libpq and
    urllib would each read it differently."""
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return True
    return (parts.netloc.count("@") > 1 or bool(parts.fragment) or "#" in text
            or "@" in parts.path or "@" in parts.query)


def redact_url(text: str) -> str:
    """The URL as it may be printed, stored in the snapshot and shown: without its user-info (user
    and password) and without any parameter that bears a secret (password, sslpassword, passfile,
    oauth_client_secret, ...). A URL that cannot be read for sure is shown as its scheme alone."""
    text = str(text)
    scheme = text.split("://", 1)[0] if "://" in text else ""
    bare = f"{scheme}://" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme) else "(a URL that cannot be read)"
    if not scheme or _malformed(text):
        return bare
    parts = urllib.parse.urlsplit(text)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    query = [(name, value) for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not SECRET_PARAMETER.search(name)]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, urllib.parse.urlencode(query), ""))


class SourceURL:
    """postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?schema=NAME[&other libpq parameters].

    `schema` is ours (default public); every other query parameter goes to libpq as it is
    (sslmode, connect_timeout, options, ...). The password, from the URL, PGPASSWORD or ~/.pgpass,
    is only ever handed to libpq: redacted is redact_url's URL, for messages and the snapshot.
    """

    def __init__(self, url: str):
        self.raw = str(url)
        if len(self.raw) > MAX_URL_LENGTH:
            raise SourceError(f"the database URL is {len(self.raw):,} characters long: at most {MAX_URL_LENGTH:,}")
        if CONTROL_CHARACTER.search(self.raw):
            raise SourceError("the database URL holds a control character (a line break, tab or escape)")
        try:
            parts = urllib.parse.urlsplit(self.raw)
        except ValueError:  # an unmatched [ or ] around the host
            raise SourceError(f"the database URL cannot be read ({redact_url(self.raw)}...)") from None
        if parts.scheme.lower() not in SCHEMES:
            raise SourceError("a database source is a URL postgresql://USER@HOST:PORT/DB?schema=NAME")
        self.redacted = redact_url(self.raw)
        try:
            parts.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError:
            raise SourceError(f"the port in {self.redacted} is not a number") from None
        if _malformed(self.raw):
            raise SourceError(f"the source URL cannot be read ({self.redacted}...): percent-encode a / ? # or @ "
                              "in the user name or password (%2F %3F %23 %40), or give the password by "
                              "PGPASSWORD or ~/.pgpass")
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        schemas = [value for name, value in query if name == "schema"]
        self.schema = schemas[-1] if schemas and schemas[-1] else DEFAULT_SCHEMA
        self.password = urllib.parse.unquote(parts.password) if parts.password else None
        self.database = urllib.parse.unquote(parts.path.lstrip("/")) or None
        libpq_query = [(name, value) for name, value in query if name != "schema"]
        names = {name for name, _ in libpq_query}
        if "password" in names:
            self.password = [value for name, value in libpq_query if name == "password"][-1] or self.password
        if "connect_timeout" not in names:
            libpq_query.append(("connect_timeout", "10"))  # an unreachable host fails in 10 s, not minutes
        if "application_name" not in names:
            libpq_query.append(("application_name", "asl-dashboard ingest"))
        libpq_query += [(name, value) for name, value in TCP_DEFAULTS if name not in names]
        self.libpq = urllib.parse.urlunsplit(
            ("postgresql", parts.netloc, parts.path, urllib.parse.urlencode(libpq_query, quote_via=urllib.parse.quote), ""))
        self.secrets = {value for value in (self.password, parts.password) if value}
        self.secrets |= {value for name, value in query if SECRET_PARAMETER.search(name) and value}

    def scrub(self, text: str) -> str:
        """text without the secrets or the full URL (a driver's message may quote them)."""
        text = text.replace(self.raw, self.redacted).replace(self.libpq, self.redacted)
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in {secret, urllib.parse.unquote(secret), urllib.parse.quote(secret, safe="")}:
                text = text.replace(form, "***")
        return text
