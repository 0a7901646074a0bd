from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestBlockedLotExits(LotFefoRecallCase):
    """A blocked lot never leaves the stock for a customer, production, transit or
    another company, whatever screen or code moves it (stock.move.line._action_done);
    it may go to quarantine and other internal locations, back to the vendor or to
    scrap, and be counted lower. A quality manager forces it out with a written reason,
    posted on the lot and the transfer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-06-01 10:00:00"):
            cls.lot_a = cls._put_in_stock(cls.product, 10, "L-A", "2026-08-01 10:00:00")
            cls.lot_b = cls._put_in_stock(cls.product, 10, "L-B", "2026-09-01 10:00:00")
        cls.lot_a.write({"is_blocked": True, "block_reason": "Listeria suspected"})

    def _transfer(self, lot, dest, picking_type=None, quantity=5, source=None, user=None):
        """A confirmed transfer of ``quantity`` of ``lot`` to ``dest``, the lot set by
        hand on its detailed operation and picked."""
        source = source or self.stock_location
        env = self.env(user=user) if user else self.env
        picking = env["stock.picking"].create(
            {
                "picking_type_id": (picking_type or self.warehouse.int_type_id).id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._hand_set(picking.move_ids, lot, quantity)
        return picking

    def _hand_set(self, move, lot, quantity=5):
        """The worker replaces what was reserved by ``quantity`` of ``lot``."""
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )

    def _notes_with(self, record, text):
        return record.message_ids.filtered(lambda m: text in (m.body or ""))

    # ------------------------------------------------------------ refused exits

    def test_transit_to_another_warehouse_refused(self):
        """A resupply of a second warehouse through the transit location."""
        other = self.env["stock.warehouse"].create(
            {"name": "Second Warehouse", "code": "LF2", "resupply_wh_ids": [self.warehouse.id]}
        )
        route = other.resupply_route_ids
        self.assertTrue(route)
        Rule = self.env["stock.rule"]
        Rule.run(
            [
                Rule.Procurement(
                    self.product,
                    5,
                    self.product.uom_id,
                    other.lot_stock_id,
                    "resupply",
                    "resupply",
                    other.company_id,
                    {"warehouse_id": other, "route_ids": route},
                )
            ]
        )
        leg = self.env["stock.move"].search(
            [("product_id", "=", self.product.id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertEqual(leg.location_dest_id.usage, "transit")
        leg.picking_id.action_assign()
        self.assertEqual(self._reserved(leg.picking_id), {"L-B": 5}, "reservation skips L-A")
        self._hand_set(leg, self.lot_a)
        with self.assertRefused(
            UserError, r"can not be sent to another warehouse or company: .*L-A \(Listeria"
        ):
            leg.picking_id.with_user(self.stock_user).button_validate()
        self.assertEqual(leg.picking_id.state, "assigned")
        self.assertEqual(self.lot_a.product_qty, 10)

    def test_transfer_into_transit_refused(self):
        transit = self.company.internal_transit_location_id
        picking = self._transfer(self.lot_a, transit)
        with self.assertRefused(UserError, "can not be sent to another warehouse or company"):
            picking.button_validate()
        self.assertEqual(self.lot_a.product_qty, 10)

    def test_delivery_to_another_company_refused(self):
        """Goods for another company go through the inter-company transit location."""
        picking = self._transfer(
            self.lot_a,
            self.env.ref("stock.stock_location_inter_company"),
            picking_type=self.picking_type_out,
        )
        with self.assertRefused(
            UserError, r"can not be sent to another warehouse or company: .*L-A"
        ):
            picking.button_validate()
        self.assertEqual(self.lot_a.product_qty, 10)

    def test_delivery_validated_by_code_refused(self):
        """Code that validates the moves directly, without the transfer's button."""
        picking = self._delivery_with_lot(self.customer, self.lot_a)
        with self.assertRefused(UserError, r"Blocked lots can not be shipped: .*L-A"):
            picking.move_ids._action_done()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self.lot_a.product_qty, 10)

    def _first_leg(self, steps):
        self.warehouse.delivery_steps = steps
        order = self._sale_order(self.customer, 5)
        order.action_confirm()
        first = order.picking_ids.filtered(lambda p: not p.move_ids.move_orig_ids)
        self.assertEqual(len(first), 1)
        self.assertEqual(self._reserved(first), {"L-B": 5})
        return order, first

    def test_delivery_in_one_two_three_steps_refused_at_the_first_leg(self):
        """Refused where the blocked lot is taken off the shelf, not only at the dock:
        the pick of a delivery is bound for the customer."""
        for steps in ("ship_only", "pick_ship", "pick_pack_ship"):
            with self.subTest(steps=steps):
                _order, first = self._first_leg(steps)
                self._hand_set(first.move_ids, self.lot_a)
                with self.assertRefused(UserError, r"Blocked lots can not be shipped: .*L-A"):
                    first.with_user(self.stock_user).button_validate()
                self.assertEqual(first.state, "assigned")
                self.assertEqual(self.lot_a.product_qty, 10)
                self.assertFalse(
                    self.env["stock.quant"].search(
                        [
                            ("lot_id", "=", self.lot_a.id),
                            ("location_id", "!=", self.stock_location.id),
                            ("quantity", "!=", 0),
                        ]
                    )
                )

    def test_lot_blocked_after_the_pick_refused_at_the_next_legs(self):
        """L-B picked to Output, then blocked: the pack and ship legs refuse it, also
        when a worker sets it again by hand after its reservation was released."""
        for steps in ("pick_ship", "pick_pack_ship"):
            with self.subTest(steps=steps):
                order, pick = self._first_leg(steps)
                pick.button_validate()
                self.assertEqual(pick.state, "done")
                self.lot_b.with_user(self.quality_manager).write(
                    {"is_blocked": True, "block_reason": "Foreign body"}
                )
                following = order.picking_ids - pick
                for picking in following.sorted("id"):
                    if picking.state == "done":
                        continue
                    self.assertFalse(picking.move_line_ids, "the reservation was released")
                    self._hand_set(picking.move_ids, self.lot_b)
                    with self.assertRefused(
                        UserError, r"Blocked lots can not be shipped: .*L-B \(Foreign body"
                    ):
                        picking.button_validate()
                    self.assertNotEqual(picking.state, "done")
                    break
                self.assertFalse(
                    self.env["stock.move.line"].search(
                        [
                            ("lot_id", "=", self.lot_b.id),
                            ("state", "=", "done"),
                            ("location_dest_id.usage", "=", "customer"),
                        ]
                    )
                )
                self.lot_b.sudo().is_blocked = False

    def test_lot_blocked_after_it_was_reserved_refused(self):
        """Blocked while a transfer to the transit location had it reserved: the
        reservation is released; set again by hand, it is refused at validation."""
        picking = self._transfer(self.lot_b, self.company.internal_transit_location_id)
        self.lot_b.with_user(self.quality_manager).is_blocked = True
        self.assertFalse(picking.move_line_ids.lot_id & self.lot_b)
        self._hand_set(picking.move_ids, self.lot_b)
        with self.assertRefused(UserError, r"can not be sent to another warehouse .*L-B"):
            picking.button_validate()
        self.assertEqual(self.lot_b.product_qty, 10)

    # ------------------------------------------------------------ allowed exits

    def test_quarantine_and_other_internal_locations_allowed(self):
        quarantine = self.warehouse._get_quarantine_location()
        picking = self._transfer(self.lot_a, quarantine, quantity=4)
        picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(
            sum(
                self.env["stock.quant"]
                .search([("lot_id", "=", self.lot_a.id), ("location_id", "=", quarantine.id)])
                .mapped("quantity")
            ),
            4,
        )
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", self.lot_a.id), ("location_id", "=", self.stock_location.id)]
        )
        aside = self.warehouse._move_quants_aside(quants, quarantine, "Recall drill")
        self.assertEqual(aside.state, "done")

    def test_return_to_vendor_allowed(self):
        picking = self._transfer(
            self.lot_a, self.supplier_location, picking_type=self.picking_type_out
        )
        picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.location_dest_id, self.supplier_location)
        self.assertEqual(picking.move_line_ids.location_dest_id, self.supplier_location)
        self.assertEqual(self.lot_a.product_qty, 5)

    def test_return_of_a_receipt_to_the_vendor_allowed(self):
        """Odoo's return of a receipt, which uses the delivery operation type: the
        blocked lot goes back to the vendor (set by hand: reservation skips it)."""
        lot = self.env["stock.lot"].create(
            {"name": "L-V", "product_id": self.product.id, "expiration_date": "2026-11-01"}
        )
        receipt = self._done_transfer(
            lot, 4, self.supplier_location, self.stock_location, self.vendor
        )
        lot.is_blocked = True
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=receipt.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 4
        back = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.assertEqual(back.location_dest_id, self.supplier_location)
        self._hand_set(back.move_ids, lot, 4)
        back.with_user(self.stock_user).button_validate()
        self.assertEqual(back.state, "done")
        self.assertEqual(back.move_line_ids.location_dest_id, self.supplier_location)
        self.assertEqual(lot.product_qty, 0)

    def test_scrap_allowed(self):
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.product.id,
                "lot_id": self.lot_a.id,
                "scrap_qty": 3,
                "location_id": self.stock_location.id,
            }
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")
        self.assertEqual(self.lot_a.product_qty, 7)

    def test_inventory_adjustment_counting_lower_allowed(self):
        """Counting a blocked lot lower corrects the books; no goods leave."""
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", self.lot_a.id), ("location_id", "=", self.stock_location.id)]
        )
        quant.inventory_quantity = 6
        quant.action_apply_inventory()
        self.assertEqual(self.lot_a.product_qty, 6)

    def test_receipt_and_customer_return_of_a_blocked_lot_allowed(self):
        self._done_transfer(self.lot_a, 2, self.customer_location, self.stock_location)
        self.assertEqual(self.lot_a.product_qty, 12)

    # ------------------------------------------------------------ the override

    def _force_wizard(self, picking, user):
        return Form.from_action(
            self.env(user=user),
            {
                "type": "ir.actions.act_window",
                "res_model": "stock.lot.force.wizard",
                "views": [(False, "form")],
                "context": {"active_model": "stock.picking", "active_ids": picking.ids},
            },
        )

    def test_quality_manager_forces_with_a_reason(self):
        picking = self._delivery_with_lot(self.customer, self.lot_a)
        with self.assertRefused(UserError, r"force them out with a written reason: Actions"):
            picking.with_user(self.quality_manager).button_validate()
        wizard = self._force_wizard(picking, self.quality_manager)
        self.assertEqual(wizard.lot_ids[:], self.lot_a)
        self.assertIn("L-A (Listeria suspected)", wizard.problem_text)
        wizard.reason = "  Laboratory release 2026-118: negative for Listeria  "
        wizard.save().action_force()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self.lot_a.product_qty, 5)
        for record in (self.lot_a, picking):
            note = self._notes_with(record, "Laboratory release 2026-118")
            self.assertEqual(len(note), 1, record.display_name)
            self.assertIn("forced out by lfr_quality_manager", note.body)
            self.assertIn("5 Units of [JAM] Strawberry Jam lot L-A", note.body)
            self.assertEqual(note.author_id, self.quality_manager.partner_id)

    def test_force_needs_a_reason(self):
        picking = self._delivery_with_lot(self.customer, self.lot_a)
        wizard = (
            self.env["stock.lot.force.wizard"]
            .with_user(self.quality_manager)
            .create({"picking_ids": [Command.set(picking.ids)], "reason": "   "})
        )
        with self.assertRefused(UserError, "Give the reason for forcing these blocked lots"):
            wizard.action_force()
        # The context alone, without a reason, forces nothing either.
        forced = picking.with_user(self.quality_manager).with_context(
            lot_fefo_force_blocked_lot_ids=self.lot_a.ids, lot_fefo_force_blocked_reason=" "
        )
        with self.assertRefused(UserError, "Blocked lots can not be shipped"):
            forced.button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self.lot_a.product_qty, 10)
        self.assertFalse(self._notes_with(self.lot_a, "forced out"))
        self.assertFalse(self._notes_with(picking, "forced out"))

    def test_plain_user_can_not_force(self):
        picking = self._delivery_with_lot(self.customer, self.lot_a)
        with self.assertRefused(UserError, "ask a quality manager to force them out"):
            picking.with_user(self.stock_user).button_validate()
        # The action under Actions is offered to quality managers only.
        action = self.env.ref("lot_fefo_recall.stock_lot_force_wizard_action_picking")
        self.assertEqual(action.group_ids, self.env.ref("lot_fefo_recall.group_quality_manager"))
        with self.assertRefused(AccessError, "Force blocked lots out"):
            self.env["stock.lot.force.wizard"].with_user(self.stock_user).create(
                {"picking_ids": [Command.set(picking.ids)], "reason": "Customer insists"}
            )
        # Over RPC a plain user may send the override's context: it is no override.
        forced = picking.with_user(self.stock_user).with_context(
            lot_fefo_force_blocked_lot_ids=self.lot_a.ids,
            lot_fefo_force_blocked_reason="Customer insists",
        )
        with self.assertRefused(UserError, "ask a quality manager to force them out"):
            forced.button_validate()
        with self.assertRefused(UserError, "ask a quality manager"):
            forced.move_ids._action_done()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(self.lot_a.product_qty, 10)
        self.assertFalse(self._notes_with(self.lot_a, "Customer insists"))
        self.assertFalse(self._notes_with(picking, "Customer insists"))

    def test_forcing_one_lot_does_not_force_another(self):
        lot_c = self._put_in_stock(self.product, 10, "L-C", "2026-10-01 10:00:00")
        lot_c.is_blocked = True
        picking = self._delivery_with_lot(self.customer, self.lot_a)
        self._hand_set(picking.move_ids, lot_c)
        forced = picking.with_user(self.quality_manager).with_context(
            lot_fefo_force_blocked_lot_ids=self.lot_a.ids,
            lot_fefo_force_blocked_reason="Laboratory release",
        )
        with self.assertRefused(UserError, r"Blocked lots can not be shipped: .*L-C"):
            forced.button_validate()
        self.assertEqual(lot_c.product_qty, 10)
