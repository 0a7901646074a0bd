from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestFefoReservation(LotFefoRecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.discount_store = cls.env["res.partner"].create(
            {"name": "Discount Store", "is_company": True}
        )
        cls.no_rule_customer = cls.env["res.partner"].create(
            {"name": "Corner Shop", "is_company": True}
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Joe Buyer", "parent_id": cls.customer.id}
        )
        cls.env["stock.shelf.life.rule"].create(
            {"partner_id": cls.discount_store.id, "min_remaining_days": 30}
        )
        cls.big_box_rule, lots = cls._stock_fefo_story(("L20", "L45", "L90", "L200"))
        cls.lot_20, cls.lot_45, cls.lot_90, cls.lot_200 = lots.values()

    def _deliver(self, partner, quantity, **kwargs):
        picking = self._new_delivery(partner, [(self.product, quantity)], **kwargs)
        picking.action_assign()
        return picking

    def test_each_customer_gets_earliest_lot_it_accepts(self):
        self.assertEqual(self._reserved(self._deliver(self.customer, 15)), {"L90": 10, "L200": 5})
        self.assertEqual(self._reserved(self._deliver(self.discount_store, 5)), {"L45": 5})
        self.assertEqual(
            self._reserved(self._deliver(self.no_rule_customer, 12)), {"L20": 10, "L45": 2}
        )

    def test_contact_of_company_follows_company_rule(self):
        self.assertEqual(self._reserved(self._deliver(self.buyer, 5)), {"L90": 5})

    def test_rule_counts_from_the_shipping_date(self):
        picking = self._deliver(self.discount_store, 5, date="2026-06-20 10:00:00")
        self.assertEqual(self._reserved(picking), {"L90": 5}, "L45 has 26 days left on the 20th")

    def test_percent_rule(self):
        self.big_box_rule.write({"min_remaining_days": 0, "min_remaining_percent": 55})
        # 55% of 180 days = 99 days: L90 (exactly 90 days left) no longer qualifies
        self.assertEqual(self._reserved(self._deliver(self.customer, 4)), {"L200": 4})

    def test_undated_lot_qualifies(self):
        undated = self._put_in_stock(self.product, 3, "L-NODATE", False)
        undated.expiration_date = False
        picking = self._deliver(self.customer, 25)
        self.assertEqual(picking.move_ids.quantity, 23)
        self.assertEqual(self._reserved(picking), {"L90": 10, "L200": 10, "L-NODATE": 3})

    def test_expired_never_reserved(self):
        self._put_in_stock(self.product, 10, "L-EXPIRED", "2026-05-01 10:00:00")
        picking = self._deliver(self.no_rule_customer, 5)
        self.assertEqual(self._reserved(picking), {"L20": 5})

    def test_blocked_lot_never_reserved(self):
        self.lot_20.is_blocked = True
        self.lot_90.is_blocked = True
        self.assertEqual(self._reserved(self._deliver(self.no_rule_customer, 5)), {"L45": 5})
        self.assertEqual(self._reserved(self._deliver(self.customer, 5)), {"L200": 5})
        internal = self._new_delivery(
            self.no_rule_customer,
            [(self.product, 5)],
            picking_type=self.warehouse.int_type_id,
            location_dest=self.stock_location,
        )
        internal.action_assign()
        self.assertNotIn("L20", self._reserved(internal))
        quant = self.env["stock.quant"].search([("lot_id", "=", self.lot_20.id)])
        self.assertEqual(quant.available_quantity, 0)

    def test_internal_transfer_unaffected(self):
        internal = self._new_delivery(
            self.customer,
            [(self.product, 5)],
            picking_type=self.warehouse.int_type_id,
            location_dest=self.stock_location,
        )
        internal.action_assign()
        self.assertEqual(self._reserved(internal), {"L20": 5})

    def test_fefo_by_default(self):
        """Earliest expiry leaves first, whatever the arrival order."""
        product = self.env["product.product"].create(
            {
                "name": "Apricot Jam",
                "categ_id": self.category.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )
        self.assertFalse(product.categ_id.removal_strategy_id)
        self._put_in_stock(product, 5, "A-LATE", "2026-12-01 10:00:00")
        self._put_in_stock(product, 5, "A-EARLY", "2026-07-01 10:00:00")
        picking = self._new_delivery(self.no_rule_customer, [(product, 3)])
        picking.action_assign()
        self.assertEqual(self._reserved(picking), {"A-EARLY": 3})

    def test_explicit_removal_strategy_respected(self):
        self.category.removal_strategy_id = self.env.ref("stock.removal_lifo")
        picking = self._deliver(self.no_rule_customer, 5)
        self.assertEqual(self._reserved(picking), {"L200": 5}, "LIFO: the last lot put in")

    def test_sale_order_confirmation(self):
        order = self._sale_order(self.buyer, 12)
        result = order.action_confirm()
        self.assertIs(result, True, "enough stock meets the rule: no warning")
        self.assertEqual(self._reserved(order.picking_ids), {"L90": 10, "L200": 2})

    def test_two_step_delivery(self):
        """The pick of a pick-and-ship delivery already takes only lots the customer
        accepts, and the ship step then takes what the pick brought."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self._sale_order(self.customer, 5)
        order.action_confirm()
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        ship = order.picking_ids - pick
        pick.action_assign()
        self.assertEqual(self._reserved(pick), {"L90": 5})
        pick.button_validate()
        ship = order.picking_ids - pick
        if ship.state != "assigned":
            ship.action_assign()
        self.assertEqual(self._reserved(ship), {"L90": 5})
        ship.button_validate()
        self.assertEqual(ship.state, "done")
        # FEFO compliance of multi-step deliveries: test_fefo_compliance_steps.py

    def test_sale_order_warns_when_short(self):
        order = self._sale_order(self.customer, 25)
        result = order.action_confirm()
        self.assertEqual(order.state, "sale", "a warning, not a block")
        self.assertEqual(result["tag"], "display_notification")
        message = (
            "Only 20 Units of [JAM] Strawberry Jam meet Big Box Retail's 60-day minimum "
            "(25 ordered)"
        )
        self.assertIn(message, result["params"]["message"])
        self.assertTrue(order.message_ids.filtered(lambda m: message in (m.body or "")))
        delivery = order.picking_ids
        self.assertEqual(self._reserved(delivery), {"L90": 10, "L200": 10})
        self.assertIn("5 Units of [JAM] Strawberry Jam not reserved", delivery.shelf_life_shortage)

    def test_shortage_explained(self):
        picking = self._deliver(self.customer, 30)
        self.assertEqual(picking.move_ids.quantity, 20)
        expected = (
            "10 Units of [JAM] Strawberry Jam not reserved: lot L20 (expires 2026-06-21), lot L45 "
            "(expires 2026-07-16) does not meet Big Box Retail's 60-day minimum. Rule for the "
            "customer Big Box Retail: no rule for the delivery address; it comes before customer "
            "tag, country and default rules, for every product."
        )
        self.assertEqual(picking.shelf_life_shortage, expected)
        notes = picking.message_ids.filtered(lambda m: "not reserved" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        picking.action_assign()
        notes = picking.message_ids.filtered(lambda m: "not reserved" in (m.body or ""))
        self.assertEqual(len(notes), 1, "the same shortage is not posted twice")
        # no explanation when simply out of stock
        self.assertFalse(self._deliver(self.no_rule_customer, 100).shelf_life_shortage)

    def test_backorder_keeps_the_rule(self):
        picking = self._deliver(self.customer, 30)
        picking.move_ids.picked = True
        Form.from_action(self.env, picking.button_validate()).save().process()
        backorder = picking.backorder_ids
        self.assertEqual(backorder.move_ids.product_uom_qty, 10)
        self.assertEqual(self._reserved(backorder), {})
        self._put_in_stock(self.product, 10, "L300", "2027-03-28 10:00:00")
        backorder.action_assign()
        self.assertEqual(self._reserved(backorder), {"L300": 10})

    def test_scheduler_keeps_the_rule(self):
        self.picking_type_out.reservation_method = "manual"
        picking = self._new_delivery(self.customer, [(self.product, 5)])
        self.assertEqual(picking.state, "confirmed")
        self.picking_type_out.reservation_method = "at_confirm"
        self.env["stock.rule"].run_scheduler()
        self.assertEqual(self._reserved(picking), {"L90": 5})

    def test_manual_pick_breaking_rule_refused(self):
        picking = self._delivery_with_lot(self.customer, self.lot_45)
        with self.assertRefused(UserError, r"L45 expires on 2026-07-16: it does not meet Big Box"):
            picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self.lot_45.product_qty, 10)

    def test_manual_pick_forced_by_quality_manager(self):
        picking = self._delivery_with_lot(self.customer, self.lot_45)
        action = picking.with_user(self.quality_manager).button_validate()
        self.assertEqual(action["res_model"], "stock.lot.check.wizard")
        wizard = Form.from_action(self.env(user=self.quality_manager), action)
        self.assertIn("60-day minimum", wizard.problem_text)
        wizard.reason = "Customer agreed by phone, 10% off"
        wizard.save().action_accept()
        self.assertEqual(picking.state, "done")
        self.assertTrue(picking.message_ids.filtered(lambda m: "10% off" in (m.body or "")))
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["stock.lot.check.wizard"].with_user(self.stock_user).create(
                {"picking_ids": [picking.id], "reason": "x"}
            )

    def test_manual_pick_of_blocked_lot_refused_even_when_forced(self):
        self.lot_200.write({"is_blocked": True, "block_reason": "Recall RCL/2026/0001"})
        picking = self._delivery_with_lot(self.customer, self.lot_200)
        forced = picking.with_user(self.quality_manager).with_context(
            lot_fefo_accept_lot_checks=True
        )
        with self.assertRefused(UserError, r"Blocked lots can not be shipped: .*L200 \(Recall"):
            forced.button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self.lot_200.product_qty, 10)

    def test_fefo_compliance(self):
        followed = self._deliver(self.customer, 5)
        followed.button_validate()
        self.assertTrue(followed.move_line_ids.fefo_compliant)
        # L200 picked by hand while L90, acceptable to Big Box, was on the shelf
        skipped = self._delivery_with_lot(self.customer, self.lot_200, 10)
        skipped.button_validate()
        self.assertFalse(skipped.move_line_ids.fefo_compliant)
        # L45 for the discount store after L20 is not a skip: L20 breaks its rule
        ok = self._delivery_with_lot(self.discount_store, self.lot_45, 5)
        ok.button_validate()
        self.assertTrue(ok.move_line_ids.fefo_compliant)
        # receipts and internal moves are not rated
        internal = self._new_delivery(
            self.customer,
            [(self.product, 1)],
            picking_type=self.warehouse.int_type_id,
            location_dest=self.stock_location,
        )
        internal.action_assign()
        internal.button_validate()
        self.assertIs(internal.move_line_ids.fefo_compliant, False)
        self.assertFalse(
            self.env["stock.fefo.compliance.report"].search([("picking_id", "=", internal.id)])
        )

        report = self.env["stock.fefo.compliance.report"]
        mine = [("product_id", "=", self.product.id)]
        [(quantity, rate)] = report._read_group(mine, [], ["quantity:sum", "fefo_compliance:avg"])
        self.assertEqual(quantity, 20)
        self.assertAlmostEqual(rate, 50.0, msg="10 of 20 shipped units followed FEFO")
        by_warehouse = report._read_group(
            mine, ["warehouse_id", "date:month"], ["fefo_compliance:avg"]
        )
        self.assertEqual(by_warehouse[0][0], self.warehouse)
        self.assertAlmostEqual(by_warehouse[0][2], 50.0)
        by_partner = dict(report._read_group(mine, ["partner_id"], ["fefo_compliance:avg"]))
        self.assertAlmostEqual(by_partner[self.customer], 100 * 5 / 15)
        self.assertAlmostEqual(by_partner[self.discount_store], 100.0)
