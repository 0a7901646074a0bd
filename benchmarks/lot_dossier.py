"""The lot dossier's server call for a lot shipped in 2,000 deliveries to 500 customers,
against Odoo's own traceability report of the same lot.

    python3 benchmarks/lot_dossier.py [--db DB] [--lines 200000] [--repeat 7]

Lot D0 is received from one vendor (10,000 units), shipped in 2,000 customer deliveries
to 500 customers (4 each, 2 units a delivery) and returned 20 times; the rest of the
move line table is other lots' moves, bulk-loaded with SQL. ``stock.lot.get_dossier_data``
(everything the dossier shows: register facts, stock, the genealogy graph with the
customers beyond 40 folded into a group) runs from emptied caches, ``--repeat`` times;
the median is printed with its SQL query count and the size of the JSON it returns.
Odoo's side, in the same database, is the lot's "Traceability" report
(``stock.traceability.report.get_lines``), which lists the same moves row by row.
Target: the server part well under 1 s (the browser's render is measured separately).
"""

import json
import statistics

from _odoo import measure, odoo_env, parse_args
from recall_trace import insert

DELIVERIES = 2000
CUSTOMERS = 500
RETURNS = 20
NOISE_LOTS = 20_000


def build(env, total_lines):
    cr = env.cr
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    stock = warehouse.lot_stock_id
    supplier = env.ref("stock.stock_location_suppliers")
    customer_loc = env.ref("stock.stock_location_customers")
    product = env["product.product"].create(
        {
            "name": "Dossier Jam",
            "is_storable": True,
            "tracking": "lot",
            "use_expiration_date": True,
            "expiration_time": 365,
        }
    )
    uom = product.uom_id.id
    vendor = env["res.partner"].create({"name": "Dossier Vendor", "is_company": True})
    customers = env["res.partner"].create(
        [{"name": f"Dossier Customer {i:03d}", "is_company": True} for i in range(CUSTOMERS)]
    )
    lot = env["stock.lot"].create(
        {"name": "D0", "product_id": product.id, "supplier_id": vendor.id}
    )
    env.flush_all()
    now = "2026-06-01 10:00:00"

    def picking_rows(prefix, type_id, src, dest, partners):
        return [
            {
                "name": f"{prefix}/{i}",
                "picking_type_id": type_id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                "move_type": "direct",
                "state": "done",
                "partner_id": partner,
                "company_id": company.id,
                "date_done": now,
                "scheduled_date": now,
            }
            for i, partner in enumerate(partners)
        ]

    def moves_and_lines(pickings, partners, qty, src, dest, lot_id):
        move_ids = insert(
            cr,
            "stock_move",
            [
                {
                    "company_id": company.id,
                    "date": now,
                    "product_uom": uom,
                    "procure_method": "make_to_stock",
                    "state": "done",
                    "picked": True,
                    "product_id": product.id,
                    "product_uom_qty": qty,
                    "quantity": qty,
                    "product_qty": qty,
                    "location_id": src.id,
                    "location_dest_id": dest.id,
                    "picking_id": picking,
                    "partner_id": partner,
                }
                for picking, partner in zip(pickings, partners, strict=True)
            ],
        )
        insert(
            cr,
            "stock_move_line",
            [
                {
                    "company_id": company.id,
                    "date": now,
                    "product_uom_id": uom,
                    "state": "done",
                    "picked": True,
                    "move_id": move_id,
                    "product_id": product.id,
                    "lot_id": lot_id,
                    "quantity": qty,
                    "quantity_product_uom": qty,
                    "location_id": src.id,
                    "location_dest_id": dest.id,
                    "picking_id": picking,
                }
                for move_id, picking in zip(move_ids, pickings, strict=True)
            ],
        )

    receipt = insert(
        cr,
        "stock_picking",
        picking_rows("DOSSIER/IN", warehouse.in_type_id.id, supplier, stock, [vendor.id]),
    )
    moves_and_lines(receipt, [vendor.id], 10000, supplier, stock, lot.id)
    delivered_to = [customers[i % CUSTOMERS].id for i in range(DELIVERIES)]
    deliveries = insert(
        cr,
        "stock_picking",
        picking_rows("DOSSIER/OUT", warehouse.out_type_id.id, stock, customer_loc, delivered_to),
    )
    moves_and_lines(deliveries, delivered_to, 2, stock, customer_loc, lot.id)
    returned_by = delivered_to[:RETURNS]
    returns = insert(
        cr,
        "stock_picking",
        picking_rows("DOSSIER/RET", warehouse.in_type_id.id, customer_loc, stock, returned_by),
    )
    moves_and_lines(returns, returned_by, 1, customer_loc, stock, lot.id)
    on_hand = 10000 - 2 * DELIVERIES + RETURNS
    insert(
        cr,
        "stock_quant",
        [
            {
                "product_id": product.id,
                "company_id": company.id,
                "location_id": stock.id,
                "lot_id": lot.id,
                "quantity": on_hand,
                "reserved_quantity": 0,
                "in_date": now,
            }
        ],
    )

    # the other lots' moves, up to the total
    cr.execute("SELECT count(*) FROM stock_move_line")
    missing = max(total_lines - cr.fetchone()[0], 0)
    noise_lot_ids = insert(
        cr,
        "stock_lot",
        [
            {"name": f"DN{i:06d}", "product_id": product.id, "company_id": company.id}
            for i in range(NOISE_LOTS)
        ],
    )
    cr.execute(
        """
        INSERT INTO stock_move_line (company_id, date, product_uom_id, state, picked, move_id,
                                     product_id, lot_id, quantity, quantity_product_uom,
                                     location_id, location_dest_id)
        SELECT %(company)s, %(now)s, %(uom)s, 'done', TRUE,
               (SELECT id FROM stock_move ORDER BY id LIMIT 1), %(product)s,
               %(first_lot)s + (g %% %(lots)s), 1, 1,
               CASE WHEN g %% 3 = 0 THEN %(supplier)s ELSE %(stock)s END,
               CASE WHEN g %% 3 = 0 THEN %(stock)s ELSE %(customer)s END
          FROM generate_series(1, %(missing)s) g
        """,
        {
            "company": company.id,
            "now": now,
            "uom": uom,
            "product": product.id,
            "first_lot": noise_lot_ids[0],
            "lots": NOISE_LOTS,
            "supplier": supplier.id,
            "stock": stock.id,
            "customer": customer_loc.id,
            "missing": missing,
        },
    )
    for table in ("stock_move_line", "stock_move", "stock_lot", "stock_picking"):
        cr.execute(f"ANALYZE {table}")
    env.invalidate_all()
    return lot


