from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestLotChecksPicked(LotFefoRecallCase):
    """The lot checks judge what validation really moves: the picked lines of a partly
    picked transfer (the others go to a backorder), every line when nothing is picked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _rule, lots = cls._stock_fefo_story()
        cls.lot_45, cls.lot_90, cls.lot_200 = lots.values()
        cls.apricot = cls.env["product.product"].create(
            {
                "name": "Apricot Jam",
                "categ_id": cls.category.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )

    def _delivery_with_lines(self, lines):
        """A delivery to Big Box of ``lines``: ``(lot, quantity, picked)``, set by hand."""
        picking = self._new_delivery(
            self.customer, [(self.product, sum(quantity for _lot, quantity, _p in lines))]
        )
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": self.product.id,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "location_id": self.stock_location.id,
                    "location_dest_id": self.customer_location.id,
                    "picked": picked,
                }
                for lot, quantity, picked in lines
            ]
        )
        return picking

    def _validate_with_backorder(self, picking):
        action = picking.with_user(self.stock_user).button_validate()
        self.assertEqual(action["res_model"], "stock.backorder.confirmation")
        Form.from_action(self.env(user=self.stock_user), action).save().process()

    def test_unpicked_short_dated_line_goes_to_backorder(self):
        picking = self._delivery_with_lines([(self.lot_90, 5, True), (self.lot_45, 5, False)])
        self._validate_with_backorder(picking)
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._reserved(picking), {"L90": 5})
        self.assertEqual(picking.backorder_ids.move_ids.product_uom_qty, 5)
        self.assertEqual(self.lot_45.product_qty, 10, "L45 did not leave")

    def test_unpicked_blocked_line_goes_to_backorder(self):
        self.lot_200.write({"is_blocked": True, "block_reason": "Recall RCL/2026/0001"})
        picking = self._delivery_with_lines([(self.lot_90, 5, True), (self.lot_200, 5, False)])
        self._validate_with_backorder(picking)
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._reserved(picking), {"L90": 5})
        self.assertEqual(self.lot_200.product_qty, 10)

    def test_picked_short_dated_line_refused(self):
        picking = self._delivery_with_lines([(self.lot_90, 5, False), (self.lot_45, 5, True)])
        with self.assertRefused(UserError, r"L45 expires on 2026-07-16: it does not meet Big Box"):
            picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.backorder_ids)
        self.assertEqual(self.lot_45.product_qty, 10)

    def test_picked_blocked_line_refused(self):
        self.lot_200.is_blocked = True
        picking = self._delivery_with_lines([(self.lot_90, 5, False), (self.lot_200, 5, True)])
        with self.assertRefused(UserError, r"Blocked lots can not be shipped: .*L200"):
            picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self.lot_200.product_qty, 10)

    def test_nothing_picked_ships_everything_so_every_line_is_checked(self):
        picking = self._delivery_with_lines([(self.lot_90, 5, False), (self.lot_45, 5, False)])
        with self.assertRefused(UserError, r"L45 expires on 2026-07-16"):
            picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.move_line_ids.filtered("picked"), "not even marked picked")

    def test_unpicked_short_dated_receipt_line_goes_to_backorder(self):
        self.category.receipt_min_shelf_life_days = 60
        receipt = self._new_receipt(
            [
                (self.product, 5, {"lot_name": "R-GOOD", "expiration_date": "2026-12-01"}),
                (self.apricot, 5, {"lot_name": "R-SHORT", "expiration_date": "2026-07-01"}),
            ]
        )
        receipt.move_ids.filtered(lambda m: m.product_id == self.apricot).picked = False
        self._validate_with_backorder(receipt)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_line_ids.lot_id.mapped("name"), ["R-GOOD"])
        self.assertEqual(receipt.backorder_ids.move_ids.product_id, self.apricot)
