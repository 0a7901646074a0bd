import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestReceiptLots(LotFefoRecallCase):
    """A receipt whose lines carry several vendor lots, and the production date the
    vendor prints on the goods."""

    def _add_line(self, picking, quantity, **vals):
        move = picking.move_ids.filtered(lambda m: m.product_id == self.product)
        return self.env["stock.move.line"].create(
            dict(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": self.product.id,
                    "quantity": quantity,
                    "location_id": self.supplier_location.id,
                    "location_dest_id": self.stock_location.id,
                    "picked": True,
                },
                **vals,
            )
        )

    def _day(self, value):
        """The calendar day of a UTC datetime in the user's time zone."""
        return fields.Date.context_today(self.env.user, value)

    def _on_hand(self, lot):
        return sum(
            self.env["stock.quant"]
            .search([("lot_id", "=", lot.id), ("location_id", "=", self.stock_location.id)])
            .mapped("quantity")
        )

    @freeze_time("2026-06-15 10:00:00")
    def test_two_vendor_lots_give_two_lots(self):
        picking = self._new_receipt(
            [
                (
                    self.product,
                    35,
                    {
                        "quantity": 10,
                        "supplier_lot_name": "VA-1",
                        "expiration_date": self._dt("2026-12-01 10:00:00"),
                    },
                )
            ]
        )
        self._add_line(
            picking,
            20,
            supplier_lot_name="VB-2",
            expiration_date=self._dt("2027-01-15 10:00:00"),
        )
        # a second pallet of the first vendor lot joins its lot
        self._add_line(
            picking,
            5,
            supplier_lot_name="VA-1",
            expiration_date=self._dt("2026-12-01 10:00:00"),
        )
        self.assertIs(picking.button_validate(), True)
        lots = picking.move_line_ids.lot_id
        self.assertEqual(len(lots), 2)
        by_vendor_lot = {lot.supplier_lot_name: lot for lot in lots}
        self.assertEqual(set(by_vendor_lot), {"VA-1", "VB-2"})
        first, second = by_vendor_lot["VA-1"], by_vendor_lot["VB-2"]
        self.assertEqual(first.name, "AC-20260615")
        self.assertEqual(second.name, "AC-20260615-2")
        self.assertEqual(self._on_hand(first), 15)
        self.assertEqual(self._on_hand(second), 20)
        self.assertEqual(first.expiration_date, self._dt("2026-12-01 10:00:00"))
        self.assertEqual(second.expiration_date, self._dt("2027-01-15 10:00:00"))
        self.assertEqual((first | second).mapped("supplier_id"), self.vendor)

    @freeze_time("2026-06-15 10:00:00")
    def test_one_vendor_lot_two_expiry_dates(self):
        """The same vendor lot printed with two expiry dates is two batches for us."""
        picking = self._new_receipt(
            [
                (
                    self.product,
                    8,
                    {
                        "quantity": 3,
                        "supplier_lot_name": "VA-1",
                        "expiration_date": self._dt("2026-12-01 10:00:00"),
                    },
                )
            ]
        )
        self._add_line(
            picking, 5, supplier_lot_name="VA-1", expiration_date=self._dt("2026-12-20 10:00:00")
        )
        picking.action_generate_lot_names()
        self.assertEqual(
            sorted(picking.move_line_ids.mapped("lot_name")), ["AC-20260615", "AC-20260615-2"]
        )
        picking.button_validate()
        self.assertEqual(len(picking.move_line_ids.lot_id), 2)
        self.assertEqual(set(picking.move_line_ids.lot_id.mapped("supplier_lot_name")), {"VA-1"})

    @freeze_time("2026-06-15 10:00:00")
    def test_production_date_fills_lot_and_expiry(self):
        picking = self._new_receipt([(self.product, 12, {"supplier_lot_name": "VA-1"})])
        line = picking.move_line_ids
        line.production_date = datetime.date(2026, 6, 1)
        self.assertEqual(
            self._day(line.expiration_date),
            datetime.date(2026, 11, 28),
            "production date + the product's 180 days of expiration time",
        )
        picking.button_validate()
        lot = line.lot_id
        self.assertEqual(lot.production_date, datetime.date(2026, 6, 1))
        self.assertEqual(self._day(lot.expiration_date), datetime.date(2026, 11, 28))

    @freeze_time("2026-06-15 10:00:00")
    def test_production_date_keeps_printed_expiry(self):
        """When the vendor prints both dates, the printed expiry wins."""
        picking = self._new_receipt([(self.product, 12, {})])
        line = picking.move_line_ids
        line.write(
            {
                "production_date": datetime.date(2026, 6, 1),
                "expiration_date": self._dt("2026-10-01 10:00:00"),
            }
        )
        picking.button_validate()
        self.assertEqual(line.lot_id.production_date, datetime.date(2026, 6, 1))
        self.assertEqual(line.lot_id.expiration_date, self._dt("2026-10-01 10:00:00"))

    @freeze_time("2026-06-15 10:00:00")
    def test_production_date_on_existing_lot_receipt(self):
        """A lot received again keeps its first production date (batch register rule)."""
        lot = self._put_in_stock(self.product, 1, "KNOWN", "2026-12-01 10:00:00")
        picking = self._new_receipt(
            [(self.product, 4, {"lot_id": lot.id, "production_date": datetime.date(2026, 6, 2)})]
        )
        picking.button_validate()
        self.assertEqual(lot.production_date, datetime.date(2026, 6, 2), "filled when empty")
        again = self._new_receipt(
            [(self.product, 4, {"lot_id": lot.id, "production_date": datetime.date(2026, 6, 9)})]
        )
        again.button_validate()
        self.assertEqual(lot.production_date, datetime.date(2026, 6, 2), "never overwritten")

    @freeze_time("2026-06-15 10:00:00")
    def test_lot_created_with_production_date_only(self):
        form = Form(self.env["stock.lot"])
        form.name = "HANDMADE"
        form.product_id = self.product
        form.production_date = datetime.date(2026, 6, 1)
        lot = form.save()
        self.assertEqual(self._day(lot.expiration_date), datetime.date(2026, 11, 28))
        explicit = self.env["stock.lot"].create(
            {
                "name": "PRINTED",
                "product_id": self.product.id,
                "production_date": "2026-06-01",
                "expiration_date": "2026-09-01 10:00:00",
            }
        )
        self.assertEqual(explicit.expiration_date, self._dt("2026-09-01 10:00:00"))
        undated = self.env["stock.lot"].create(
            {
                "name": "JAR-1",
                "product_id": self.product_undated.id,
                "production_date": "2026-06-01",
            }
        )
        self.assertFalse(undated.expiration_date)
