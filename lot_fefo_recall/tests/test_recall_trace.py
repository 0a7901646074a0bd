from freezegun import freeze_time

from odoo import Command, models
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models.stock_recall_line import TRACE_COLUMNS
from .common import LotFefoRecallCase
from .test_multi_company import xlsx_text


class RecallTraceCase(LotFefoRecallCase):
    """Lots that leave through a dropship or travel to another company of ours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inter_company = cls.env.ref("stock.stock_location_inter_company")
        cls.inter_company.active = True
        cls.diner = cls.env["res.partner"].create(
            {"name": "Dropship Diner", "is_company": True, "email": "diner@example.com"}
        )
        cls.diner_kitchen = cls.env["res.partner"].create(
            {
                "name": "Diner Kitchen",
                "type": "delivery",
                "parent_id": cls.diner.id,
                "street": "1 Harbour Road",
                "city": "Portsmouth",
            }
        )

    @classmethod
    def _done(cls, lot, quantity, source, dest, picking_type, partner=None, move_partner=None):
        return cls._done_transfer(
            lot,
            quantity,
            source,
            dest,
            partner,
            picking_type=picking_type,
            move_partner=move_partner,
        )

    @classmethod
    def _recall_of(cls, lot, company=None):
        return cls.env["stock.recall"].create(
            {
                "reason": "Salmonella",
                "lot_ids": [Command.set(lot.ids)],
                "company_id": (company or cls.company).id,
            }
        )

    @staticmethod
    def _of(recall, line_type):
        return recall.line_ids.filtered(lambda line: line.line_type == line_type)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallTraceDropship(RecallTraceCase):
    def test_dropship_customer_is_affected(self):
        """A vendor ships our lot straight to the customer: the move line goes from the
        vendor's location to the customer's, with no step in our warehouse."""
        lot = self.env["stock.lot"].create({"name": "DS-1", "product_id": self.product.id})
        dropship = self._done(
            lot,
            12,
            self.supplier_location,
            self.customer_location,
            self.picking_type_in,
            partner=self.vendor,
            move_partner=self.diner_kitchen,
        )
        recall = self._recall_of(lot)
        recall.action_trace()
        receipt, delivery = self._of(recall, "receipt"), self._of(recall, "delivery")
        self.assertEqual(receipt.picking_id, dropship)
        self.assertEqual(receipt.partner_id, self.vendor)
        self.assertEqual(delivery.picking_id, dropship)
        self.assertEqual(delivery.partner_id, self.diner)
        self.assertEqual(delivery.address_id, self.diner_kitchen, "the delivery address")
        self.assertEqual(delivery.quantity, 12)
        self.assertEqual(recall.customer_ids.partner_id, self.diner)
        self.assertEqual(recall.customer_ids.shipped_qty, 12)
        self.assertEqual(recall.shipped_qty, 12)
        self.assertNotIn(self.vendor, recall.affected_partner_ids)
        self.assertAlmostEqual(recall.accounted_percent, 100.0)

    def test_received_lot_stops_at_the_vendor(self):
        """The vendor is also a customer of ours and the receipt brought another lot: neither
        the vendor nor the other lot is affected."""
        lot = self.env["stock.lot"].create({"name": "RCV-1", "product_id": self.product.id})
        other = self.env["stock.lot"].create({"name": "RCV-2", "product_id": self.product.id})
        self._done(
            lot, 10, self.supplier_location, self.stock_location, self.picking_type_in, self.vendor
        )
        self._done(
            other,
            10,
            self.supplier_location,
            self.stock_location,
            self.picking_type_in,
            self.vendor,
        )
        self._done(
            other,
            4,
            self.stock_location,
            self.customer_location,
            self.picking_type_out,
            self.vendor,
        )
        self._done(
            lot,
            3,
            self.stock_location,
            self.customer_location,
            self.picking_type_out,
            self.customer,
        )
        recall = self._recall_of(lot)
        recall.action_trace()
        self.assertEqual(recall.affected_lot_ids, lot)
        self.assertEqual(recall.customer_ids.partner_id, self.customer)
        self.assertEqual(set(recall.line_ids.lot_id.ids), {lot.id})
        self.assertEqual(self._of(recall, "receipt").partner_id, self.vendor)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallTraceInterCompany(RecallTraceCase):
    """Company A receives lot IC-1 of a shared product from the vendor and sends part of it
    through the inter-company transit location to company B, which ships it on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Lot FEFO Company B"})
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "B's Bistro", "is_company": True, "email": "bistro@example.com"}
        )
        both = [Command.set((cls.company | cls.company_b).ids)]
        cls.manager_ab = new_test_user(
            cls.env,
            login="lfr_qm_ab",
            groups="lot_fefo_recall.group_quality_manager,stock.group_production_lot",
            company_id=cls.company.id,
            company_ids=both,
        )
        cls.manager_a = new_test_user(
            cls.env,
            login="lfr_qm_a",
            groups="lot_fefo_recall.group_quality_manager,stock.group_production_lot",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.assertFalse(cls, cls.product.company_id, "a product shared by the companies")
        cls.lot = cls.env["stock.lot"].create({"name": "IC-1", "product_id": cls.product.id})
        cls._done(
            cls.lot,
            100,
            cls.supplier_location,
            cls.stock_location,
            cls.picking_type_in,
            cls.vendor,
        )
        cls._done(
            cls.lot,
            10,
            cls.stock_location,
            cls.customer_location,
            cls.picking_type_out,
            cls.customer,
        )
        cls.sent = cls._done(
            cls.lot,
            60,
            cls.stock_location,
            cls.inter_company,
            cls.picking_type_out,
            cls.company_b.partner_id,
        )
        cls._done(
            cls.lot,
            60,
            cls.inter_company,
            cls.warehouse_b.lot_stock_id,
            cls.warehouse_b.in_type_id,
            cls.company.partner_id,
        )
        cls.shipped_b = cls._done(
            cls.lot,
            40,
            cls.warehouse_b.lot_stock_id,
            cls.customer_location,
            cls.warehouse_b.out_type_id,
            cls.customer_b,
        )

    def _trace_as(self, user, companies):
        recall = self._recall_of(self.lot)
        recall.with_user(user).with_context(allowed_company_ids=companies.ids).action_trace()
        return recall

    def test_followed_into_the_other_company(self):
        recall = self._trace_as(self.manager_ab, self.company | self.company_b)
        self.assertEqual(recall.affected_partner_ids, self.customer | self.customer_b)
        shipped_b = self._of(recall, "delivery").filtered(
            lambda line: line.picking_id == self.shipped_b
        )
        self.assertEqual(shipped_b.event_company_id, self.company_b, "lines show their company")
        self.assertEqual(shipped_b.quantity, 40)
        self.assertEqual(self._of(recall, "transit_out").picking_id, self.sent)
        self.assertEqual(self._of(recall, "transit_in").event_company_id, self.company_b)
        on_hand = {line.event_company_id: line.quantity for line in self._of(recall, "on_hand")}
        self.assertEqual(on_hand, {self.company: 30, self.company_b: 20})
        self.assertEqual(recall.shipped_qty, 50)
        self.assertAlmostEqual(recall.accounted_percent, 100.0)

    def test_other_company_unseen_without_access(self):
        recall = self._trace_as(self.manager_a, self.company)
        self.assertEqual(recall.affected_partner_ids, self.customer)
        self.assertEqual(recall.line_ids.event_company_id, self.company, "nothing of B")
        self.assertEqual(self._of(recall, "on_hand").quantity, 30)
        # what left for B is accounted for as sent in transit
        self.assertEqual(self._of(recall, "transit_out").quantity, 60)
        self.assertAlmostEqual(recall.accounted_percent, 100.0)

    def test_lines_of_the_other_company_only_for_its_users(self):
        """Traced by a user of both companies, the recall of A holds B's shipment to B's
        Bistro. A user of A alone sees A's lines, customers and figures only, and the
        recall says how much is left out; B's lines are B's, the recall stays A's."""
        recall = self._trace_as(self.manager_ab, self.company | self.company_b)
        self.assertEqual(recall.company_id, self.company)
        by_company = {
            company: set(lines.mapped("line_type"))
            for company, lines in recall.line_ids.grouped("company_id").items()
        }
        self.assertEqual(by_company[self.company_b], {"transit_in", "delivery", "on_hand"})
        self.assertEqual(recall.line_ids.mapped("company_id"), recall.line_ids.event_company_id)
        all_lines = recall.line_ids
        lines_b = all_lines.filtered(lambda line: line.company_id == self.company_b)

        as_ab = recall.with_user(self.manager_ab).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        self.assertEqual((as_ab.shipped_qty, as_ab.on_hand_qty), (50, 50))
        self.assertEqual((as_ab.hidden_line_count, as_ab.hidden_customer_count), (0, 0))
        self.assertFalse(as_ab.hidden_note)

        # As in another request: nothing read by the other users in cache.
        self.env.invalidate_all()
        as_a = recall.with_user(self.manager_a).with_context(allowed_company_ids=self.company.ids)
        self.assertEqual(as_a.line_ids.company_id, self.company)
        self.assertEqual(as_a.line_ids.ids, (all_lines - lines_b).ids)
        self.assertFalse(
            as_a.env["stock.recall.line"].search([("picking_id", "=", self.shipped_b.id)])
        )
        with self.assertRaises(AccessError):
            lines_b.with_env(as_a.env).read(["partner_id", "quantity"])
        self.assertEqual(as_a.customer_ids.partner_id, self.customer)
        self.assertEqual(as_a.affected_partner_ids, self.customer)
        self.assertEqual((as_a.shipped_qty, as_a.on_hand_qty, as_a.affected_qty), (10, 30, 40))
        product_line = as_a.product_line_ids
        self.assertEqual((product_line.shipped_qty, product_line.on_hand_qty), (10, 30))
        self.assertEqual((as_a.hidden_line_count, as_a.hidden_customer_count), (3, 1))
        self.assertIn("do not work in: 3 trace lines, 1 customers.", as_a.hidden_note)
        # The trace's note in the chatter, read by every user of A, counts A's figures.
        summary = recall.message_ids.filtered(lambda m: "Traced in" in (m.body or ""))[:1]
        self.assertIn("10 shipped to 1 customers, 30 on hand", summary.body)
        self.assertIn("shown to their users only: 3 trace lines, 1 more customers", summary.body)
        self.assertNotIn("Bistro", summary.body)

        # An export holding B's lines is not kept on the recall, where A alone reads it.
        for method in ("action_export_trace_xlsx", "action_export_epcis"):
            with self.subTest(method=method):
                self.env.invalidate_all()
                url = getattr(as_ab, method)()["url"]
                attachment = self.env["ir.attachment"].browse(
                    int(url.split("/")[-1].split("?")[0])
                )
                self.assertNotEqual(attachment.res_model, "stock.recall")
                with self.assertRaises(AccessError):
                    attachment.with_env(as_a.env).read(["raw"])
                self.env.invalidate_all()
                url = getattr(as_a, method)()["url"]
                attachment = self.env["ir.attachment"].browse(
                    int(url.split("/")[-1].split("?")[0])
                )
                self.assertEqual(
                    (attachment.res_model, attachment.res_id), ("stock.recall", recall.id)
                )
                if method == "action_export_trace_xlsx":
                    text = xlsx_text(attachment.raw)
                    seen, unseen = self.customer.name, self.customer_b.name
                else:
                    text = attachment.raw.decode()
                    seen = f'res.partner/{self.customer.id}"'
                    unseen = f'res.partner/{self.customer_b.id}"'
                self.assertIn(seen, text)
                self.assertNotIn(unseen, text)

        # Tracing again as the user of A alone keeps what B's users see.
        types_b = sorted(lines_b.mapped("line_type"))
        self._trace_as_again(recall, self.manager_a, self.company)
        self.env.invalidate_all()
        lines_b = recall.line_ids.filtered(lambda line: line.company_id == self.company_b)
        self.assertEqual(sorted(lines_b.mapped("line_type")), types_b)
        self.assertEqual(recall.customer_ids.partner_id, self.customer | self.customer_b)
        self.assertEqual(
            recall.customer_ids.filtered(
                lambda c: c.partner_id == self.customer_b
            ).shipping_company_ids,
            self.company_b,
        )
        # Send Letters by the user of A alone writes to B's customer too.
        self.env.invalidate_all()
        recall.with_user(self.manager_a).with_context(
            allowed_company_ids=self.company.ids
        ).action_send_letters()
        bistro = recall.customer_ids.filtered(lambda c: c.partner_id == self.customer_b)
        self.assertTrue(bistro.letter_queued_on)

    def _trace_as_again(self, recall, user, companies):
        recall.with_user(user).with_context(allowed_company_ids=companies.ids).action_trace()

    def test_trace_in_the_receiving_company_stops_at_its_sender(self):
        """Recalled by company B, the lot's path starts at B's receipt from transit: what
        company A did with it before (its vendor, its other customers) is not followed,
        even for a user who sees both companies."""
        recall = self._recall_of(self.lot, self.company_b)
        recall.with_user(self.manager_ab).with_context(
            allowed_company_ids=(self.company_b | self.company).ids
        ).action_trace()
        self.assertEqual(recall.affected_partner_ids, self.customer_b)
        self.assertEqual(recall.line_ids.event_company_id, self.company_b)
        self.assertFalse(self._of(recall, "receipt"), "A's receipt from the vendor")
        self.assertEqual(self._of(recall, "transit_in").quantity, 60)
        self.assertEqual(self._of(recall, "on_hand").quantity, 20)
        self.assertAlmostEqual(recall.accounted_percent, 100.0)


@tagged("post_install", "-at_install")
class TestRecallTraceLines(RecallTraceCase):
    def test_trace_insert_fills_every_stored_field(self):
        """The Trace button inserts its lines in one SQL statement (TRACE_COLUMNS): a stored
        field added to the lines must be added there too, or it would stay empty."""
        Line = self.env["stock.recall.line"]
        written = set(TRACE_COLUMNS) | {"recall_id", "company_id", *models.MAGIC_COLUMNS}
        stored = {name for name, field in Line._fields.items() if field.store}
        self.assertEqual(stored - written, set())

    def test_trace_lines_written_and_totals_told(self):
        lot = self.env["stock.lot"].create({"name": "TL-1", "product_id": self.product.id})
        self._done(
            lot, 8, self.supplier_location, self.stock_location, self.picking_type_in, self.vendor
        )
        self._done(
            lot,
            3,
            self.stock_location,
            self.customer_location,
            self.picking_type_out,
            self.customer,
        )
        recall = self._recall_of(lot)
        recall.action_trace()
        self.assertEqual(recall.shipped_qty, 3, "the recall's stored totals follow its lines")
        self.assertEqual(recall.on_hand_qty, 5)
        delivery = self._of(recall, "delivery")
        self.assertEqual(
            (delivery.company_id, delivery.partner_id, delivery.address_id, delivery.depth),
            (self.company, self.customer, self.customer, 0),
        )
        self.assertFalse(self._of(recall, "on_hand").partner_id, "no partner is NULL")
        recall.action_trace()
        self.assertEqual(len(recall.line_ids), 3, "a new trace replaces the lines")
