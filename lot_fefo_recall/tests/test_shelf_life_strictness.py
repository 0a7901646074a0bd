import contextlib

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestShelfLifeStrictness(LotFefoRecallCase):
    """What reservation and validation do with a rule's measures (best before date,
    requested delivery date plus transit) and its strictness (block or warn)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Big Box: 60 days; L20, L45, L90 and L200 in stock
        cls.rule, lots = cls._stock_fefo_story(("L20", "L45", "L90", "L200"))
        cls.lot_20, cls.lot_45, cls.lot_90, cls.lot_200 = lots.values()
        cls.salesman = new_test_user(
            cls.env,
            login="lfr_salesman",
            name="Sam Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.warning_type = cls.env.ref("mail.mail_activity_data_warning")

    def _confirmed_order(self, quantity, **vals):
        order = self._sale_order(self.customer, quantity)
        # the salesperson's default warehouse would replace ours
        order.write(dict({"user_id": self.salesman.id, "warehouse_id": self.warehouse.id}, **vals))
        order.action_confirm()
        return order

    def _warnings(self, picking):
        return picking.activity_ids.filtered(lambda a: a.activity_type_id == self.warning_type)

    # ------------------------------------------------------------------ warn

    def test_warn_reserves_flags_and_tells_the_salesperson_once(self):
        self.rule.strictness = "warn"
        order = self._confirmed_order(5)
        delivery = order.picking_ids
        self.assertEqual(self._reserved(delivery), {"L20": 5}, "as if there were no rule")
        self.assertFalse(delivery.shelf_life_shortage)
        self.assertTrue(delivery.shelf_life_warning)
        self.assertEqual(
            delivery.shelf_life_warning_note,
            "[JAM] Strawberry Jam: lot L20 (expires 2026-06-21) does not meet Big Box "
            "Retail's 60-day minimum (warning only); reserved all the same, as the rule "
            "only warns. Rule for the customer Big Box Retail: no rule for the delivery "
            "address; it comes before customer tag, country and default rules, for every "
            "product.",
        )
        activity = self._warnings(delivery)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesman, "the order's salesperson")
        self.assertEqual(activity.summary, "Short-dated lots for Big Box Retail")
        flagged = self.env["stock.picking"].search([("shelf_life_warning", "=", True)])
        self.assertEqual(flagged, delivery, 'what the "Short-dated for Customer" filter lists')

        # checking availability again says nothing new
        delivery.do_unreserve()
        delivery.action_assign()
        self.assertEqual(self._reserved(delivery), {"L20": 5})
        self.assertEqual(len(self._warnings(delivery)), 1, "no second activity")

        delivery.with_user(self.stock_user).button_validate()
        self.assertEqual(delivery.state, "done", "a rule that warns does not refuse")
        self.assertEqual(len(self._warnings(delivery)), 1)

    def test_warn_lot_meeting_the_rule_is_not_flagged(self):
        self.rule.strictness = "warn"
        self.lot_20.is_blocked = True
        self.lot_45.is_blocked = True
        delivery = self._confirmed_order(5).picking_ids
        self.assertEqual(self._reserved(delivery), {"L90": 5})
        self.assertFalse(delivery.shelf_life_warning)
        self.assertFalse(self._warnings(delivery))

    def test_warn_without_sale_order_tells_the_responsible(self):
        self.rule.strictness = "warn"
        self.picking_type_out.reservation_method = "manual"
        delivery = self._new_delivery(self.customer, [(self.product, 5)])
        delivery.user_id = self.stock_user
        delivery.action_assign()
        self.assertEqual(self._reserved(delivery), {"L20": 5})
        self.assertEqual(self._warnings(delivery).user_id, self.stock_user)

    def test_warn_lot_picked_by_hand_flagged_at_validation(self):
        self.rule.strictness = "warn"
        self.picking_type_out.reservation_method = "manual"
        delivery = self._delivery_with_lot(self.customer, self.lot_45)
        self.assertFalse(delivery.shelf_life_warning, "never reserved: not judged yet")
        delivery.with_user(self.stock_user).button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertIn("lot L45 (expires 2026-07-16)", delivery.shelf_life_warning_note)
        self.assertEqual(len(self._warnings(delivery)), 1)

    def test_warn_two_steps_one_activity(self):
        """The pick chooses the lots and is flagged; the ship step Odoo creates once the
        pick is done is flagged too, without a second activity."""
        self.rule.strictness = "warn"
        self.warehouse.delivery_steps = "pick_ship"
        order = self._confirmed_order(5)
        pick = order.picking_ids
        self.assertEqual(pick.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(self._reserved(pick), {"L20": 5})
        self.assertTrue(pick.shelf_life_warning)
        self.assertEqual(self._warnings(pick).user_id, self.salesman)
        pick.button_validate()
        ship = order.picking_ids - pick
        if ship.state != "assigned":
            ship.action_assign()
        self.assertEqual(self._reserved(ship), {"L20": 5})
        self.assertTrue(ship.shelf_life_warning)
        self.assertFalse(self._warnings(ship), "the pick's activity covers the delivery")
        self.assertEqual(len(self._warnings(pick)), 1)
        ship.button_validate()
        self.assertEqual(ship.state, "done")

    # ------------------------------------------------------------------ block

    def test_block_unchanged(self):
        self.assertEqual(self.rule.strictness, "block")
        delivery = self._confirmed_order(25).picking_ids
        self.assertEqual(self._reserved(delivery), {"L90": 10, "L200": 10})
        self.assertIn("5 Units of [JAM] Strawberry Jam not reserved", delivery.shelf_life_shortage)
        self.assertFalse(delivery.shelf_life_warning)
        self.assertFalse(self._warnings(delivery))
        manual = self._delivery_with_lot(self.customer, self.lot_45)
        with self.assertRefused(UserError, r"L45 expires on 2026-07-16: it does not meet Big Box"):
            manual.with_user(self.stock_user).button_validate()
        self.assertEqual(manual.state, "assigned")
        self.assertEqual(self.lot_45.product_qty, 10)

    def test_one_rule_look_up_per_move_and_reservation(self):
        """Reserving a short delivery filters lots on the rule (once per location core
        gathers from), explains the shortage and checks the reserved lots: one search
        of the rules for all of it."""
        delivery = self._confirmed_order(25).picking_ids
        delivery.do_unreserve()
        self.env.invalidate_all()
        queries = []
        with contextlib.ExitStack() as stack:
            stack.enter_context(contextlib.contextmanager(self._patchExecute)(queries, True))
            delivery.action_assign()
        self.assertEqual(self._reserved(delivery), {"L90": 10, "L200": 10})
        searches = [q for q in queries if '"stock_shelf_life_rule"."id" FROM' in q]
        self.assertEqual(len(searches), 1, "\n".join(searches))
        # a later reservation looks again: a rule changed in between applies
        self.rule.min_remaining_days = 30
        delivery.do_unreserve()
        delivery.action_assign()
        self.assertEqual(self._reserved(delivery), {"L45": 10, "L90": 10, "L200": 5})

    # ------------------------------------------------------------- measures

    def test_best_before_basis_reserves_on_the_best_before_date(self):
        """L90 expires in 90 days but is best before in 45: a best-before rule of 60
        days passes it over, refuses it at validation and explains the shortage."""
        self.lot_90.use_date = "2026-07-16 10:00:00"
        self.lot_200.use_date = "2026-10-30 10:00:00"
        with Form(self.rule) as rule:
            rule.date_basis = "use"
        picking = self._new_delivery(self.customer, [(self.product, 5)])
        picking.action_assign()
        self.assertEqual(self._reserved(picking), {"L200": 5})

        short = self._new_delivery(self.customer, [(self.product, 12)])
        short.action_assign()
        self.assertEqual(self._reserved(short), {"L200": 5})
        self.assertIn("lot L90 (best before 2026-07-16)", short.shelf_life_shortage)

        manual = self._delivery_with_lot(self.customer, self.lot_90)
        with self.assertRefused(UserError, r"L90 is best before 2026-07-16: it does not meet"):
            manual.with_user(self.stock_user).button_validate()
        self.assertEqual(manual.state, "assigned")

        # shipping L200 follows FEFO: L90 expires earlier but is best before too soon
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.move_line_ids.fefo_compliant)

        # measured against the expiration date, L90 qualifies again
        self.rule.date_basis = "expiration"
        again = self._new_delivery(self.customer, [(self.product, 5)])
        again.action_assign()
        self.assertEqual(self._reserved(again), {"L90": 5})

    def test_requested_date_plus_transit(self):
        """Counted from the order's requested delivery date (commitment date) plus the
        transit days, whenever the goods leave."""
        self.rule.write({"reference": "requested", "transit_days": 15})
        # June 20 + 15 days = July 5; + 60 days = September 3: L90 (August 30) is short
        order = self._confirmed_order(5, commitment_date="2026-06-20 10:00:00")
        delivery = order.picking_ids
        self.assertEqual(self._reserved(delivery), {"L200": 5})
        # shipped earlier, the goods still arrive when asked: the same minimum
        delivery.do_unreserve()
        delivery.scheduled_date = "2026-06-02 10:00:00"
        delivery.action_assign()
        self.assertEqual(self._reserved(delivery), {"L200": 5})
        # no requested date: from the shipping date, June 1 + 15 + 60 = August 15
        plain = self._confirmed_order(5).picking_ids
        self.assertEqual(self._reserved(plain), {"L90": 5})
