"""Recall letters to 2,000 customers: the Send Letters button, then the letters cron to
the last letter in the mail queue, against the former way (every letter rendered and
posted inside the button's request), measured in the same run.

    python3 benchmarks/recall_letters.py [--db DB] [--customers 2000] [--old-customers 100]

One lot of jam shipped to each customer (the trace lines and customer lines of a traced
recall are written directly: the trace has its own benchmark). The former way costs the
same for every customer (one wkhtmltopdf run and one message each): it is measured on
``--old-customers`` of them and scaled to all, unless both numbers are equal. Peak memory:
the Odoo process and the largest wkhtmltopdf run. Nothing is committed.

Targets: button < 2 s; background <= 0.1 s per customer.
"""

import logging
import threading
import time

import psutil
from _odoo import measure, odoo_env, parse_args


def build(env, count):
    company = env.company
    product = env["product.product"].create(
        {"name": "Bench Jam", "is_storable": True, "tracking": "lot"}
    )
    lot = env["stock.lot"].create({"name": "BENCH-LOT-1", "product_id": product.id})
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench Customer {i:04d}",
                "email": f"buyer{i}@bench.example.com",
                "street": f"{i} Market Street",
                "city": "Springfield",
            }
            for i in range(count)
        ]
    )
    recall = env["stock.recall"].create(
        {"reason": "Benchmark: glass in jars", "lot_ids": [(6, 0, lot.ids)]}
    )
    env["stock.recall.line"].create(
        [
            {
                "recall_id": recall.id,
                "line_type": "delivery",
                "lot_id": lot.id,
                "product_id": product.id,
                "partner_id": partner.id,
                "date": "2026-05-20 10:00:00",
                "quantity": 12,
            }
            for partner in partners
        ]
    )
    env["stock.recall.customer"].create(
        [
            {
                "recall_id": recall.id,
                "partner_id": partner.id,
                "lot_ids": [(6, 0, lot.ids)],
                "shipped_qty": 12,
            }
            for partner in partners
        ]
    )
    env.cr.execute(
        "UPDATE stock_recall SET state = 'traced', company_id = %s WHERE id = %s",
        (company.id, recall.id),
    )
    env.invalidate_all()
    return recall


def send_letters_in_request(recall, customers):
    """The former action_send_letters: one PDF and one message per customer, in the
    request, the letter posted on the recall to the customer."""
    env = recall.env
    template = env.ref("lot_fefo_recall.mail_template_recall_letter")
    report = env["ir.actions.report"]
    for customer in customers:
        pdf, _format = report._render_qweb_pdf(
            "lot_fefo_recall.action_report_recall_letter",
            res_ids=recall.ids,
            data={"customer_ids": customer.ids},
        )
        rendered = template._generate_template([customer.id], ["subject", "body_html"])[
            customer.id
        ]
        recall.message_post(
            subject=rendered["subject"],
            body=rendered["body_html"],
            partner_ids=customer.partner_id.ids,
            attachments=[(f"{customer.partner_id.name}.pdf", pdf)],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )


class PeakMemory(threading.Thread):
    """Samples the resident memory of this process and of its wkhtmltopdf children."""

    def __init__(self):
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.odoo_mb = self.wkhtmltopdf_mb = 0.0
        self.running = True

    def run(self):
        while self.running:
            try:
                self.odoo_mb = max(self.odoo_mb, self.process.memory_info().rss / 2**20)
                children = [
                    child.memory_info().rss
                    for child in self.process.children(recursive=True)
                    if "wkhtmlto" in child.name()
                ]
            except psutil.Error:
                children = []
            self.wkhtmltopdf_mb = max([self.wkhtmltopdf_mb, *(c / 2**20 for c in children)])
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        customers={"type": int, "default": 2000, "help": "customers of the recall"},
        old_customers={
            "type": int,
            "default": 100,
            "help": "customers the former way is measured on (then scaled)",
        },
    )
    # wkhtmltopdf can not load the report's assets without a web server: it warns once
    # per run, which is beside the point here.
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(logging.ERROR)
    with odoo_env(args) as env:
        if not env.user.email:
            env.user.email = "quality@bench.example.com"
        recall = build(env, args.customers)
        count = args.customers
        print(f"Recall letters: one lot shipped to {count:,} customers")

        with measure(env) as button:
            recall.action_send_letters()
        print(f"  Send Letters button          {button['seconds']:8.2f} s    (target < 2 s)")

        Customer = env["stock.recall.customer"]
        memory = PeakMemory()
        memory.start()
        started = time.perf_counter()
        Customer._send_queued_letters(commit=False)
        env.flush_all()
        background = time.perf_counter() - started
        memory.stop()
        sent = env["mail.mail"].search_count(
            [("model", "=", "stock.recall.customer"), ("res_id", "in", recall.customer_ids.ids)]
        )
        assert sent == count, f"{sent} letters queued for {count} customers"
        per_customer = background / count
        print(
            f"  background, to last letter   {background:8.1f} s    "
            f"{per_customer:.3f} s per customer (target <= 0.1 s)"
        )
        print(
            f"  peak memory, background      Odoo process {memory.odoo_mb:.0f} MB,"
            f" largest wkhtmltopdf run {memory.wkhtmltopdf_mb:.0f} MB"
        )

        sample = recall.customer_ids[: min(args.old_customers, count)]
        with measure(env) as old:
            send_letters_in_request(recall, sample)
        old_per_customer = old["seconds"] / len(sample)
        scaled = old_per_customer * count
        how = "measured" if len(sample) == count else f"measured on {len(sample):,}, scaled"
        print(
            f"  former way, in the request   {scaled:8.1f} s    "
            f"{old_per_customer:.3f} s per customer ({how}; a request is killed after 120 s)"
        )
        print(
            f"  background vs former way     {old_per_customer / per_customer:8.1f}x faster "
            f"per customer, and the button returns in {button['seconds']:.2f} s"
        )
        env.cr.rollback()


if __name__ == "__main__":
    main()
