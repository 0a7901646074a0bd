from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestShelfLifeOverride(LotFefoRecallCase):
    """A sales manager lifts the customer's shelf life rule once, for one order line:
    its deliveries reserve and ship short-dated lots, and the order, the delivery and
    the lot keep a record of it."""

    REASON = "Customer takes 20-day stock for a weekend promotion"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Big Box: 60 days (blocks); L20, L90 and L200 in stock
        cls.rule, lots = cls._stock_fefo_story(("L20", "L90", "L200"))
        cls.lot_20, cls.lot_90, cls.lot_200 = lots.values()
        cls.manager = new_test_user(
            cls.env,
            login="lfr_sales_manager",
            name="Mia Manager",
            groups="sales_team.group_sale_manager",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="lfr_salesman",
            name="Sam Salesman",
            groups="sales_team.group_sale_salesman",
        )

    def _order(self, quantity=5):
        order = self._sale_order(self.customer, quantity)
        # the salesperson's default warehouse would replace ours
        order.write({"user_id": self.salesman.id, "warehouse_id": self.warehouse.id})
        return order

    def _override_by_form(self, order, reason=REASON):
        with Form(order.with_user(self.manager)) as form, form.order_line.edit(0) as line:
            line.shelf_life_override = True
            line.shelf_life_override_reason = reason

    def _notes(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_override_by_manager_ships_short_lot_and_is_recorded(self):
        order = self._order()
        self._override_by_form(order)
        line = order.order_line
        self.assertTrue(line.shelf_life_override)
        self.assertEqual(line.shelf_life_override_user_id, self.manager)
        self.assertEqual(str(line.shelf_life_override_date), "2026-06-01 10:00:00")
        self.assertEqual(len(self._notes(order, "Shelf life override set on [JAM]")), 1)
        self.assertTrue(self._notes(order, self.REASON))

        order.action_confirm()
        delivery = order.picking_ids
        self.assertEqual(self._reserved(delivery), {"L20": 5}, "the rule is lifted: FEFO")
        self.assertFalse(delivery.shelf_life_shortage)
        self.assertFalse(delivery.shelf_life_warning, "approved: no warning")
        self.assertTrue(delivery.move_ids.shelf_life_override)
        self.assertEqual(delivery.move_ids.shelf_life_override_reason, self.REASON)
        note = self._notes(delivery, "reserved under the one-time override")
        self.assertEqual(len(note), 1)
        self.assertIn("approved on %s by Mia Manager" % order.name, note.body)
        delivery.action_assign()
        self.assertEqual(len(self._notes(delivery, "one-time override")), 1, "said once")

        delivery.with_user(self.stock_user).button_validate()
        self.assertEqual(delivery.state, "done")
        [history] = self._notes(self.lot_20, "Shipped to Big Box Retail")
        for part in (
            delivery.name,
            self.rule.display_name,
            "60-day minimum",
            order.name,
            "approved by Mia Manager",
            self.REASON,
        ):
            self.assertIn(part, history.body)
        self.assertFalse(self._notes(self.lot_90, "Shipped to"))

    def test_override_lot_meeting_the_rule_leaves_no_lot_note(self):
        self.lot_20.is_blocked = True
        order = self._order()
        self._override_by_form(order)
        order.action_confirm()
        delivery = order.picking_ids
        self.assertEqual(self._reserved(delivery), {"L90": 5})
        self.assertFalse(self._notes(delivery, "one-time override"))
        delivery.button_validate()
        self.assertFalse(self._notes(self.lot_90, "Shipped to"))

    def test_override_in_two_steps(self):
        """The pick of a pick-and-ship delivery takes the short lot too; the lot's
        history is written once, when it leaves for the customer."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self._order()
        self._override_by_form(order)
        order.action_confirm()
        pick = order.picking_ids
        self.assertEqual(pick.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(self._reserved(pick), {"L20": 5})
        self.assertTrue(self._notes(pick, "reserved under the one-time override"))
        pick.button_validate()
        self.assertFalse(self._notes(self.lot_20, "Shipped to"))
        ship = order.picking_ids - pick
        if ship.state != "assigned":
            ship.action_assign()
        self.assertEqual(self._reserved(ship), {"L20": 5})
        ship.with_user(self.stock_user).button_validate()
        self.assertEqual(ship.state, "done")
        self.assertEqual(len(self._notes(self.lot_20, "Shipped to Big Box Retail")), 1)

    def test_without_override_the_rule_holds(self):
        order = self._order()
        order.action_confirm()
        self.assertEqual(self._reserved(order.picking_ids), {"L90": 5})
        self.assertFalse(order.picking_ids.move_ids.shelf_life_override)

    def test_clearing_the_override_restores_the_rule(self):
        order = self._order()
        self._override_by_form(order)
        line = order.order_line
        line.with_user(self.manager).shelf_life_override = False
        self.assertFalse(line.shelf_life_override_reason)
        self.assertFalse(line.shelf_life_override_user_id)
        self.assertEqual(len(self._notes(order, "cleared by Mia Manager")), 1)
        order.action_confirm()
        self.assertEqual(self._reserved(order.picking_ids), {"L90": 5})

    def test_override_not_copied(self):
        order = self._order()
        self._override_by_form(order)
        self.assertFalse(order.copy().order_line.shelf_life_override, "one time only")

    # ------------------------------------------------------------ refusals

    def test_salesman_can_not_set_the_override(self):
        order = self._order()
        line = order.order_line
        as_salesman = line.with_user(self.salesman)
        with self.assertRefused(UserError, "Only sales managers can set, change or clear"):
            as_salesman.write(
                {"shelf_life_override": True, "shelf_life_override_reason": self.REASON}
            )
        with self.assertRefused(UserError, "Only sales managers can"):
            as_salesman.write({"shelf_life_override_user_id": self.salesman.id})
        with self.assertRefused(UserError, "Only sales managers can"):
            self.env["sale.order.line"].with_user(self.salesman).create(
                {
                    "order_id": order.id,
                    "product_id": self.product.id,
                    "product_uom_qty": 1,
                    "shelf_life_override": True,
                    "shelf_life_override_reason": self.REASON,
                }
            )
        self.assertEqual(order.order_line, line)
        self.assertFalse(line.shelf_life_override)
        self.assertFalse(line.shelf_life_override_reason)
        self.assertFalse(self._notes(order, "Shelf life override"))
        # the field is not even in the salesman's form
        with Form(order.with_user(self.salesman)) as form, form.order_line.edit(0) as row:
            self.assertNotIn("shelf_life_override", row._view["fields"])

    def test_salesman_can_not_clear_the_override(self):
        order = self._order()
        self._override_by_form(order)
        line = order.order_line
        with self.assertRefused(UserError, "Only sales managers can"):
            line.with_user(self.salesman).write({"shelf_life_override": False})
        with self.assertRefused(UserError, "Only sales managers can"):
            line.with_user(self.salesman).write({"shelf_life_override_reason": "other"})
        self.assertTrue(line.shelf_life_override)
        self.assertEqual(line.shelf_life_override_reason, self.REASON)
        # the rest of the line stays the salesman's to change
        line.with_user(self.salesman).product_uom_qty = 6
        self.assertEqual(line.product_uom_qty, 6)

    def test_reason_required(self):
        order = self._order()
        line = order.order_line.with_user(self.manager)
        for vals in (
            {"shelf_life_override": True},
            {"shelf_life_override": True, "shelf_life_override_reason": "   "},
        ):
            with self.assertRefused(ValidationError, "Give the reason for the shelf life"):
                line.write(vals)
        with self.assertRefused(ValidationError, "Give the reason for the shelf life"):
            self.env["sale.order.line"].with_user(self.manager).create(
                {
                    "order_id": order.id,
                    "product_id": self.product.id,
                    "shelf_life_override": True,
                }
            )
        self.assertEqual(len(order.order_line), 1)
        self.assertFalse(line.shelf_life_override)
        self.assertFalse(line.shelf_life_override_user_id)
        self._override_by_form(order)
        with self.assertRefused(ValidationError, "Give the reason"):
            line.write({"shelf_life_override_reason": False})
        self.assertEqual(line.shelf_life_override_reason, self.REASON)
        # the form asks for it too
        with (
            self.assertRaisesRegex(AssertionError, "shelf_life_override_reason"),
            Form(order.with_user(self.manager)) as form,
            form.order_line.edit(0) as row,
        ):
            row.shelf_life_override_reason = False

    def test_approver_and_date_are_not_typed(self):
        order = self._order()
        self._override_by_form(order)
        line = order.order_line.with_user(self.manager)
        line.write(
            {
                "shelf_life_override_user_id": self.salesman.id,
                "shelf_life_override_date": "2020-01-01 00:00:00",
            }
        )
        self.assertEqual(line.shelf_life_override_user_id, self.manager)
        self.assertEqual(str(line.shelf_life_override_date), "2026-06-01 10:00:00")
