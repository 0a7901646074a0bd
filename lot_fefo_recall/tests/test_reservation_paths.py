from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestReservationPaths(LotFefoRecallCase):
    """Every way Odoo reserves stock skips blocked lots, and the customer's shelf life
    rule applies to the move that chooses the lots for that customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.picky_customer = cls.env["res.partner"].create(
            {"name": "Fresh Market", "is_company": True}
        )
        cls.env["stock.shelf.life.rule"].create(
            {"partner_id": cls.picky_customer.id, "min_remaining_days": 90}
        )
        with freeze_time("2026-06-01 10:00:00"):
            # 61, 92 and 122 days left
            cls.lot_a = cls._put_in_stock(cls.product, 10, "L-A", "2026-08-01 10:00:00")
            cls.lot_b = cls._put_in_stock(cls.product, 10, "L-B", "2026-09-01 10:00:00")
            cls.lot_c = cls._put_in_stock(cls.product, 10, "L-C", "2026-10-01 10:00:00")

    def _sale_order(self, partner, quantity):
        order = super()._sale_order(partner, quantity)
        order.action_confirm()
        return order

    def _validate(self, picking):
        if picking.state != "assigned":
            picking.action_assign()
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def _next_step(self, order, picking):
        return order.picking_ids.filtered(
            lambda p: p.move_ids.move_orig_ids & picking.move_ids and p.state != "done"
        )

    # ------------------------------------------------------- multi-step deliveries

    def test_two_step_delivery_never_takes_a_blocked_lot(self):
        self.warehouse.delivery_steps = "pick_ship"
        self.lot_a.is_blocked = True
        order = self._sale_order(self.customer, 5)
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(self._reserved(pick), {"L-B": 5})
        self._validate(pick)
        ship = self._next_step(order, pick)
        if ship.state != "assigned":
            ship.action_assign()
        self.assertEqual(self._reserved(ship), {"L-B": 5})

    def test_chained_step_does_not_take_a_lot_blocked_after_the_pick(self):
        """The ship step reserves what the pick brought through
        _update_reserved_quantity_vals: a lot blocked meanwhile stays where it is."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self._sale_order(self.customer, 5)
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(self._reserved(pick), {"L-A": 5})
        self._validate(pick)
        ship = self._next_step(order, pick)
        ship.do_unreserve()
        self.lot_a.is_blocked = True
        ship.action_assign()
        self.assertEqual(self._reserved(ship), {})
        self.assertNotEqual(ship.state, "assigned")

    def test_blocking_releases_the_ship_step(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._sale_order(self.customer, 5)
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self._validate(pick)
        ship = self._next_step(order, pick)
        if ship.state != "assigned":
            ship.action_assign()
        self.assertEqual(self._reserved(ship), {"L-A": 5})
        self.lot_a.is_blocked = True
        self.assertEqual(self._reserved(ship), {}, "only L-A is at the output: nothing else")
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", self.lot_a.id), ("location_id", "=", ship.location_id.id)]
        )
        self.assertEqual((quant.quantity, quant.reserved_quantity), (5, 0))

    def test_three_step_delivery(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        self.lot_b.is_blocked = True
        order = self._sale_order(self.picky_customer, 5)
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(
            self._reserved(pick), {"L-C": 5}, "L-A is too short for the customer, L-B blocked"
        )
        self._validate(pick)
        pack = self._next_step(order, pick)
        self.assertEqual(pack.picking_type_id, self.warehouse.pack_type_id)
        if pack.state != "assigned":
            pack.action_assign()
        self.assertEqual(self._reserved(pack), {"L-C": 5})
        # the pack step has no customer of its own: a lot blocked now is still refused
        pack.do_unreserve()
        self.lot_c.is_blocked = True
        pack.action_assign()
        self.assertEqual(self._reserved(pack), {})

    # ------------------------------------------------------------- other paths

    def test_backorder(self):
        self.lot_a.is_blocked = True
        picking = self._new_delivery(self.customer, [(self.product, 25)])
        self.assertEqual(self._reserved(picking), {"L-B": 10, "L-C": 10})
        picking.move_line_ids.filtered(lambda ml: ml.lot_id == self.lot_b).picked = True
        Form.from_action(self.env, picking.button_validate()).save().process()
        backorder = picking.backorder_ids
        self.assertEqual(backorder.move_ids.product_uom_qty, 15)
        self.assertEqual(self._reserved(backorder), {"L-C": 10})
        self._put_in_stock(self.product, 10, "L-D", "2026-11-01 10:00:00")
        backorder.action_assign()
        self.assertEqual(self._reserved(backorder), {"L-C": 10, "L-D": 5})

    def test_many_pickings_at_once(self):
        """One action_assign on deliveries for different customers: each move gets its
        own customer's rule, none gets the blocked lot."""
        self.picking_type_out.reservation_method = "manual"
        self.lot_b.is_blocked = True
        picky = self._new_delivery(self.picky_customer, [(self.product, 5)])
        plain = self._new_delivery(self.customer, [(self.product, 5)])
        internal = self._new_delivery(
            self.customer,
            [(self.product, 12)],
            picking_type=self.warehouse.int_type_id,
            location_dest=self.stock_location,
        )
        internal.do_unreserve()
        (picky | plain | internal).action_assign()
        self.assertEqual(self._reserved(picky), {"L-C": 5})
        self.assertEqual(self._reserved(plain), {"L-A": 5})
        self.assertNotIn("L-B", self._reserved(internal))
        self.assertEqual(internal.move_ids.quantity, 10, "all that is left but L-B")

    def test_scheduler(self):
        self.picking_type_out.reservation_method = "manual"
        self.lot_a.is_blocked = True
        picking = self._new_delivery(self.customer, [(self.product, 5)])
        self.assertEqual(picking.state, "confirmed")
        self.picking_type_out.reservation_method = "at_confirm"
        self.env["stock.rule"].run_scheduler()
        self.assertEqual(self._reserved(picking), {"L-B": 5})

    def test_quantity_typed_on_the_move(self):
        """Typing a quantity on a move with nothing reserved lets core choose the lots
        (stock.move._set_quantity_done_prepare_vals): never the blocked one."""
        self.picking_type_out.reservation_method = "manual"
        self.lot_a.is_blocked = True
        picking = self._new_delivery(self.customer, [(self.product, 5)])
        self.assertFalse(picking.move_line_ids)
        picking.move_ids.quantity = 5
        self.assertEqual(self._reserved(picking), {"L-B": 5})

    def test_manual_pick_of_blocked_lot_in_the_pick_step_refused(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._sale_order(self.customer, 5)
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.lot_c.is_blocked = True
        pick.move_line_ids.lot_id = self.lot_c
        with self.assertRefused(UserError, "Blocked lots can not be shipped: .*L-C"):
            pick.button_validate()
        self.assertEqual(pick.state, "assigned")
        self.assertEqual(self.lot_c.product_qty, 10)

    def test_blocked_stock_still_counted_and_moved(self):
        """Only reservations leave blocked lots out: quantity updates find their quants,
        whether directly or through the quants_cache of stock.move.line._action_done,
        so that blocked stock can be counted and set aside."""
        self.lot_a.is_blocked = True
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.stock_location, 5, lot_id=self.lot_a
        )
        quant = self.env["stock.quant"].search([("lot_id", "=", self.lot_a.id)])
        self.assertEqual(quant.quantity, 15, "added to the lot's quant, not a new one")
        quarantine = self.warehouse._get_quarantine_location()
        self.warehouse._move_quants_aside(quant, quarantine, "test")
        quants = self.env["stock.quant"].search([("lot_id", "=", self.lot_a.id)])
        self.assertEqual(quants.filtered("quantity").location_id, quarantine)
        self.assertEqual(sum(quants.mapped("quantity")), 15)
