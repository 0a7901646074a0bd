"""Deliveries per minute on a real multi-worker Odoo server, for customers without and
with a shelf life rule, measured on the same server, the same data, in the same run.

    python3 benchmarks/load_multiworker.py [--clients 4] [--seconds 60] [--workers 4]

It starts Odoo with ``--workers=W`` and a cron worker on 127.0.0.1 (free ports) through
the concurrency rig (tests/concurrency/rig.py), on a fresh database where the add-on is
installed from scratch (``LFR_CONC_TEMPLATE=<db>`` copies that database instead), and
builds over JSON-RPC: several lot-tracked products, each with many lots of varied
expiry, enough stock for every delivery of the run; customers without rule and
customers with a rule in days or in percent; one stock user per client.

N client processes, each logged in as its own user, then loop: create a delivery of one
product for one customer, confirm it (the delivery type reserves at confirmation),
mark what is reserved as picked and validate, as a picker's screen does. Phases
alternate A B B A (``--rounds`` pairs, after a warm-up), so that drift of the machine
favours neither: (a) customers without a rule, which is Odoo's own FEFO with the add-on's
rule machinery out of the picture (no rule applies, nothing is filtered by expiry), and
(b) the same flow for customers with a rule. ``--seconds`` is the measured time of each
kind in total. A delivery counts when it was validated before its phase's deadline.

Printed: deliveries per minute of each kind, the add-on's cost in % (target <= 15 %),
p50/p95 latency of one delivery (its five calls), server errors (an RPC error that is
not a user error, plus ERROR lines the server logged; must be 0), Odoo's own
serialization retries, the server's work per delivery from its access log (SQL queries,
SQL time, other time, per call), and checks on the result: every delivery done; lots
left with a stale reservation by core (when a quant is locked, core books on a new quant
of the lot; Odoo's scheduler merges them and clears the reservation), then, after that
scheduler, no lot with negative stock or stock still reserved; every lot shipped to a
rule customer meeting its rule. Exit status 1 when a check or the error count fails.
"""

import argparse
import multiprocessing
import os
import platform
import re
import statistics
import sys
import time
from datetime import date, timedelta

from _odoo import REPO

sys.path.insert(0, os.path.join(REPO, "tests", "concurrency"))

from rig import Client, Db, OdooServer, RpcError
from world import World

PRODUCTS = 4
EXPIRATION_DAYS = 365  # the products' shelf life, which percent rules are taken of
LOT_QTY = 25
DELIVERY_QTY = 10  # a delivery takes one lot, sometimes two
# Rules of the customers of phase (b): (label, minimum days, minimum percent).
RULES = [
    ("90 days", 90, None),
    ("150 days", 150, None),
    ("40 %", None, 40),
    ("60 %", None, 60),
]
# An upper bound of deliveries a second this machine could validate, to size the stock.
MAX_RATE = 3
RETRY_MARK = "tries left, try again in"
# Odoo's access log line of a JSON-RPC call: method, then the request's SQL queries, the
# seconds spent in SQL and the other seconds spent serving it (odoo.netsvc.PerfFilter)
ACCESS_LINE = re.compile(
    r'"POST /web/dataset/call_kw/[\w.]+/(\w+)[^"]*" \d+ - (\d+) ([\d.]+) ([\d.]+)'
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="client processes (4)")
    parser.add_argument(
        "--seconds", type=float, default=60, help="measured seconds of each kind (60)"
    )
    parser.add_argument("--workers", type=int, default=4, help="Odoo HTTP workers (4)")
    parser.add_argument("--rounds", type=int, default=2, help="A B pairs, alternated (2)")
    parser.add_argument("--warmup", type=float, default=10, help="warm-up seconds (10)")
    return parser.parse_args()


