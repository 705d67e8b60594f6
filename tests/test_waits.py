"""Every wait in the tests takes its limit from tests/waits.py, so one setting (ASL_TEST_TIMEOUT_SCALE)
moves them all and a busy machine does not fail the suite on a fixed 30 s."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from waits import WAIT_MS, WAIT_S, timeout_scale

TESTS = Path(__file__).resolve().parent
# A number of seconds is allowed only times TIMEOUT_SCALE (a wait known to need longer than WAIT_S).
# Playwright's limits count milliseconds (four digits and more); a short timeout=N in seconds is the
# product's own deadline under test (a webhook, a database read), not a wait of the test's.
FIXED = re.compile(r"(?:\b(?:timeout|timeout_ms|default_timeout)=(?=\d{4})|monotonic\(\) \+ )\d+(?![\d.\s]*\*\s*TIMEOUT_SCALE)")


def _sources():
    return [path for path in sorted(TESTS.rglob("*.py")) if path.name not in ("waits.py", "test_waits.py")]


def test_no_test_waits_on_a_fixed_literal():
    found = [f"{path.name}:{number}: {line.strip()}" for path in _sources()
             for number, line in enumerate(path.read_text().splitlines(), 1) if FIXED.search(line)]
    assert not found, "take the limit from tests/waits.py (WAIT_S, WAIT_MS, TIMEOUT_SCALE):\n" + "\n".join(found)


def test_every_browser_context_and_server_gets_the_setting():
    """Contexts come from waits.new_context (which sets the default timeout of every Playwright wait),
    servers from waits.streamlit_server (which waits WAIT_S for health)."""
    found = [f"{path.name}: {pattern}" for path in _sources()
             for pattern in (r"browser\.new_context\(", r"browser\.new_page\(", r"StreamlitServer\(", r"wait_healthy\(\w+, \w+\)")
             if re.search(pattern, path.read_text())]
    assert not found, found


def test_the_limits_are_generous():
    assert WAIT_S >= 120 and WAIT_MS == WAIT_S * 1000


@pytest.mark.parametrize("raw, scale", [(None, 1.0), ("", 1.0), ("2", 2.0), ("0.5", 0.5)])
def test_the_scale(raw, scale):
    assert timeout_scale(raw) == scale


@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "soon"])
def test_a_bad_scale_is_refused(raw):
    with pytest.raises(ValueError, match="ASL_TEST_TIMEOUT_SCALE"):
        timeout_scale(raw)
