"""The rig itself: a prefork server with HTTP workers and a cron worker, on loopback."""

from world import World


def test_server_runs_workers_and_a_cron_worker(server, admin, db):
    assert server.url.startswith("http://127.0.0.1:")
    assert len(server.worker_pids()) >= server.workers + server.cron_workers
    assert (
        db.value("SELECT state FROM ir_module_module WHERE name = 'lot_fefo_recall'")
        == "installed"
    )
    assert admin.uid == 2


def test_world_puts_stock_on_hand(server, admin, db, no_server_errors):
    world = World(admin, "RIG")
    product = world.product()
    lot = world.lot(product, "L1", days_left=30)
    world.stock(product, lot, 7)
    assert (
        db.value(
            "SELECT sum(quantity) FROM stock_quant WHERE lot_id = %s AND location_id = %s",
            (lot, world.stock_location_id),
        )
        == 7
    )


def test_cron_runs_on_the_cron_worker(server, db):
    server.run_cron(db, "lot_fefo_recall.ir_cron_expiry_writeoff", timeout=120)
    assert "Job 'Lots: write off expired stock'" in server.log_text()