# --- data ---------------------------------------------------------------------------
def build(world, clients, total_seconds):
    """Products, lots and stock, customers and rules, one user per client."""
    admin = world.admin
    deliveries = MAX_RATE * total_seconds
    # each kind of customer may take every delivery; rule customers only take lots with
    # more than 60 % of their life left, about 40 % of the lots
    units = deliveries * DELIVERY_QTY / PRODUCTS / 0.4
    lots_per_product = max(100, int(units / LOT_QTY) + 1)
    products = [world.product(f"Jam{index}", EXPIRATION_DAYS) for index in range(PRODUCTS)]
    today = date.today()
    for product_id in products:
        # received, the way stock comes in: one receipt per product, a line per new lot,
        # 3 to 362 days left in scrambled order
        lines = [
            {"product_id": product_id, "lot_name": world.name(f"P{product_id}-L{index:05d}"),
             "quantity": LOT_QTY, "location_id": world.supplier_location_id,
             "location_dest_id": world.stock_location_id,
             "expiration_date": f"{today + timedelta(days=3 + index * 137 % 360)} 12:00:00"}
            for index in range(lots_per_product)
        ]  # fmt: skip
        receipt_id = admin.call(
            "stock.picking", "create",
            {"picking_type_id": world.in_type_id, "location_id": world.supplier_location_id,
             "location_dest_id": world.stock_location_id,
             "move_ids": [(0, 0, {"product_id": product_id,
                                  "product_uom_qty": LOT_QTY * lots_per_product,
                                  "location_id": world.supplier_location_id,
                                  "location_dest_id": world.stock_location_id,
                                  "move_line_ids": [(0, 0, line) for line in lines]})]},
        )  # fmt: skip
        admin.call("stock.picking", "action_confirm", [receipt_id])
        admin.call("stock.picking", "button_validate", [receipt_id])
    plain = [world.customer(f"Shop{index}") for index in range(len(RULES))]
    ruled = []
    for label, days, percent in RULES:
        partner_id = world.customer(f"Chain {label}")
        world.rule(partner_id, days=days, percent=percent)
        ruled.append(partner_id)
    logins = [world.user(f"picker{index}") for index in range(clients)]
    return products, plain, ruled, logins, lots_per_product


# --- one client process -------------------------------------------------------------
def client_loop(index, server_url, db, login, world, products, commands, results):
    """Run the phases the main process sends, as user ``login``; report each delivery
    as (phase, started, seconds, outcome, detail)."""
    client = Client(server_url, db, login, login, timeout=120)
    while True:
        command = commands.get()
        if command is None:
            return
        phase, customers, start_at, stop_at = command
        time.sleep(max(0.0, start_at - time.time()))
        rows, count = [], 0
        while time.time() < stop_at:
            customer = customers[(index + count) % len(customers)]
            product = products[(index * 3 + count) % len(products)]
            count += 1
            started = time.time()
            outcome, detail = "done", ""
            try:
                picking_id = world.delivery(client, customer, product, DELIVERY_QTY)
                result = world.validate(client, picking_id)
                if isinstance(result, dict):
                    outcome, detail = "short", str(result.get("res_model"))
            except RpcError as error:
                outcome = "user error" if error.is_user_error else "server error"
                detail = str(error)[:300]
            except Exception as error:  # a dropped connection, a timeout: the server's fault
                outcome, detail = "server error", repr(error)[:300]
            rows.append((phase, started, time.time() - started, outcome, detail))
        results.put((index, rows))


class Clients:
    """N client processes, each with its own user session, fed phase by phase."""

    def __init__(self, server, world, products, logins):
        context = multiprocessing.get_context("fork")
        self.results = context.Queue()
        self.queues = [context.Queue() for _login in logins]
        self.processes = [
            context.Process(
                target=client_loop,
                args=(index, server.url, server.db, login, world, products, queue, self.results),
                daemon=True,
            )
            for index, (login, queue) in enumerate(zip(logins, self.queues, strict=True))
        ]
        for process in self.processes:
            process.start()

    def run(self, phase, customers, seconds):
        start_at = time.time() + 1.0  # every client starts at the same moment
        stop_at = start_at + seconds
        for queue in self.queues:
            queue.put((phase, customers, start_at, stop_at))
        rows = []
        for _process in self.processes:
            # the last delivery started before the deadline may take a while to finish
            _index, client_rows = self.results.get(timeout=seconds + 300)
            rows.extend(client_rows)
        return start_at, stop_at, rows

    def close(self):
        for queue in self.queues:
            queue.put(None)
        for process in self.processes:
            process.join(30)
            if process.is_alive():
                process.kill()


