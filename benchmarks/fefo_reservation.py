"""FEFO reservation with a customer shelf life rule against Odoo's own FEFO.

    python3 benchmarks/fefo_reservation.py [--db DB] [--repeat 5]

A product with 5,000 lots of 10 units in stock, expiring over the next year, and a
customer whose rule (180 days left) excludes about half of them. It reserves a
1,000-unit delivery for that customer and, in the same run, for a customer without rule
(Odoo's FEFO as product_expiry does it), then counts the SQL queries of the rule
customer's reservation with 500 and with 5,000 lots in stock.
"""

import datetime
import statistics

from _odoo import measure, odoo_env, parse_args

LOT_QTY = 10
DELIVERY_QTY = 1000
RULE_DAYS = 180


def make_product(env, name, lot_count, location):
    product = env["product.product"].create(
        {
            "name": name,
            "is_storable": True,
            "tracking": "lot",
            "use_expiration_date": True,
            "expiration_time": 365,
        }
    )
    today = datetime.datetime.now().replace(microsecond=0)
    lots = env["stock.lot"].create(
        [
            {
                "name": f"{name}-{index:05d}",
                "product_id": product.id,
                # expirations spread over the next year, in random-looking order
                "expiration_date": today + datetime.timedelta(days=1 + (index * 7919) % 365),
            }
            for index in range(lot_count)
        ]
    )
    env["stock.quant"].create(
        [
            {
                "product_id": product.id,
                "location_id": location.id,
                "lot_id": lot.id,
                "quantity": LOT_QTY,
            }
            for lot in lots
        ]
    )
    env.flush_all()
    return product


def reserve(env, product, partner, warehouse):
    """Reserve a 1,000-unit delivery; return time and queries of action_assign."""
    picking = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.out_type_id.id,
            "partner_id": partner.id,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": env.ref("stock.stock_location_customers").id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "product_uom_qty": DELIVERY_QTY,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": env.ref("stock.stock_location_customers").id,
                        "partner_id": partner.id,
                    },
                )
            ],
        }
    )
    picking.action_confirm()
    with measure(env) as result:
        picking.action_assign()
    assert picking.move_ids.quantity == DELIVERY_QTY, picking.move_ids.quantity
    result["lots"] = len(picking.move_line_ids.lot_id)
    result["earliest"] = min(picking.move_line_ids.lot_id.mapped("expiration_date"))
    return result


def repeated(env, repeat, *args):
    """Run reserve() ``repeat`` times, each rolled back, and keep the median time."""
    runs = []
    for _index in range(repeat):
        savepoint = env.cr.savepoint()
        runs.append(reserve(env, *args))
        savepoint.close(rollback=True)
        env.invalidate_all()
    best = dict(runs[0])
    best["seconds"] = statistics.median(run["seconds"] for run in runs)
    return best


def main():
    args = parse_args(__doc__, repeat={"type": int, "default": 5})
    with odoo_env(args) as env:
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        picking_type = warehouse.out_type_id
        picking_type.reservation_method = "manual"
        with_rule = env["res.partner"].create(
            {"name": "Big Box (180-day rule)", "is_company": True}
        )
        without_rule = env["res.partner"].create(
            {"name": "Corner Shop (no rule)", "is_company": True}
        )
        env["stock.shelf.life.rule"].create(
            {"partner_id": with_rule.id, "min_remaining_days": RULE_DAYS}
        )
        print("loading 5,000 + 500 lots ...", flush=True)
        product_5000 = make_product(env, "BENCH5000", 5000, warehouse.lot_stock_id)
        product_500 = make_product(env, "BENCH500", 500, warehouse.lot_stock_id)
        excluded = env["stock.lot"].search_count(
            [
                ("product_id", "=", product_5000.id),
                (
                    "expiration_date",
                    "<",
                    datetime.datetime.now() + datetime.timedelta(days=RULE_DAYS),
                ),
            ]
        )
        print(f"the rule excludes {excluded} of 5,000 lots")

        core = repeated(env, args.repeat, product_5000, without_rule, warehouse)
        rule = repeated(env, args.repeat, product_5000, with_rule, warehouse)
        rule_500 = repeated(env, 1, product_500, with_rule, warehouse)
        rule_5000 = repeated(env, 1, product_5000, with_rule, warehouse)
        ratio = rule["seconds"] / core["seconds"]
        print()
        print(f"(a) reserve {DELIVERY_QTY} units out of 5,000 lots, median of {args.repeat}:")
        print(
            f"    Odoo FEFO, customer without rule : {core['seconds'] * 1000:8.1f} ms"
            f"  {core['queries']:4d} queries  {core['lots']} lots"
        )
        print(
            f"    FEFO with a {RULE_DAYS}-day customer rule : {rule['seconds'] * 1000:8.1f} ms"
            f"  {rule['queries']:4d} queries  {rule['lots']} lots"
            f"  (earliest lot {rule['earliest']:%Y-%m-%d})"
        )
        print(f"    time ratio rule / core           : {ratio:8.2f}   (target <= 1.2)")
        print("(b) SQL queries of the rule customer's reservation:")
        print(f"    with   500 lots in stock         : {rule_500['queries']:4d}")
        print(
            f"    with 5,000 lots in stock         : {rule_5000['queries']:4d}"
            f"   (difference {rule_5000['queries'] - rule_500['queries']:+d}, target within ±2)"
        )
        env.cr.rollback()


if __name__ == "__main__":
    main()