def load(env, lines):
    lot = env["stock.lot"].search([("name", "=", "D0")], limit=1)
    if lot:
        print(f"  {env.cr.dbname}: data already loaded", flush=True)
        return lot
    print(f"  {env.cr.dbname}: bulk-loading {lines:,} stock move lines ...", flush=True)
    lot = build(env, lines)
    env.cr.commit()
    return lot


def main():
    args = parse_args(
        __doc__,
        lines={"type": int, "default": 200_000},
        repeat={"type": int, "default": 7},
    )
    with odoo_env(args) as env:
        lot = load(env, args.lines)
        user_env = env(user=env.ref("base.user_admin").id)
        lot = lot.with_env(user_env)
        lot.get_dossier_data()  # the registry's first-call caches
        runs = []
        for _i in range(args.repeat):
            with measure(user_env) as run:
                data = lot.get_dossier_data()
            runs.append(run)
        payload = len(json.dumps(data, default=str).encode())
        hidden = data["groups"].get("group-customers", {"nodes": []})["nodes"]
        shown = len(data["nodes"])

        report = user_env["stock.traceability.report"].with_context(
            active_id=lot.id, model="stock.lot"
        )
        report.get_lines()
        core_runs = []
        for _i in range(args.repeat):
            with measure(user_env) as core:
                core_lines = report.get_lines()
            core_runs.append(core)
        env.cr.rollback()

    def median(results, key):
        return statistics.median(result[key] for result in results)

    ours, odoo = median(runs, "seconds"), median(core_runs, "seconds")
    print()
    print(
        f"dossier of lot D0 ({DELIVERIES:,} deliveries to {CUSTOMERS} customers, "
        f"{RETURNS} returns; {args.lines:,} move lines), median of {args.repeat}:"
    )
    print(
        f"  get_dossier_data            : {ours:8.3f} s  {median(runs, 'queries'):5.0f} queries"
        f"  {payload / 1024:7.0f} KiB JSON  ({shown} nodes shown, {len(hidden):,} in the"
        f" customer group)"
    )
    print(
        f"  Odoo traceability get_lines : {odoo:8.3f} s  {median(core_runs, 'queries'):5.0f}"
        f" queries  ({len(core_lines):,} report rows, one level, no graph)"
    )
    print("  target: server call well under 1 s (with the browser's render: < 1 s)")


if __name__ == "__main__":
    main()