# --- figures ------------------------------------------------------------------------
def percentiles(values):
    """p50 and p95 of ``values``."""
    if len(values) < 2:
        return (values or [float("nan")])[0], (values or [float("nan")])[0]
    return statistics.median(values), statistics.quantiles(values, n=20, method="inclusive")[18]


def server_work(log_text):
    """{method: [calls, queries, SQL seconds, other seconds]} of the JSON-RPC calls in
    ``log_text``, from Odoo's access log."""
    work = {}
    for method, queries, sql, other in ACCESS_LINE.findall(log_text):
        totals = work.setdefault(method, [0, 0, 0.0, 0.0])
        totals[0] += 1
        totals[1] += int(queries)
        totals[2] += float(sql)
        totals[3] += float(other)
    return work


def summarize(phases):
    """Per kind: deliveries done in time, measured seconds, latencies, outcomes."""
    kinds = {}
    for phase in phases:
        kind = kinds.setdefault(
            phase["kind"], {"done": 0, "seconds": 0.0, "latencies": [], "outcomes": {}}
        )
        kind["seconds"] += phase["stop"] - phase["start"]
        for _phase, started, seconds, outcome, _detail in phase["rows"]:
            kind["outcomes"][outcome] = kind["outcomes"].get(outcome, 0) + 1
            if outcome == "done":
                kind["latencies"].append(seconds)
                if started + seconds <= phase["stop"]:
                    kind["done"] += 1
        kind["retries"] = kind.get("retries", 0) + phase["retries"]
        kind["deliveries"] = kind.get("deliveries", 0) + len(phase["rows"])
        work = kind.setdefault("work", {})
        for method, totals in phase["work"].items():
            work[method] = [a + b for a, b in zip(work.get(method, [0] * 4), totals, strict=True)]
    for kind in kinds.values():
        kind["per_minute"] = kind["done"] * 60 / kind["seconds"]
    return kinds


def unbalanced_lots(db, products):
    """Lots (per shelf) with negative stock or stock reserved although every delivery is
    done. Per lot, not per quant: when a quant is locked by another transaction, core's
    stock.quant._update_available_quantity books on a new quant of the same lot."""
    return db.all(
        "SELECT q.product_id, q.lot_id, l.complete_name, sum(q.quantity),"
        " sum(q.reserved_quantity) FROM stock_quant q"
        " JOIN stock_location l ON l.id = q.location_id"
        " WHERE q.product_id = ANY(%s) AND l.usage = 'internal'"
        " GROUP BY q.product_id, q.lot_id, l.complete_name"
        " HAVING sum(q.quantity) < 0 OR sum(q.reserved_quantity) <> 0",
        (products,),
    )


