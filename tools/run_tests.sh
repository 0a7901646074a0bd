#!/usr/bin/env bash
# The project's test command (`make test` calls it; so does `.ci/run`).
#
# Creates a fresh PostgreSQL database, installs lot_fefo_recall and its manufacturing
# bridge lot_fefo_recall_mrp there from scratch (with Odoo's demo data, so the demo
# story is tested too), runs both add-ons' tests with pytest-odoo, checks that they
# also install without demo data, and drops both databases. Connection: the usual PG*
# variables, default 127.0.0.1:5432 as the current user. Extra arguments go to pytest
# (e.g. -k receipt).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${ODOO_PYTHON:-python3}

if ! "$python" -c 'import sys, odoo.release as r; sys.exit(0 if r.version_info[0] == 19 else 1)' 2>/dev/null; then
    echo "ERROR: Odoo 19 is not importable with '$python'." >&2
    echo "Install Odoo 19.0 (e.g. 'pip install -e <odoo source tree>' with its requirements)" >&2
    echo "or set ODOO_PYTHON to the interpreter that has it. No test was run." >&2
    exit 2
fi
for tool in pytest_odoo freezegun websocket; do
    if ! "$python" -c "import $tool" 2>/dev/null; then
        echo "ERROR: the Python module '$tool' is missing: $python -m pip install -r requirements-dev.txt" >&2
        exit 2
    fi
done

export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-$(id -un)}
odoo_addons=$("$python" -c 'import odoo.addons, os; print(",".join(p for p in odoo.addons.__path__ if os.path.isdir(p)))')
addons_path="$here,$odoo_addons"
addons=lot_fefo_recall,lot_fefo_recall_mrp
stamp="$(date +%Y%m%d%H%M%S)_$$"
db="lot_fefo_recall_test_$stamp"
db_nodemo="lot_fefo_recall_nodemo_$stamp"
conf=$(mktemp --suffix=.conf)
logs=$(mktemp -d)

cleanup() {
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    dropdb --if-exists "$db_nodemo" >/dev/null 2>&1 || true
    rm -rf "$conf" "$logs"
}
trap cleanup EXIT

cat > "$conf" <<CONF
[options]
addons_path = $addons_path
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
http_interface = 127.0.0.1
http_port = ${ODOO_TEST_HTTP_PORT:-8169}
list_db = False
CONF

install() {  # install DB [odoo options...]
    local target=$1; shift
    echo "== installing $addons in a new database $target $*"
    if ! "$python" -m odoo -c "$conf" -d "$target" -i "$addons" --stop-after-init \
            --log-level=warn "$@" > "$logs/$target.log" 2>&1 \
        || grep -E "(ERROR|CRITICAL) $target " "$logs/$target.log" >/dev/null; then
        echo "ERROR: installing $addons in $target failed:" >&2
        grep -E -A30 "(ERROR|CRITICAL) $target " "$logs/$target.log" >&2 || tail -50 "$logs/$target.log" >&2
        exit 1
    fi
}

# Both installs at once: they are independent and each mostly waits on one core.
install "$db" --with-demo &
with_demo=$!
install "$db_nodemo" &
without_demo=$!
status=0
wait "$with_demo" || status=1
wait "$without_demo" || status=1
[ "$status" -eq 0 ] || exit 1

echo "== running the tests on $db"
cd "$here"
# --odoo-http serves the database for the browser tours (HttpCase); they need Chromium.
"$python" -m pytest -p no:cacheprovider --odoo-config="$conf" --odoo-database="$db" --odoo-http \
    lot_fefo_recall/tests lot_fefo_recall_mrp/tests "$@"
