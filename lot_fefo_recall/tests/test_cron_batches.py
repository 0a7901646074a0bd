from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.cron_batch import get_batch_size
from ..models.stock_expiry_writeoff import BATCH_SIZE, BATCH_SIZE_PARAM, StockExpiryWriteoff
from ..models.stock_recall_notification import LETTER_BATCH_SIZE_PARAM, StockRecallCustomer
from .common import LotFefoRecallCase
from .recall_letters_world import RecallLettersWorld

TODAY = "2026-06-01 10:00:00"


class JobKilled(BaseException):
    """What a killed cron worker leaves: the batch under way rolled back. Not an
    Exception: a killed worker runs no more code, whereas a letter that raises an
    error is isolated and marked failed (test_recall_letters.py)."""


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCronBatches(RecallLettersWorld, LotFefoRecallCase):
    """The write-off and letters crons commit small batches set by system parameters; a
    run killed in the middle of a batch loses that batch only, and the next run does
    it, once. Stock that core books on two quant rows is written off as its sum."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"expiry_writeoff_mode": "scrap", "expiry_writeoff_grace_days": 0})
        cls.Writeoff = cls.env["stock.expiry.writeoff"]
        cls.Quant = cls.env["stock.quant"]
        cls.Param = cls.env["ir.config_parameter"].sudo()
        cls.expired = [
            cls._put_in_stock(cls.product, 5, f"EXP-{n}", "2026-05-0%s" % (n + 1))
            for n in range(3)
        ]
        cls._build_letters_world()
        cls.Customer = cls.env["stock.recall.customer"]

    def _lines(self, lot):
        return self.env["stock.expiry.writeoff.line"].search([("lot_id", "=", lot.id)])

    def _on_hand(self, lot):
        quants = self.Quant.search(
            [("lot_id", "=", lot.id), ("location_id", "=", self.stock_location.id)]
        )
        return sum(quants.mapped("quantity"))

    def _mails(self):
        customers = self.letters_recall.customer_ids
        return self.env["mail.mail"].search(
            [("model", "=", "stock.recall.customer"), ("res_id", "in", customers.ids)]
        )

    # ------------------------------------------------------------- batch sizes

    def test_batch_size_parameters(self):
        self.Param.set_param(BATCH_SIZE_PARAM, " 2 ")
        log = self.Writeoff._write_off(self.company, commit=False, max_batches=1)
        self.assertEqual(len(log.line_ids), 2, "one batch of two quants")
        self.Param.set_param(LETTER_BATCH_SIZE_PARAM, "1")
        self.letters_recall.action_send_letters()
        self.Customer._send_queued_letters(commit=False, max_batches=1)
        self.assertEqual(len(self._mails()), 1, "one batch of one letter")

    def test_nonsense_batch_size_falls_back_to_the_default(self):
        for value in ("0", "-3", "ten", "2.5"):
            self.Param.set_param(BATCH_SIZE_PARAM, value)
            with self.assertLogs("odoo.addons.lot_fefo_recall.models.cron_batch", "WARNING"):
                size = get_batch_size(self.env, BATCH_SIZE_PARAM, BATCH_SIZE)
            self.assertEqual(size, BATCH_SIZE, value)
        self.Param.set_param(BATCH_SIZE_PARAM, False)
        self.assertEqual(get_batch_size(self.env, BATCH_SIZE_PARAM, BATCH_SIZE), BATCH_SIZE)
        self.Param.set_param(BATCH_SIZE_PARAM, "0")
        with self.assertLogs("odoo.addons.lot_fefo_recall.models.cron_batch", "WARNING"):
            log = self.Writeoff._write_off(self.company, commit=False, max_batches=1)
        self.assertEqual(len(log.line_ids), 3, "a bad value never stops the write-off")

    # ------------------------------------------------------ killed in a batch

    def test_write_off_resumes_after_a_killed_batch(self):
        self.Param.set_param(BATCH_SIZE_PARAM, "1")
        first = self.Writeoff._write_off(self.company, commit=False, max_batches=1)
        self.assertEqual(first.line_ids.lot_id, self.expired[0])
        with (
            self.assertRaises(JobKilled),
            self.env.cr.savepoint(),
            patch.object(StockExpiryWriteoff, "_log_on_lots", side_effect=JobKilled),
        ):
            self.Writeoff._write_off(self.company, commit=False)
        self.env.invalidate_all()
        self.assertEqual(self._on_hand(self.expired[1]), 5, "the killed batch is undone")
        resumed = self.Writeoff._write_off(self.company, commit=False)
        self.assertEqual(resumed.line_ids.lot_id, self.expired[1] | self.expired[2])
        for lot in self.expired:
            lines = self._lines(lot)
            self.assertEqual(lines.mapped("action"), ["scrapped"], lot.name)
            self.assertEqual(lines.scrap_id.scrap_qty, 5, lot.name)
            self.assertEqual(self._on_hand(lot), 0, lot.name)
        self.assertFalse(self.Writeoff._write_off(self.company, commit=False), "nothing twice")

    def test_letters_resume_after_a_killed_batch(self):
        self.Param.set_param(LETTER_BATCH_SIZE_PARAM, "1")
        self.letters_recall.action_send_letters()
        self.Customer._send_queued_letters(commit=False, max_batches=1)
        first = self.letters_recall.customer_ids.filtered("notified_on")
        self.assertEqual(len(first), 1)
        notified_on = first.notified_on
        killed = patch.object(
            StockRecallCustomer, "_prepare_letter_attachment_vals", side_effect=JobKilled
        )
        with self.assertRaises(JobKilled), self.env.cr.savepoint(), killed:
            self.Customer._send_queued_letters(commit=False)
        self.env.invalidate_all()
        self.assertEqual(len(self._mails()), 1, "the killed batch mailed nobody")
        self.Customer._send_queued_letters(commit=False)
        mails = self._mails()
        with_email = self.letters_recall.customer_ids.filtered(lambda c: c.partner_id.email)
        self.assertEqual(sorted(mails.mapped("res_id")), sorted(with_email.ids), "each once")
        self.assertEqual(first.notified_on, notified_on, "the first is not notified again")
        self.assertEqual(self.letters_recall.state, "notified")

    # -------------------------------------------------- stock on two quant rows

    def _twin(self, lot, quantity=0.0, reserved=0.0):
        """A second quant row of the lot in stock, as core books a move when another
        transaction holds the quant (stock.quant._update_available_quantity)."""
        return self.Quant.sudo().create(
            {
                "product_id": lot.product_id.id,
                "location_id": self.stock_location.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "reserved_quantity": reserved,
            }
        )

    def test_stock_on_two_rows_is_written_off_as_its_sum(self):
        lot = self.expired[0]
        self._twin(lot, quantity=-2)
        log = self.Writeoff._write_off(self.company, commit=False)
        line = log.line_ids.filtered(lambda line: line.lot_id == lot)
        self.assertEqual((line.action, line.quantity), ("scrapped", 3))
        self.assertEqual(line.scrap_id.scrap_qty, 3)
        self.assertEqual(self._on_hand(lot), 0, "never below zero")

    def test_stock_reserved_on_a_second_row_is_kept(self):
        lot = self.expired[0]
        self._twin(lot, reserved=3)
        log = self.Writeoff._write_off(self.company, commit=False)
        line = log.line_ids.filtered(lambda line: line.lot_id == lot)
        self.assertEqual(line.action, "skipped_reserved")
        self.assertEqual(self._on_hand(lot), 5, "a delivery counts on it")

    def test_second_row_seen_after_merging_waits_for_the_next_run(self):
        """A second row that appears after the run merged the rows (another transaction
        moved the stock meanwhile) leaves that stock for the next run."""
        lot = self.expired[0]
        self._twin(lot, quantity=-2)
        with patch.object(type(self.Quant), "_merge_quants", autospec=True):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertNotIn(lot, log.line_ids.lot_id)
        self.assertEqual(self._on_hand(lot), 3)
        log = self.Writeoff._write_off(self.company, commit=False)
        self.assertEqual(log.line_ids.lot_id, lot)
        self.assertEqual(log.line_ids.quantity, 3)
        self.assertEqual(self._on_hand(lot), 0)
