import io

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecall(LotFefoRecallCase):
    """Strawberries (raw lot RAW-1, the vendor's 2047) become jam (JAM-1), jam becomes
    gift boxes (GIFT-1); jam and boxes went to three customers, one returned some."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        dated = {"is_storable": True, "tracking": "lot", "use_expiration_date": True}
        cls.raw = Product.create(dict(dated, name="Strawberries", categ_id=cls.category.id))
        cls.jam = cls.product
        cls.gift = Product.create(dict(dated, name="Gift Box", categ_id=cls.category.id))
        cls.production_location = cls.raw.property_stock_production
        cls.customer.email = "buyer@bigbox.example.com"
        cls.no_email_customer = cls.env["res.partner"].create(
            {"name": "Corner Shop", "is_company": True}
        )
        cls.gift_customer = cls.env["res.partner"].create(
            {"name": "Gift Store", "is_company": True, "email": "hello@giftstore.example.com"}
        )
        cls.waiting_customer = cls.env["res.partner"].create(
            {"name": "Late Buyer", "is_company": True, "email": "late@example.com"}
        )
        Lot = cls.env["stock.lot"]
        cls.raw_lot = Lot.create(
            {"name": "RAW-1", "product_id": cls.raw.id, "expiration_date": "2026-09-01"}
        )
        cls.jam_lot = Lot.create(
            {"name": "JAM-1", "product_id": cls.jam.id, "expiration_date": "2027-05-01"}
        )
        cls.gift_lot = Lot.create(
            {"name": "GIFT-1", "product_id": cls.gift.id, "expiration_date": "2027-05-01"}
        )
        cls.other_raw_lot = Lot.create(
            {"name": "RAW-2", "product_id": cls.raw.id, "expiration_date": "2026-09-01"}
        )
        cls.receipt = cls._done_transfer(
            cls.raw_lot,
            100,
            cls.supplier_location,
            cls.stock_location,
            cls.vendor,
            supplier_lot_name="2047",
        )
        cls._done_transfer(
            cls.other_raw_lot,
            10,
            cls.supplier_location,
            cls.stock_location,
            cls.vendor,
            supplier_lot_name="2048",
        )
        cls._produce(cls.raw_lot, 60, cls.jam_lot, 120)
        cls._produce(cls.jam_lot, 50, cls.gift_lot, 25)
        cls.delivery_a = cls._done_transfer(
            cls.jam_lot, 30, cls.stock_location, cls.customer_location, cls.customer
        )
        cls._done_transfer(
            cls.jam_lot,
            20,
            cls.stock_location,
            cls.customer_location,
            cls.no_email_customer,
        )
        cls._done_transfer(
            cls.gift_lot,
            10,
            cls.stock_location,
            cls.customer_location,
            cls.gift_customer,
        )
        cls._done_transfer(cls.jam_lot, 5, cls.customer_location, cls.stock_location, cls.customer)
        # an open delivery holding 5 jars of JAM-1
        cls.open_delivery = cls._new_delivery(cls.waiting_customer, [(cls.jam, 5)])
        cls.open_delivery.action_assign()

    @classmethod
    def _produce(cls, raw_lot, raw_qty, finished_lot, finished_qty):
        """What a manufacturing order records: the consumed line, the produced line, and
        the consume/produce link between them."""
        consumed = cls._done_transfer(
            raw_lot, raw_qty, cls.stock_location, cls.production_location
        ).move_line_ids
        produced = cls._done_transfer(
            finished_lot, finished_qty, cls.production_location, cls.stock_location
        ).move_line_ids
        produced.consume_line_ids = [Command.link(consumed.id)]
        return produced

    def _wizard(self, user=None, **values):
        env = self.env(user=user or self.quality_manager)
        with Form(env["stock.recall.wizard"]) as wizard:
            for name, value in values.items():
                setattr(wizard, name, value)
        return wizard.record

    def _recall(self, **values):
        values = dict({"mode": "lots", "reason": "Listeria found by the vendor"}, **values)
        if "lot_ids" not in values and values["mode"] == "lots":
            values["lot_ids"] = self.raw_lot
        wizard = self._wizard(**values)
        action = wizard.action_create_recall()
        return self.env["stock.recall"].browse(action["res_id"])

    # ---------------------------------------------------------------- ways in

    def test_from_lots(self):
        wizard = (
            self.env["stock.recall.wizard"]
            .with_context(active_model="stock.lot", active_ids=[self.raw_lot.id])
            .create({"reason": "Listeria"})
        )
        self.assertEqual(wizard.matched_lot_ids, self.raw_lot)
        # the impact, before anything is created
        self.assertEqual(wizard.impact_lot_count, 3)
        self.assertEqual(wizard.impact_shipped_qty, 55)
        self.assertEqual(
            wizard.impact_partner_ids, self.customer | self.no_email_customer | self.gift_customer
        )
        self.assertFalse(self.env["stock.recall"].search([]))
        action = wizard.with_user(self.quality_manager).action_create_recall()
        recall = self.env["stock.recall"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "stock.recall")
        self.assertRegex(recall.name, r"^RCL/2026/\d{4}$")
        self.assertEqual(recall.state, "traced")
        self.assertEqual(recall.vendor_id, self.vendor)

    def test_from_vendor_notice(self):
        wizard = self._wizard(
            mode="notice",
            vendor_lot_text="Lots: 2047 ;2047,  2048-b |\n 9999\t2047",
            reason="Vendor notice 12",
        )
        self.assertEqual(wizard.matched_lot_ids, self.raw_lot)
        self.assertEqual(wizard.unmatched_text, "2048-b, 9999", "listed once, as written")
        self.other_raw_lot.supplier_lot_name = "2048-B"
        wizard = self._wizard(mode="notice", vendor_lot_text=" 2047 ;2048_b , Raw-1", reason="x")
        self.assertEqual(wizard.matched_lot_ids, self.raw_lot | self.other_raw_lot)
        self.assertFalse(wizard.unmatched_text, "separators, spaces and case are ignored")
        # restricted to a vendor
        wizard = self._wizard(
            mode="notice", vendor_id=self.other_vendor, vendor_lot_text="2047", reason="x"
        )
        self.assertFalse(wizard.matched_lot_ids)
        self.assertEqual(wizard.unmatched_text, "2047")

    def test_unmatched_numbers_listed_on_recall(self):
        recall = self._recall(mode="notice", vendor_lot_text="2047, 2047-B")
        self.assertEqual(recall.lot_ids, self.raw_lot)
        self.assertTrue(
            recall.message_ids.filtered(lambda m: "never received: 2047-B" in (m.body or ""))
        )

    def test_from_product_and_dates(self):
        self.raw_lot.production_date = "2026-05-20"
        self.other_raw_lot.production_date = "2026-04-01"
        wizard = self._wizard(
            mode="product",
            product_id=self.raw,
            date_field="production_date",
            date_from="2026-05-01",
            date_to="2026-05-31",
            reason="x",
        )
        self.assertEqual(wizard.matched_lot_ids, self.raw_lot)
        wizard = self._wizard(
            mode="product",
            product_id=self.raw,
            date_field="receipt_date",
            date_from="2026-06-01",
            date_to="2026-06-01",
            reason="x",
        )
        self.assertEqual(wizard.matched_lot_ids, self.raw_lot | self.other_raw_lot)

    def test_no_lot_matched(self):
        wizard = self._wizard(mode="notice", vendor_lot_text="7777, 8888", reason="x")
        with self.assertRefused(UserError, "none of these numbers was received: 7777, 8888"):
            wizard.action_create_recall()
        wizard = self._wizard(
            mode="product",
            product_id=self.raw,
            date_from="2020-01-01",
            date_to="2020-01-31",
            reason="x",
        )
        with self.assertRefused(UserError, "No lot matches"):
            wizard.action_create_recall()
        self.assertFalse(self.env["stock.recall"].search([]))

    def test_lot_already_in_open_recall(self):
        first = self._recall()
        wizard = self._wizard(mode="notice", vendor_lot_text="2047", reason="again")
        with (
            self.assertRaisesRegex(
                RedirectWarning, f"already in the open recall {first.name}"
            ) as caught,
            self.env.cr.savepoint(),
        ):
            wizard.action_create_recall()
        self.assertEqual(self.env["stock.recall"].search([]), first)
        # the message links to the open recall
        self.assertEqual(caught.exception.args[1]["res_id"], first.id)
        # a mock recall of the same lot is allowed: it is a drill
        mock = self._recall(is_mock=True)
        self.assertTrue(mock.is_mock)

    def test_lot_with_no_moves(self):
        lonely = self.env["stock.lot"].create({"name": "NEVER-MOVED", "product_id": self.raw.id})
        recall = self._recall(lot_ids=lonely)
        self.assertEqual(recall.state, "traced")
        self.assertFalse(recall.line_ids)
        self.assertEqual(recall.shipped_qty, 0)
        self.assertTrue(
            recall.message_ids.filtered(lambda m: "No stock move found for" in (m.body or ""))
        )

    # ------------------------------------------------------------------ trace

    def test_multi_level_trace_with_returns(self):
        recall = self._recall()
        self.assertEqual(recall.affected_lot_ids, self.raw_lot | self.jam_lot | self.gift_lot)
        lines = recall.line_ids

        def of(line_type):
            return lines.filtered(lambda line: line.line_type == line_type)

        self.assertEqual(of("receipt").picking_id, self.receipt)
        self.assertEqual(of("receipt").partner_id, self.vendor)
        self.assertEqual(of("produced").lot_id, self.jam_lot | self.gift_lot)
        gift_made = of("produced").filtered(lambda line: line.lot_id == self.gift_lot)
        self.assertEqual((gift_made.source_lot_id, gift_made.depth), (self.jam_lot, 2))
        self.assertEqual(sum(of("delivery").mapped("quantity")), 60)
        self.assertEqual(sum(of("return").mapped("quantity")), 5)
        self.assertEqual(recall.shipped_qty, 55, "net of the customer's return")
        on_hand = {line.lot_id.name: line.quantity for line in of("on_hand")}
        self.assertEqual(on_hand, {"RAW-1": 40, "JAM-1": 25, "GIFT-1": 15})
        self.assertEqual(recall.on_hand_qty, 80)
        self.assertEqual(of("reserved").picking_id, self.open_delivery)
        self.assertEqual(
            recall.affected_partner_ids,
            self.customer | self.no_email_customer | self.gift_customer,
        )
        by_customer = {c.partner_id: c.shipped_qty for c in recall.customer_ids}
        self.assertEqual(
            by_customer,
            {self.customer: 25, self.no_email_customer: 20, self.gift_customer: 10},
        )
        # received 100 + produced 145; accounted: 55 shipped + 110 consumed + 80 on hand
        self.assertAlmostEqual(recall.accounted_percent, 100.0)

    def test_trace_sees_only_its_company(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        recall = self._recall()
        lines_before = len(recall.line_ids)
        recall.company_id = other_company
        recall.with_context(allowed_company_ids=[other_company.id, self.company.id]).action_trace()
        self.assertGreater(lines_before, 0)
        self.assertFalse(recall.line_ids, "the moves belong to the other company")

    # ------------------------------------------------------------- quarantine

    def test_quarantine(self):
        recall = self._recall()
        recall.with_user(self.quality_manager).action_quarantine()
        self.assertEqual(recall.state, "quarantined")
        affected = self.raw_lot | self.jam_lot | self.gift_lot
        self.assertTrue(all(affected.mapped("is_blocked")))
        self.assertIn(recall.name, self.jam_lot.block_reason)
        quarantine = self.warehouse.quarantine_location_id
        self.assertTrue(quarantine)
        self.assertFalse(quarantine._child_of(self.stock_location))
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", affected.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", "!=", 0),
            ]
        )
        self.assertEqual(quants.location_id, quarantine)
        self.assertEqual(sum(quants.mapped("quantity")), 80)
        self.assertEqual(recall.quarantined_qty, 80)
        moves = self.env["stock.move"].search([("origin", "=", recall.name)])
        self.assertEqual(set(moves.mapped("state")), {"done"})
        # the open delivery lost JAM-1 and took other stock: here there is none
        self.assertFalse(
            self.open_delivery.move_line_ids.filtered(lambda ml: ml.lot_id == self.jam_lot)
        )
        self._put_in_stock(self.jam, 10, "JAM-2", "2027-06-01")
        self.open_delivery.action_assign()
        self.assertEqual(self._reserved(self.open_delivery), {"JAM-2": 5})
        # nothing reservable afterwards, for any delivery
        again = self._new_delivery(self.customer, [(self.jam, 50)])
        again.action_assign()
        self.assertNotIn("JAM-1", self._reserved(again))

    def test_quarantine_reserves_open_deliveries_again(self):
        self._put_in_stock(self.jam, 10, "JAM-2", "2027-06-01")
        recall = self._recall()
        recall.action_quarantine()
        self.assertEqual(self._reserved(self.open_delivery), {"JAM-2": 5})

    def test_failed_quarantine_changes_nothing(self):
        """Stock of an affected lot outside any warehouse can not be quarantined: the
        whole quarantine fails, and what was done before the failure is undone."""
        outside = self.env["stock.location"].create(
            {"name": "Consignment at Big Box", "usage": "internal", "location_id": False}
        )
        self._done_transfer(self.jam_lot, 5, self.stock_location, outside)
        recall = self._recall()
        quants_before = {
            (q.lot_id.name, q.location_id.id): q.quantity
            for q in self.env["stock.quant"].search(
                [("lot_id", "in", recall.affected_lot_ids.ids)]
            )
        }
        with self.assertRefused(UserError, "failed and nothing was changed: .*Consignment"):
            recall.action_quarantine()
        self.assertEqual(recall.state, "traced")
        self.assertFalse(any(recall.affected_lot_ids.mapped("is_blocked")))
        quants_after = {
            (q.lot_id.name, q.location_id.id): q.quantity
            for q in self.env["stock.quant"].search(
                [("lot_id", "in", recall.affected_lot_ids.ids)]
            )
        }
        self.assertEqual(quants_after, quants_before)
        self.assertFalse(self.env["stock.move"].search([("origin", "=", recall.name)]))
        self.assertTrue(self.open_delivery.move_line_ids, "still reserved as before")

    # ---------------------------------------------------------------- letters

    def test_letters_rendered_per_customer(self):
        recall = self._recall()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("lot_fefo_recall.action_report_recall_letter", recall.ids)[0]
            .decode()
        )
        self.assertEqual(html.count("<h2>Product Recall"), 3, "one page per customer")
        for name in ("Big Box Retail", "Corner Shop", "Gift Store", "JAM-1", "GIFT-1"):
            self.assertIn(name, html)
        self.assertIn("Listeria found by the vendor", html)
        gift = recall.customer_ids.filtered(lambda c: c.partner_id == self.gift_customer)
        only_gift = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "lot_fefo_recall.action_report_recall_letter",
                recall.ids,
                data={"customer_ids": gift.ids},
            )[0]
            .decode()
        )
        self.assertEqual(only_gift.count("<h2>Product Recall"), 1)
        self.assertIn("GIFT-1", only_gift)
        self.assertNotIn("JAM-1", only_gift)
        action = recall.action_print_letters()
        # Odoo asks for the document layout the first time, then prints
        report = action.get("report_name") or action["context"]["report_action"]["report_name"]
        self.assertEqual(report, "lot_fefo_recall.report_recall_letter")

    def test_send_letters(self):
        """The button queues, the letters cron mails (details in test_recall_letters)."""
        recall = self._recall()
        recall.action_quarantine()
        recall.with_user(self.quality_manager).action_send_letters()
        self.assertEqual(recall.state, "quarantined", "letters still in line")
        self.env["stock.recall.customer"]._send_queued_letters(commit=False)
        self.assertEqual(recall.state, "notified")
        states = {c.partner_id: c.state for c in recall.customer_ids}
        self.assertEqual(
            states,
            {
                self.customer: "notified",
                self.gift_customer: "notified",
                self.no_email_customer: "no_email",
            },
        )
        self.assertFalse(recall.message_ids.filtered(lambda m: m.message_type == "comment"))
        mails = self.env["mail.mail"].search(
            [("model", "=", "stock.recall.customer"), ("res_id", "in", recall.customer_ids.ids)]
        )
        self.assertEqual(len(mails), 2)
        to_big_box = mails.filtered(lambda m: m.recipient_ids == self.customer)
        self.assertEqual(len(to_big_box.attachment_ids), 1)
        self.assertIn("Big Box Retail", to_big_box.attachment_ids.name)
        # the customer without email is listed, with an activity to call them
        self.assertEqual(recall.customers_without_email, "Corner Shop")
        self.assertTrue(recall.activity_ids)
        # sending again writes to nobody twice, and says so
        with self.assertRefused(UserError, "already queued or sent"):
            recall.action_send_letters()
        self.env["stock.recall.customer"]._send_queued_letters(commit=False)
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [
                    ("model", "=", "stock.recall.customer"),
                    ("res_id", "in", recall.customer_ids.ids),
                ]
            ),
            2,
        )

    # ------------------------------------------------------------ close, prove

    def test_close_and_effectiveness(self):
        recall = self._recall()
        recall.action_quarantine()
        recall.action_send_letters()
        self.env["stock.recall.customer"]._send_queued_letters(commit=False)
        for customer in recall.customer_ids:
            customer.returned_qty = customer.shipped_qty
        customer = recall.customer_ids[0]
        customer.action_acknowledge()
        self.assertEqual(customer.state, "acknowledged")
        self.assertAlmostEqual(recall.effectiveness, 100.0)
        recall.customer_ids.filtered(lambda c: c.partner_id == self.gift_customer).returned_qty = 0
        # per product, the lowest: 15 of the 25 gift boxes are in quarantine, the 10 shipped
        # are not back; jam and strawberries are all accounted for
        self.assertAlmostEqual(recall.effectiveness, 60.0)
        with self.assertRefused(UserError, "Write the resolution"):
            recall.action_close()
        self.assertEqual(recall.state, "notified")
        recall.resolution_note = "All stock destroyed, customers credited."
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        self.assertTrue(recall.date_closed)
        bodies = " ".join(recall.message_ids.mapped("body"))
        for step in ("Traced in", "Quarantined:", "Closed. Effectiveness 60.0%"):
            self.assertIn(step, bodies)
        # a closed recall frees its lots for a new one
        self.assertTrue(self._recall(lot_ids=self.raw_lot))

    def test_exports(self):
        recall = self._recall()
        action = recall.action_export_trace_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Event", "Level", "Lot"))
        self.assertEqual(len(rows) - 1, len(recall.line_ids))
        self.assertEqual(sheet.freeze_panes, "A2")
        quantities = [row[10] for row in rows[1:]]
        self.assertTrue(all(isinstance(q, (int, float)) for q in quantities))

        action = recall.action_export_fsma204_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.raw)).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        for kde in (
            "Traceability Lot Code",
            "Quantity",
            "Unit of Measure",
            "Product Description",
            "Immediate Previous Source",
            "Immediate Subsequent Recipient",
            "Ship-From Location",
            "Ship-To Location",
            "Receiving or Transformation Location",
            "Traceability Lot Code Source Reference",
            "Input Traceability Lot Codes",
            "Reference Document Type",
            "Reference Document Number",
        ):
            self.assertIn(kde, header)
        self.assertTrue(any(label.endswith("ISO 8601 with UTC offset)") for label in header))
        events = {(row[0], row[1], row[3]) for row in rows[1:]}
        self.assertIn(("Receiving", "2047", 100), events, "the vendor's lot code")
        self.assertIn(("Shipping", "JAM-1", 30), events)
        self.assertIn(("Receiving", "JAM-1", 5), events, "the customer return")
        self.assertIn(("Transformation", "GIFT-1", 25), events)
        self.assertEqual(len(rows) - 1, 7, "1 receipt, 2 transformations, 3 shipments, 1 return")
        summary = (
            self.env["ir.actions.report"]
            ._render_qweb_html("lot_fefo_recall.action_report_recall_summary", recall.ids)[0]
            .decode()
        )
        self.assertIn(recall.name, summary)
        self.assertIn("Effectiveness", summary)

    # ------------------------------------------------------------------- mock

    def test_mock_recall_by_stock_user(self):
        wizard = self._wizard(
            user=self.stock_user, mode="notice", vendor_lot_text="2047", is_mock=True
        )
        action = wizard.with_user(self.stock_user).action_create_recall()
        mock = self.env["stock.recall"].browse(action["res_id"])
        self.assertTrue(mock.is_mock)
        self.assertEqual(mock.state, "traced")
        self.assertTrue(mock.date_traced)
        self.assertTrue(mock.message_ids.filtered(lambda m: "Traced in" in (m.body or "")))
        self.assertAlmostEqual(mock.accounted_percent, 100.0)
        self.assertEqual(mock.shipped_qty, 55)
        for action_name in ("action_quarantine", "action_send_letters"):
            with self.assertRefused(UserError, "mock recall: it never blocks, moves or emails"):
                getattr(mock.with_user(self.quality_manager), action_name)()
        self.assertFalse(any(mock.affected_lot_ids.mapped("is_blocked")))
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "stock.recall")]))
        mock.with_user(self.stock_user).resolution_note = "Drill done in 20 minutes."
        mock.with_user(self.stock_user).action_close()
        self.assertEqual(mock.state, "closed")

    def test_access(self):
        recall = self._recall()
        as_user = recall.with_user(self.stock_user)
        self.assertEqual(as_user.name, recall.name, "stock users read recalls")
        for action_name in ("action_quarantine", "action_send_letters", "action_trace"):
            with self.assertRefused(AccessError, "Only quality managers"):
                getattr(as_user, action_name)()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            as_user.write({"reason": "changed"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            as_user.customer_ids[0].write({"returned_qty": 999})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            as_user.line_ids.unlink()
        wizard = self._wizard(
            user=self.stock_user, mode="lots", lot_ids=self.other_raw_lot, reason="x"
        )
        with self.assertRefused(UserError, "Only quality managers launch recalls"):
            wizard.with_user(self.stock_user).action_create_recall()
        self.assertFalse(any(recall.affected_lot_ids.mapped("is_blocked")))
