"""GS1 lot labels for 1,000 lots in one report run, against Odoo's own lot label report
(stock.action_report_lot_label, 48 labels on an A4 sheet) for the same lots, measured in
the same run.

    python3 benchmarks/gs1_labels.py [--db DB] [--lots 1000]

Each lot gets a GS1-128, a GS1 DataMatrix and a Digital Link QR code (the company has a
resolver domain): three images a label, one label a page. The time is split between
drawing the barcodes (the report's values) and the whole PDF (QWeb + wkhtmltopdf).
Nothing is committed.
"""

import subprocess
import tempfile
import time

from _odoo import odoo_env, parse_args

GS1_REPORT = "lot_fefo_recall.action_report_stock_lot_gs1_label"
ODOO_REPORT = "stock.action_report_lot_label"


def build(env, count):
    env.company.gs1_resolver_domain = "id.example.com"
    product = env["product.product"].create(
        {
            "name": "Bench Jam",
            "default_code": "BJAM",
            "barcode": "9501101530003",
            "is_storable": True,
            "tracking": "lot",
            "use_expiration_date": True,
        }
    )
    return env["stock.lot"].create(
        [
            {
                "name": f"BJ-{i:06d}",
                "product_id": product.id,
                "expiration_date": f"2027-{1 + i % 12:02d}-15 10:00:00",
                "production_date": f"2026-{1 + i % 12:02d}-01",
            }
            for i in range(count)
        ]
    )


def pages(pdf):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return next(
        (int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), 0
    )


def render(env, report, lots):
    env.invalidate_all()
    started = time.perf_counter()
    pdf, _format = env["ir.actions.report"]._render_qweb_pdf(report, lots.ids)
    return time.perf_counter() - started, pdf


def main():
    args = parse_args(
        __doc__.splitlines()[0], lots={"type": int, "default": 1000, "help": "lots to label"}
    )
    with odoo_env(args) as env:
        lots = build(env, args.lots)
        env.flush_all()
        started = time.perf_counter()
        env["report.lot_fefo_recall.report_stock_lot_gs1_label"]._get_report_values(lots.ids)
        barcodes = time.perf_counter() - started
        gs1_seconds, gs1_pdf = render(env, GS1_REPORT, lots)
        odoo_seconds, odoo_pdf = render(env, ODOO_REPORT, lots)
        print(f"{len(lots)} lots, one report run each")
        print(f"{'report':<42} {'time':>9} {'pages':>6} {'PDF':>9}")
        for name, seconds, pdf in (
            ("GS1 labels (128 + DataMatrix + QR)", gs1_seconds, gs1_pdf),
            ("Odoo lot labels (stock)", odoo_seconds, odoo_pdf),
        ):
            print(f"{name:<42} {seconds:>8.1f}s {pages(pdf):>6} {len(pdf) / 1e6:>7.1f}MB")
        print(f"of which drawing the GS1 barcodes: {barcodes:.1f} s")
        env.cr.rollback()


if __name__ == "__main__":
    main()
