from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase

TODAY = "2026-06-01 10:00:00"
FAR = "2027-06-01 10:00:00"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestSellableStock(LotFefoRecallCase):
    """Stock set aside (quarantine, expired, any location flagged by hand) stays on the
    books but is not sellable: it does not count in a product's on hand, free and
    forecasted quantities; a blocked lot counts on hand but is not free."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quarantine = cls.warehouse._get_quarantine_location()
        cls.hold = cls.env["stock.location"].create(
            {"name": "Hold", "location_id": cls.stock_location.id}
        )
        cls.hold_bin = cls.env["stock.location"].create(
            {"name": "Bin", "location_id": cls.hold.id}
        )

    def _figures(self, **context):
        product = self.product.with_context(**context)
        product.invalidate_recordset()
        return (product.qty_available, product.free_qty, product.virtual_available)

    def _contexts(self):
        """The ways a user asks for a product's figures: all warehouses, one warehouse,
        its view location, its stock location."""
        return (
            {},
            {"warehouse_id": self.warehouse.id},
            {"location": self.warehouse.view_location_id.id},
            {"location": self.stock_location.id},
        )

    def test_quarantine_not_sellable(self):
        self.assertTrue(self.quarantine.is_set_aside)
        self.assertTrue(self.warehouse._get_expired_location().is_set_aside)
        self.assertTrue(self.quarantine._child_of(self.warehouse.view_location_id))
        self._put_in_stock(self.product, 10, "GOOD", FAR)
        self._put_in_stock(self.product, 4, "HELD", FAR, location=self.quarantine)
        for context in self._contexts():
            with self.subTest(context=context):
                self.assertEqual(self._figures(**context), (10, 10, 10))
        # asked for by name, the quarantine shows what it holds
        self.assertEqual(self._figures(location=self.quarantine.id), (4, 4, 4))
        # still on the books: in the quant list and the inventory valuation
        quants = self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id.usage", "=", "internal")]
        )
        self.assertEqual(sum(quants.mapped("quantity")), 14)
        self.assertEqual(self.product.total_value, 14 * 3.0)

    def test_existing_quarantine_set_aside_on_update(self):
        self.quarantine.is_set_aside = False
        self.env["stock.warehouse"]._set_aside_existing_locations()
        self.assertTrue(self.quarantine.is_set_aside)

    def test_location_set_aside_by_hand(self):
        self._put_in_stock(self.product, 10, "GOOD", FAR)
        self._put_in_stock(self.product, 3, "SHELVED", FAR, location=self.hold_bin)
        self.assertEqual(self._figures(location=self.stock_location.id), (13, 13, 13))
        with Form(self.hold) as form:
            form.is_set_aside = True
        for context in self._contexts():
            with self.subTest(context=context):
                self.assertEqual(self._figures(**context), (10, 10, 10))
        self.assertEqual(self._figures(location=self.hold_bin.id), (3, 3, 3))
        self.assertEqual(
            self.product.with_context(location=self.stock_location.id)._get_only_qty_available()[
                self.product.id
            ],
            10,
        )

    def test_set_aside_only_internal(self):
        view = self.warehouse.view_location_id
        with self.assertRefused(ValidationError, "LFW is not an internal location"):
            view.is_set_aside = True
        self.assertFalse(view.is_set_aside)
        with self.assertRefused(ValidationError, "Quarantine is not an internal location"):
            self.quarantine.usage = "view"
        self.assertEqual(self.quarantine.usage, "internal")

    def test_forecast_ignores_moves_into_set_aside(self):
        self._put_in_stock(self.product, 10, "GOOD", FAR)
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.picking_type_in.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.quarantine.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 7,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.quarantine.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        to_hold = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.quarantine.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 2,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.quarantine.id,
                        }
                    )
                ],
            }
        )
        to_hold.action_confirm()
        for context in self._contexts():
            with self.subTest(context=context):
                product = self.product.with_context(**context)
                self.assertEqual(
                    (product.incoming_qty, product.outgoing_qty, product.virtual_available),
                    (0, 2, 8),
                )

    def test_blocked_lot_on_hand_not_free(self):
        self._put_in_stock(self.product, 10, "GOOD", FAR)
        blocked = self._put_in_stock(self.product, 6, "BLOCKED", FAR)
        expired_blocked = self._put_in_stock(self.product, 2, "OLD", "2026-05-01 10:00:00")
        (blocked | expired_blocked).is_blocked = True
        for context in self._contexts():
            with self.subTest(context=context):
                product = self.product.with_context(**context)
                # product_expiry already leaves the expired lot out of the free quantity
                self.assertEqual((product.qty_available, product.free_qty), (18, 10))
        self.assertEqual(self.product.with_context(lot_id=blocked.id).free_qty, 0)
        self.assertEqual(self.product.with_context(lot_id=blocked.id).qty_available, 6)

    def test_sale_line_forecast(self):
        self._put_in_stock(self.product, 10, "GOOD", FAR)
        self._put_in_stock(self.product, 4, "HELD", FAR, location=self.quarantine)
        self._put_in_stock(self.product, 3, "SHELVED", FAR, location=self.hold_bin)
        self.hold.is_set_aside = True
        blocked = self._put_in_stock(self.product, 5, "BLOCKED", FAR)
        blocked.is_blocked = True
        order = self._sale_order(self.customer, 1)
        line = order.order_line
        self.assertEqual(
            (line.qty_available_today, line.free_qty_today, line.virtual_available_at_date),
            (15, 10, 15),
        )

    def test_quant_values_add_up(self):
        """Core values a quant at its share of the product's value: the share must count
        the quarantined units, or the quants add up to more than the product."""
        self._put_in_stock(self.product, 10, "GOOD", FAR)
        self._put_in_stock(self.product, 4, "HELD", FAR, location=self.quarantine)
        quants = self.env["stock.quant"].search(
            [("product_id", "=", self.product.id), ("location_id.usage", "=", "internal")]
        )
        self.assertAlmostEqual(sum(quants.mapped("value")), 14 * 3.0)
        self.assertAlmostEqual(self.product.qty_available, 10)

    def test_deliveries_do_not_reserve_set_aside_stock(self):
        """A set-aside location under WH/Stock is not reserved from by a delivery from
        WH/Stock, earliest expiry or not; a transfer out of it still takes its stock."""
        self.hold.is_set_aside = True
        self._put_in_stock(self.product, 5, "HELD-EARLY", "2026-09-01 10:00:00", self.hold_bin)
        self._put_in_stock(self.product, 5, "SHELF", FAR)
        delivery = self._new_delivery(self.customer, [(self.product, 8)])
        self.assertEqual(self._reserved(delivery), {"SHELF": 5})
        back_to_stock = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.hold.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 5,
                            "location_id": self.hold.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        back_to_stock.action_confirm()
        back_to_stock.action_assign()
        self.assertEqual(self._reserved(back_to_stock), {"HELD-EARLY": 5})
