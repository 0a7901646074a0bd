from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import MADE_ON, LotFefoRecallMrpCase


@tagged("post_install", "-at_install")
@freeze_time(MADE_ON)
class TestComponentReservation(LotFefoRecallMrpCase):
    """A manufacturing order for a customer whose shelf life rule blocks short lots
    reserves only component lots that let the lot made meet the rule. Big Box asks for
    60 days: cookies shipped on 2026-06-01 must expire on 2026-07-31 or later, so the
    jam they are made of too; L45 (2026-07-16) is too short, L90 (2026-08-30) fits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule, cls.jam = cls._stock_fefo_story(lot_names=("L45", "L90"))

    def _reserved_jam(self, production):
        result = {}
        for line in self._jam_move(production).move_line_ids:
            result[line.lot_id.name] = result.get(line.lot_id.name, 0) + line.quantity
        return result

    def test_order_for_a_sale_reserves_fresh_enough_components(self):
        order, production = self._sale_cookies()
        self.assertIn(order, production.reference_ids.sale_ids)
        self.assertEqual(self._reserved_jam(production), {"L90": 5})
        self.assertEqual(
            production.move_raw_ids.filtered(lambda m: m.product_id == self.sugar).quantity, 5
        )
        self.assertFalse(production.shelf_life_shortage)
        production.action_generate_serial()
        self.assertEqual(
            production.lot_producing_ids.expiration_date, self._dt("2026-08-30 10:00:00")
        )

    def test_the_delivery_date_counts(self):
        """The rule counts from when the delivery the cookies feed ships: rescheduled to
        2026-07-05, they must expire on 2026-09-03 or later, which no jam lot allows."""
        order, production = self._sale_cookies()
        self.assertEqual(self._reserved_jam(production), {"L90": 5})
        order.picking_ids.scheduled_date = "2026-07-05 10:00:00"
        production.do_unreserve()
        production.action_assign()
        self.assertEqual(self._reserved_jam(production), {})
        self.assertIn("must expire on 2026-09-03 or later", production.shelf_life_shortage)

    def test_shortage_is_explained_on_the_component_and_the_order(self):
        self.jam["L90"].is_blocked = True
        _order, production = self._sale_cookies()
        jam_move = self._jam_move(production)
        self.assertEqual(self._reserved_jam(production), {})
        note = (
            "5 Units of [JAM] Strawberry Jam not reserved: lot L45 (expires 2026-07-16) "
            "expires too early for Jam Cookies made from it to meet Big Box Retail's "
            "60-day minimum (its components must expire on 2026-07-31 or later)."
        )
        self.assertEqual(jam_move.shelf_life_shortage, note)
        self.assertEqual(production.shelf_life_shortage, note)
        self.assertIn(note, self._notes(production))

        self.jam["L90"].is_blocked = False
        production.with_user(self.mrp_user).action_assign()
        self.assertEqual(self._reserved_jam(production), {"L90": 5})
        self.assertFalse(jam_move.shelf_life_shortage)

    def test_order_without_sale_is_unaffected(self):
        production = self._manufacture()
        self.assertEqual(self._reserved_jam(production), {"L45": 5})
        self.assertFalse(production.shelf_life_shortage)

    def test_without_inheritance_components_are_not_filtered(self):
        self.cookies.expiry_from_components = False
        _order, production = self._sale_cookies()
        self.assertEqual(self._reserved_jam(production), {"L45": 5})

    def test_rule_that_only_warns_does_not_filter(self):
        self.rule.strictness = "warn"
        _order, production = self._sale_cookies()
        self.assertEqual(self._reserved_jam(production), {"L45": 5})
        self.assertFalse(production.shelf_life_shortage)

    def test_best_before_rule_counts_the_products_best_before_time(self):
        """60 days to the cookies' best before date, which is 10 days before they
        expire: the jam must expire on 2026-08-10 or later. L80 (2026-08-05) would meet
        the rule on the expiration date, not on the best before date."""
        self.jam["L90"].is_blocked = True
        self._put_in_stock(self.product, 10, "L80", "2026-08-05 10:00:00")
        _order, production = self._sale_cookies()
        self.assertEqual(self._reserved_jam(production), {"L80": 5})

        self.rule.date_basis = "use"
        _order, production = self._sale_cookies()
        self.assertEqual(self._reserved_jam(production), {})
        self.assertIn("must expire on 2026-08-10 or later", production.shelf_life_shortage)

    def test_order_linked_to_the_sale_by_its_reference(self):
        """An order made by hand for a sale, its goods going to stock (not feeding the
        delivery), goes by the sale order's delivery address and dates; a manufacturing
        user needs no access to sale orders for that."""
        self.cookies.route_ids = [Command.clear()]
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create({"product_id": self.cookies.id, "product_uom_qty": 5})
                ],
            }
        )
        order.action_confirm()
        self.assertFalse(order.mrp_production_ids)
        production = self._manufacture(
            user=self.mrp_user, reference_ids=order.stock_reference_ids.ids
        )
        self.assertFalse(production.move_finished_ids.move_dest_ids)
        self.assertEqual(self._reserved_jam(production), {"L90": 5})

    def test_sales_manager_override_lifts_the_filter(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.cookies.id,
                            "product_uom_qty": 5,
                            "shelf_life_override": True,
                            "shelf_life_override_reason": "Accepted short-dated at a discount",
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(self._reserved_jam(order.mrp_production_ids), {"L45": 5})
