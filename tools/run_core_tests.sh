#!/usr/bin/env bash
# Odoo's own tests with the add-on loaded (`make test-core`).
#
# Odoo runs most of `stock`'s tests while `stock` is installed, before any add-on is in
# the registry. The test-only module tests/core/lot_fefo_recall_core_tests re-runs Odoo's
# own test classes of CORE_MODULES as post-install tests (subclasses, nothing copied).
# This script installs it on two fresh databases (no demo data, as Odoo's own runs):
#   A: lot_fefo_recall (+ lot_fefo_recall_mrp when mrp is in CORE_MODULES) + the module,
#   B: the same Odoo modules the add-ons depend on + the module, without the add-ons,
# runs the same tests on both at once, and compares the failing tests: any test failing
# only on A fails this command (exit 1); tests failing on both are listed as pre-existing.
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

"$python" - "$logs/a.test.log" "$logs/b.test.log" "$test_module" <<'PY'
import re, sys

log_a, log_b, test_module = sys.argv[1:]
# Odoo logs each failing test as "<test module>: FAIL: Class.method" (or ERROR: ...),
# class-level errors as "ERROR: setUpClass (module.Class)"; the summary line counts.
failure = re.compile(
    r" (?:ERROR|CRITICAL) \S+ odoo\.addons\.%s\.tests\.(\S+): (FAIL|ERROR): (.+)$" % test_module
)
summary = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def read(path):
    failed, counts = {}, None
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.rstrip("\n")
            if match := failure.search(line):
                module, kind, test = match.groups()
                failed.setdefault(f"{module}: {test.strip()}", kind)
            elif match := summary.search(line):
                counts = tuple(int(n) for n in match.groups())
    return failed, counts


failed_a, counts_a = read(log_a)
failed_b, counts_b = read(log_b)
for side, counts in (("A (with the add-on)", counts_a), ("B (plain Odoo)", counts_b)):
    if counts:
        print(f"   {side}: {counts[2]} tests, {counts[0]} failed, {counts[1]} error(s)")
    else:
        print(f"   {side}: all tests passed (no failure summary in the log)")
pre_existing = sorted(set(failed_a) & set(failed_b))
only_a = sorted(set(failed_a) - set(failed_b))
only_b = sorted(set(failed_b) - set(failed_a))
if pre_existing:
    print(f"== {len(pre_existing)} failing on plain Odoo too (pre-existing, not counted):")
    for test in pre_existing:
        print(f"   {failed_a[test]}: {test}")
if only_b:
    print(f"== {len(only_b)} failing only WITHOUT the add-on (not counted):")
    for test in only_b:
        print(f"   {failed_b[test]}: {test}")
if only_a:
    print(f"== {len(only_a)} FAILING ONLY WITH THE ADD-ON:")
    for test in only_a:
        print(f"   {failed_a[test]}: {test}")
    sys.exit(1)
print("== no test fails only with the add-on")
PY
