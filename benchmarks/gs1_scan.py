"""One GS1 scan into a receipt (parse + fill the line), against Odoo's own equivalent.

    python3 benchmarks/gs1_scan.py [--db DB] [--scans 50]

Builds a catalogue like the demo's, bigger: 500 lot-tracked dated products with GTIN
barcodes, one carton packaging each, 5,000 lots in stock, and a confirmed receipt of 20
products. Then scans ``--scans`` cartons into it, each a new vendor lot of one of the
receipt's products (half of them by the product's GTIN, half by the carton's), timing
server side from emptied caches (a fresh request) each call of the scan wizard:

(a) our scan: ``stock.receipt.scan.wizard._apply_scan`` = lot_fefo_recall.gs1.parse +
    product/packaging look-up by GTIN + blocked-lot and receipt shelf-life checks + fill
    or add the move line + its internal lot number from the pattern;
(b) Odoo's equivalent: barcodes_gs1_nomenclature's ``parse_nomenclature_barcode`` of
    the same element string, the product look-up by barcode, and a plain write of the
    same values to a receipt line (what a clerk typing them causes);
(c) the plain move line write alone.

Target: (a) median under 50 ms.
"""

import datetime
import statistics

from _odoo import measure, odoo_env, parse_args

PRODUCTS = 500
LOTS = 5000
RECEIPT_PRODUCTS = 20


def gtin_with_check_digit(body):
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def build(env):
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    env.company.lot_name_pattern = "{supplier_code}-{date:%Y%m%d}"
    unit = env.ref("uom.product_uom_unit")
    carton = env["uom.uom"].create(
        {"name": "Bench carton of 12", "relative_factor": 12, "relative_uom_id": unit.id}
    )
    category = env["product.category"].create({"name": "Bench Preserves"})
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Jam {i:03d}",
                "categ_id": category.id,
                "default_code": f"BJ{i:03d}",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 365,
                # EAN-13: the GTIN-14 0950110170iii? without its leading zero
                "barcode": gtin_with_check_digit(f"950110170{i:03d}"),
            }
            for i in range(PRODUCTS)
        ]
    )
    env["product.uom"].create(
        [
            {
                "product_id": product.id,
                "uom_id": carton.id,
                "barcode": gtin_with_check_digit(f"1950110170{index:03d}"),
            }
            for index, product in enumerate(products)
        ]
    )
    today = datetime.datetime.now().replace(microsecond=0)
    lots = env["stock.lot"].create(
        [
            {
                "name": f"BENCH-{index:05d}",
                "product_id": products[index % PRODUCTS].id,
                "supplier_lot_name": f"V-{index:05d}",
                "expiration_date": today + datetime.timedelta(days=30 + index % 300),
            }
            for index in range(LOTS)
        ]
    )
    env["stock.quant"].create(
        [
            {
                "product_id": lot.product_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "lot_id": lot.id,
                "quantity": 10,
            }
            for lot in lots
        ]
    )
    vendor = env["res.partner"].create({"name": "Bench Fields", "is_company": True})
    supplier = env.ref("stock.stock_location_suppliers")
    picking = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.in_type_id.id,
            "partner_id": vendor.id,
            "location_id": supplier.id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1000,
                        "location_id": supplier.id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                    },
                )
                for product in products[:RECEIPT_PRODUCTS]
            ],
        }
    )
    picking.action_confirm()
    env.flush_all()
    return products, picking


def scan_string(index, expiry):
    by_carton = index % 2
    product_index = index % RECEIPT_PRODUCTS
    prefix = "1950110170" if by_carton else "0950110170"
    gtin = gtin_with_check_digit(f"{prefix}{product_index:03d}")
    lot = f"SCAN-{index:04d}"
    machine = (
        f"01{gtin}17{expiry:%y%m%d}10{lot}\x1d3012"
        if not by_carton
        else (f"01{gtin}17{expiry:%y%m%d}10{lot}")
    )
    return machine, gtin, lot


def main():
    args = parse_args(
        __doc__,
        modules="lot_fefo_recall,barcodes_gs1_nomenclature",
        scans={"type": int, "default": 50},
    )
    with odoo_env(args) as env:
        print(f"building {PRODUCTS} products, {LOTS} lots, a {RECEIPT_PRODUCTS}-line receipt ...")
        _products, picking = build(env)
        Wizard = env["stock.receipt.scan.wizard"]
        nomenclature = env.ref("barcodes_gs1_nomenclature.default_gs1_nomenclature")
        expiry = datetime.date.today() + datetime.timedelta(days=300)
        ours, odoo, plain, queries = [], [], [], []
        for index in range(args.scans):
            machine, gtin, lot = scan_string(index, expiry)
            with measure(env) as result:
                Wizard._apply_scan(picking, machine)
            ours.append(result["seconds"])
            queries.append(result["queries"])
        # Odoo's equivalent, on lines of the same receipt
        lines = picking.move_line_ids
        expiry_dt = datetime.datetime.combine(expiry, datetime.time.min)
        for index in range(args.scans):
            machine, gtin, lot = scan_string(index + args.scans, expiry)
            line = lines[index % len(lines)]
            with measure(env) as result:
                parsed = nomenclature.parse_nomenclature_barcode(machine)
                env["product.product"].search(
                    [("barcode", "in", [gtin, gtin[1:]])], limit=1
                ) or env["product.uom"].search([("barcode", "=", gtin)], limit=1)
                line.write(
                    {
                        "quantity": 12,
                        "picked": True,
                        "supplier_lot_name": lot,
                        "expiration_date": expiry_dt,
                    }
                )
            assert parsed, machine
            odoo.append(result["seconds"])
            with measure(env) as result:
                line.write({"quantity": 12, "supplier_lot_name": lot + "-B"})
            plain.append(result["seconds"])
        filled = picking.move_line_ids.filtered(lambda ml: ml.supplier_lot_name)
        print()
        print(f"one scan into a receipt, median of {args.scans} (server side, cold caches):")
        print(
            f"  (a) lot_fefo_recall scan (parse + fill)   : "
            f"{statistics.median(ours) * 1000:7.1f} ms  "
            f"(max {max(ours) * 1000:.1f} ms, {statistics.median(queries):.0f} queries)"
            "   target < 50 ms"
        )
        print(
            f"  (b) Odoo GS1 nomenclature parse + write  : "
            f"{statistics.median(odoo) * 1000:7.1f} ms"
        )
        print(
            f"  (c) plain move line write                : "
            f"{statistics.median(plain) * 1000:7.1f} ms"
        )
        print(f"  receipt lines with a vendor lot: {len(filled)}")
        env.cr.rollback()


if __name__ == "__main__":
    main()
