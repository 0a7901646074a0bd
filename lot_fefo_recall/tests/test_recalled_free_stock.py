from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase

TODAY = "2026-06-01 10:00:00"
FAR = "2027-06-01 10:00:00"
LATER = "2027-09-01 10:00:00"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestRecalledFreeStock(LotFefoRecallCase):
    """Free stock is sellable on hand less what is reserved from it: a blocked lot
    comes off it only while it is counted on hand, so a recalled lot set aside in
    quarantine does not come off twice and free stock never goes negative for stock the
    user cannot see (issue #19 item 3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quarantine = cls.warehouse._get_quarantine_location()
        cls.good = cls._put_in_stock(cls.product, 20, "GOOD", FAR)
        cls.recalled = cls._put_in_stock(cls.product, 12, "RECALLED", LATER)
        cls.delivery = cls._new_delivery(cls.customer, [(cls.product, 10)])

    def _contexts(self):
        """The ways a user asks for a product's figures: all warehouses, one warehouse,
        its view location, its stock location."""
        return (
            {},
            {"warehouse_id": self.warehouse.id},
            {"location": self.warehouse.view_location_id.id},
            {"location": self.stock_location.id},
        )

    def _figures(self, **context):
        product = self.product.with_context(**context)
        product.invalidate_recordset()
        return {
            "on hand": product.qty_available,
            "free": product.free_qty,
            "forecast": product.virtual_available,
            "acceptable": product.shelf_life_acceptable_qty,
        }

    def _quarantine(self, lot):
        recall = (
            self.env["stock.recall"]
            .with_user(self.quality_manager)
            .create({"lot_ids": [Command.set(lot.ids)], "reason": "Listeria"})
        )
        recall.action_trace()
        recall.with_user(self.quality_manager).action_quarantine()
        return recall

    def test_recalled_quarantined_lot_leaves_free_stock_alone(self):
        """The issue's case: 20 sellable units, 10 of them reserved, and a recalled lot
        of 12 in quarantine: 10 free, not -2."""
        self.assertEqual(self._reserved(self.delivery), {"GOOD": 10})
        recall = self._quarantine(self.recalled)
        self.assertEqual(recall.quarantined_qty, 12)
        self.assertEqual(
            self.recalled.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id,
            self.quarantine,
        )
        self.assertEqual(self._reserved(self.delivery), {"GOOD": 10})
        for context in self._contexts():
            with self.subTest(context=context):
                self.assertEqual(
                    self._figures(**context),
                    {"on hand": 20, "free": 10, "forecast": 10, "acceptable": 10},
                )
        order = self._sale_order(self.customer, 1)
        line = order.order_line
        self.assertEqual(
            (line.qty_available_today, line.free_qty_today, line.virtual_available_at_date),
            (20, 10, 10),
        )
        # under a customer rule the quotation line offers the same 10 (FEFO reserved
        # the earliest 10 of GOOD, the recalled lot is neither free nor acceptable)
        self.env["stock.shelf.life.rule"].create(
            {"partner_id": self.customer.id, "min_remaining_days": 60}
        )
        order = self._sale_order(self.customer, 11)
        self.assertEqual(order.order_line.shelf_life_acceptable_qty, 10)
        self.assertTrue(order.order_line.shelf_life_short)
        self.assertEqual(
            self.product.with_context(
                shelf_life_partner_id=self.customer.id, warehouse_id=self.warehouse.id
            ).shelf_life_acceptable_qty,
            10,
        )
        # the quarantine, asked for by name, shows the lot: on hand, not free
        self.assertEqual(
            self._figures(location=self.quarantine.id),
            {"on hand": 12, "free": 0, "forecast": 12, "acceptable": 10},
        )
        self.assertEqual(self.product.with_context(lot_id=self.recalled.id).free_qty, 0)

    def test_blocked_lot_in_stock_on_hand_not_free(self):
        """Blocked but not yet quarantined: it is on hand, it is not free, and free
        stock does not go below zero however much of the rest is reserved."""
        with Form(self.recalled.with_user(self.quality_manager)) as form:
            form.is_blocked = True
            form.block_reason = "Listeria"
        for context in self._contexts():
            with self.subTest(context=context):
                self.assertEqual(
                    self._figures(**context),
                    {"on hand": 32, "free": 10, "forecast": 22, "acceptable": 10},
                )
        self._new_delivery(self.customer, [(self.product, 10)])
        self.assertEqual(self._figures()["free"], 0)
        self.assertEqual(self._figures()["on hand"], 32)
        # nothing more to reserve: the third delivery waits, the free stock stays at 0
        third = self._new_delivery(self.customer, [(self.product, 5)])
        self.assertEqual(self._reserved(third), {})
        self.assertEqual(self._figures()["free"], 0)

    def test_quarantined_lot_counted_with_set_aside(self):
        """Counted with set-aside stock (as the books count it), the recalled lot is on
        hand again and comes off the free stock once, as a blocked lot."""
        self._quarantine(self.recalled)
        product = self.product.with_context(lot_fefo_count_set_aside=True)
        self.assertEqual((product.qty_available, product.free_qty), (32, 10))
