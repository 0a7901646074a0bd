import datetime

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged
from odoo.tools import SQL

from .common import LotFefoRecallCase

TODAY = "2026-06-01 10:00:00"
EXPIRED = "2026-05-01 10:00:00"


@tagged("post_install", "-at_install")
class TestWriteoffEvidence(LotFefoRecallCase):
    """The scheduled write-off keeps the evidence of open recalls, goes on past a quant it
    can not write off, and leaves alone what another transaction holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "expiry_writeoff_mode": "scrap",
                "expiry_writeoff_grace_days": 0,
                "expiry_responsible_id": cls.quality_manager.id,
            }
        )
        cls.Writeoff = cls.env["stock.expiry.writeoff"]

    def _expired(self, name, quantity=10, owner=None):
        lot = self.env["stock.lot"].create(
            {"name": name, "product_id": self.product.id, "expiration_date": EXPIRED}
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.stock_location, quantity, lot_id=lot, owner_id=owner
        )
        return lot

    def _write_off(self):
        with freeze_time(TODAY):
            return self.Writeoff._write_off(self.company, commit=False)

    @staticmethod
    def _actions(log):
        return {line.lot_id.name: line.action for line in log.line_ids}

    # ------------------------------------------------------------ open recalls

    def test_lot_in_open_recall_reported_not_scrapped(self):
        recalled = self._expired("RECALLED")
        made_from = self._expired("MADE-FROM-RECALLED")
        drilled = self._expired("DRILLED")
        plain = self._expired("PLAIN")
        Recall = self.env["stock.recall"]
        recall = Recall.create({"lot_ids": [Command.set(recalled.ids)], "reason": "Listeria"})
        traced = Recall.create({"lot_ids": [Command.set(plain.ids)], "reason": "Glass"})
        traced.write(
            {"state": "traced", "affected_lot_ids": [Command.set((plain | made_from).ids)]}
        )
        traced.action_cancel()
        source = self.env["stock.lot"].create({"name": "SOURCE", "product_id": self.product.id})
        other = Recall.create({"lot_ids": [Command.set(source.ids)], "reason": "Mould"})
        other.write(
            {"state": "quarantined", "affected_lot_ids": [Command.set((source | made_from).ids)]}
        )
        Recall.create({"lot_ids": [Command.set(drilled.ids)], "reason": "Drill", "is_mock": True})
        log = self._write_off()
        self.assertEqual(
            self._actions(log),
            {
                "RECALLED": "skipped_recall",
                "MADE-FROM-RECALLED": "skipped_recall",
                "DRILLED": "scrapped",
                "PLAIN": "scrapped",
            },
            "a cancelled recall keeps nothing; a mock recall keeps nothing by itself",
        )
        line = log.line_ids.filtered(lambda line: line.lot_id == recalled)
        self.assertEqual(line.recall_id, recall)
        self.assertEqual(line.reason, f"In recall {recall.name}")
        self.assertEqual((recalled.product_qty, made_from.product_qty), (10, 10))
        self.assertEqual((plain.product_qty, drilled.product_qty), (0, 0))
        self.assertTrue(log.activity_ids, "the responsible is told what was kept")
        self.assertFalse(self._write_off(), "kept lots are reported once")

        recall.resolution_note = "Vendor confirmed: no Listeria."
        recall.action_close()
        log = self._write_off()
        self.assertEqual(self._actions(log), {"RECALLED": "scrapped"})
        self.assertEqual(recalled.product_qty, 0)

    def test_move_mode_keeps_recalled_lot(self):
        self.company.expiry_writeoff_mode = "move"
        recalled = self._expired("RECALLED")
        self._expired("PLAIN")
        self.env["stock.recall"].create(
            {"lot_ids": [Command.set(recalled.ids)], "reason": "Listeria"}
        )
        log = self._write_off()
        self.assertEqual(self._actions(log), {"RECALLED": "skipped_recall", "PLAIN": "moved"})
        quant = self.env["stock.quant"].search([("lot_id", "=", recalled.id)])
        self.assertEqual(quant.location_id, self.stock_location, "the evidence stays put")

    def test_wizard_preview_shows_recalled_lot_skipped(self):
        recalled = self._expired("RECALLED", quantity=4)
        self._expired("PLAIN", quantity=6)
        recall = self.env["stock.recall"].create(
            {"lot_ids": [Command.set(recalled.ids)], "reason": "Listeria"}
        )
        with freeze_time(TODAY):
            wizard = (
                self.env["stock.expiry.writeoff.wizard"].with_user(self.quality_manager).create({})
            )
            self.assertEqual(wizard.recall_quant_ids.lot_id, recalled)
            self.assertEqual(wizard.quant_ids.lot_id.mapped("name"), ["PLAIN"])
            self.assertEqual(wizard.total_quantity, 6)
            log = self.Writeoff.browse(wizard.action_write_off()["res_id"])
        self.assertEqual(self._actions(log), {"RECALLED": "skipped_recall", "PLAIN": "scrapped"})
        self.assertIn(recall.name, log.line_ids.filtered("recall_id").reason)

    # --------------------------------------------------------- failures apart

    def _consigned_elsewhere(self):
        """A lot consigned by a partner who now belongs to another company: Odoo's
        company check refuses to scrap or move it for this company."""
        other = self.env["res.company"].create({"name": "Other Co"})
        consignor = self.env["res.partner"].create({"name": "Consignor"})
        lot = self._expired("CONSIGNED", quantity=3, owner=consignor)
        consignor.company_id = other
        return lot

    def test_one_bad_quant_does_not_stop_the_run(self):
        first = self._expired("GOOD-1")
        bad = self._consigned_elsewhere()
        last = self._expired("GOOD-2")
        log = self._write_off()
        self.assertEqual(
            self._actions(log), {"GOOD-1": "scrapped", "CONSIGNED": "failed", "GOOD-2": "scrapped"}
        )
        failed = log.line_ids.filtered(lambda line: line.action == "failed")
        self.assertIn("belongs to another company", failed.reason)
        self.assertEqual((first.product_qty, last.product_qty, bad.product_qty), (0, 0, 3))
        self.assertTrue(log.activity_ids)
        self.assertFalse(self._write_off(), "a failed quant is not tried again every day")
        self.assertEqual(bad.product_qty, 3)

    def test_one_bad_quant_in_move_mode(self):
        self.company.expiry_writeoff_mode = "move"
        self._expired("GOOD-1")
        self._consigned_elsewhere()
        log = self._write_off()
        self.assertEqual(self._actions(log), {"GOOD-1": "moved", "CONSIGNED": "failed"})

    # ------------------------------------------------------------------ locks

    def _committed_quant(self, cr, order):
        """An expired-to-be quant committed before this test began: only such a row is
        seen, and so can be locked, by another transaction."""
        quant = api.Environment(cr, SUPERUSER_ID, {})["stock.quant"].search(
            [
                ("company_id", "=", self.company.id),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
                ("reserved_quantity", "=", 0),
                ("lot_id.expiration_date", "!=", False),
            ],
            order=order,
            limit=1,
        )
        if not quant:
            self.skipTest("no committed lot with an expiry date in stock (demo data)")
        quant = self.env["stock.quant"].browse(quant.id)
        return quant, quant.lot_id.expiration_date + datetime.timedelta(days=1)

    def test_locked_quant_skipped_then_written_off(self):
        # Waiting for the lock would hang the test: fail instead.
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")
        other_cr = self.registry.cursor()
        self.addCleanup(other_cr.close)
        quant, after_expiry = self._committed_quant(other_cr, "id")
        other_cr.execute(
            SQL("SELECT id FROM stock_quant WHERE id = %s FOR UPDATE NOWAIT", quant.id)
        )
        lot, quantity = quant.lot_id, quant.quantity
        with freeze_time(after_expiry):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertNotIn(lot, log.line_ids.lot_id, "held by another transaction: left alone")
        self.assertEqual(lot.product_qty, quantity)
        other_cr.close()
        with freeze_time(after_expiry):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertEqual(self._actions(log)[lot.name], "scrapped")
        self.assertEqual(lot.product_qty, 0)

    def test_quant_changed_since_run_began_left_for_next_run(self):
        """Under REPEATABLE READ, a quant another transaction changed since this one began
        can not be locked: it is left for the next run, the others written off."""
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")
        with self.registry.cursor() as other_cr:
            quant, after_expiry = self._committed_quant(other_cr, "id desc")
            # A change that changes nothing, committed: a new version of the row.
            other_cr.execute(
                SQL("UPDATE stock_quant SET write_date = write_date WHERE id = %s", quant.id)
            )
        lot, quantity = quant.lot_id, quant.quantity
        mine = self._expired("MINE")
        with freeze_time(after_expiry):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertNotIn(lot, log.line_ids.lot_id)
        self.assertEqual(lot.product_qty, quantity)
        self.assertEqual(self._actions(log)["MINE"], "scrapped")
        self.assertEqual(mine.product_qty, 0)
