#!/usr/bin/env bash
# The concurrency rig (`make test-concurrency`; `.ci/run` runs it after `make test`).
#
# Starts a real Odoo 19 server with two HTTP workers and a cron worker on 127.0.0.1
# (free ports), on a fresh database where lot_fefo_recall is installed from scratch,
# drives it with concurrent JSON-RPC clients (tests/concurrency), then stops the server
# and drops the database. Every wait is bounded; pytest-timeout stops a stuck test.
# LFR_CONC_TEMPLATE=<db> copies that database instead of installing (quicker while
# developing). Extra arguments go to pytest (e.g. -k quarantine, or a test file).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${ODOO_PYTHON:-python3}
if ! "$python" -c 'import sys, odoo.release as r; sys.exit(0 if r.version_info[0] == 19 else 1)' 2>/dev/null; then
    echo "ERROR: Odoo 19 is not importable with '$python': the concurrency rig needs it." >&2
    exit 2
fi
if ! "$python" -c 'import pytest_timeout' 2>/dev/null; then
    echo "ERROR: pytest-timeout is missing: $python -m pip install -r requirements-dev.txt" >&2
    exit 2
fi
export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-$(id -un)}
cd "$here"
targets=(tests/concurrency)
for arg in "$@"; do
    case $arg in tests/concurrency*) targets=() ;; esac
done
# -p no:odoo: these tests are plain clients of a server, not Odoo tests in-process.
exec "$python" -m pytest -p no:cacheprovider -p no:odoo --timeout=300 "${targets[@]}" "$@"
