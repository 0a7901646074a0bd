"""What a reservation locks, seen by a second user at the same moment. A first user's
reservation is held open: their delivery reserves one product (P) and then another (Q)
whose only quant row this test holds, so that the request stays inside its transaction,
with whatever it locked on P, until the test lets go. Meanwhile a second user works on
P: reserving another lot of it must not wait, receiving another lot of it must not
book on a duplicate quant row, and reserving the same scarce lot must wait and never
promise it twice."""

import contextlib
import time

import psycopg2
import pytest
from rig import pg_env, wait_until
from together import run_together
from world import World

HOLD = 6.0  # seconds the first user's request is held inside its transaction
QUICK = HOLD / 2  # what the second user's call may take when it does not wait


@pytest.fixture(scope="module")
def users(server, admin):
    world = World(admin, "RL")
    first = server.client(world.user("First"))
    second = server.client(world.user("Second"))
    return world, first, second, world.customer()


def _picking(world, client, partner, moves, picking_type="out"):
    """A transfer of ``moves`` ((product, quantity), ...) made by ``client``, not confirmed."""
    if picking_type == "out":
        type_id, source, dest = (
            world.out_type_id, world.stock_location_id, world.customer_location_id
        )  # fmt: skip
    else:
        type_id, source, dest = (
            world.in_type_id, world.supplier_location_id, world.stock_location_id
        )  # fmt: skip
    return client.call(
        "stock.picking", "create",
        {"partner_id": partner, "picking_type_id": type_id, "location_id": source,
         "location_dest_id": dest,
         "move_ids": [(0, 0, {"product_id": product, "product_uom_qty": quantity,
                              "location_id": source, "location_dest_id": dest})
                      for product, quantity in moves]},
    )  # fmt: skip


class Hold:
    """Holds the quant rows of a product in a transaction of its own (a user's
    reservation that is taking its time) until ``release``."""

    def __init__(self, server, product):
        self.cnx = psycopg2.connect(dbname=server.db, **pg_env())
        self.db_name = server.db
        with self.cnx.cursor() as cr:
            cr.execute(
                "SELECT id FROM stock_quant WHERE product_id = %s FOR NO KEY UPDATE", (product,)
            )

    def someone_waits(self, db):
        """Whether a server process waits for a row lock (the first user, on Q)."""
        return db.value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND wait_event_type = 'Lock' AND query ILIKE '%%stock_quant%%'",
            (self.db_name,),
        )

    def release(self):
        with contextlib.suppress(psycopg2.Error):
            self.cnx.rollback()
            self.cnx.close()


def _while_first_user_holds(server, db, users, second_call, product, quantity=1):
    """Run the first user's reservation of ``quantity`` of ``product`` (and then of Q,
    held) and, once it waits for Q, ``second_call()``; let the first go HOLD seconds
    later. Return the first user's delivery and the seconds the second call took."""
    world, first, _second, customer = users
    held = world.product("Q")
    world.stock(held, world.lot(held, "Q1", days_left=90), 5)
    first_picking = _picking(world, first, customer, [(product, quantity), (held, 1)])
    hold = Hold(server, held)
    timing = {}

    def first_reserves():
        return first.call("stock.picking", "action_confirm", [first_picking])

    def second_works():
        wait_until(lambda: hold.someone_waits(db), 60, 0.1, "the first user to wait on Q")
        started = time.monotonic()
        try:
            return second_call()
        finally:
            timing["seconds"] = time.monotonic() - started

    def let_go():
        wait_until(lambda: hold.someone_waits(db), 60, 0.1, "the first user to wait on Q")
        time.sleep(HOLD)
        hold.release()

    try:
        outcomes = run_together(
            [("first", first_reserves), ("second", second_works), ("hold", let_go)],
            timeout=120,
        )
    finally:
        hold.release()
    for outcome in outcomes:
        assert outcome.ok, f"{outcome.label}: {outcome.error}\n{outcome.error.debug}"
    return first_picking, timing["seconds"]


def _reserved_lots(db, picking):
    return dict(
        db.all(
            "SELECT l.name, sum(ml.quantity_product_uom) FROM stock_move_line ml "
            "JOIN stock_lot l ON l.id = ml.lot_id WHERE ml.picking_id = %s "
            "AND ml.state NOT IN ('done', 'cancel') GROUP BY l.name",
            (picking,),
        )
    )


