from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15 10:00:00")
class TestReceiptShelfLife(LotFefoRecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category.receipt_min_shelf_life_days = 60

    def _receipt(self, expiration, lot_name="LOT-R", user=None):
        return self._new_receipt(
            [(self.product, 10, {"lot_name": lot_name, "expiration_date": expiration})],
            user=user,
        )

    def _assert_nothing_received(self, picking, lot_name="LOT-R"):
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(self.env["stock.lot"].search([("name", "=", lot_name)]))
        self.assertFalse(
            self.env["stock.quant"].search(
                [
                    ("product_id", "=", self.product.id),
                    ("location_id", "=", self.stock_location.id),
                ]
            )
        )

    def test_enough_shelf_life_accepted(self):
        picking = self._receipt("2026-08-20 10:00:00")
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")

    def test_too_short_shelf_life_refused(self):
        picking = self._receipt("2026-07-15 10:00:00", user=self.stock_user)
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            picking.with_user(self.stock_user).button_validate()
        message = str(caught.exception)
        for part in ("Strawberry Jam", "LOT-R", "2026-07-15", "30 days after receipt", "60 days"):
            self.assertIn(part, message)
        self._assert_nothing_received(picking)

    def test_expired_lot_refused(self):
        picking = self._receipt("2026-06-01 00:00:00")
        with self.assertRefused(UserError, "LOT-R expired on 2026-06-01"):
            picking.with_user(self.stock_user).button_validate()
        self._assert_nothing_received(picking)

    def test_expired_lot_refused_without_minimum(self):
        self.category.receipt_min_shelf_life_days = 0
        picking = self._receipt("2026-06-01 00:00:00")
        with self.assertRefused(UserError, "expired on 2026-06-01"):
            picking.with_user(self.stock_user).button_validate()
        self._assert_nothing_received(picking)

    def test_existing_lot_checked_too(self):
        lot = self._put_in_stock(self.product, 1, "LOT-OLD", "2026-07-01 00:00:00")
        picking = self._new_receipt([(self.product, 4, {"lot_id": lot.id})])
        with self.assertRefused(UserError, "LOT-OLD expires on 2026-07-01"):
            picking.with_user(self.stock_user).button_validate()
        self.assertEqual(lot.product_qty, 1)

    def test_lot_without_expiration_date_refused(self):
        picking = self._receipt(False)
        with self.assertRefused(UserError, "LOT-R has no expiration date"):
            picking.button_validate()
        self._assert_nothing_received(picking)

    def test_product_override(self):
        self.product.receipt_min_shelf_life_override = True
        self.product.receipt_min_shelf_life_days = 10
        self.assertIs(self._receipt("2026-07-15 10:00:00").button_validate(), True)
        self.product.receipt_min_shelf_life_days = 0
        self.assertIs(
            self._receipt("2026-06-20 10:00:00", lot_name="LOT-R2").button_validate(), True
        )

    def test_undated_product_not_checked(self):
        picking = self._new_receipt([(self.product_undated, 3, {"lot_name": "JAR-1"})])
        self.assertIs(picking.button_validate(), True)

    def test_negative_minimum_refused(self):
        with self.assertRefused(ValidationError, "can not be negative"):
            self.category.receipt_min_shelf_life_days = -5
        self.assertEqual(self.category.receipt_min_shelf_life_days, 60)
        with self.assertRefused(ValidationError, "Strawberry Jam can not be negative"):
            self.product.product_tmpl_id.write(
                {"receipt_min_shelf_life_override": True, "receipt_min_shelf_life_days": -1}
            )
        self.assertFalse(self.product.receipt_min_shelf_life_override)

    def test_quality_manager_accepts_with_reason(self):
        picking = self._receipt("2026-07-15 10:00:00")
        action = picking.with_user(self.quality_manager).button_validate()
        self.assertEqual(action["res_model"], "stock.lot.check.wizard")
        wizard_form = Form.from_action(self.env(user=self.quality_manager), action)
        self.assertIn("60 days", wizard_form.problem_text)
        wizard_form.reason = "   "
        wizard = wizard_form.save()
        with self.assertRefused(UserError, "Give the reason"):
            wizard.action_accept()
        self._assert_nothing_received(picking)

        wizard.reason = "Agreed with the vendor: 20% discount, sold this week"
        wizard.action_accept()
        self.assertEqual(picking.state, "done")
        note = picking.message_ids.filtered(lambda m: "Agreed with the vendor" in (m.body or ""))
        self.assertTrue(note, "the reason is in the receipt's chatter")
        self.assertIn("lfr_quality_manager", note.body)
        self.assertIn("LOT-R expires on 2026-07-15", note.body)

    def test_stock_user_can_not_force(self):
        picking = self._receipt("2026-07-15 10:00:00")
        forced = picking.with_user(self.stock_user).with_context(lot_fefo_accept_lot_checks=True)
        with self.assertRefused(UserError, "ask a quality manager"):
            forced.button_validate()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["stock.lot.check.wizard"].with_user(self.stock_user).create(
                {"picking_ids": [picking.id], "reason": "me"}
            )
        self._assert_nothing_received(picking)
