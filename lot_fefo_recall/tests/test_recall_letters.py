import io
import subprocess
import tempfile
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from .common import LotFefoRecallCase
from .recall_letters_world import RecallLettersWorld


def pdf_text(raw):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(raw)
        pdf.flush()
        return subprocess.run(
            ["pdftotext", "-layout", pdf.name, "-"], capture_output=True, check=True, text=True
        ).stdout


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallLetters(RecallLettersWorld, LotFefoRecallCase):
    """Send Letters queues the work; the add-on's cron renders the letters in batches
    (one wkhtmltopdf run each), mails each customer its own letter through the mail
    queue, and never mails anyone twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_letters_world()
        cls.recall = cls.letters_recall
        cls.Customer = cls.env["stock.recall.customer"]
        cls.letters_cron = cls.env.ref("lot_fefo_recall.ir_cron_recall_letters")

    def _letters(self):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "stock.recall.customer"),
                ("res_id", "in", self.recall.customer_ids.ids),
            ]
        )

    def _send_in_background(self, **kwargs):
        return self.Customer._send_queued_letters(commit=False, **kwargs)

    def _send_counting_wkhtmltopdf_runs(self):
        """Run the letters job; return the number of inputs of each wkhtmltopdf run."""
        runs = []
        real_run = IrActionsReport._run_wkhtmltopdf

        def counting_run(report, bodies, *args, **kwargs):
            runs.append(len(bodies))
            return real_run(report, bodies, *args, **kwargs)

        with patch.object(IrActionsReport, "_run_wkhtmltopdf", counting_run):
            self._send_in_background()
        return runs

    def test_button_only_queues(self):
        triggers_before = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.letters_cron.id)]
        )
        self.recall.with_user(self.quality_manager).action_send_letters()
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.letters_cron.id)]),
            triggers_before + 1,
            "the letters cron is asked to run at once",
        )
        self.assertFalse(self._letters(), "no letter is rendered or mailed in the request")
        self.assertEqual(
            {c.partner_id.name: c.state for c in self.recall.customer_ids},
            {"Alpine Grocers": "queued", "Bistro Nord": "queued", "Corner Kiosk": "no_email"},
        )
        self.assertEqual(self.recall.letter_progress_text, "0 of 2 sent")
        self.assertEqual(self.recall.letter_progress, 0)
        self.assertEqual(self.recall.customers_without_email, "Corner Kiosk")
        self.assertTrue(self.recall.activity_ids, "someone calls the customer without email")
        # a second click queues nobody twice, and says so
        with self.assertRefused(UserError, "already queued or sent"):
            self.recall.action_send_letters()
        self.assertEqual(self.recall.letter_progress_text, "0 of 2 sent")

    def test_each_customer_gets_only_its_own_letter(self):
        self.recall.action_quarantine()
        self.recall.action_send_letters()
        runs = self._send_counting_wkhtmltopdf_runs()
        self.assertEqual(runs, [1], "both letters rendered in one wkhtmltopdf run, one input")
        alpine = self._recall_customer(self.alpine)
        bistro = self._recall_customer(self.bistro)
        mails = self._letters()
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "through the mail queue")
        for customer, other in ((alpine, bistro), (bistro, alpine)):
            mail = mails.filtered(lambda m, c=customer: m.res_id == c.id)
            self.assertEqual(mail.recipient_ids, customer.partner_id, "one recipient only")
            self.assertFalse(mail.email_cc)
            self.assertEqual(len(mail.attachment_ids), 1)
            self.assertEqual(mail.attachment_ids, customer.letter_attachment_id)
            text = pdf_text(mail.attachment_ids.raw)
            self.assertIn(customer.partner_id.name, text)
            self.assertNotIn(other.partner_id.name, text)
            self.assertIn("APR-1", text)
            self.assertIn(f"/my/recall/{customer.id}?access_token={customer.access_token}", text)
            self.assertIn(customer.access_token, mail.body_html, "the email carries the link")
            self.assertNotIn(other.access_token, mail.body_html)
        # addressed to the delivery address, dates in the customer's language
        alpine_text = pdf_text(alpine.letter_attachment_id.raw)
        self.assertIn("12 Dock Road", alpine_text)
        self.assertIn("05/01/2027", alpine_text)
        self.assertIn("01/05/2027", pdf_text(bistro.letter_attachment_id.raw))
        # nobody outside sees another customer's letter: no customer follows anything,
        # no message of the recall is addressed to a customer
        customers = self.alpine | self.bistro | self.kiosk
        self.assertFalse(self.recall.message_partner_ids & customers)
        self.assertFalse(self.recall.customer_ids.message_partner_ids & customers)
        self.assertFalse(self.recall.message_ids.partner_ids & customers)
        self.assertFalse(self.recall.message_ids.attachment_ids)
        # progress and the end
        self.assertEqual(self.recall.state, "notified")
        self.assertTrue(self.recall.date_notified)
        self.assertEqual(self.recall.letter_progress_text, "2 of 2 sent")
        self.assertEqual(self.recall.letter_progress, 100)
        self.assertEqual((alpine | bistro).mapped("state"), ["notified", "notified"])
        self.assertIn(
            "Letters sent to 2 customers", " ".join(self.recall.message_ids.mapped("body"))
        )
        # running the job again mails nobody twice
        self._send_in_background()
        self.assertEqual(len(self._letters()), 2)

    def test_interrupted_run_resumes_without_mailing_twice(self):
        self.recall.action_send_letters()
        self._send_in_background(batch_size=1, max_batches=1)
        self.assertEqual(len(self._letters()), 1)
        self.assertEqual(self.recall.letter_progress_text, "1 of 2 sent")
        self.assertNotEqual(self.recall.state, "notified", "not done yet")
        self._send_in_background(batch_size=1)
        mails = self._letters()
        self.assertEqual(len(mails), 2)
        self.assertEqual(len(set(mails.mapped("res_id"))), 2, "each customer once")
        self.assertEqual(self.recall.state, "notified")

    def test_cancelled_recall_stops_sending(self):
        self.recall.action_send_letters()
        self.recall.action_cancel()
        self._send_in_background()
        self.assertFalse(self._letters())

    def test_cron_commits_per_batch(self):
        """The cron's job body reports its progress to ir.cron once per batch."""
        self.recall.action_send_letters()
        progress = []
        with (
            patch.object(type(self.env["ir.cron"]), "_commit_progress", autospec=True) as commit,
        ):
            commit.side_effect = lambda _cron, processed=0, **kw: (
                progress.append((processed, kw.get("remaining"))) or float("inf")
            )
            self.Customer._cron_send_letters()
        self.assertEqual(progress, [(2, 0)])
        self.assertEqual(len(self._letters()), 2)

    # ------------------------------------------------------------- follow-ups

    def test_follow_ups_then_a_call(self):
        self.company.write({"recall_follow_up_days": 3, "recall_follow_up_max": 2})
        self.recall.action_send_letters()
        self._send_in_background()
        alpine = self._recall_customer(self.alpine)
        bistro = self._recall_customer(self.bistro)
        bistro._record_answer({"on_hand_qty": 20, "return_qty": 20})
        follow_ups = self.env.ref("lot_fefo_recall.mail_template_recall_follow_up")

        def follow_up_mails():
            return self._letters().filtered(lambda m: m.subject.startswith("Reminder"))

        now = fields.Datetime.now()
        with freeze_time(now + timedelta(days=2)):
            self.Customer._follow_up_unanswered(commit=False)
        self.assertFalse(follow_up_mails(), "not before the configured days")
        for days, expected in ((3, 1), (6, 2), (9, 2), (12, 2)):
            with freeze_time(now + timedelta(days=days, minutes=1)):
                self.Customer._follow_up_unanswered(commit=False)
            self.assertEqual(len(follow_up_mails()), expected, f"after {days} days")
        self.assertTrue(follow_ups)
        self.assertEqual(follow_up_mails().mapped("res_id"), [alpine.id, alpine.id])
        self.assertEqual(alpine.follow_up_count, 2)
        self.assertEqual(len(alpine.activity_ids), 1, "then a person phones them, once")
        self.assertIn("Phone", alpine.activity_ids.summary)
        self.assertFalse(bistro.activity_ids, "who answered is left alone")

    def test_follow_up_settings_refuse_nonsense(self):
        for vals in ({"recall_follow_up_days": 0}, {"recall_follow_up_max": -1}):
            with self.assertRefused(ValidationError, "follow-up"):
                self.company.write(vals)
        self.assertEqual(self.company.recall_follow_up_days, 3)
        self.assertEqual(self.company.recall_follow_up_max, 2)

    # ---------------------------------------------------------------- answers

    def test_answer_feeds_effectiveness(self):
        self.recall.action_send_letters()
        self._send_in_background()
        alpine = self._recall_customer(self.alpine)
        alpine._record_answer(
            {
                "on_hand_qty": 10,
                "destroyed_qty": 12,
                "sold_on_qty": 8,
                "return_qty": 10,
                "comment": "Dock stock set apart",
            }
        )
        self.assertEqual(alpine.state, "acknowledged")
        self.assertEqual(alpine.answered_on, fields.Datetime.now())
        self.assertEqual(
            (
                alpine.answer_on_hand_qty,
                alpine.answer_destroyed_qty,
                alpine.answer_sold_on_qty,
                alpine.answer_return_qty,
            ),
            (10, 12, 8, 10),
        )
        self.assertEqual(alpine.returned_qty, 22, "destroyed and to be returned")
        self.assertIn("Dock stock set apart", alpine.message_ids[0].body)
        self.assertIn("Alpine Grocers answered", " ".join(self.recall.message_ids.mapped("body")))

    def test_answer_refuses_bad_quantities_and_a_second_answer(self):
        self.recall.action_send_letters()
        self._send_in_background()
        alpine = self._recall_customer(self.alpine)
        for vals, error in (
            ({"on_hand_qty": -1}, "can not be negative"),
            ({"on_hand_qty": 20, "destroyed_qty": 20}, "more than the 30"),
            ({"on_hand_qty": 5, "return_qty": 6}, "more than the 5 .* on hand"),
            ({"on_hand_qty": 1e12}, "more than the 30"),
        ):
            with self.assertRefused(UserError, error):
                alpine._record_answer(vals)
            self.assertFalse(alpine.answered_on)
            self.assertFalse(alpine.returned_qty)
        alpine._record_answer({"on_hand_qty": 30, "return_qty": 30})
        with self.assertRefused(UserError, "already answered"):
            alpine._record_answer({"on_hand_qty": 0, "destroyed_qty": 30})
        self.assertEqual(alpine.answer_return_qty, 30)
        self.assertEqual(alpine.answer_destroyed_qty, 0)

    def test_letters_of_several_pages_split_by_reference(self):
        self.recall.customer_instructions = "<p>Set the jars apart and keep them cool.</p>" * 60
        self.recall.action_send_letters()
        self.assertEqual(self._send_counting_wkhtmltopdf_runs(), [1])
        alpine = self._recall_customer(self.alpine)
        bistro = self._recall_customer(self.bistro)
        for customer, other in ((alpine, bistro), (bistro, alpine)):
            raw = customer.letter_attachment_id.raw
            self.assertGreater(len(PdfFileReader(io.BytesIO(raw)).pages), 1)
            text = pdf_text(raw)
            self.assertIn(customer._letter_reference(), text)
            self.assertNotIn(other._letter_reference(), text)
            self.assertNotIn(other.partner_id.name, text)
