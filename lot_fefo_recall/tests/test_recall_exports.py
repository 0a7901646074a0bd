"""Exports of a recall (FSMA 204) and the files they leave behind."""

import io

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_recall_trace import RecallTraceCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallExports(RecallTraceCase):
    """Strawberries (our lot RAW-1, the vendor's 2047) and sugar (SUGAR-1) become jam
    (JAM-1), shipped to Big Box's distribution centre; RAW-1 is also sold as it is, and
    lot DS-1 is dropshipped from the vendor to the diner's kitchen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor.write({"street": "12 Orchard Lane", "zip": "95060", "city": "Santa Cruz"})
        cls.warehouse.partner_id = cls.company.partner_id
        cls.company.partner_id.write({"street": "5 Dock Street", "city": "Dover"})
        cls.customer_dc = cls.env["res.partner"].create(
            {
                "name": "Big Box DC",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "99 Freight Way",
                "city": "Reno",
            }
        )
        Product = cls.env["product.product"]
        cls.raw = Product.create({"name": "Strawberries", "is_storable": True, "tracking": "lot"})
        cls.sugar = Product.create({"name": "Sugar", "is_storable": True, "tracking": "lot"})
        Lot = cls.env["stock.lot"]
        cls.raw_lot = Lot.create({"name": "RAW-1", "product_id": cls.raw.id})
        cls.sugar_lot = Lot.create({"name": "SUGAR-1", "product_id": cls.sugar.id})
        cls.jam_lot = Lot.create({"name": "JAM-1", "product_id": cls.product.id})
        cls.dropship_lot = Lot.create({"name": "DS-1", "product_id": cls.raw.id})
        cls.receipt = cls._done(
            cls.raw_lot,
            100,
            cls.supplier_location,
            cls.stock_location,
            cls.picking_type_in,
            cls.vendor_contact,
        )
        cls.raw_lot.supplier_lot_name = "2047"
        cls._done(
            cls.sugar_lot, 50, cls.supplier_location, cls.stock_location, cls.picking_type_in
        )
        production = cls.raw.property_stock_production
        internal = cls.warehouse.int_type_id
        consumed = (
            cls._done(cls.raw_lot, 60, cls.stock_location, production, internal).move_line_ids
            | cls._done(cls.sugar_lot, 20, cls.stock_location, production, internal).move_line_ids
        )
        cls.made = cls._done(cls.jam_lot, 120, production, cls.stock_location, internal)
        cls.made.move_line_ids.consume_line_ids = [Command.set(consumed.ids)]
        cls.shipment = cls._done(
            cls.jam_lot,
            30,
            cls.stock_location,
            cls.customer_location,
            cls.picking_type_out,
            cls.customer_dc,
            cls.customer_dc,
        )
        cls.raw_sale = cls._done(
            cls.raw_lot,
            5,
            cls.stock_location,
            cls.customer_location,
            cls.picking_type_out,
            cls.customer,
        )
        cls.dropship = cls._done(
            cls.dropship_lot,
            12,
            cls.supplier_location,
            cls.customer_location,
            cls.picking_type_in,
            cls.vendor,
            cls.diner_kitchen,
        )
        cls.dropship_lot.supplier_lot_name = "V-DS-77"
        cls.recall = cls._recall_of(cls.raw_lot | cls.dropship_lot)
        cls.recall.action_trace()

    def _download(self, action):
        return self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))

    def _fsma_rows(self):
        action = self.recall.with_context(tz="Europe/Brussels").action_export_fsma204_xlsx()
        sheet = openpyxl.load_workbook(io.BytesIO(self._download(action).raw)).active
        rows = list(sheet.iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows[0]

    def _last_attachment_id(self):
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_attachment")
        return self.env.cr.fetchone()[0]

    def _orphans(self, since_id):
        """Attachments made since ``since_id`` that no record or message owns."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT name FROM ir_attachment
                WHERE id > %s AND (res_model IS NULL OR res_id IS NULL OR res_id = 0)""",
            [since_id],
        )
        return [name for (name,) in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ FSMA 204

    def test_fsma204_one_row_per_critical_tracking_event(self):
        rows, header = self._fsma_rows()
        events = sorted((row["Event (CTE)"], row["Traceability Lot Code"]) for row in rows)
        self.assertEqual(
            events,
            [
                ("Receiving", "2047"),
                ("Receiving", "V-DS-77"),
                ("Shipping", "2047"),
                ("Shipping", "JAM-1"),
                ("Shipping", "V-DS-77"),
                ("Transformation", "JAM-1"),
            ],
            "the vendor's lot code for received lots; a dropship is received and shipped",
        )
        date_column = next(label for label in header if label.startswith("Date"))
        self.assertIn("UTC offset", date_column)
        self.assertEqual(
            {row[date_column] for row in rows}, {"2026-06-01T12:00:00+02:00"}, "Brussels time"
        )

    def test_fsma204_receiving_kdes(self):
        rows, _header = self._fsma_rows()
        [received] = [row for row in rows if row["Reference Document Number"] == self.receipt.name]
        self.assertEqual(received["Event (CTE)"], "Receiving")
        self.assertEqual(received["Quantity"], 100)
        self.assertEqual(received["Product Description"], "Strawberries")
        self.assertIn("Jane Doe", received["Immediate Previous Source"])
        self.assertIn("12 Orchard Lane", received["Ship-From Location"])
        self.assertIn("5 Dock Street", received["Receiving or Transformation Location"])
        self.assertIn("ABC Corp", received["Traceability Lot Code Source Reference"])
        self.assertIn("Santa Cruz", received["Traceability Lot Code Source Reference"])
        self.assertEqual(received["Reference Document Type"], "Receiving document")

    def test_fsma204_shipping_to_the_delivery_address(self):
        rows, _header = self._fsma_rows()
        [jam] = [row for row in rows if row["Reference Document Number"] == self.shipment.name]
        self.assertEqual(jam["Event (CTE)"], "Shipping")
        self.assertIn("Big Box DC", jam["Immediate Subsequent Recipient"])
        self.assertIn("99 Freight Way", jam["Ship-To Location"], "the delivery address")
        self.assertIn("5 Dock Street", jam["Ship-From Location"])
        self.assertIn(
            "5 Dock Street",
            jam["Traceability Lot Code Source Reference"],
            "we assigned JAM-1 where we made it",
        )
        [raw] = [row for row in rows if row["Reference Document Number"] == self.raw_sale.name]
        self.assertEqual(raw["Traceability Lot Code"], "2047")
        self.assertIn("ABC Corp", raw["Traceability Lot Code Source Reference"])
        [dropship] = [
            row
            for row in rows
            if row["Reference Document Number"] == self.dropship.name
            and row["Event (CTE)"] == "Shipping"
        ]
        self.assertIn("1 Harbour Road", dropship["Ship-To Location"])
        self.assertIn("12 Orchard Lane", dropship["Ship-From Location"], "from the vendor")

    def test_fsma204_transformation_lists_its_inputs(self):
        rows, _header = self._fsma_rows()
        [made] = [row for row in rows if row["Event (CTE)"] == "Transformation"]
        self.assertEqual(made["Quantity"], 120)
        self.assertEqual(made["Product Description"], "[JAM] Strawberry Jam")
        self.assertIn(
            "5 Dock Street", made["Receiving or Transformation Location"], "where it was made"
        )
        inputs = made["Input Traceability Lot Codes"]
        self.assertIn("2047 (Strawberries): 60", inputs)
        self.assertIn("SUGAR-1 (Sugar): 20", inputs)

    # ------------------------------------------------------------- attachments

    def test_recall_export_is_the_chatter_attachment(self):
        since = self._last_attachment_id()
        action = self.recall.action_export_fsma204_xlsx()
        attachment = self._download(action)
        made = self.env["ir.attachment"].search([("id", ">", since)])
        self.assertEqual(made, attachment, "one file, no second copy")
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("stock.recall", self.recall.id)
        )
        message = self.recall.message_ids.filtered(lambda m: attachment in m.attachment_ids)
        self.assertEqual(len(message), 1, "posted on the chatter")
        self.assertFalse(self._orphans(since))

    def test_expiry_export_and_digest_leave_no_orphan(self):
        self._put_in_stock(self.product, 3, "SOON", "2026-06-21 10:00:00")
        self.company.expiry_digest_user_ids = self.stock_user
        since = self._last_attachment_id()
        Report = self.env["stock.expiry.report"]
        action = Report.with_context(active_domain=[]).action_export_xlsx()
        exported = self._download(action)
        self.assertTrue(exported.raw)
        Report._cron_send_digest()
        mail = self.env["mail.mail"].search([("subject", "like", "stock expiring within")])
        self.assertEqual(len(mail), 1)
        digest_file = mail.attachment_ids
        self.assertEqual(len(digest_file), 1)
        self.assertEqual(
            (digest_file.res_model, digest_file.res_id), ("mail.message", mail.mail_message_id.id)
        )
        self.assertFalse(self._orphans(since))
        # the digest's file goes with its mail once sent (tests send nothing: what the
        # mail queue does after a successful send)
        mail._postprocess_sent_message(success_pids=mail.recipient_ids, success_emails=[])
        self.assertFalse(mail.exists())
        self.assertFalse(digest_file.exists())
        # the downloaded file goes with its transient owner when Odoo vacuums it
        owner = self.env[exported.res_model].browse(exported.res_id)
        self.assertTrue(owner._transient)
        owner.unlink()
        self.assertFalse(exported.exists())
