"""ASL_PUBLIC_URL (dashboard/settings.py, links in dashboard/links.py): one rule for every user of it. The pure rule on hand-made
values, the digest's links and the allowed host names. The command line refusing it at start is
tested in tests/test_cli_changes.py, the /changes page warning in tests/test_app_changes.py."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from dashboard import changes, links, settings
from dashboard.auth import serve_allowed_hosts

HOSTILE = [
    "javascript:alert(document.cookie)//",
    "https://asl.example.org) [x](https://evil.example/SECRET",
    "https://asl.example.org/a)[x](https://evil.example/SECRET",
    "https://asl.example.org/a>[x](https://evil.example/SECRET",
    "https://bot:SECRET@asl.example.org",
    "https://asl.example.org/?token=SECRET",
    "https://asl.example.org/#SECRET",
    "https://asl.example.org/a'\"SECRET",
    "https://asl.example.org/a\nSECRET",
    "https://asl.example.org:99999/SECRET",
    "https:///SECRET",
    "http://evil.example%2F@SECRET",
    "javascript://evil.example/%0aalert(1)",
    "data:text/html,SECRET",
    "ftp://asl.example.org/SECRET",
    "https://asl.exämple.org/SECRET",
    "https://asl.example.org/" + "a" * 3000,
]


@pytest.mark.parametrize("value, base", [
    ("https://asl.example.org", "https://asl.example.org"),
    ("  https://asl.example.org/  ", "https://asl.example.org"),
    ("HTTPS://ASL.Example.ORG:8443/Dash/", "https://asl.example.org:8443/Dash"),
    ("http://10.0.0.5:8501/asl/trajectory", "http://10.0.0.5:8501/asl"),
    ("http://[::1]:8501", "http://[::1]:8501"),
    ("https://example.org/a%20b/c-d_e.f~g", "https://example.org/a%20b/c-d_e.f~g"),
])
def test_a_valid_value_gives_its_base(value, base):
    assert settings.base_url(value) == base
    assert settings.public_url({"ASL_PUBLIC_URL": value}) == (base, None)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_is_refused_in_one_line_that_does_not_repeat_it(value):
    assert settings.base_url(value) is None
    setting = settings.public_url({"ASL_PUBLIC_URL": value})
    assert setting.base is None and setting.problem.startswith("ASL_PUBLIC_URL ")
    assert "\n" not in setting.problem and "SECRET" not in setting.problem and "evil" not in setting.problem
    with pytest.raises(settings.PublicUrlError, match="^ASL_PUBLIC_URL "):
        settings.public_url_required({"ASL_PUBLIC_URL": value})
    # The request's address is the fallback of the pages: a hostile value changes nothing there.
    assert links.public_base_url("http://dash.internal:8501/changes?since=x", {"ASL_PUBLIC_URL": value}) == \
        "http://dash.internal:8501"


def test_unset_or_empty_is_no_base_and_no_problem():
    for environ in ({}, {"ASL_PUBLIC_URL": ""}, {"ASL_PUBLIC_URL": "  "}):
        assert settings.public_url(environ) == (None, None) and settings.public_url_required(environ) is None


def test_a_request_address_passes_the_same_rule():
    assert links.public_base_url("http://dash.internal:8501/asl/reclassify?model=x#y", {}) == "http://dash.internal:8501/asl"
    assert links.public_base_url("http://dash.internal:8501/a)[x](http://evil.example/reclassify", {}) is None
    assert links.public_base_url("javascript:alert(1)", {}) is None


# --- the digest's links ----------------------------------------------------------------------------

LINK_CLOSERS = ["a) [x](https://evil.example/", "a]( <b>", "a\nb", "a b", "a`b", "a\\)", "a%29b"]


def test_the_digests_links_are_the_validated_base_and_encoded_parameters():
    frame = pd.DataFrame([{"event_date": dt.date(2025, 6, 3), "kind": "asl_change", "model_id": text,
                           "model_name": "M", "before": None, "after": None, "detail": None} for text in LINK_CLOSERS])
    text = changes.digest(frame, since=dt.date(2025, 6, 1), as_of=dt.date(2025, 6, 3), info={"snapshot_date": "2025-06-03"},
                          policy_id="p) [x](https://evil.example/", base_url="https://asl.example.org/dash/")
    links = re.findall(r"\[trajectory\]\(([^)]*)\)", text)
    assert len(links) == len(LINK_CLOSERS)
    for link in links:
        assert re.fullmatch(r"https://asl\.example\.org/dash/trajectory\?model=[A-Za-z0-9%._~-]+"
                            r"&as_of=2025-06-03&policy=p%29%20%5Bx%5D%28https%3A%2F%2Fevil\.example%2F", link), link
    assert "evil.example/" not in text


@pytest.mark.parametrize("base", HOSTILE)
def test_the_digest_refuses_a_base_that_did_not_pass_the_rule(base):
    frame = pd.DataFrame([{"event_date": dt.date(2025, 6, 3), "kind": "asl_change", "model_id": "m", "model_name": "M",
                           "before": None, "after": None, "detail": None}])
    with pytest.raises(ValueError):
        changes.digest(frame, since=dt.date(2025, 6, 1), as_of=dt.date(2025, 6, 3), info={"snapshot_date": "2025-06-03"},
                       policy_id=None, base_url=base)
    with pytest.raises(ValueError):
        links.scenario_link(base, "m", 3, None, dt.date(2025, 6, 3))


# --- every user of it ------------------------------------------------------------------------------

def test_an_invalid_value_names_no_allowed_host(tmp_path, monkeypatch):
    from dashboard import auth

    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[auth]\n" + "\n".join(f'{key} = "x"' for key in auth.REQUIRED_AUTH_KEYS if key != "redirect_uri")
                       + '\nredirect_uri = "https://dash.example.org/oauth2callback"\n')
    monkeypatch.setenv("ASL_PUBLIC_URL", "javascript://evil.example/%0aalert(1)")
    assert serve_allowed_hosts("0.0.0.0", [secrets], open_mode=False) == ["localhost", "127.0.0.1", "::1",
                                                                          "dash.example.org"]


def test_only_settings_reads_the_environment():
    """Every environment variable is read in dashboard/settings.py and nowhere else in dashboard/:
    no other module calls os.environ, os.getenv or os.environb (the parsed source, not a text search)."""
    import ast

    from dashboard.sqlfiles import REPO_ROOT

    readers = []
    for path in sorted((REPO_ROOT / "dashboard").rglob("*.py")):
        if path == REPO_ROOT / "dashboard" / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.attr if isinstance(node, ast.Attribute) else node.name if isinstance(node, ast.alias) else None
            if name in ("environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"):  # os.X, from os import X
                readers.append(f"{path.relative_to(REPO_ROOT)}:{getattr(node, 'lineno', '?')}")
    assert readers == [], readers
