"""Recall trace of one raw lot in a database of 1,000,000 stock move lines, against
Odoo's own traceability report unfolded down to every customer delivery.

    python3 benchmarks/recall_trace.py [--db DB] [--core-db DB] [--lines 1000000]

The raw lot R0 is received, then made into 5 lots (level 1), each of those into 5 lots
(level 2), each of those into 4 lots (level 3): 130 manufacturing orders. Each of the 100
level-3 lots is shipped 20 times: 2,000 customer deliveries. The rest of the table is
other lots' moves, bulk-loaded with SQL. mrp is installed so that Odoo's report can
follow manufacturing (its Upstream/Downstream Traceability).

Odoo's side is what a user clicks through: the lot's traceability report, then for
every consumption its downstream traceability (the lots made from it), then each of
those lots' report, and so on. It runs on a second database with only Odoo's modules
(stock, mrp, product_expiry, sale_stock) and the same data, so that it has none of the
add-on's indexes. ``--core-db`` reuses such a database, already loaded.
"""

import argparse
import time

from _odoo import measure, odoo_env, parse_args

FAN_OUT = (5, 5, 4)  # lots made from each lot, per manufacturing level
DELIVERIES_PER_LOT = 20
NOISE_LOTS = 50_000
CORE_MODULES = "stock,mrp,product_expiry,sale_stock"


def insert(cr, table, rows):
    """Insert dict rows (same keys) in one statement; return their ids in order."""
    if not rows:
        return []
    columns = list(rows[0])
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = ", ".join(
        cr.mogrify(placeholders, [row[c] for c in columns]).decode() for row in rows
    )
    cr.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} RETURNING id")
    return [row[0] for row in cr.fetchall()]


