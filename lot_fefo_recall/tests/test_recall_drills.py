from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LotFefoRecallCase

REFUSED = "change only through the recall's buttons"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallDrills(LotFefoRecallCase):
    """A stock user may run a drill, a quality manager a recall; neither moves a recall
    on, nor changes its figures, other than with its buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "buyer@bigbox.example.com"
        cls.lot = cls._put_in_stock(cls.product, 20, "DRILL-1", "2026-12-01 10:00:00")
        picking = cls._new_delivery(cls.customer, [(cls.product, 5)])
        picking.action_assign()
        picking.move_ids.picked = True
        picking.with_context(skip_expired=True, lot_fefo_accept_lot_checks=True)._action_done()

    def _launch(self, user, is_mock):
        wizard = (
            self.env["stock.recall.wizard"]
            .with_user(user)
            .create(
                {
                    "mode": "lots",
                    "lot_ids": [Command.set(self.lot.ids)],
                    "is_mock": is_mock,
                    "reason": "Glass splinters reported",
                }
            )
        )
        action = wizard.action_create_recall()
        return self.env["stock.recall"].with_user(user).browse(action["res_id"])

    def _snapshot(self, recall):
        recall.invalidate_recordset()
        recall.customer_ids.invalidate_recordset()
        return (
            recall.is_mock,
            recall.state,
            recall.shipped_qty,
            recall.on_hand_qty,
            recall.affected_qty,
            recall.quarantined_qty,
            recall.effectiveness,
            recall.trace_seconds,
            recall.accounted_percent,
            recall.date_traced,
            recall.date_closed,
            recall.affected_lot_ids,
            recall.line_ids.mapped("quantity"),
            recall.customer_ids.mapped("shipped_qty"),
            recall.customer_ids.mapped("returned_qty"),
        )

    def test_drill_stays_a_drill(self):
        drill = self._launch(self.stock_user, is_mock=True)
        self.assertEqual((drill.is_mock, drill.state, drill.shipped_qty), (True, "traced", 5))
        before = self._snapshot(drill)
        for vals in (
            {"is_mock": False},
            {"state": "closed"},
            {"state": "notified", "date_notified": fields.Datetime.now()},
            {"effectiveness": 100},
            {"quarantined_qty": 5},
            {"shipped_qty": 0},
            {"trace_seconds": 0.001, "accounted_percent": 100},
            {"date_traced": "2026-01-01 00:00:00"},
            {"affected_lot_ids": [Command.clear()]},
            {"line_ids": [Command.clear()]},
        ):
            with self.subTest(vals=vals), self.assertRefused(AccessError, REFUSED):
                drill.write(vals)
        # The trace's figures, written on its lines or customers: not a drill's to change.
        customer = drill.customer_ids
        for record, vals in (
            (customer, {"returned_qty": 5}),
            (customer, {"shipped_qty": 0}),
            (drill.line_ids[:1], {"quantity": 0}),
            (drill, {"customer_ids": [Command.update(customer.id, {"returned_qty": 5})]}),
            (drill, {"customer_ids": [Command.create({"partner_id": self.vendor.id})]}),
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError), self.env.cr.savepoint():
                record.write(vals)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            drill.line_ids.unlink()
        self.assertEqual(self._snapshot(drill), before, "nothing was written")
        # what a drill's user writes: the words
        drill.write({"resolution_note": "Drill done in 12 minutes.", "reason": "Drill"})

    def test_drill_created_with_figures_refused(self):
        Recall = self.env["stock.recall"].with_user(self.stock_user)
        vals = {"lot_ids": [Command.set(self.lot.ids)], "reason": "Drill", "is_mock": True}
        for extra in (
            {"state": "closed"},
            {"quarantined_qty": 5},
            {"date_closed": "2026-06-01 10:00:00"},
            {"affected_lot_ids": [Command.set(self.lot.ids)]},
        ):
            with self.subTest(extra=extra), self.assertRefused(AccessError, REFUSED):
                Recall.create(dict(vals, **extra))
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Recall.create(dict(vals, is_mock=False))
        self.assertFalse(self.env["stock.recall"].search([("lot_ids", "in", self.lot.ids)]))
        # a forged default is no way round: the recall starts as a draft
        drill = Recall.with_context(default_state="closed", default_quarantined_qty=5).create(vals)
        self.assertEqual((drill.is_mock, drill.state, drill.quarantined_qty), (True, "draft", 0))

    def test_drill_buttons_work_for_stock_user(self):
        drill = self._launch(self.stock_user, is_mock=True)
        drill.action_trace()
        self.assertEqual(len(drill.customer_ids), 1)
        drill.resolution_note = "Drill done in 12 minutes."
        drill.action_close()
        self.assertEqual(drill.state, "closed")
        other = self._launch(self.stock_user, is_mock=True)
        other.action_cancel()
        self.assertEqual(other.state, "cancelled")

    def test_real_recall_figures_refused_for_quality_manager(self):
        recall = self._launch(self.quality_manager, is_mock=False)
        before = self._snapshot(recall)
        for vals in (
            {"state": "closed"},
            {"is_mock": True},
            {"effectiveness": 100},
            {"quarantined_qty": 20},
            {"date_notified": "2026-06-01 10:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRefused(AccessError, REFUSED):
                recall.write(vals)
        customer = recall.customer_ids
        for vals in (
            {"shipped_qty": 1},
            {"notified_on": "2026-06-01 10:00:00"},
            {"lot_ids": [Command.clear()]},
        ):
            with self.subTest(vals=vals), self.assertRefused(AccessError, REFUSED):
                customer.write(vals)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            recall.line_ids[:1].write({"quantity": 100})
        self.assertEqual(self._snapshot(recall), before, "nothing was written")
        # what people record: the customer's answer
        customer.write({"acknowledged": True, "returned_qty": 2})
        self.assertEqual(customer.returned_qty, 2)

    def test_real_recall_buttons_work_for_quality_manager(self):
        recall = self._launch(self.quality_manager, is_mock=False)
        self.assertEqual(recall.state, "traced")
        recall.action_trace()
        recall.action_quarantine()
        self.assertEqual((recall.state, recall.quarantined_qty), ("quarantined", 15))
        recall.action_send_letters()
        recall.action_cancel()
        self.assertEqual(recall.state, "cancelled")

    def test_product_figures_and_checks_kept_from_hand_writes(self):
        """The per-product figures come from the trace, the effectiveness checks from
        the draw: a drill's user changes neither, a quality manager no product line."""
        drill = self._launch(self.stock_user, is_mock=True)
        line = drill.product_line_ids
        self.assertEqual(line.product_id, self.product)
        for record, action in (
            (line, lambda rec: rec.write({"product_id": self.product_undated.id})),
            (line, lambda rec: rec.unlink()),
            (drill, lambda rec: rec.write({"product_line_ids": [Command.clear()]})),
            (
                self.env["stock.recall.product"].with_user(self.stock_user),
                lambda model: model.create({"recall_id": drill.id, "product_id": self.product.id}),
            ),
        ):
            with (
                self.subTest(action=action),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                action(record)
        recall = self._launch(self.quality_manager, is_mock=False)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            recall.product_line_ids.write({"product_id": self.product_undated.id})
        recall.write({"check_level": "a"})
        recall.action_draw_checks()
        check = recall.check_ids
        self.assertEqual(len(check), 1)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            check.with_user(self.stock_user).write({"note": "called, all destroyed"})
        self.assertEqual(check.result, "pending")
        self.assertEqual(
            (drill.product_line_ids, recall.product_line_ids.product_id), (line, self.product)
        )
