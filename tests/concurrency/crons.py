"""Helpers for the scenarios that race or kill the add-on's crons on the cron worker."""

import contextlib
import time

from rig import wait_until

ADDON = "lot_fefo_recall"
WRITEOFF_BATCH = "lot_fefo_recall.writeoff_batch_size"
LETTER_BATCH = "lot_fefo_recall.letter_batch_size"


@contextlib.contextmanager
def scrap_write_off(admin, db, **batch_sizes):
    """The company writes expired stock off as validated scraps, from the day of expiry,
    with the jobs' batch sizes set (system parameter: size); all restored afterwards.
    Yields the company's id."""
    company_id = admin.call("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    mode, grace = db.one(
        "SELECT expiry_writeoff_mode, expiry_writeoff_grace_days FROM res_company WHERE id = %s",
        (company_id,),
    )
    admin.call(
        "res.company", "write", [company_id],
        {"expiry_writeoff_mode": "scrap", "expiry_writeoff_grace_days": 0},
    )  # fmt: skip
    for key, size in batch_sizes.items():
        admin.call("ir.config_parameter", "set_param", key, str(size))
    try:
        yield company_id
    finally:
        admin.call(
            "res.company", "write", [company_id],
            {"expiry_writeoff_mode": mode, "expiry_writeoff_grace_days": grace},
        )  # fmt: skip
        db.execute("DELETE FROM ir_config_parameter WHERE key IN %s", (tuple(batch_sizes),))


def quiet_other_crons(db, timeout=90):
    """Leave the cron worker to the add-on's jobs: Odoo's own jobs, all due on a copied
    database (Auto-vacuum reschedules itself at once, for a dozen seconds each run),
    are put off a day and their triggers dropped, once none of them is running."""
    others = (
        "SELECT id FROM ir_cron WHERE id NOT IN (SELECT res_id FROM ir_model_data"
        " WHERE model = 'ir.cron' AND module = %s)"
    )

    def quiet():
        db.execute(
            f"UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' + interval '1 day'"
            f" WHERE id IN ({others})",
            (ADDON,),
        )
        db.execute(f"DELETE FROM ir_cron_trigger WHERE cron_id IN ({others})", (ADDON,))
        # a running job holds its row: it may still reschedule itself when it ends
        db.execute("BEGIN")
        try:
            free = db.value(
                f"SELECT count(*) FROM (SELECT id FROM ir_cron WHERE id IN ({others})"
                " FOR NO KEY UPDATE SKIP LOCKED) AS unlocked",
                (ADDON,),
            )
            total = db.value(f"SELECT count(*) FROM ({others}) AS all_others", (ADDON,))
        finally:
            db.execute("ROLLBACK")
        return free == total

    wait_until(quiet, timeout, 0.5, "Odoo's own cron jobs to end")


def make_due(server, db, cron_id):
    """Make the job due now and wake the cron worker, without waiting for it."""
    db.execute(
        "UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' - interval '1 minute',"
        " active = true WHERE id = %s",
        (cron_id,),
    )
    server.trigger_crons(db)


def wait_running(server, db, cron_id, timeout=30):
    """The pid of the cron worker once it runs the job (woken every second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = server.cron_running_pid(db, cron_id)
        if pid:
            return pid
        server.trigger_crons(db)
        time.sleep(0.2)
    raise TimeoutError(f"cron {cron_id} did not start within {timeout} s")
