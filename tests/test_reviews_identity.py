"""Who writes a review (DESIGN 12): the signed-in person; without sign-in nobody, unless `serve
--single-user` started the server, which records the operating-system user. The review pages' URL
parameters and links."""
from __future__ import annotations

import datetime as dt
import getpass
import subprocess
import sys
import urllib.parse

import pytest

from dashboard import links, settings
from dashboard.auth import actor_for
from dashboard.params import ParamError, check_review_id
from dashboard.reviews.actions import os_actor
from waits import WAIT_S

OS_USER = "os:" + getpass.getuser()


@pytest.mark.parametrize("state, email, single_user, actor", [
    ("allowed", "lead@example.com", False, "lead@example.com"),
    ("allowed", "lead@example.com", True, "lead@example.com"),  # signed in: always the person, never the OS user
    ("allowed", "Lead@EXAMPLE.com", False, "Lead@example.com"),  # one spelling of an address per person
    ("allowed", "eve@evil.org\n@example.com", False, None),  # not one well-formed address: nobody
    ("allowed", "", False, None),
    ("local", None, False, None),  # no sign-in: read-only
    ("local", None, True, OS_USER),  # serve --single-user
    ("signed_out", None, True, None),
    ("denied", "eve@evil.org", True, None),
    ("refused", None, True, None),  # local mode on an open address: no data, no writing
])
def test_the_actor_is_the_sessions_own_identity(state, email, single_user, actor):
    assert actor_for(state, email, single_user=single_user, os_user=OS_USER) == actor


@pytest.mark.parametrize("value, single", [("1", True), ("0", False), ("", False), ("true", False), (None, False)])
def test_single_user_is_on_only_when_serve_set_it(value, single):
    environ = {} if value is None else {settings.SINGLE_USER: value}
    assert settings.single_user(environ) is single


def test_the_operating_system_user_is_named_os_user():
    assert os_actor() == OS_USER


@pytest.mark.parametrize("arguments", [
    ["--address", "0.0.0.0", "--insecure-allow-anyone", "--single-user"],
    ["--insecure-allow-anyone", "--single-user"],
])
def test_serve_refuses_single_user_where_others_could_write_as_you(arguments, tmp_path):
    result = subprocess.run([sys.executable, "-m", "dashboard", "serve", *arguments], capture_output=True, text=True,
                            timeout=WAIT_S, env={**settings.child_environment(), "ASL_AUDIT_LOG": str(tmp_path / "a.jsonl")})
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: --single-user is for one person on this machine, without sign-in (anyone "
                                     "who can reach this server would write reviews as you)")


@pytest.mark.parametrize("text", ["R1", "R12", "R999999999999"])
def test_a_review_id_is_r_and_a_number(text):
    assert check_review_id(text) == text


@pytest.mark.parametrize("text", ["R0", "r1", "R01", "1", "D2", "R1 ", "R1;drop", "<img src=x>", "R" + "9" * 13])
def test_anything_else_is_refused_in_one_line(text):
    with pytest.raises(ParamError) as refused:
        check_review_id(text)
    assert "\n" not in str(refused.value) and "is not a review id" in str(refused.value)


def test_no_id_is_the_new_review_form():
    assert check_review_id(None) is None and check_review_id("") is None


def test_the_pinned_view_opens_exactly_the_view_the_review_names():
    as_of = dt.date(2025, 6, 1)
    snapshot = "20261206T231200Z-3f9a1c2b"
    assert links.pinned_view_path("base", 3, "cyber & bio", as_of, "rsp-v2", snapshot) == (
        "/reclassify?model=base&asl=3&domain=cyber+%26+bio&as_of=2025-06-01&policy=rsp-v2&snapshot=" + snapshot)
    assert links.pinned_view_path("base", None, None, as_of, None, snapshot) == (
        "/trajectory?model=base&as_of=2025-06-01&snapshot=" + snapshot)
    assert links.pinned_view_path(None, None, None, as_of, None, None) == "/?as_of=2025-06-01"
    assert links.review_path("R12") == "/review?id=R12"


def test_open_a_review_of_this_scenario_carries_the_scenario_and_pins_the_view():
    params = links.new_review_params("a&b", 3, None, dt.date(2025, 6, 1), None, "20261206T231200Z-3f9a1c2b")
    assert params == {"model": "a&b", "new_asl": "3", "as_of": "2025-06-01", "snapshot": "20261206T231200Z-3f9a1c2b"}
    assert urllib.parse.parse_qs(urllib.parse.urlencode(params))["model"] == ["a&b"]