def _assert_one_row_per_stock_and_nothing_promised_twice(db, product):
    """Per lot and location one quant row (no duplicate booked under contention),
    reserving between 0 and what it holds, as much as the open move lines."""
    rows = db.all(
        "SELECT q.lot_id, q.location_id, count(*), sum(q.quantity), sum(q.reserved_quantity),"
        " COALESCE((SELECT sum(ml.quantity_product_uom) FROM stock_move_line ml"
        "   WHERE ml.product_id = q.product_id AND ml.lot_id = q.lot_id"
        "   AND ml.location_id = q.location_id AND ml.state NOT IN ('done', 'cancel')), 0)"
        " FROM stock_quant q JOIN stock_location l ON l.id = q.location_id"
        " WHERE q.product_id = %s AND l.usage = 'internal'"
        " GROUP BY q.product_id, q.lot_id, q.location_id",
        (product,),
    )
    assert rows
    for lot, location, count, quantity, reserved, in_lines in rows:
        where = f"lot {lot} in location {location}"
        assert count == 1, f"{where}: {count} quant rows"
        assert 0 <= reserved <= quantity, f"{where}: {reserved} reserved of {quantity}"
        assert reserved == in_lines, f"{where}: quants say {reserved}, move lines {in_lines}"


def test_reserving_another_lot_does_not_wait(server, db, users, no_server_errors):
    """The first user reserves 1 unit of a product with 20 lots and is held: the
    second user's reservation of 1 unit takes the next lot at once."""
    world, _first, second, customer = users
    product = world.product()
    for n in range(20):
        world.stock(product, world.lot(product, f"L{n:02d}", days_left=30 + n), 1)
    picking = _picking(world, second, customer, [(product, 1)])

    first_picking, seconds = _while_first_user_holds(
        server, db, users,
        lambda: second.call("stock.picking", "action_confirm", [picking]), product,
    )  # fmt: skip

    assert seconds < QUICK, f"the second reservation waited {seconds:.1f} s for the first"
    first_lots = _reserved_lots(db, first_picking)
    assert first_lots.pop(world.name("L00")) == 1, "FEFO: the first user takes the first lot"
    assert _reserved_lots(db, picking) == {world.name("L01"): 1}
    _assert_one_row_per_stock_and_nothing_promised_twice(db, product)


def test_receiving_another_lot_books_no_duplicate_row(server, db, users, no_server_errors):
    """While the first user's reservation of 1 unit is held, the second validates a
    receipt of another lot of the product: it is booked on that lot's row (core books
    on a new row only when another transaction holds it), and a quarantine of that lot
    finds one row."""
    world, _first, second, customer = users
    product = world.product()
    lots = [world.lot(product, f"L{n}", days_left=30 + n) for n in range(5)]
    for lot in lots:
        world.stock(product, lot, 2)
    receipt = _picking(world, second, customer, [(product, 5)], picking_type="in")
    second.call("stock.picking", "action_confirm", [receipt])
    line_ids = db.all("SELECT id FROM stock_move_line WHERE picking_id = %s", (receipt,))
    second.call(
        "stock.move.line", "write", [line_id for (line_id,) in line_ids],
        {"lot_id": lots[3], "quantity": 5, "picked": True},
    )  # fmt: skip

    _first_picking, seconds = _while_first_user_holds(
        server, db, users,
        lambda: second.call("stock.picking", "button_validate", [receipt]), product,
    )  # fmt: skip

    assert seconds < QUICK, f"the receipt waited {seconds:.1f} s for the reservation"
    assert db.value("SELECT state FROM stock_picking WHERE id = %s", (receipt,)) == "done"
    _assert_one_row_per_stock_and_nothing_promised_twice(db, product)
    assert float(
        db.value(
            "SELECT sum(quantity) FROM stock_quant WHERE lot_id = %s AND location_id = %s",
            (lots[3], world.stock_location_id),
        )
    ) == 7  # fmt: skip


def test_scarce_lot_is_never_promised_twice(server, db, users, no_server_errors):
    """The first user reserves 6 of the one lot of 10 and is held; the second asks for
    6 of it: they wait for the first (Odoo retries them on what is left) and get 4."""
    world, _first, second, customer = users
    product = world.product()
    world.stock(product, world.lot(product, "ONLY", days_left=60), 10)
    picking = _picking(world, second, customer, [(product, 6)])

    first_picking, seconds = _while_first_user_holds(
        server, db, users,
        lambda: second.call("stock.picking", "action_confirm", [picking]), product, 6,
    )  # fmt: skip

    assert _reserved_lots(db, first_picking).get(world.name("ONLY")) == 6
    assert _reserved_lots(db, picking) == {world.name("ONLY"): 4}, "promised twice"
    _assert_one_row_per_stock_and_nothing_promised_twice(db, product)
    assert seconds >= QUICK, f"the second reservation did not wait ({seconds:.1f} s)"
