from freezegun import freeze_time

from odoo.tests import tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestFefoComplianceSteps(LotFefoRecallCase):
    """FEFO compliance of multi-step deliveries is about the lots that finally left for
    the customer, judged when they were taken out of the warehouse stock (the pick)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # L45 breaks Big Box's 60-day rule: passing it over is not a FEFO miss
        _rule, lots = cls._stock_fefo_story()
        cls.lot_45, cls.lot_90, cls.lot_200 = lots.values()
        cls.report = cls.env["stock.fefo.compliance.report"]

    def _ship_order(self, quantity, picked_lot=None, after_pick=None):
        """Confirm a sale of ``quantity`` to Big Box and validate each step of the
        delivery in turn; at the pick, the picker takes ``picked_lot`` by hand instead of
        the reserved lot; ``after_pick`` is called once the pick is done. Returns the
        pickings, first step first."""
        order = self._sale_order(self.customer, quantity)
        order.action_confirm()
        steps = self.env["stock.picking"]
        todo = order.picking_ids.filtered(lambda p: not p.move_ids.move_orig_ids)
        while todo:
            self.assertEqual(len(todo), 1)
            if todo.state != "assigned":
                todo.action_assign()
            if picked_lot and not steps:
                todo.move_line_ids.lot_id = picked_lot
            todo.button_validate()
            self.assertEqual(todo.state, "done")
            if after_pick and not steps:
                after_pick()
            steps |= todo
            todo = todo.move_ids.move_dest_ids.picking_id
        self.assertEqual(steps[-1].location_dest_id, self.customer_location)
        return steps

    def _report_rate(self, pickings):
        [(quantity, rate)] = self.report._read_group(
            [("picking_id", "in", pickings.ids)], [], ["quantity:sum", "fefo_compliance:avg"]
        )
        return quantity, rate

    def _assert_compliance(self, steps_config, count):
        self.warehouse.delivery_steps = steps_config
        followed = self._ship_order(5)
        self.assertEqual(len(followed), count)
        self.assertEqual(self._reserved(followed[0]), {"L90": 5}, "the pick followed FEFO")
        skipped = self._ship_order(5, picked_lot=self.lot_200)
        self.assertEqual(self._reserved(skipped[-1]), {"L200": 5})

        self.assertTrue(followed[-1].move_line_ids.fefo_compliant)
        self.assertEqual(followed[-1].move_line_ids.mapped("fefo_compliant"), [True])
        self.assertEqual(
            skipped[-1].move_line_ids.mapped("fefo_compliant"),
            [False],
            "L200 was taken while L90, acceptable to Big Box, was in stock",
        )
        # the shipped quantities are rated once, on the delivery to the customer
        self.assertEqual(self._report_rate(followed), (5, 100.0))
        self.assertEqual(self._report_rate(skipped), (5, 0.0))
        self.assertEqual(self._report_rate(followed | skipped), (10, 50.0))
        rated = self.report.search([("picking_id", "in", (followed | skipped).ids)])
        self.assertEqual(rated.picking_id, followed[-1] | skipped[-1])

    def test_two_steps(self):
        self._assert_compliance("pick_ship", 2)

    def test_three_steps(self):
        self._assert_compliance("pick_pack_ship", 3)

    def test_earlier_lot_reserved_elsewhere_is_not_passed_over(self):
        self.warehouse.delivery_steps = "pick_ship"
        other = self._new_delivery(self.customer, [(self.product, 10)])
        other.action_assign()
        self.assertEqual(self._reserved(other), {"L90": 10})
        # L90 is promised to another delivery: L200 is the earliest lot left to take.
        # That other delivery is cancelled before the ship step: what counts is the
        # stock the picker had when taking the lot.
        steps = self._ship_order(5, picked_lot=self.lot_200, after_pick=other.action_cancel)
        self.assertEqual(self.lot_90.product_qty, 10)
        self.assertEqual(steps[-1].move_line_ids.mapped("fefo_compliant"), [True])

    def test_verdict_taken_when_the_lots_were_picked(self):
        """L200 is picked while L90 is free; L90 leaves with another delivery before the
        ship step: the pick still passed it over."""
        self.warehouse.delivery_steps = "pick_pack_ship"

        def ship_l90_elsewhere():
            other = self._new_delivery(self.customer, [(self.product, 10)])
            other.action_assign()
            self.assertEqual(self._reserved(other), {"L90": 10})
            other.button_validate()

        steps = self._ship_order(5, picked_lot=self.lot_200, after_pick=ship_l90_elsewhere)
        self.assertFalse(self.lot_90.product_qty)
        self.assertEqual(steps[-1].move_line_ids.mapped("fefo_compliant"), [False])

    def test_one_step_unchanged(self):
        followed = self._ship_order(5)
        skipped = self._ship_order(5, picked_lot=self.lot_200)
        self.assertEqual(followed.move_line_ids.mapped("fefo_compliant"), [True])
        self.assertEqual(skipped.move_line_ids.mapped("fefo_compliant"), [False])
        self.assertEqual(self._report_rate(followed | skipped), (10, 50.0))
