"""The cron worker is killed (SIGKILL) in the middle of the write-off and of the letters
job; the master starts a new one, which runs the job again: it finishes with nothing done
twice and nothing skipped, and what the killed run committed is kept as it was.

"In the middle" is seen in the database: some batches committed, not all. The system
parameters make the batches small, so that a job has a couple of dozen of them.
"""

import time

import pytest
from crons import LETTER_BATCH, WRITEOFF_BATCH, make_due, quiet_other_crons, scrap_write_off
from world import World

WRITEOFF = "lot_fefo_recall.ir_cron_expiry_writeoff"
LETTERS = "lot_fefo_recall.ir_cron_recall_letters"
EXPIRED_LOTS = 20
LOT_QTY = 2.0
CUSTOMERS = 16
QUALITY = ("stock.group_stock_user", "lot_fefo_recall.group_quality_manager")


@pytest.fixture
def batch_sizes(admin, db):
    """Small batches for both jobs, the company writing expired stock off as scraps;
    all restored afterwards."""
    with scrap_write_off(admin, db, **{WRITEOFF_BATCH: 1, LETTER_BATCH: 4}):
        quiet_other_crons(db)
        yield


def _kill_in_the_middle(server, db, cron_id, progress, total, timeout=60):
    """Wait until ``progress()`` (work committed) is strictly between 0 and ``total``
    while the cron worker runs the job, SIGKILL that worker; return the progress the
    killed run left. Fails loudly when the job could not be caught in the middle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = progress()
        if done >= total:
            pytest.fail(f"the job ended ({done} of {total}) before it could be killed")
        if done:
            pid = server.cron_running_pid(db, cron_id)
            if pid and pid > 0:
                server.kill_worker(pid)
                left = progress()
                assert 0 < left < total, f"killed too late: {left} of {total} done"
                return left
        time.sleep(0.05)
    pytest.fail(f"the job made no progress within {timeout} s ({progress()} of {total})")


def _finish(server, db, cron_id, offset, name):
    """The new cron worker runs the job again until it is fully done, without failing."""
    server.trigger_crons(db)
    server.wait_cron_done(db, cron_id, timeout=120)
    log = server.log_text()[offset:]
    assert f"Job '{name}' ({cron_id}) fully done" in log, log[-3000:]
    assert f"Job '{name}' ({cron_id}) server action" not in log, "the job failed"
    assert db.value("SELECT failure_count FROM ir_cron WHERE id = %s", (cron_id,)) == 0


# --- the write-off ------------------------------------------------------------------


def _expired_stock(world):
    """EXPIRED_LOTS lots that expired a month ago, LOT_QTY each in stock."""
    admin = world.admin
    product = world.product()
    lot_ids = admin.call(
        "stock.lot", "create",
        [{"name": world.name(f"X{n}"), "product_id": product,
          "expiration_date": time.strftime("%Y-%m-%d 12:00:00",
                                           time.gmtime(time.time() - (30 + n) * 86400))}
         for n in range(EXPIRED_LOTS)],
    )  # fmt: skip
    context = {"inventory_mode": True}
    quant_ids = admin.call(
        "stock.quant", "create",
        [{"product_id": product, "lot_id": lot_id, "inventory_quantity": LOT_QTY,
          "location_id": world.stock_location_id} for lot_id in lot_ids],
        context=context,
    )  # fmt: skip
    admin.call("stock.quant", "action_apply_inventory", quant_ids, context=context)
    return lot_ids


def test_killed_writeoff_resumes_without_doing_anything_twice(
    server, admin, db, batch_sizes, no_server_errors
):
    world = World(admin, "KW")
    lots = tuple(_expired_stock(world))
    cron_id = server.cron_id(db, WRITEOFF)
    offset = server.log_offset()

    def scrapped_lots():
        return db.value(
            "SELECT count(DISTINCT lot_id) FROM stock_expiry_writeoff_line"
            " WHERE lot_id IN %s AND action = 'scrapped'",
            (lots,),
        )

    make_due(server, db, cron_id)
    _kill_in_the_middle(server, db, cron_id, scrapped_lots, EXPIRED_LOTS)
    before_kill = db.all(
        "SELECT id, lot_id, writeoff_id, scrap_id, quantity FROM stock_expiry_writeoff_line"
        " WHERE lot_id IN %s ORDER BY id",
        (lots,),
    )
    killed_logs = {line[2] for line in before_kill}

    _finish(server, db, cron_id, offset, "Lots: write off expired stock")

    lines = db.all(
        "SELECT id, lot_id, writeoff_id, scrap_id, quantity, action"
        " FROM stock_expiry_writeoff_line WHERE lot_id IN %s ORDER BY id",
        (lots,),
    )
    assert [line[:5] for line in lines[: len(before_kill)]] == before_kill, (
        "what the killed run committed is kept as it was"
    )
    assert {line[5] for line in lines} == {"scrapped"}, lines
    assert sorted(line[1] for line in lines) == sorted(lots), "one log line per lot, once"
    resumed = lines[len(before_kill) :]
    assert resumed and not {line[2] for line in resumed} & killed_logs, (
        "the new run logs only what the killed one did not do"
    )
    scraps = db.all(
        "SELECT id, lot_id, scrap_qty, state FROM stock_scrap WHERE lot_id IN %s", (lots,)
    )
    assert sorted(scrap[1] for scrap in scraps) == sorted(lots), "one scrap per lot"
    assert {(scrap[2], scrap[3]) for scrap in scraps} == {(LOT_QTY, "done")}
    assert sorted(line[3] for line in lines) == sorted(scrap[0] for scrap in scraps)
    left = db.value(
        "SELECT coalesce(sum(q.quantity), 0) FROM stock_quant q"
        " JOIN stock_location l ON l.id = q.location_id"
        " WHERE q.lot_id IN %s AND l.usage = 'internal'",
        (lots,),
    )
    assert left == 0, "nothing expired left in stock"
    scrapped = db.value(
        "SELECT coalesce(sum(quantity), 0) FROM stock_move_line"
        " WHERE lot_id IN %s AND state = 'done' AND location_id = %s",
        (lots, world.stock_location_id),
    )
    assert scrapped == EXPIRED_LOTS * LOT_QTY, "each quant left stock once"


# --- the letters --------------------------------------------------------------------


def _shipped_to_many(world, count):
    """A lot shipped to ``count`` customers, one delivery each."""
    admin = world.admin
    product = world.product()
    lot = world.lot(product, "LOT", days_left=200)
    world.stock(product, lot, count)
    partners = admin.call(
        "res.partner", "create",
        [{"name": world.name(f"Shop{n}"), "is_company": True,
          "email": f"{world.name(f'shop{n}').lower()}@example.com"} for n in range(count)],
    )  # fmt: skip
    pickings = admin.call(
        "stock.picking", "create",
        [{"partner_id": partner, "picking_type_id": world.out_type_id,
          "location_id": world.stock_location_id,
          "location_dest_id": world.customer_location_id,
          "move_ids": [(0, 0, {"product_id": product, "product_uom_qty": 1,
                               "location_id": world.stock_location_id,
                               "location_dest_id": world.customer_location_id})]}
         for partner in partners],
    )  # fmt: skip
    admin.call("stock.picking", "action_confirm", pickings)
    admin.call("stock.picking", "action_assign", pickings)
    assert admin.call("stock.picking", "button_validate", pickings) is True
    return lot


def test_killed_letters_job_mails_each_customer_once(
    server, admin, db, batch_sizes, no_server_errors
):
    world = World(admin, "KL")
    manager = server.client(world.user("QM", QUALITY))
    lot = _shipped_to_many(world, CUSTOMERS)
    recall_id = world.recall(manager, [lot])
    customers = tuple(
        row[0]
        for row in db.all(
            "SELECT id FROM stock_recall_customer WHERE recall_id = %s ORDER BY id", (recall_id,)
        )
    )
    assert len(customers) == CUSTOMERS
    cron_id = server.cron_id(db, LETTERS)
    offset = server.log_offset()

    def notified():
        return db.value(
            "SELECT count(*) FROM stock_recall_customer"
            " WHERE id IN %s AND notified_on IS NOT NULL",
            (customers,),
        )

    manager.call("stock.recall", "action_send_letters", [recall_id])
    make_due(server, db, cron_id)
    _kill_in_the_middle(server, db, cron_id, notified, CUSTOMERS)
    before_kill = db.all(
        "SELECT id, notified_on, letter_attachment_id FROM stock_recall_customer"
        " WHERE id IN %s AND notified_on IS NOT NULL ORDER BY id",
        (customers,),
    )

    _finish(server, db, cron_id, offset, "Recalls: send queued letters")

    assert notified() == CUSTOMERS, "nobody skipped"
    after = {
        row[0]: row[1:]
        for row in db.all(
            "SELECT id, notified_on, letter_attachment_id FROM stock_recall_customer"
            " WHERE id IN %s",
            (customers,),
        )
    }
    for customer, notified_on, attachment in before_kill:
        assert after[customer] == (notified_on, attachment), (
            f"customer {customer}, notified before the kill, was notified again"
        )
    mails = db.all(
        "SELECT res_id, count(*) FROM mail_message WHERE model = 'stock.recall.customer'"
        " AND res_id IN %s AND message_type IN ('email', 'email_outgoing') GROUP BY res_id",
        (customers,),
    )
    assert dict(mails) == dict.fromkeys(customers, 1), "one mail per customer"
    letters = db.all(
        "SELECT res_id, count(*) FROM ir_attachment WHERE res_model = 'stock.recall.customer'"
        " AND res_id IN %s AND mimetype = 'application/pdf' GROUP BY res_id",
        (customers,),
    )
    assert dict(letters) == dict.fromkeys(customers, 1), "one letter per customer"
    assert {attachment for attachment, in db.all(
        "SELECT letter_attachment_id FROM stock_recall_customer WHERE id IN %s", (customers,)
    )} == {attachment for attachment, in db.all(
        "SELECT id FROM ir_attachment WHERE res_model = 'stock.recall.customer'"
        " AND res_id IN %s", (customers,))}, "each mail carries the customer's letter"  # fmt: skip
    recall = manager.call("stock.recall", "read", [recall_id], ["state", "letter_progress_text"])
    assert recall[0]["state"] == "notified"
    assert recall[0]["letter_progress_text"] == f"{CUSTOMERS} of {CUSTOMERS} sent"
    assert (
        db.value(
            "SELECT count(*) FROM mail_message WHERE model = 'stock.recall' AND res_id = %s"
            " AND body LIKE %s",
            (recall_id, "%Letters sent to%"),
        )
        == 1
    ), "the end of the sending is told once"