def build(env, total_lines):
    cr = env.cr
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    stock = warehouse.lot_stock_id
    supplier = env.ref("stock.stock_location_suppliers")
    customer_loc = env.ref("stock.stock_location_customers")
    Product = env["product.product"]
    products = [
        Product.create({"name": name, "is_storable": True, "tracking": "lot"})
        for name in ("Raw", "Level 1", "Level 2", "Level 3")
    ]
    production_loc = products[0].property_stock_production
    uom = products[0].uom_id.id
    vendor = env["res.partner"].create({"name": "Bench Vendor", "is_company": True})
    customers = env["res.partner"].create(
        [{"name": f"Customer {i:03d}", "email": f"c{i}@example.com"} for i in range(500)]
    )
    env.flush_all()
    now = "2026-06-01 10:00:00"
    base_line = {
        "company_id": company.id,
        "date": now,
        "product_uom_id": uom,
        "state": "done",
        "picked": True,
    }
    base_move = {
        "company_id": company.id,
        "date": now,
        "product_uom": uom,
        "procure_method": "make_to_stock",
        "state": "done",
        "picked": True,
    }

    def lots(product, names):
        return insert(
            cr,
            "stock_lot",
            [{"name": n, "product_id": product.id, "company_id": company.id} for n in names],
        )

    def moves_and_lines(specs):
        """specs: dicts with product, lot, qty, src, dest and optional picking,
        partner, raw_production, production; returns the move line ids."""
        move_ids = insert(
            cr,
            "stock_move",
            [
                dict(
                    base_move,
                    product_id=s["product"].id,
                    product_uom_qty=s["qty"],
                    quantity=s["qty"],
                    product_qty=s["qty"],
                    location_id=s["src"].id,
                    location_dest_id=s["dest"].id,
                    picking_id=s.get("picking"),
                    partner_id=s.get("partner"),
                    raw_material_production_id=s.get("raw_production"),
                    production_id=s.get("production"),
                )
                for s in specs
            ],
        )
        return insert(
            cr,
            "stock_move_line",
            [
                dict(
                    base_line,
                    move_id=move_id,
                    product_id=s["product"].id,
                    lot_id=s["lot"],
                    quantity=s["qty"],
                    quantity_product_uom=s["qty"],
                    location_id=s["src"].id,
                    location_dest_id=s["dest"].id,
                    picking_id=s.get("picking"),
                )
                for move_id, s in zip(move_ids, specs, strict=True)
            ],
        )

    # the receipt of R0
    [raw_lot] = lots(products[0], ["R0"])
    [receipt] = insert(
        cr,
        "stock_picking",
        [
            {
                "name": "BENCH/IN/1",
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": supplier.id,
                "location_dest_id": stock.id,
                "move_type": "direct",
                "state": "done",
                "partner_id": vendor.id,
                "company_id": company.id,
                "date_done": now,
                "scheduled_date": now,
            }
        ],
    )
    moves_and_lines(
        [
            {
                "product": products[0],
                "lot": raw_lot,
                "qty": 10000,
                "src": supplier,
                "dest": stock,
                "picking": receipt,
            }
        ]
    )

    # three manufacturing levels
    level_lots = [raw_lot]
    mo_count = 0
    for level, fan_out in enumerate(FAN_OUT, start=1):
        product, parent_product = products[level], products[level - 1]
        made = []
        for parent in level_lots:
            children = lots(product, [f"L{level}-{parent}-{i}" for i in range(fan_out)])
            for child in children:
                mo_count += 1
                [mo] = insert(
                    cr,
                    "mrp_production",
                    [
                        {
                            "name": f"BENCH/MO/{mo_count}",
                            "product_id": product.id,
                            "product_qty": 10,
                            "product_uom_id": uom,
                            "company_id": company.id,
                            "location_src_id": stock.id,
                            "location_dest_id": stock.id,
                            "picking_type_id": warehouse.manu_type_id.id,
                            "date_start": now,
                            "consumption": "flexible",
                            "state": "done",
                        }
                    ],
                )
                [raw_line] = moves_and_lines(
                    [
                        {
                            "product": parent_product,
                            "lot": parent,
                            "qty": 10,
                            "src": stock,
                            "dest": production_loc,
                            "raw_production": mo,
                        }
                    ]
                )
                [fin_line] = moves_and_lines(
                    [
                        {
                            "product": product,
                            "lot": child,
                            "qty": 10,
                            "src": production_loc,
                            "dest": stock,
                            "production": mo,
                        }
                    ]
                )
                cr.execute(
                    "INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id)"
                    " VALUES (%s, %s)",
                    (fin_line, raw_line),
                )
            made += children
        level_lots = made

    # 2,000 customer deliveries of the level-3 lots
    specs = []
    pickings = insert(
        cr,
        "stock_picking",
        [
            {
                "name": f"BENCH/OUT/{i}",
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": stock.id,
                "location_dest_id": customer_loc.id,
                "move_type": "direct",
                "state": "done",
                "partner_id": customers[i % len(customers)].id,
                "company_id": company.id,
                "date_done": now,
                "scheduled_date": now,
            }
            for i in range(len(level_lots) * DELIVERIES_PER_LOT)
        ],
    )
    for index, picking in enumerate(pickings):
        specs.append(
            {
                "product": products[3],
                "lot": level_lots[index // DELIVERIES_PER_LOT],
                "qty": 0.5,
                "src": stock,
                "dest": customer_loc,
                "picking": picking,
                "partner": customers[index % len(customers)].id,
            }
        )
    moves_and_lines(specs)

    # the other lots' moves, up to the total
    cr.execute("SELECT count(*) FROM stock_move_line")
    missing = total_lines - cr.fetchone()[0]
    noise_lot_ids = lots(products[3], [f"N{i:06d}" for i in range(NOISE_LOTS)])
    [noise_move] = insert(
        cr,
        "stock_move",
        [
            dict(
                base_move,
                product_id=products[3].id,
                product_uom_qty=1,
                quantity=1,
                product_qty=1,
                location_id=stock.id,
                location_dest_id=customer_loc.id,
            )
        ],
    )
    cr.execute(
        """
        INSERT INTO stock_move_line (company_id, date, product_uom_id, state, picked, move_id,
                                     product_id, lot_id, quantity, quantity_product_uom,
                                     location_id, location_dest_id)
        SELECT %(company)s, %(now)s, %(uom)s, 'done', TRUE, %(move)s, %(product)s,
               %(first_lot)s + (g %% %(lots)s), 1, 1,
               CASE WHEN g %% 3 = 0 THEN %(supplier)s ELSE %(stock)s END,
               CASE WHEN g %% 3 = 0 THEN %(stock)s ELSE %(customer)s END
          FROM generate_series(1, %(missing)s) g
        """,
        {
            "company": company.id,
            "now": now,
            "uom": uom,
            "move": noise_move,
            "product": products[3].id,
            "first_lot": noise_lot_ids[0],
            "lots": NOISE_LOTS,
            "supplier": supplier.id,
            "stock": stock.id,
            "customer": customer_loc.id,
            "missing": missing,
        },
    )
    cr.execute("ANALYZE stock_move_line")
    cr.execute("ANALYZE stock_move")
    cr.execute("ANALYZE stock_lot")
    cr.execute("ANALYZE stock_move_line_consume_rel")
    env.invalidate_all()
    return env["stock.lot"].browse(raw_lot), mo_count, len(pickings)


def odoo_report_unfolded(env, lot):
    """Odoo's traceability report for ``lot``, unfolded downstream down to every customer
    delivery. Return (report lines seen, customer deliveries found)."""
    report = env["stock.traceability.report"]
    seen_lots = set()
    todo = [lot.id]
    seen_lines = 0
    deliveries = 0
    while todo:
        lot_id = todo.pop()
        if lot_id in seen_lots:
            continue
        seen_lots.add(lot_id)
        lines = report.with_context(active_id=lot_id, model="stock.lot").get_lines()
        seen_lines += len(lines)
        for line in lines:
            if line["picking_type_code"] == "outgoing":
                deliveries += 1
            if line["is_used"]:
                made = report.with_context(
                    active_id=line["model_id"], model="stock.move.line", lot_name=line["lot_name"]
                ).get_lines()
                seen_lines += len(made)
                todo += [made_line["lot_id"] for made_line in made]
    return seen_lines, deliveries


def load(env, lines):
    """The benchmark's data, bulk-loaded unless ``env``'s database already has it."""
    lot = env["stock.lot"].search([("name", "=", "R0")], limit=1)
    if lot:
        print(f"  {env.cr.dbname}: data already loaded", flush=True)
        return lot
    started = time.perf_counter()
    print(f"  {env.cr.dbname}: bulk-loading {lines:,} stock move lines ...", flush=True)
    lot, mo_count, delivery_count = build(env, lines)
    env.cr.commit()
    env.cr.execute("SELECT count(*) FROM stock_move_line")
    print(
        f"  {env.cr.fetchone()[0]:,} move lines, {mo_count} manufacturing orders, "
        f"{delivery_count:,} deliveries of the traced lot's descendants "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return lot


def main():
    args = parse_args(
        __doc__,
        modules="lot_fefo_recall,mrp",
        lines={"type": int, "default": 1_000_000},
        repeat={"type": int, "default": 3},
        core_db={"help": f"existing database with only {CORE_MODULES}, data loaded"},
    )
    with odoo_env(args) as env:
        raw_lot = load(env, args.lines)
        Recall = env["stock.recall"]
        query_runs, action_runs = [], []
        for _i in range(args.repeat):
            with measure(env) as query:
                trace = env["stock.recall.trace"]._trace_lots(raw_lot, env.company)
            query_runs.append(query)
            recall = Recall.create({"reason": "benchmark", "lot_ids": [(6, 0, raw_lot.ids)]})
            with measure(env) as action:
                recall.action_trace()
            action_runs.append(action)
        query = min(query_runs, key=lambda r: r["seconds"])
        action = min(action_runs, key=lambda r: r["seconds"])
        ours_deliveries = sum(1 for line in trace["lines"] if line["line_type"] == "delivery")
        lot_count, line_count = len(trace["lot_ids"]), len(recall.line_ids)
        customer_count = len(recall.customer_ids)
        env.cr.rollback()

    # Odoo's own report, on a database without the add-on (nor its lot_id index)
    core_args = argparse.Namespace(
        db=args.core_db, keep=args.keep, modules=CORE_MODULES, db_suffix="_core"
    )
    with odoo_env(core_args) as env:
        core_lot = load(env, args.lines)
        core_runs = []
        for _i in range(args.repeat):
            with measure(env) as core:
                core_lines, core_deliveries = odoo_report_unfolded(env, core_lot)
            core_runs.append(core)
        core = min(core_runs, key=lambda r: r["seconds"])
        env.cr.rollback()

    print()
    print(
        f"trace of lot R0 ({lot_count} lots over 3 manufacturing levels), best of {args.repeat}:"
    )
    print(
        f"  lot_fefo_recall trace query        : {query['seconds']:8.3f} s"
        f"  {query['queries']:5d} queries  {ours_deliveries:,} deliveries found"
    )
    print(
        f"  lot_fefo_recall action_trace       : {action['seconds']:8.3f} s"
        f"  {action['queries']:5d} queries  (query + {line_count:,} trace lines"
        f" and {customer_count} customers written)"
    )
    print(
        f"  Odoo traceability report, unfolded : {core['seconds']:8.3f} s"
        f"  {core['queries']:5d} queries  {core_deliveries:,} deliveries found"
        f" ({core_lines:,} report lines; database without the add-on)"
    )
    ratio = core["seconds"] / action["seconds"]
    print(f"  ratio Odoo / action_trace          : {ratio:8.1f} x   target >= 10 x")


if __name__ == "__main__":
    main()
