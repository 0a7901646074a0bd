"""A quality manager quarantines a recall while pickers validate deliveries of the
recalled lot at the same moment: each delivery either shipped the lot before the
quarantine (and the recall's trace counts it) or did not ship it; never both, never a
negative or orphan quant, never a reservation from quarantine."""

from collections import defaultdict

import pytest
from together import run_together
from world import World

PICKERS = 3
ON_HAND = 30  # of the recalled lot; each delivery reserves 8 of it
OTHER = 6  # of a later lot, which a released delivery may take instead
ORDER = 8
QUALITY = ("stock.group_stock_user", "lot_fefo_recall.group_quality_manager")
# (quality manager's delay, pickers' delay) after the common start: who goes first varies
ROUNDS = ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.2, 0.0))


@pytest.fixture(scope="module")
def staff(server, admin):
    world = World(admin, "QR")
    manager = server.client(world.user("QM", QUALITY))
    pickers = [server.client(world.user(f"Picker{n}")) for n in range(PICKERS)]
    customers = [world.customer(f"Shop{n}") for n in range(PICKERS)]
    return world, manager, pickers, customers


def _quarantine_location(db, world):
    return db.value(
        "SELECT quarantine_location_id FROM stock_warehouse WHERE id = %s", (world.warehouse_id,)
    )


@pytest.mark.parametrize(("manager_delay", "picker_delay"), ROUNDS)
def test_quarantine_while_pickers_ship(
    server, db, admin, staff, manager_delay, picker_delay, no_server_errors
):
    world, manager, pickers, customers = staff
    product = world.product()
    recalled = world.lot(product, "RECALLED", days_left=60)
    world.stock(product, recalled, ON_HAND)
    world.stock(product, world.lot(product, "LATER", days_left=150), OTHER)
    deliveries = [world.delivery(admin, customer, product, ORDER) for customer in customers]
    assert db.value(
        "SELECT sum(quantity_product_uom) FROM stock_move_line WHERE lot_id = %s "
        "AND picking_id IN %s",
        (recalled, tuple(deliveries)),
    ) == ORDER * PICKERS, "FEFO reserved the recalled lot for every delivery"  # fmt: skip
    recall = world.recall(manager, [recalled])

    outcomes = run_together(
        [("quarantine", lambda: manager.call("stock.recall", "action_quarantine", [recall]))]
        + [
            (picker.login, lambda picker=picker, picking=picking: world.validate(picker, picking))
            for picker, picking in zip(pickers, deliveries, strict=True)
        ],
        delays=[manager_delay] + [picker_delay] * PICKERS,
    )
    for outcome in outcomes:
        assert outcome.ok or outcome.error.is_user_error, (
            f"{outcome.label}: {outcome.error}\n{outcome.error.debug}"
        )
    quarantined_ok = outcomes[0].ok
    manager.call("stock.recall", "action_trace", [recall])

    quarantine = _quarantine_location(db, world)
    traced = dict(
        db.all(
            "SELECT partner_id, shipped_qty FROM stock_recall_customer WHERE recall_id = %s",
            (recall,),
        )
    )
    shipped = 0
    for customer, picking in zip(customers, deliveries, strict=True):
        state = db.value("SELECT state FROM stock_picking WHERE id = %s", (picking,))
        done_qty = float(
            db.value(
                "SELECT COALESCE(sum(quantity_product_uom), 0) FROM stock_move_line "
                "WHERE picking_id = %s AND lot_id = %s AND state = 'done'",
                (picking, recalled),
            )
        )
        open_lines = db.value(
            "SELECT count(*) FROM stock_move_line WHERE picking_id = %s AND lot_id = %s "
            "AND state NOT IN ('done', 'cancel')",
            (picking, recalled),
        )
        if done_qty:
            assert state == "done", f"{picking} shipped the lot but is {state}"
            assert traced.get(customer) == done_qty, f"the trace counts {picking}: {traced}"
        else:
            assert customer not in traced or not traced[customer], traced
        if quarantined_ok:
            assert not open_lines, f"{picking} still holds the quarantined lot"
        shipped += done_qty

    rows = db.all(
        "SELECT q.location_id, q.quantity, q.reserved_quantity FROM stock_quant q "
        "JOIN stock_location l ON l.id = q.location_id "
        "WHERE q.lot_id = %s AND l.usage = 'internal' ORDER BY q.id",
        (recalled,),
    )
    seen = f"quants {rows}, outcomes {outcomes}"
    by_location = defaultdict(float)
    for location, quantity, _reserved in rows:
        by_location[location] += float(quantity or 0)
    assert min(by_location.values()) >= 0, f"negative stock of the lot: {seen}"
    in_quarantine = by_location.pop(quarantine, 0.0)
    left = sum(by_location.values())
    assert in_quarantine + shipped + left == ON_HAND, (in_quarantine, shipped, left, seen)
    if quarantined_ok:
        # nothing left outside quarantine, not even a row booked twice under contention
        outside = [row for row in rows if row[0] != quarantine and (row[1] or row[2])]
        assert not outside, f"stock of the lot left outside quarantine: {seen}"
        assert float(
            db.value("SELECT quarantined_qty FROM stock_recall WHERE id = %s", (recall,))
        ) == in_quarantine  # fmt: skip
    assert not db.all(
        "SELECT q.id FROM stock_quant q JOIN stock_location l ON l.id = q.location_id "
        "WHERE q.product_id = %s AND l.usage = 'internal' "
        "AND (q.reserved_quantity > COALESCE(q.quantity, 0) OR q.reserved_quantity < 0)",
        (product,),
    ), "a quant reserves more than it holds"
    assert not db.all(
        "SELECT ml.id FROM stock_move_line ml JOIN stock_picking p ON p.id = ml.picking_id "
        "JOIN stock_picking_type t ON t.id = p.picking_type_id "
        "WHERE ml.location_id = %s AND t.code = 'outgoing' "
        "AND ml.state NOT IN ('done', 'cancel')",
        (quarantine,),
    ), "a delivery reserves from quarantine"
