"""Failing sequences the random test (test_invariants_random.py) found, shrunk by
Hypothesis and kept as plain tests: each replays the steps and checks every invariant
after each, as the random test does."""

from odoo.tests import tagged

from .common import LotFefoRecallCase
from .warehouse_days import WarehouseDays, build_world


@tagged("post_install", "-at_install")
class TestInvariantsRegressions(LotFefoRecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = build_world(cls)

    def _start(self):
        state = type("WarehouseDaysReplay", (WarehouseDays,), {"case": self})()
        self.addCleanup(state.teardown)
        state.hold_invariants()
        return state

    def test_debug(self):
        state = self._start()
        state.handset_blocked_delivery(quant=18, quantity=1)
        state.hold_invariants()
        state.write_off_cron(mode='scrap')
        state.hold_invariants()
        state.receive(lots=[(1, 10, 1)], product=0, warehouse=0)
        q = self.env["stock.quant"].search([("product_id", "in", self.world.products.ids)])
        print(q.read(["quantity", "reserved_quantity", "removal_date", "expiration_date", "lot_blocked", "location_id"]))
        print(q.lot_id.read(["expiration_date", "removal_date", "use_date"]))
        state.hold_invariants()