def check(server, db, products, plain, ruled):
    """What the run left: deliveries not done; lots with negative stock or a stale
    reservation, before and after Odoo's scheduler (whose stock.quant._quant_tasks merges
    split quants and clears stale reservations); lots shipped against a rule; the fewest
    days left of the lots each kind of customer received."""
    partners = plain + ruled
    not_done = db.value(
        "SELECT count(*) FROM stock_picking WHERE partner_id = ANY(%s) AND state <> 'done'",
        (partners,),
    )
    stale = unbalanced_lots(db, products)
    server.run_cron(db, "stock.ir_cron_scheduler_action")
    bad_lots = unbalanced_lots(db, products)
    # days left of each shipped lot on the day it shipped, per customer
    rows = db.all(
        "SELECT p.partner_id, min(l.expiration_date::date - p.date_done::date)"
        " FROM stock_move_line ml JOIN stock_picking p ON p.id = ml.picking_id"
        " JOIN stock_lot l ON l.id = ml.lot_id"
        " WHERE p.partner_id = ANY(%s) AND p.state = 'done' GROUP BY p.partner_id",
        (partners,),
    )
    fewest = dict(rows)
    breaches = []
    for partner_id, (label, days, percent) in zip(ruled, RULES, strict=True):
        minimum = days if days is not None else -(-EXPIRATION_DAYS * percent // 100)
        got = fewest.get(partner_id)
        if got is not None and got < minimum:
            breaches.append(f"{label}: a lot with {got} days left")
    plain_fewest = min((fewest[p] for p in plain if p in fewest), default=None)
    ruled_fewest = {
        label: fewest.get(partner_id)
        for partner_id, (label, _d, _p) in zip(ruled, RULES, strict=True)
    }
    return not_done, stale, bad_lots, breaches, plain_fewest, ruled_fewest


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores {model}, {platform.system()}; load average {load}"


def main():
    args = parse_args()
    order = []
    for round_index in range(args.rounds):
        order += ["a", "b"] if round_index % 2 == 0 else ["b", "a"]
    phase_seconds = args.seconds / args.rounds
    print(f"machine: {machine()}")
    started = time.perf_counter()
    source = os.environ.get("LFR_CONC_TEMPLATE")
    print(
        f"starting Odoo, {args.workers} workers and a cron worker, on "
        + (f"a copy of {source}" if source else "a fresh database (installing the add-on)")
        + " ...",
        flush=True,
    )
    with OdooServer(workers=args.workers, cron_workers=1, name="h4_load") as server:
        print(f"  ready in {time.perf_counter() - started:.0f} s", flush=True)
        db = Db(server.db)
        admin = server.client()
        world = World(admin, "LOAD")
        started = time.perf_counter()
        products, plain, ruled, logins, lots = build(
            world, args.clients, args.warmup + 2 * args.seconds
        )
        print(
            f"data: {PRODUCTS} products x {lots} lots of {LOT_QTY} units (3 to 362 days left),"
            f" {len(plain)} customers without rule, {len(ruled)} with one"
            f" ({', '.join(label for label, _d, _p in RULES)}), {args.clients} users;"
            f" built in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        clients = Clients(server, world, products, logins)
        offset = server.log_offset()
        phases = []
        try:
            print(f"warm-up {args.warmup:.0f} s, then phases {' '.join(order).upper()} of"
                  f" {phase_seconds:.0f} s, {args.clients} clients ...", flush=True)  # fmt: skip
            _start, _stop, warm_rows = clients.run("warm-up", plain + ruled, args.warmup)
            for kind in order:
                before = server.log_offset()
                start, stop, rows = clients.run(
                    kind, plain if kind == "a" else ruled, phase_seconds
                )
                text = server.log_text()[before:]
                phases.append(
                    {"kind": kind, "start": start, "stop": stop, "rows": rows,
                     "retries": text.count(RETRY_MARK), "work": server_work(text)}
                )  # fmt: skip
                done = sum(1 for row in rows if row[3] == "done" and row[1] + row[2] <= stop)
                failed = [row for row in rows if row[3] != "done"]
                print(
                    f"  ({kind}) {done * 60 / (stop - start):6.1f} deliveries/min"
                    + (f", {len(failed)} failed: {failed[0][3]} {failed[0][4]}" if failed else ""),
                    flush=True,
                )
        finally:
            clients.close()
        log_errors = server.server_errors(offset)
        checks = check(server, db, products, plain, ruled)
        db.close()

    report(args, order, phases, warm_rows, log_errors, checks)


def report(args, order, phases, warm_rows, log_errors, checks):
    """Print the figures; exit with 1 when an error count or a check fails."""
    not_done, stale, bad_lots, breaches, plain_fewest, ruled_fewest = checks
    kinds = {"a": "customers without rule", "b": "customers with a rule (days or %)"}
    phase_seconds = args.seconds / args.rounds
    summary = summarize(phases)
    all_rows = warm_rows + [row for phase in phases for row in phase["rows"]]
    rpc_errors = [row for row in all_rows if row[3] == "server error"]
    user_errors = [row for row in all_rows if row[3] == "user error"]
    short = [row for row in all_rows if row[3] == "short"]
    a, b = summary["a"], summary["b"]
    cost = (1 - b["per_minute"] / a["per_minute"]) * 100 if a["per_minute"] else float("nan")
    print()
    print(
        f"{args.clients} clients, {args.workers} workers + 1 cron worker, phases"
        f" {' '.join(order).upper()} of {phase_seconds:.0f} s after a {args.warmup:.0f} s warm-up"
    )
    print(f"{'':38s} {'deliveries/min':>14s} {'p50':>7s} {'p95':>7s} {'retries':>8s}")
    for key in ("a", "b"):
        kind = summary[key]
        p50, p95 = percentiles(kind["latencies"])
        print(
            f"({key}) {kinds[key]:34s} {kind['per_minute']:14.1f}"
            f" {p50:6.2f}s {p95:6.2f}s {kind['retries']:8d}"
        )
    print(
        "    (a) is the baseline with the add-on's rule machinery out of the picture: no rule"
        " applies, nothing is filtered by expiry, lots go by Odoo's FEFO (the add-on still"
        " looks the rule up and keeps blocked and set-aside stock out)"
    )
    print(f"the add-on's cost, 1 - (b)/(a): {cost:5.1f} %   (target <= 15 %)")
    print("server work per delivery, from Odoo's access log (all calls of the phases):")
    print(f"  {'call':22s} {'(a) queries':>11s} {'SQL ms':>7s} {'other ms':>8s}"
          f"   {'(b) queries':>11s} {'SQL ms':>7s} {'other ms':>8s}")  # fmt: skip
    per_delivery = {}
    for key in ("a", "b"):
        deliveries = max(1, summary[key]["deliveries"])
        per_delivery[key] = {
            method: [value / deliveries for value in totals[1:]]
            for method, totals in summary[key]["work"].items()
        }
        per_delivery[key]["total"] = [
            sum(values[column] for values in per_delivery[key].values()) for column in range(3)
        ]
    methods = sorted(
        set(per_delivery["a"]) | set(per_delivery["b"]), key=lambda m: (m == "total", m)
    )
    for method in methods:
        row = f"  {method:22s}"
        for key in ("a", "b"):
            queries, sql, other = per_delivery[key].get(method, [0, 0, 0])
            row += f" {queries:11.1f} {sql * 1000:7.0f} {other * 1000:8.0f}  "
        print(row.rstrip())
    time_a, time_b = (
        per_delivery[key]["total"][1] + per_delivery[key]["total"][2] for key in "ab"
    )
    print(
        f"  server time per delivery (b) / (a): {time_b / time_a if time_a else float('nan'):.2f}"
        " (under load, time spent waiting for a core counts too)"
    )
    print(
        "latency: one delivery's five calls (create, confirm which reserves, read and mark picked,"
        " validate); retries: Odoo's own serialization retries logged during the phases"
    )
    print(
        f"server errors: {len(rpc_errors)} RPC errors that are not user errors,"
        f" {len(log_errors)} ERROR lines in the server log (must be 0 and 0);"
        f" user errors: {len(user_errors)}; deliveries left short: {len(short)}"
    )
    print(f"checks: {not_done} deliveries not done (must be 0)")
    print(
        f"  {len(stale)} lots left with a stale reservation by core's quant locking (Odoo"
        " alone does the same); after Odoo's scheduler, which clears them:"
        f" {len(bad_lots)} lots with negative stock or stock still reserved (must be 0)"
    )
    print(
        f"  fewest days left of a lot shipped: without rule {plain_fewest}; with rule "
        + ", ".join(f"{label} -> {got}" for label, got in ruled_fewest.items())
        + (f"; RULE BREACHES: {'; '.join(breaches)}" if breaches else " (every rule met)")
    )
    print(f"machine: {machine()}")
    for row in (rpc_errors + user_errors)[:5]:
        print(f"  {row[3]}: {row[4]}")
    for lot in bad_lots[:5]:
        print(f"  lot (product, lot, location, quantity, reserved): {lot}")
    for line in log_errors[:10]:
        print(f"  log: {line[:300]}")
    if rpc_errors or log_errors or short or not_done or bad_lots or breaches:
        sys.exit(1)


if __name__ == "__main__":
    main()
