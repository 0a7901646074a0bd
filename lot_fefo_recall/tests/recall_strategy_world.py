from freezegun import freeze_time

from .common import LotFefoRecallCase


class RecallStrategyCase(LotFefoRecallCase):
    """Jam lot JAM-7 (units) shipped to three customers and pulp lot PULP-7
    (kilograms) to one, on 2026-06-01; before the recall, Corner Shop returned 4 jars
    and 5 jars were scrapped. The recall of both lots starts on 2026-06-02.

    Jam: 30 to Big Box, 20 to Corner Shop (4 back), 10 to Gift Store of 100, so 56 at
    customers and 39 on hand when the recall starts: 95 affected.
    Pulp: 10 kg to Big Box of 50 kg, 40 kg on hand: 50 kg affected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kg = cls.env.ref("uom.product_uom_kgm")
        cls.pulp = cls.env["product.product"].create(
            {
                "name": "Strawberry Pulp",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": cls.kg.id,
                "categ_id": cls.category.id,
            }
        )
        cls.corner_shop = cls.env["res.partner"].create(
            {"name": "Corner Shop", "is_company": True}
        )
        cls.gift_store = cls.env["res.partner"].create(
            {"name": "Gift Store", "is_company": True, "email": "hello@gift.example.com"}
        )
        cls.customer.email = "buyer@bigbox.example.com"
        with freeze_time("2026-06-01 09:00:00"):
            cls.jam_lot = cls._put_in_stock(cls.product, 100, "JAM-7", "2027-05-01")
            cls.pulp_lot = cls._put_in_stock(cls.pulp, 50, "PULP-7", "2027-05-01")
            cls.big_box_jam = cls._ship(cls.customer, cls.jam_lot, 30)
            cls.corner_jam = cls._ship(cls.corner_shop, cls.jam_lot, 20)
            cls.gift_jam = cls._ship(cls.gift_store, cls.jam_lot, 10)
            cls.big_box_pulp = cls._ship(cls.customer, cls.pulp_lot, 10)
            cls._return(cls.corner_jam, cls.jam_lot, 4)
            cls._scrap(cls.jam_lot, 5, cls.stock_location)

    @classmethod
    def _ship(cls, partner, lot, quantity):
        picking = cls._delivery_with_lot(partner, lot, quantity)
        picking._action_done()
        return picking

    @classmethod
    def _return(cls, delivery, lot, quantity):
        """A customer return of ``quantity`` of ``lot`` through core's return wizard."""
        wizard = (
            cls.env["stock.return.picking"]
            .with_context(active_model="stock.picking", active_id=delivery.id)
            .create({"picking_id": delivery.id})
        )
        wizard.product_return_moves.quantity = quantity
        receipt = wizard._create_return()
        receipt.move_line_ids.write({"lot_id": lot.id, "quantity": quantity, "picked": True})
        receipt._action_done()
        return receipt

    @classmethod
    def _scrap(cls, lot, quantity, location):
        scrap = cls.env["stock.scrap"].create(
            {
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "scrap_qty": quantity,
                "location_id": location.id,
            }
        )
        scrap.action_validate()
        return scrap

    def _recall(self, lots=None, **values):
        """A real recall of ``lots`` (both lots by default) by the quality manager,
        started and traced on 2026-06-02."""
        lots = lots or self.jam_lot | self.pulp_lot
        with freeze_time("2026-06-02 08:00:00"):
            recall = (
                self.env["stock.recall"]
                .with_user(self.quality_manager)
                .create(dict({"lot_ids": [(6, 0, lots.ids)], "reason": "Mould"}, **values))
            )
            recall.action_trace()
        return recall.with_user(self.env.user)

    def _line(self, recall, product):
        return recall.product_line_ids.filtered(lambda line: line.product_id == product)
