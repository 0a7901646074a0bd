from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools.mail import html_to_inner_content

from odoo.addons.lot_fefo_recall.tests.common import LotFefoRecallCase

# Jam cookies are made on this day in every story: a lot made then has 120 days of its
# own, to 2026-09-29 10:00.
MADE_ON = "2026-06-01 10:00:00"


class LotFefoRecallMrpCase(LotFefoRecallCase):
    """Jam cookies made from the jam (lots L45, L90, L200 of the FEFO stories) and
    sugar, manufactured on order (make to order) in our warehouse; their lots inherit
    expiry from their components."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("stock.route_warehouse0_mto").active = True
        cls.sugar = cls.env["product.product"].create(
            {
                "name": "Cane Sugar",
                "categ_id": cls.category.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 720,
            }
        )
        cls.cookies = cls.env["product.product"].create(
            {
                "name": "Jam Cookies",
                "categ_id": cls.category.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 120,
                "use_time": 10,
                "removal_time": 5,
                "alert_time": 15,
                "expiry_from_components": True,
                "route_ids": [
                    Command.set(
                        (
                            cls.warehouse.manufacture_pull_id.route_id
                            | cls.warehouse.mto_pull_id.route_id
                        ).ids
                    )
                ],
            }
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.cookies.product_tmpl_id.id,
                "product_qty": 1,
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create({"product_id": cls.product.id, "product_qty": 1}),
                    Command.create({"product_id": cls.sugar.id, "product_qty": 1}),
                ],
            }
        )
        with freeze_time(MADE_ON):
            cls.sugar_lot = cls._put_in_stock(cls.sugar, 100, "S1", "2028-05-01 10:00:00")
        cls.mrp_user = new_test_user(
            cls.env,
            login="lfr_mrp_user",
            groups="mrp.group_mrp_user,stock.group_production_lot",
        )

    def _manufacture(self, quantity=5, user=None, **vals):
        """A confirmed manufacturing order of ``quantity`` cookies, its components
        reserved."""
        env = self.env(user=user) if user else self.env
        production = env["mrp.production"].create(
            dict(
                {
                    "product_id": self.cookies.id,
                    "product_qty": quantity,
                    "bom_id": self.bom.id,
                    "picking_type_id": self.warehouse.manu_type_id.id,
                },
                **vals,
            )
        )
        production.action_confirm()
        production.action_assign()
        return production

    def _jam_move(self, production):
        return production.move_raw_ids.filtered(lambda m: m.product_id == self.product)

    def _consume(self, production, jam_lot=None):
        """Produce everything, consuming ``jam_lot`` instead of the jam reserved."""
        production.qty_producing = production.product_qty
        production.set_qty_producing()
        if jam_lot:
            self._jam_move(production).move_line_ids.lot_id = jam_lot
        production.move_raw_ids.picked = True
        self.assertIs(production.button_mark_done(), True)
        self.assertEqual(production.state, "done")

    def _sale_cookies(self, quantity=5, partner=None):
        """A confirmed sale of ``quantity`` cookies to Big Box: its manufacturing order."""
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create({"product_id": self.cookies.id, "product_uom_qty": quantity})
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(len(order.mrp_production_ids), 1)
        return order, order.mrp_production_ids

    def _notes(self, record):
        """The text of the notes in ``record``'s chatter."""
        note = self.env.ref("mail.mt_note")
        return [
            html_to_inner_content(message.body)
            for message in record.message_ids
            if message.subtype_id == note
        ]
