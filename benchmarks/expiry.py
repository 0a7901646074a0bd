"""Expiry review and write-off at scale, against Odoo's own equivalents.

    python3 benchmarks/expiry.py [--db DB] [--lots 100000] [--expired 10000]

Loads (SQL) 100,000 lots of 100 dated products in 200,000 quants (two locations each),
10,000 of those quants expired, then measures:

(a) the Expiry Review's queries: the pivot by horizon (sums of quantity and value) and
    the list's first page with its default filter; Odoo's equivalent is a grouped read of
    the quants expiring within 90 days (product_expiry's removal date).
(b) the XLSX export of 100,000 lines, time and peak memory (growth of the process's
    maximum resident set); Odoo's equivalent is the list export of as many quants
    (export_data, what Export All does, before its own XLSX writing).
(c) the scheduled write-off (scrap mode) of the 10,000 expired quants; Odoo's equivalent
    is validating a scrap order per quant, measured on 200 quants and scaled up.
"""

import datetime
import resource

from _odoo import measure, odoo_env, parse_args

PRODUCTS = 100


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(env, lot_count, expired_count):
    cr = env.cr
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    shelves = env["stock.location"].create(
        [{"name": f"Shelf {i}", "location_id": warehouse.lot_stock_id.id} for i in (1, 2)]
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Dated {i:03d}",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 365,
                "standard_price": 1.5,
            }
            for i in range(PRODUCTS)
        ]
    )
    env.flush_all()
    now = datetime.datetime.now().replace(microsecond=0)
    product_ids = products.ids
    cr.execute(
        """
        INSERT INTO stock_lot (name, product_id, company_id, expiration_date, removal_date,
                               use_date, alert_date, create_date, write_date)
        SELECT 'BENCH-' || g, (%(products)s)[1 + g %% %(product_count)s], %(company)s,
               exp, exp, exp, exp, %(now)s, %(now)s
          FROM generate_series(0, %(lots)s - 1) g,
               LATERAL (SELECT CASE WHEN g < %(expired)s / 2
                                    THEN %(now)s::timestamp - make_interval(days => 1 + g %% 60)
                                    ELSE %(now)s::timestamp + make_interval(days => 1 + g %% 365)
                               END AS exp) e
        """,
        {
            "products": product_ids,
            "product_count": PRODUCTS,
            "company": company.id,
            "now": now,
            "lots": lot_count,
            "expired": expired_count,
        },
    )
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, lot_id, company_id, quantity,
                                 reserved_quantity, in_date, expiration_date, removal_date,
                                 lot_blocked, create_date, write_date)
        SELECT lot.product_id, loc.id, lot.id, lot.company_id, 5, 0, %(now)s,
               lot.expiration_date, lot.removal_date, FALSE, %(now)s, %(now)s
          FROM stock_lot lot
         CROSS JOIN unnest(%(locations)s) AS loc(id)
         WHERE lot.name LIKE 'BENCH-%%'
        """,
        {"now": now, "locations": shelves.ids},
    )
    cr.execute("ANALYZE stock_lot")
    cr.execute("ANALYZE stock_quant")
    env.invalidate_all()
    return warehouse


def main():
    args = parse_args(
        __doc__,
        lots={"type": int, "default": 100_000},
        expired={"type": int, "default": 10_000},
        core_scraps={"type": int, "default": 200},
    )
    with odoo_env(args) as env:
        print(f"loading {args.lots:,} lots in {2 * args.lots:,} quants ...", flush=True)
        build(env, args.lots, args.expired)
        env.company.write({"expiry_writeoff_mode": "scrap", "expiry_writeoff_grace_days": 0})
        Report = env["stock.expiry.report"]
        within = [("horizon", "!=", "later")]

        # (a) the review's queries, and Odoo's grouped read of quants expiring soon
        with measure(env) as pivot:
            groups = Report._read_group(within, ["horizon"], ["quantity:sum", "value:sum"])
        with measure(env) as page:
            first_page = Report.search_fetch(within, ["product_id", "lot_id", "horizon"], limit=80)
        horizon_end = datetime.datetime.now() + datetime.timedelta(days=90)
        with measure(env) as core_group:
            env["stock.quant"]._read_group(
                [("removal_date", "<=", horizon_end), ("location_id.usage", "=", "internal")],
                ["product_id"],
                ["quantity:sum"],
            )
        rows = Report.search_count([])

        # (b) XLSX export of every line
        rss_before = max_rss_mb()
        with measure(env) as export:
            content = Report.export_xlsx([])
        export_rss = max_rss_mb() - rss_before
        rss_before = max_rss_mb()
        with measure(env) as core_export:
            quants = env["stock.quant"].search(
                [("lot_id.name", "=like", "BENCH-%")], limit=args.lots
            )
            exported = quants.export_data(
                ["product_id", "lot_id", "location_id", "quantity", "removal_date"]
            )["datas"]
        core_export_rss = max_rss_mb() - rss_before
        env.invalidate_all()

        # (c) write-off of the expired quants, and Odoo's scrap order per quant
        expired = env["stock.quant"].search_count(
            env["stock.expiry.writeoff"]._get_expired_quants_domain(env.company)
        )
        savepoint = env.cr.savepoint()
        core_quants = env["stock.quant"].search(
            env["stock.expiry.writeoff"]._get_expired_quants_domain(env.company),
            limit=args.core_scraps,
        )
        with measure(env) as core_scrap:
            for quant in core_quants:
                scrap = env["stock.scrap"].create(
                    {
                        "product_id": quant.product_id.id,
                        "lot_id": quant.lot_id.id,
                        "location_id": quant.location_id.id,
                        "scrap_qty": quant.quantity,
                    }
                )
                scrap.action_validate()
        savepoint.close(rollback=True)
        env.invalidate_all()
        with measure(env) as writeoff:
            log = env["stock.expiry.writeoff"]._write_off(env.company, commit=False)
        written = len(log.line_ids.filtered(lambda line: line.action == "scrapped"))
        core_per_quant = core_scrap["seconds"] / len(core_quants)

        print()
        print(f"(a) Expiry Review over {rows:,} quants of dated lots:")
        print(
            f"    pivot by horizon ({len(groups)} groups)       : {pivot['seconds']:7.3f} s"
            "   (target <= 2 s)"
        )
        print(f"    list, first page ({len(first_page)} lines)      : {page['seconds']:7.3f} s")
        print(f"    Odoo: quants expiring in 90 days by product : {core_group['seconds']:7.3f} s")
        print(
            f"(b) XLSX export of {rows:,} lines             : {export['seconds']:7.3f} s"
            f"   peak memory +{export_rss:.0f} MB, {len(content) / 1e6:.1f} MB file"
            "   (target <= 20 s)"
        )
        print(
            f"    Odoo: export_data of {len(exported):,} quants      : "
            f"{core_export['seconds']:7.3f} s"
            f"   peak memory +{core_export_rss:.0f} MB (before writing any file)"
        )
        print(
            f"(c) write-off (scrap) of {written:,} of {expired:,} expired quants: "
            f"{writeoff['seconds']:7.1f} s   "
            f"({1000 * writeoff['seconds'] / max(written, 1):.1f} ms"
            " a quant, target <= 120 s)"
        )
        print(
            f"    Odoo: a scrap order per quant ({len(core_quants)} quants) : "
            f"{core_scrap['seconds']:7.1f} s   ({1000 * core_per_quant:.1f} ms a quant, "
            f"{core_per_quant * written:.0f} s for {written:,})"
        )
        env.cr.rollback()


if __name__ == "__main__":
    main()
