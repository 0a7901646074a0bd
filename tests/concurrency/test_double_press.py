"""Two quality managers press Quarantine, then Send Letters, on the same recall at the
same moment: one wins, the other is told in plain words; nothing is done twice."""

import re

import pytest
from crons import quiet_other_crons
from together import run_together
from world import World

ROUNDS = 3
CLEAR_MESSAGE = re.compile(r"right now|already", re.IGNORECASE)
QUALITY = ("stock.group_stock_user", "lot_fefo_recall.group_quality_manager")


@pytest.fixture(scope="module")
def staff(server, admin):
    world = World(admin, "DP")
    managers = [server.client(world.user(f"QM{n}", QUALITY)) for n in (1, 2)]
    customers = [world.customer(f"Shop{n}") for n in (1, 2)]
    return world, managers, customers


def _shipped_recall(world, manager, customers):
    """A lot of 20 of which 5 and 3 were shipped to two customers, recalled and traced."""
    product = world.product()
    lot = world.lot(product, "LOT", days_left=90)
    world.stock(product, lot, 20)
    for customer, quantity in zip(customers, (5, 3), strict=True):
        picking = world.delivery(world.admin, customer, product, quantity)
        world.validate(world.admin, picking)
    recall_id = world.recall(manager, [lot])
    recall = manager.call("stock.recall", "read", [recall_id], ["name", "state"])[0]
    assert recall["state"] == "traced"
    return recall_id, recall["name"], lot


def _presses(managers, button, recall_id):
    return [
        (manager.login, lambda manager=manager: manager.call("stock.recall", button, [recall_id]))
        for manager in managers
    ]


def _one_winner(outcomes, recall_name):
    winners = [outcome for outcome in outcomes if outcome.ok]
    losers = [outcome for outcome in outcomes if not outcome.ok]
    assert len(winners) == 1, f"exactly one press wins: {outcomes}"
    error = losers[0].error
    assert error.is_user_error, f"a user error, not a server error: {error}\n{error.debug}"
    assert CLEAR_MESSAGE.search(error.message), error.message
    assert recall_name in error.message, error.message


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_double_quarantine_moves_the_stock_once(db, staff, round_, no_server_errors):
    world, managers, customers = staff
    recall_id, recall_name, lot = _shipped_recall(world, managers[0], customers)

    outcomes = run_together(_presses(managers, "action_quarantine", recall_id))
    _one_winner(outcomes, recall_name)
    quarantine = db.value(
        "SELECT quarantine_location_id FROM stock_warehouse WHERE id = %s", (world.warehouse_id,)
    )
    moves = db.all(
        "SELECT picking_id, quantity FROM stock_move WHERE origin = %s AND state = 'done' "
        "AND location_dest_id = %s",
        (recall_name, quarantine),
    )
    assert len({picking for picking, _qty in moves}) == 1, "one quarantine transfer"
    assert sum(qty for _picking, qty in moves) == 12, "the 12 on hand, moved once"
    assert db.value(
        "SELECT sum(quantity) FROM stock_quant WHERE lot_id = %s AND location_id = %s",
        (lot, quarantine),
    ) == 12  # fmt: skip
    assert db.value(
        "SELECT quarantined_qty FROM stock_recall WHERE id = %s", (recall_id,)
    ) == 12  # fmt: skip
    assert _notes(db, recall_id, "Quarantined:") == 1, "one quarantine note"


def test_double_send_letters_mails_each_customer_once(server, db, staff, no_server_errors):
    """Rounds of simultaneous presses, then one run of the letters cron for them all
    (the cron worker is shared: one run keeps the test short)."""
    world, managers, customers = staff
    quiet_other_crons(db)
    recalls = []
    for _round in range(ROUNDS):
        recall_id, recall_name, _lot = _shipped_recall(world, managers[0], customers)
        outcomes = run_together(_presses(managers, "action_send_letters", recall_id))
        _one_winner(outcomes, recall_name)
        assert db.all(
            "SELECT partner_id, count(*) FROM stock_recall_customer WHERE recall_id = %s "
            "AND letter_queued_on IS NOT NULL GROUP BY partner_id ORDER BY partner_id",
            (recall_id,),
        ) == [(customer, 1) for customer in sorted(customers)]  # fmt: skip
        assert _notes(db, recall_id, "Sending 2 letters") == 1, "letters queued once"
        recalls.append(recall_id)

    server.run_cron(db, "lot_fefo_recall.ir_cron_recall_letters", timeout=90)
    for recall_id in recalls:
        assert db.value("SELECT state FROM stock_recall WHERE id = %s", (recall_id,)) == (
            "notified"
        )
        mails = db.all(
            "SELECT c.partner_id, count(mail.id) FROM stock_recall_customer c "
            "LEFT JOIN mail_message m ON m.model = 'stock.recall.customer' AND m.res_id = c.id "
            "LEFT JOIN mail_mail mail ON mail.mail_message_id = m.id "
            "WHERE c.recall_id = %s GROUP BY c.partner_id ORDER BY c.partner_id",
            (recall_id,),
        )
        assert mails == [(customer, 1) for customer in sorted(customers)], "one letter each"


def _notes(db, recall_id, text):
    return db.value(
        "SELECT count(*) FROM mail_message WHERE model = 'stock.recall' AND res_id = %s "
        "AND body LIKE %s",
        (recall_id, f"%{text}%"),
    )
