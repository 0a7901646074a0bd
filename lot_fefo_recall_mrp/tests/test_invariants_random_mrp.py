from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test

from odoo import Command
from odoo.tests import tagged

from odoo.addons.lot_fefo_recall.tests.common import LotFefoRecallCase
from odoo.addons.lot_fefo_recall.tests.warehouse_days import (
    WarehouseDays,
    build_world,
    machine_settings,
)


def build_mrp_world(case):
    """The base world and a cheese platter made of the standard-cost cheese: its lots
    take the earliest expiry of their components."""
    world = build_world(case)
    env = case.env
    cheese = world.products[0]
    platter = env["product.product"].create(
        {
            "name": "Fuzz Cheese Platter",
            "default_code": "FZ-PLATTER",
            "categ_id": cheese.categ_id.id,
            "is_storable": True,
            "tracking": "lot",
            "use_expiration_date": True,
            "expiration_time": 30,
            "expiry_from_components": True,
        }
    )
    env["mrp.bom"].create(
        {
            "product_tmpl_id": platter.product_tmpl_id.id,
            "product_qty": 1,
            "consumption": "flexible",
            "bom_line_ids": [Command.create({"product_id": cheese.id, "product_qty": 1})],
        }
    )
    world.products |= platter
    world.platter = platter
    world.component = cheese
    return world


class WarehouseDaysMrp(WarehouseDays):
    """The warehouse days, with manufacturing orders."""

    @rule(
        warehouse=st.integers(0, 2),
        quantity=st.integers(1, 5),
        handset_blocked=st.one_of(st.none(), st.integers(0, 50)),
    )
    def manufacture(self, warehouse, quantity, handset_blocked):
        """A manufacturing order of platters, done; with ``handset_blocked`` the worker
        types a blocked lot of the cheese on the component line by hand: refused."""
        warehouse = self._warehouse(warehouse)
        blocked = None
        if handset_blocked is not None:
            blocked = self._pick(
                self._stock_quants(warehouse).filtered(
                    lambda q: q.lot_id.is_blocked and q.product_id == self.world.component
                ),
                handset_blocked,
            )
            if not blocked:
                return
            quantity = min(quantity, int(blocked.quantity)) or 1
        production = self.env["mrp.production"].create(
            {
                "product_id": self.world.platter.id,
                "product_qty": quantity,
                "picking_type_id": warehouse.manu_type_id.id,
                "location_src_id": warehouse.lot_stock_id.id,
                "location_dest_id": warehouse.lot_stock_id.id,
            }
        )
        production.action_confirm()
        production.action_assign()

        def finish():
            production.qty_producing = production.product_qty
            production.set_qty_producing()
            if not production.lot_producing_ids:
                production.action_generate_serial()
            raw = production.move_raw_ids
            if blocked:
                raw.move_line_ids.unlink()
                self.env["stock.move.line"].create(
                    {
                        "move_id": raw.id,
                        "product_id": raw.product_id.id,
                        "lot_id": blocked.lot_id.id,
                        "quantity": quantity,
                        "location_id": blocked.location_id.id,
                        "location_dest_id": raw.location_dest_id.id,
                    }
                )
            elif raw.product_uom.compare(raw.quantity, raw.product_uom_qty) < 0:
                # not enough free stock: nothing is made
                return {"res_model": "short"}
            raw.picked = True
            return production.button_mark_done()

        self._attempt(finish)


@tagged("post_install", "-at_install")
class TestInvariantsRandomMrp(LotFefoRecallCase):
    """The random warehouse days with manufacturing orders (see
    lot_fefo_recall/tests/test_invariants_random.py for the longer run)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = build_mrp_world(cls)

    def test_random_warehouse_days_with_manufacturing(self):
        machine = type("WarehouseDaysMrpRun", (WarehouseDaysMrp,), {"case": self})
        run_state_machine_as_test(machine, settings=machine_settings(examples=4, steps=12))


@tagged("post_install", "-at_install")
class TestInvariantsRegressionsMrp(LotFefoRecallCase):
    """Failing sequences of the random days with manufacturing, kept as plain tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = build_mrp_world(cls)

    def test_blocked_component_never_consumed(self):
        """Item 1: a blocked lot typed by hand on a manufacturing order's component line
        is consumed (invariant a). Red until that fix lands."""
        state = type("WarehouseDaysMrpReplay", (WarehouseDaysMrp,), {"case": self})()
        self.addCleanup(state.teardown)
        state.hold_invariants()
        state.receive(lots=[(5, 60, 1)], product=0, warehouse=0)
        state.hold_invariants()
        state.block_or_unblock(lot=0, block=True)
        state.hold_invariants()
        state.manufacture(warehouse=0, quantity=2, handset_blocked=0)
        state.hold_invariants()
