"""The write-off cron runs on the cron worker while pickers reserve and ship the same
expiring lots: no quant is both scrapped and shipped.

The lots expired a few hours ago. The scheduled write-off takes them (their expiration
date is past), and so may a late delivery: product_expiry lets a move reserve stock whose
removal date is not before the move's date, and these deliveries were due two days ago.
The cron writes off the quants in the order of their ids, FEFO reserves the lot expiring
first: the lots are made in the order they expire, so that both go after the same lots.
"""

import threading
import time
from datetime import datetime, timedelta

import pytest
from crons import WRITEOFF_BATCH, make_due, quiet_other_crons, scrap_write_off, wait_running
from rig import RpcError
from world import World

WRITEOFF = "lot_fefo_recall.ir_cron_expiry_writeoff"
PICKERS = 4
LATE_LOTS = 6  # expired hours ago: a late delivery may still reserve them
OLD_LOTS = 12  # expired a month ago: only the cron takes them (and it lasts a while)
LOT_QTY = 5.0
ORDER_QTY = 3.0
PRE_RESERVED = 3  # deliveries reserved before the cron starts, validated during it
ORDERS_PER_PICKER = 3


def _utc(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def scrap_mode(admin, db):
    """The company writes expired stock off as validated scraps, one quant a batch (so
    the job lasts long enough to meet the pickers); restored afterwards."""
    with scrap_write_off(admin, db, **{WRITEOFF_BATCH: 1}) as company_id:
        yield company_id


class Race:
    def __init__(self, server, admin, db):
        self.server, self.admin, self.db = server, admin, db
        self.world = World(admin, "WO")
        self.now = datetime.utcnow().replace(microsecond=0)
        self.due = self.now - timedelta(days=2)
        self.product = self.world.product()
        self.customer = self.world.customer()
        self.pickers = [
            server.client(self.world.user(f"Picker{n}")) for n in range(1, PICKERS + 1)
        ]
        self.lots = self._stock_lots()
        self.late_lots = self.lots[:LATE_LOTS]
        self.shipments = []  # (picker, picking, state, started, finished): monotonic times
        self.lock = threading.Lock()

    def _stock_lots(self):
        """Late lots that expired ... 5 h, 3 h, 1 h ago, created first, oldest first:
        the cron writes off the one FEFO reserves first. Old lots after them."""
        expiries = [self.now - timedelta(hours=1 + 2 * n) for n in reversed(range(LATE_LOTS))]
        expiries += [self.now - timedelta(days=30 + n) for n in range(OLD_LOTS)]
        lot_ids = self.admin.call(
            "stock.lot", "create",
            [{"name": self.world.name(f"L{n}"), "product_id": self.product,
              "expiration_date": _utc(expiry)} for n, expiry in enumerate(expiries)],
        )  # fmt: skip
        context = {"inventory_mode": True}
        quant_ids = self.admin.call(
            "stock.quant", "create",
            [{"product_id": self.product, "lot_id": lot_id, "inventory_quantity": LOT_QTY,
              "location_id": self.world.stock_location_id} for lot_id in lot_ids],
            context=context,
        )  # fmt: skip
        self.admin.call("stock.quant", "action_apply_inventory", quant_ids, context=context)
        return lot_ids

    # --- a picker's work ---------------------------------------------------------------
    def late_delivery(self, client):
        """A delivery due two days ago, confirmed and reserved (FEFO)."""
        due = _utc(self.due)
        picking = client.call(
            "stock.picking", "create",
            {"partner_id": self.customer, "picking_type_id": self.world.out_type_id,
             "location_id": self.world.stock_location_id, "scheduled_date": due,
             "location_dest_id": self.world.customer_location_id,
             "move_ids": [(0, 0, {"product_id": self.product, "product_uom_qty": ORDER_QTY,
                                  "date": due, "location_id": self.world.stock_location_id,
                                  "location_dest_id": self.world.customer_location_id})]},
        )  # fmt: skip
        client.call("stock.picking", "action_confirm", [picking])
        client.call("stock.picking", "action_assign", [picking])
        return picking

    def ship(self, client, picking):
        """Validate what is reserved (all of it is picked), as the picker's screen does:
        confirm delivering
        the expired lots, no backorder. What the cron took first can not ship: the
        delivery is cancelled."""
        started = time.monotonic()
        try:
            result = client.call("stock.picking", "button_validate", [picking])
            for _step in range(3):
                if not isinstance(result, dict) or not result.get("res_model"):
                    break
                model = result["res_model"]
                context = result.get("context") or {}
                wizard = client.call(model, "create", {}, context=context)
                method = {
                    "expiry.picking.confirmation": "process",
                    "stock.backorder.confirmation": "process_cancel_backorder",
                }[model]
                result = client.call(model, method, [wizard], context=context)
        except RpcError as error:
            assert error.is_user_error, f"{error}\n{error.debug}"
            client.call("stock.picking", "action_cancel", [picking])
        state = client.call("stock.picking", "read", [picking], ["state"])[0]["state"]
        with self.lock:
            self.shipments.append((client.login, picking, state, started, time.monotonic()))

    def picker(self, client, reserved):
        for picking in reserved:
            self.ship(client, picking)
        for _order in range(ORDERS_PER_PICKER):
            self.ship(client, self.late_delivery(client))

    # --- what happened -------------------------------------------------------------
    def lot_figures(self, lot_id):
        """(on hand, shipped, scrapped, lowest stock in a location) of the lot. Stock is
        summed per location: when two transactions move the same quant at once, core
        (try_lock_for_update, skip locked) books the second on a new quant row, which
        may be negative while the old one is positive; its scheduler merges them."""
        on_hand, lowest = self.db.one(
            "SELECT coalesce(sum(quantity), 0), coalesce(min(quantity), 0) FROM ("
            " SELECT sum(q.quantity) AS quantity FROM stock_quant q"
            " JOIN stock_location l ON l.id = q.location_id"
            " WHERE q.lot_id = %s AND l.usage = 'internal' GROUP BY q.location_id) AS stock",
            (lot_id,),
        )
        shipped = self.db.value(
            "SELECT coalesce(sum(quantity), 0) FROM stock_move_line"
            " WHERE lot_id = %s AND state = 'done' AND location_dest_id = %s",
            (lot_id, self.world.customer_location_id),
        )
        scrapped = self.db.value(
            "SELECT coalesce(sum(scrap_qty), 0) FROM stock_scrap"
            " WHERE lot_id = %s AND state = 'done'",
            (lot_id,),
        )
        return on_hand, shipped, scrapped, lowest


def _assert_nothing_both_scrapped_and_shipped(race):
    db = race.db
    for lot_id in race.lots:
        on_hand, shipped, scrapped, lowest = race.lot_figures(lot_id)
        assert lowest >= 0, f"lot {lot_id}: negative stock ({lowest})"
        assert scrapped + shipped + on_hand == LOT_QTY, (
            f"lot {lot_id}: scrapped {scrapped} + shipped {shipped} + on hand {on_hand}"
            f" != {LOT_QTY}"
        )
        # what a scrap took was on hand at that moment: moved out of stock once
        moved_out = db.value(
            "SELECT coalesce(sum(quantity), 0) FROM stock_move_line"
            " WHERE lot_id = %s AND state = 'done' AND location_id = %s",
            (lot_id, race.world.stock_location_id),
        )
        assert moved_out == shipped + scrapped, f"lot {lot_id}: moved out {moved_out}"
    over_reserved = db.all(
        "SELECT lot_id, location_id, sum(quantity), sum(reserved_quantity) FROM stock_quant"
        " WHERE lot_id IN %s GROUP BY lot_id, location_id"
        " HAVING sum(reserved_quantity) > greatest(sum(quantity), 0)",
        (tuple(race.lots),),
    )
    assert not over_reserved, f"stock reserved beyond what is there: {over_reserved}"
    # the write-off log says exactly what was scrapped: a line per done scrap, none failed
    lines = db.all(
        "SELECT l.lot_id, l.action, l.quantity, l.scrap_id, s.scrap_qty, s.state"
        " FROM stock_expiry_writeoff_line l LEFT JOIN stock_scrap s ON s.id = l.scrap_id"
        " WHERE l.lot_id IN %s",
        (tuple(race.lots),),
    )
    assert not [line for line in lines if line[1] == "failed"], lines
    scrapped_lines = [line for line in lines if line[1] == "scrapped"]
    scraps = db.all(
        "SELECT id, lot_id, scrap_qty FROM stock_scrap WHERE lot_id IN %s AND state = 'done'",
        (tuple(race.lots),),
    )
    assert sorted(line[3] for line in scrapped_lines) == sorted(s[0] for s in scraps), (
        f"log lines {scrapped_lines} do not match the scraps {scraps}"
    )
    for lot_id, _action, quantity, _scrap, scrap_qty, state in scrapped_lines:
        assert (quantity, state) == (scrap_qty, "done"), f"lot {lot_id}: line {quantity}"


def _assert_cron_did_not_fail(server, db, cron_id, offset):
    assert db.value("SELECT failure_count FROM ir_cron WHERE id = %s", (cron_id,)) == 0
    log = server.log_text()[offset:]
    assert "Lots: write off expired stock' (%s) server action" % cron_id not in log, log[-3000:]
    assert "Expiry write-off of" not in log, "a quant failed to be written off"


def test_writeoff_cron_and_pickers_never_both_take_a_quant(
    server, admin, db, scrap_mode, no_server_errors
):
    race = Race(server, admin, db)
    cron_id = server.cron_id(db, WRITEOFF)
    # some deliveries were reserved before the night's write-off
    reserved = [race.late_delivery(admin) for _n in range(PRE_RESERVED)]
    assert (
        db.value(
            "SELECT sum(reserved_quantity) FROM stock_quant WHERE lot_id IN %s",
            (tuple(race.late_lots),),
        )
        == PRE_RESERVED * ORDER_QTY
    ), "late deliveries reserve the lots expired hours ago"
    quiet_other_crons(db)
    offset = server.log_offset()

    # the cron worker starts the night's write-off; the pickers start meanwhile
    make_due(server, db, cron_id)
    wait_running(server, db, cron_id)
    seen_running = [time.monotonic()]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            if server.cron_running_pid(db, cron_id):
                seen_running.append(time.monotonic())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    errors = []

    def pick(picker, pickings):
        try:
            race.picker(picker, pickings)
        except Exception as error:  # reported in the test's thread
            errors.append(f"{picker.login}: {error!r}")

    threads = [
        threading.Thread(target=pick, args=(picker, reserved[n::PICKERS]), daemon=True)
        for n, picker in enumerate(race.pickers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(75)
        assert not thread.is_alive(), "a picker is stuck"
    server.wait_cron_done(db, cron_id, timeout=60)
    stop.set()
    watcher.join(5)
    assert not errors, errors

    # the race really happened: pickers were validating while the cron was writing off
    window = (seen_running[0], seen_running[-1])
    during = [s for s in race.shipments if s[3] <= window[1] and s[4] >= window[0]]
    assert during, f"no picker validated while the cron ran {window}: {race.shipments}"
    shipped = [s for s in race.shipments if s[2] == "done"]
    assert shipped, "some late deliveries shipped"
    contested = db.value(
        "SELECT count(DISTINCT lot_id) FROM stock_expiry_writeoff_line WHERE lot_id IN %s",
        (tuple(race.late_lots),),
    )
    assert contested, "the cron went through the lots the pickers were shipping"
    _assert_nothing_both_scrapped_and_shipped(race)
    _assert_cron_did_not_fail(server, db, cron_id, offset)

    # once the pickers are done, the next run leaves nothing expired on hand
    server.run_cron(db, WRITEOFF, timeout=60)
    _assert_nothing_both_scrapped_and_shipped(race)
    assert not db.value(
        "SELECT sum(q.quantity) FROM stock_quant q JOIN stock_location l ON l.id = q.location_id"
        " WHERE q.lot_id IN %s AND l.usage = 'internal'",
        (tuple(race.lots),),
    ), "expired stock left on hand"
    _assert_cron_did_not_fail(server, db, cron_id, offset)
