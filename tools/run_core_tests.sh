#!/usr/bin/env bash
# Odoo's own tests with the add-on loaded (`make test-core`).
#
# Odoo runs most of `stock`'s tests while `stock` is installed, before any add-on is in
# the registry. The test-only module tests/core/lot_fefo_recall_core_tests re-runs Odoo's
# own test classes of CORE_MODULES as post-install tests (subclasses, nothing copied).
# This script installs it on two fresh databases (no demo data, as Odoo's own runs):
#   A: lot_fefo_recall (+ lot_fefo_recall_mrp when mrp is in CORE_MODULES) + the module,
#   B: the same Odoo modules the add-ons depend on + the module, without the add-ons,
# runs the same tests on both at once, and compares the failing tests: a test failing only
# on A (and again when run alone) fails this command (exit 1); tests failing on both are
# listed as pre-existing. The logs are compared by tools/core_tests_report.py.
#
#   make test-core                                               # stock product_expiry
#   CORE_MODULES="stock product_expiry sale_stock purchase_stock mrp" make test-core
#   bash tools/run_core_tests.sh :TestStockLot                   # a subset (test-tags spec
#        appended to /lot_fefo_recall_core_tests: ":Class", ":Class.test_method")
#
# CORE_KEEP=1 keeps the databases and logs; CORE_HTTP_PORT (default 8171) and the next
# port serve the two databases to the browser tours. Connection: the usual PG* variables.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${ODOO_PYTHON:-python3}
if ! "$python" -c 'import sys, odoo.release as r; sys.exit(0 if r.version_info[0] == 19 else 1)' 2>/dev/null; then
    echo "ERROR: Odoo 19 is not importable with '$python'. No test was run." >&2
    exit 2
fi

export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-$(id -un)}
export CORE_MODULES=${CORE_MODULES:-stock product_expiry}
read -r -a core_modules <<< "${CORE_MODULES//,/ }"
export CORE_MODULES="${core_modules[*]}"  # read by the test module (tests/mirror.py)
http_port=${CORE_HTTP_PORT:-8171}
test_module=lot_fefo_recall_core_tests
filter=${1:-}

odoo_addons=$("$python" -c 'import odoo.addons, os; print(",".join(p for p in odoo.addons.__path__ if os.path.isdir(p)))')
addons_path="$here,$here/tests/core,$odoo_addons"

addons=lot_fefo_recall
for module in "${core_modules[@]}"; do
    [ "$module" = mrp ] && addons=lot_fefo_recall,lot_fefo_recall_mrp
done
# B gets every Odoo module the add-ons depend on, so that the only difference between
# the databases is the add-ons themselves (not sale_stock, account, ...).
plain=$("$python" - "$here" "$addons" <<'PY'
import ast, pathlib, sys
root, ours = pathlib.Path(sys.argv[1]), sys.argv[2].split(",")
deps = []
for name in ours:
    manifest = ast.literal_eval((root / name / "__manifest__.py").read_text())
    deps += [dep for dep in manifest.get("depends", []) if dep not in ours and dep not in deps]
print(",".join(deps))
PY
)
modules_csv=$(IFS=,; echo "${core_modules[*]}")
stamp="$(date +%Y%m%d%H%M%S)_$$"
db_a="lot_fefo_recall_core_a_$stamp"
db_b="lot_fefo_recall_core_b_$stamp"
logs=$(mktemp -d)

cleanup() {
    if [ -n "${CORE_KEEP:-}" ]; then
        echo "kept: databases $db_a $db_b, logs in $logs"
        return
    fi
    dropdb --if-exists "$db_a" >/dev/null 2>&1 || true
    dropdb --if-exists "$db_b" >/dev/null 2>&1 || true
    rm -rf "$logs"
}
trap cleanup EXIT

write_conf() {  # write_conf FILE PORT
    cat > "$1" <<CONF
[options]
addons_path = $addons_path
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
http_interface = 127.0.0.1
http_port = $2
list_db = False
CONF
}
write_conf "$logs/a.conf" "$http_port"
write_conf "$logs/b.conf" "$((http_port + 1))"

run() {  # run a|b DB MODULES: install, then run the mirrored tests
    local side=$1 db=$2 modules=$3 start
    start=$(date +%s)
    if ! "$python" -m odoo -c "$logs/$side.conf" -d "$db" -i "$modules" --stop-after-init \
            --log-level=warn > "$logs/$side.install.log" 2>&1 \
        || grep -E "(ERROR|CRITICAL) $db " "$logs/$side.install.log" >/dev/null; then
        echo "ERROR: installing $modules in $db failed:" >&2
        grep -E -A30 "(ERROR|CRITICAL) $db " "$logs/$side.install.log" >&2 \
            || tail -50 "$logs/$side.install.log" >&2
        return 2
    fi
    echo "   $side: installed in $(($(date +%s) - start)) s, running the tests"
    start=$(date +%s)
    # The exit status says "some test failed", which the comparison below judges.
    "$python" -m odoo -c "$logs/$side.conf" -d "$db" --test-tags "/$test_module$filter" \
        --stop-after-init --log-level=test > "$logs/$side.test.log" 2>&1 || true
    echo "   $side: tests ran in $(($(date +%s) - start)) s"
    if ! grep -q "post-tests in" "$logs/$side.test.log"; then
        echo "ERROR: the test run on $db did not finish:" >&2
        tail -50 "$logs/$side.test.log" >&2
        return 2
    fi
}

echo "== Odoo's own tests of: ${core_modules[*]}"
echo "   A: $db_a with $addons,$test_module"
echo "   B: $db_b with $plain,$test_module (no add-on)"
begin=$(date +%s)
# Both at once: they are independent and each mostly keeps one core busy.
run a "$db_a" "$addons,$modules_csv,$test_module" &
job_a=$!
run b "$db_b" "$plain,$modules_csv,$test_module" &
job_b=$!
status=0
wait "$job_a" || status=$?
wait "$job_b" || status=$?
[ "$status" -eq 0 ] || exit "$status"
echo "   wall time: $(($(date +%s) - begin)) s"

report="$python $here/tools/core_tests_report.py"
# A test failing only with the add-on runs again, alone, on A: browser tours time out on
# a loaded machine. Only what fails again counts.
retry_specs=$($report specs "$logs/a.test.log" "$logs/b.test.log" | paste -sd, -)
retry_log=
if [ -n "$retry_specs" ]; then
    echo "   running again on A what failed only there: $retry_specs"
    "$python" -m odoo -c "$logs/a.conf" -d "$db_a" --test-tags "$retry_specs" \
        --stop-after-init --log-level=test > "$logs/a.retry.log" 2>&1 || true
    retry_log="$logs/a.retry.log"
fi
$report report "$logs/a.test.log" "$logs/b.test.log" $retry_log
