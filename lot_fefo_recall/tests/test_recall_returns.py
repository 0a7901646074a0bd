from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .recall_strategy_world import RecallStrategyCase


@tagged("post_install", "-at_install")
class TestRecallReturns(RecallStrategyCase):
    """Return receipts made from a customer's line of the recall."""

    def _customer(self, recall, partner):
        return recall.customer_ids.filtered(lambda c: c.partner_id == partner)

    def test_one_return_per_delivery_into_quarantine(self):
        recall = self._recall()
        recall.with_user(self.quality_manager).action_quarantine()
        big_box = self._customer(recall, self.customer).with_user(self.quality_manager)
        action = big_box.action_create_return()
        returns = recall.return_picking_ids
        self.assertEqual(len(returns), 2, "Big Box got jam and pulp in two deliveries")
        self.assertEqual(recall.return_count, 2)
        self.assertEqual(set(action["domain"][0][2]), set(returns.ids))
        self.assertEqual(returns.return_id, self.big_box_jam | self.big_box_pulp)
        quarantine = self.warehouse.quarantine_location_id
        self.assertEqual(returns.location_dest_id, quarantine)
        self.assertEqual(
            {(line.lot_id, line.quantity) for line in returns.move_line_ids},
            {(self.jam_lot, 30), (self.pulp_lot, 10)},
        )
        self.assertEqual(big_box.return_received_qty, 0, "not validated yet")
        with freeze_time("2026-06-04 10:00:00"):
            returns.move_ids.picked = True
            returns.button_validate()
        self.assertEqual(set(returns.mapped("state")), {"done"})
        big_box.invalidate_recordset()
        self.assertEqual(big_box.return_received_qty, 40)
        self.assertEqual(big_box.returned_qty, 40)
        jam = self._line(recall, self.product)
        self.assertEqual((jam.returned_qty, jam.quarantined_qty, jam.corrected_qty), (30, 69, 69))
        self.assertEqual(self._line(recall, self.pulp).effectiveness, 100)
        # nothing left: a second click makes nothing
        with self.assertRefused(UserError, "Big Box Retail has nothing left to return"):
            big_box.action_create_return()
        self.assertEqual(len(recall.return_picking_ids), 2)

    def test_return_takes_what_is_left_of_the_recalled_lot(self):
        """Corner Shop sent 4 of 20 back before the recall; Gift Store's delivery also
        carried a lot that is not recalled."""
        other_lot = self._put_in_stock(self.product, 10, "JAM-8", "2027-05-01")
        with freeze_time("2026-06-01 09:30:00"):
            delivery = self._new_delivery(self.gift_store, [(self.product, 8)])
            delivery.move_ids.move_line_ids.unlink()
            for lot, quantity in ((other_lot, 5), (self.jam_lot, 3)):
                self.env["stock.move.line"].create(
                    {
                        "move_id": delivery.move_ids.id,
                        "picking_id": delivery.id,
                        "product_id": self.product.id,
                        "lot_id": lot.id,
                        "quantity": quantity,
                        "location_id": self.stock_location.id,
                        "location_dest_id": self.customer_location.id,
                        "picked": True,
                    }
                )
            delivery._action_done()
        recall = self._recall(lots=self.jam_lot).with_user(self.quality_manager)
        self._customer(recall, self.corner_shop).action_create_return()
        self._customer(recall, self.gift_store).action_create_return()
        by_delivery = {
            picking.return_id: {(ml.lot_id, ml.quantity) for ml in picking.move_line_ids}
            for picking in recall.return_picking_ids
        }
        self.assertEqual(
            by_delivery,
            {
                self.corner_jam: {(self.jam_lot, 16)},
                self.gift_jam: {(self.jam_lot, 10)},
                delivery: {(self.jam_lot, 3)},
            },
        )
        self.assertIn("Return receipts for Gift Store", recall.message_ids[0].body)

    def test_only_quality_managers_make_returns_anyone_validates(self):
        recall = self._recall()
        gift = self._customer(recall, self.gift_store)
        with self.assertRefused(AccessError, "Only quality managers"):
            gift.with_user(self.stock_user).action_create_return()
        self.assertFalse(recall.return_picking_ids)
        gift.with_user(self.quality_manager).action_create_return()
        receipt = recall.return_picking_ids.with_user(self.stock_user)
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(gift.return_received_qty, 10)
        self.assertEqual(gift.returned_qty, 10)

    def test_closed_recall_makes_no_return(self):
        recall = self._recall()
        recall.with_user(self.quality_manager).action_cancel()
        with self.assertRefused(UserError, "is not open: no return can be made"):
            self._customer(recall, self.gift_store).with_user(
                self.quality_manager
            ).action_create_return()
        self.assertFalse(recall.return_picking_ids)

    def test_invoice_to_credit(self):
        """Big Box bought 5 jars on a sale order, delivered from JAM-7 and invoiced: its
        line on the recall links to the invoice."""
        with freeze_time("2026-06-01 10:00:00"):
            order = self._sale_order(self.customer, 5)
            order.action_confirm()
            delivery = order.picking_ids
            delivery.move_ids.move_line_ids.write({"lot_id": self.jam_lot.id, "picked": True})
            delivery.button_validate()
            invoice = order._create_invoices()
            invoice.action_post()
        recall = self._recall(lots=self.jam_lot)
        big_box = self._customer(recall, self.customer)
        self.assertEqual(big_box.invoice_ids, invoice)
        self.assertEqual(big_box.invoice_count, 1)
        action = big_box.action_view_invoices()
        self.assertEqual(action["domain"], [("id", "in", invoice.ids)])
        self.assertEqual(
            self.env["account.move"].search(action["domain"]).line_ids.sale_line_ids,
            order.order_line,
        )
        self.assertFalse(self._customer(recall, self.gift_store).invoice_ids)
