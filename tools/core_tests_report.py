"""Compare the logs of tools/run_core_tests.sh (Odoo's own tests, with and without the add-on).

    core_tests_report.py specs A_LOG B_LOG            -> --test-tags specs of the tests
                                                         failing only on A (one a line)
    core_tests_report.py report A_LOG B_LOG [RETRY]   -> the summary; exit 1 when a test
                                                         fails only with the add-on

RETRY is the log of a second run, on A, of the tests that failed only there: a test that
passes then is reported as unstable (browser tours on a loaded machine), not counted.
"""

import re
import sys

MODULE = "lot_fefo_recall_core_tests"
# Odoo logs each failing test as "<python module>: FAIL: Class.method" (or ERROR: ...);
# a class that fails to set up as "ERROR: setUpClass (python.module.Class)"; subtests as
# "FAIL: Subtest Class.method (params)". The summary line counts them.
FAILURE = re.compile(
    r" (?:ERROR|CRITICAL) \S+ odoo\.addons\.%s\.tests\.(\S+): (FAIL|ERROR): (.+)$" % MODULE
)
STARTED = re.compile(r" odoo\.addons\.%s\.tests\.\S+: Starting (\S+) \.\.\." % MODULE)
SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def read(path):
    """({test id: FAIL|ERROR}, number of tests started) of one Odoo log."""
    failed, started = {}, 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if match := FAILURE.search(line):
                module, kind, test = match.groups()
                failed.setdefault(f"{module}: {test.strip()}", kind)
            elif STARTED.search(line):
                started += 1
    return failed, started


def spec(test_id):
    """The --test-tags spec that runs `test_id` again (its class when no method is named)."""
    test = test_id.split(": ", 1)[1].removeprefix("Subtest ")
    if match := re.match(r"\w+ \((?:\S+\.)?(\w+)\)", test):  # setUpClass (module.Class)
        return f"/{MODULE}:{match[1]}"
    class_name, _, method = test.split(" ", 1)[0].partition(".")
    return f"/{MODULE}:{class_name}" + (f".{method}" if method else "")


def main(mode, log_a, log_b, retry=None):
    failed_a, run_a = read(log_a)
    failed_b, run_b = read(log_b)
    only_a = sorted(set(failed_a) - set(failed_b))
    if mode == "specs":
        print("\n".join(dict.fromkeys(spec(test) for test in only_a)))
        return 0
    print(f"   A (with the add-on): {run_a} tests, {len(failed_a)} failing")
    print(f"   B (plain Odoo):      {run_b} tests, {len(failed_b)} failing")
    if run_a != run_b:
        print("   WARNING: the two databases did not run the same number of tests")
    unstable = []
    if retry and only_a:
        failed_again, _ = read(retry)
        unstable = [test for test in only_a if test not in failed_again]
        only_a = [test for test in only_a if test in failed_again]
    sections = (
        (
            "failing on plain Odoo too (pre-existing, not counted)",
            sorted(set(failed_a) & set(failed_b)),
            failed_a,
        ),
        (
            "failing only WITHOUT the add-on (not counted)",
            sorted(set(failed_b) - set(failed_a)),
            failed_b,
        ),
        (
            "failing once with the add-on, passing when run again (unstable, not counted)",
            unstable,
            failed_a,
        ),
        ("FAILING ONLY WITH THE ADD-ON", only_a, failed_a),
    )
    for title, tests, kinds in sections:
        if tests:
            print(f"== {len(tests)} {title}:")
            for test in tests:
                print(f"   {kinds[test]}: {test}")
    if only_a:
        return 1
    print("== no test fails only with the add-on")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
