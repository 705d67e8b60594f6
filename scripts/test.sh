#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine, then the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The PostgreSQL ingest tests start a throwaway server (bench/pgserver.py) with Debian's binaries.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing Debian's postgresql for the PostgreSQL ingest tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# Three workers, each taking whole files (a file's module fixtures, such as its streamlit server, start
# once): the browser tests wait on Chromium and the server, so a third worker fills the two cores.
exec python3 -m pytest -n 3 --dist loadfile "$@"
