import io
import re
import subprocess
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.lot_fefo_recall.reports.report_recall_letter import ReportRecallLetter

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


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallLetterFailures(RecallLettersWorld, LotFefoRecallCase):
    """A letter that can not be sent stops neither the other letters nor the cron: its
    customer is marked with the reason, the quality manager is asked to act, and no
    later run tries it again or mails anyone twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_letters_world()
        cls.Customer = cls.env["stock.recall.customer"]
        # A second, later recall of another lot to the same two customers with email.
        cls.second_lot = cls.env["stock.lot"].create(
            {"name": "APR-2", "product_id": cls.letters_jam.id, "expiration_date": "2027-06-01"}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.letters_jam, cls.letters_warehouse.lot_stock_id, 20, lot_id=cls.second_lot
        )
        cls._ship_letters_lot(cls.second_lot, ((cls.alpine_dock, 10), (cls.bistro, 10)))
        cls.second_recall = cls.env["stock.recall"].create(
            {"reason": "Glass in jars", "lot_ids": [Command.set(cls.second_lot.ids)]}
        )
        cls.second_recall.action_trace()
        cls.recalls = cls.letters_recall | cls.second_recall
        cls.recalls.user_id = cls.quality_manager
        for recall in cls.recalls:
            recall.with_user(cls.quality_manager).action_send_letters()

    def _mails(self, recall):
        return self.env["mail.mail"].search(
            [("model", "=", "stock.recall.customer"), ("res_id", "in", recall.customer_ids.ids)]
        )

    def _failure_activities(self, recall):
        return recall.activity_ids.filtered(lambda a: a.summary == "Recall letters failed")

    @contextmanager
    def _rendering_fails(self, fails_for, runs=None):
        """Letters of customers ``fails_for(customers)`` picks raise on rendering."""
        real = ReportRecallLetter._render_letters

        def render(report, customers):
            if runs is not None:
                runs.append(customers)
            if fails_for(customers):
                raise UserError(report.env._("The letter template is broken"))
            return real(report, customers)

        with patch.object(ReportRecallLetter, "_render_letters", render):
            yield

    def _send(self, **kwargs):
        self.Customer._send_queued_letters(commit=False, **kwargs)

    def test_failing_recall_does_not_stop_the_next(self):
        # the recall whose batch the cron takes first, on every run
        first = self.Customer.search(
            self.Customer._letters_to_send_domain(), order="recall_id, id", limit=1
        ).recall_id
        second = self.recalls - first
        with self._rendering_fails(lambda customers: customers.recall_id == first):
            self._send()
        with_email = first.customer_ids.filtered("email")
        # the later recall's letters went, once each
        self.assertEqual(
            sorted(self._mails(second).mapped("res_id")),
            sorted(second.customer_ids.filtered("email").ids),
        )
        self.assertEqual(second.state, "notified")
        # the oldest recall's customers are marked, with the reason
        self.assertFalse(self._mails(first))
        self.assertEqual(with_email.mapped("state"), ["failed", "failed"])
        self.assertTrue(all(with_email.mapped("letter_failed_on")))
        self.assertEqual(set(with_email.mapped("letter_error")), {"The letter template is broken"})
        self.assertEqual(first.letter_failed_count, 2)
        self.assertEqual(first.letter_progress_text, "0 of 2 sent, 2 failed")
        self.assertNotEqual(first.state, "notified", "nobody has been told")
        activity = self._failure_activities(first)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.quality_manager)
        self.assertIn("Alpine Grocers", activity.note)
        self.assertFalse(self._failure_activities(second))
        # a second run neither resends nor tries the failed again
        runs = []
        with self._rendering_fails(lambda customers: False, runs):
            self._send()
        self.assertEqual(runs, [], "nothing left to render")
        self.assertEqual(len(self._mails(second)), 2)
        self.assertFalse(self._mails(first))
        self.assertEqual(len(self._failure_activities(first)), 1)
        # fixed, the quality manager sends them again: each mailed once
        first.with_user(self.quality_manager).action_retry_failed_letters()
        self.assertEqual(with_email.mapped("state"), ["queued", "queued"])
        self.assertFalse(any(with_email.mapped("letter_error")))
        with self.assertRefused(UserError, "nothing to retry"):
            first.with_user(self.quality_manager).action_retry_failed_letters()
        self._send()
        self.assertEqual(sorted(self._mails(first).mapped("res_id")), sorted(with_email.ids))
        self.assertEqual(first.state, "notified")
        self._send()
        self.assertEqual(len(self._mails(first)) + len(self._mails(second)), 4, "once each")

    def test_one_failing_customer_does_not_stop_its_batch(self):
        first = self.letters_recall
        alpine, bistro = self._recall_customer(self.alpine), self._recall_customer(self.bistro)
        with self._rendering_fails(lambda customers: bistro in customers):
            self._send()
        self.assertEqual(self._mails(first).mapped("res_id"), alpine.ids)
        self.assertEqual((alpine.state, bistro.state), ("notified", "failed"))
        self.assertEqual(first.state, "notified", "the others were told")
        self.assertEqual(len(self._failure_activities(first)), 1)
        self.assertIn("Bistro Nord", self._failure_activities(first).note)
        self.assertEqual(len(self._mails(self.second_recall)), 2)

    def test_retry_only_for_quality_managers(self):
        with self._rendering_fails(lambda customers: True):
            self._send()
        with self.assertRefused(AccessError, "Only quality managers"):
            self.letters_recall.with_user(self.stock_user).action_retry_failed_letters()
        self.assertEqual(self.letters_recall.letter_failed_count, 2)

    def test_one_customer_letter_not_found_is_not_rendered_again(self):
        """A letter of several pages whose reference the splitter can not find: alone
        in its batch, it is the whole document, not rendered again and again."""
        self.recalls.customer_instructions = "<p>Keep the jars apart.</p>" * 60
        runs = []
        real_run = IrActionsReport._run_wkhtmltopdf

        def counting_run(report, bodies, *args, **kwargs):
            runs.append(len(bodies))
            if len(runs) > 3:
                raise AssertionError("the same letter is rendered again and again")
            return real_run(report, bodies, *args, **kwargs)

        never = re.compile(r"(?!)")
        with (
            patch.object(IrActionsReport, "_run_wkhtmltopdf", counting_run),
            patch.object(ReportRecallLetter, "_reference_pattern", lambda _self, _c: never),
        ):
            self._send(batch_size=1, max_batches=1)
        self.assertEqual(runs, [1])
        sent = self.recalls.customer_ids.filtered("notified_on")
        self.assertEqual(len(sent), 1)
        self.assertFalse(self.recalls.customer_ids.filtered("letter_failed_on"))
        letter = PdfFileReader(io.BytesIO(sent.letter_attachment_id.raw))
        self.assertGreater(len(letter.pages), 1)
