#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine, then the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
apt_install() {
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq && APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests ..."
    apt_install chromium
fi
# The headless-only build of the same Chromium (what Playwright runs headless tests on): the browser
# tests use it where it is installed, and cost about a fifth less CPU; without it they use chromium.
if ! command -v chromium-headless-shell >/dev/null 2>&1; then
    echo "Installing Debian's chromium-headless-shell for the browser tests ..."
    apt_install chromium-headless-shell || echo "chromium-headless-shell is not available: the browser tests use chromium"
fi
# The PostgreSQL ingest tests start a throwaway server (bench/pgserver.py) with Debian's binaries.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing Debian's postgresql for the PostgreSQL ingest tests ..."
    apt_install postgresql
fi
# `serve --replicas` and its tests put Debian's nginx in front of the dashboard's processes.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "Installing Debian's nginx for the proxy tests ..."
    apt_install nginx-light || apt_install nginx
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# Three workers, each taking whole files (a file's module fixtures, such as its streamlit server, start
# once): the browser tests wait on Chromium and the server, so a third worker fills the two cores.
exec python3 -m pytest -n 3 --dist loadfile "$@"
