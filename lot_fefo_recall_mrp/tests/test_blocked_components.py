from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MADE_ON, LotFefoRecallMrpCase


@tagged("post_install", "-at_install")
@freeze_time(MADE_ON)
class TestBlockedComponents(LotFefoRecallMrpCase):
    """Reservation skips a blocked jam lot; a worker who sets it by hand on the
    component line can not consume it either, unless a quality manager forces it with
    a written reason, posted on the lot and the manufacturing order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rule, cls.jam = cls._stock_fefo_story()
        rule.unlink()  # orders for stock
        cls.blocked = cls.jam["L200"]
        cls.blocked.write({"is_blocked": True, "block_reason": "Mould found"})
        cls.quality_manager.group_ids += cls.env.ref("mrp.group_mrp_user")

    def _produce_with(self, production, jam_lot):
        """Everything produced, the worker having set ``jam_lot`` on the jam line."""
        production.qty_producing = production.product_qty
        production.set_qty_producing()
        self._jam_move(production).move_line_ids.lot_id = jam_lot
        production.move_raw_ids.picked = True
        production.action_generate_serial()

    def _assert_not_consumed(self, production, lot):
        self.assertNotEqual(production.state, "done")
        self.assertEqual(lot.product_qty, 10)
        self.assertFalse(
            self.env["stock.move.line"].search([("lot_id", "=", lot.id), ("state", "=", "done")])
        )

    def test_hand_set_blocked_component_refused(self):
        production = self._manufacture()
        self.assertNotIn(self.blocked, self._jam_move(production).move_line_ids.lot_id)
        self._produce_with(production, self.blocked)
        with self.assertRefused(
            UserError, r"Blocked lots can not be consumed in production: .*L200 \(Mould found"
        ):
            production.with_user(self.mrp_user).button_mark_done()
        self._assert_not_consumed(production, self.blocked)

    def test_refused_when_the_components_are_consumed_by_code(self):
        """Past the order's button: the moves' own validation refuses too."""
        production = self._manufacture()
        self._produce_with(production, self.blocked)
        with self.assertRefused(UserError, "Blocked lots can not be consumed in production"):
            self._jam_move(production)._action_done()
        self._assert_not_consumed(production, self.blocked)

    def test_lot_blocked_after_it_was_reserved(self):
        production = self._manufacture()
        reserved = self._jam_move(production).move_line_ids.lot_id
        self.assertEqual(reserved, self.jam["L45"])
        reserved.with_user(self.quality_manager).write(
            {"is_blocked": True, "block_reason": "Supplier alert"}
        )
        self.assertNotIn(reserved, self._jam_move(production).move_line_ids.lot_id)
        self._produce_with(production, reserved)
        with self.assertRefused(UserError, r"L45 \(Supplier alert\)"):
            production.button_mark_done()
        self._assert_not_consumed(production, reserved)

    def test_pick_components_refused_at_the_pick(self):
        """Components picked to pre-production in a two-step manufacture are refused
        when taken off the shelf."""
        self.warehouse.manufacture_steps = "pbm"
        production = self._manufacture()
        pick = production.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pbm_type_id
        )
        self.assertEqual(len(pick), 1)
        jam = pick.move_ids.filtered(lambda m: m.product_id == self.product)
        jam.move_line_ids.lot_id = self.blocked
        with self.assertRefused(UserError, "Blocked lots can not be consumed in production"):
            pick.with_user(self.mrp_user).button_validate()
        self.assertEqual(self.blocked.product_qty, 10)

    def test_quality_manager_forces_with_a_reason(self):
        production = self._manufacture()
        self._produce_with(production, self.blocked)
        with self.assertRefused(UserError, "force them out with a written reason"):
            production.with_user(self.quality_manager).button_mark_done()
        wizard = Form.from_action(
            self.env(user=self.quality_manager),
            {
                "type": "ir.actions.act_window",
                "res_model": "stock.lot.force.wizard",
                "views": [(False, "form")],
                "context": {"active_model": "mrp.production", "active_ids": production.ids},
            },
        )
        self.assertEqual(wizard.lot_ids[:], self.blocked)
        wizard.reason = "Mould was on the outer carton only, laboratory report 77"
        wizard.save().action_force()
        self.assertEqual(production.state, "done")
        self.assertEqual(self.blocked.product_qty, 5)
        for record in (self.blocked, production):
            notes = [n for n in self._notes(record) if "laboratory report 77" in n]
            self.assertEqual(len(notes), 1, record.display_name)
            self.assertIn("L200", notes[0])

    def test_plain_user_can_not_force(self):
        production = self._manufacture()
        self._produce_with(production, self.blocked)
        forced = production.with_user(self.mrp_user).with_context(
            lot_fefo_force_blocked_lot_ids=self.blocked.ids,
            lot_fefo_force_blocked_reason="We need the cookies today",
        )
        with self.assertRefused(UserError, "ask a quality manager to force them out"):
            forced.button_mark_done()
        self._assert_not_consumed(production, self.blocked)
        for record in (self.blocked, production):
            self.assertFalse([n for n in self._notes(record) if "cookies today" in n])
