import logging
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from .cron_batch import get_batch_size
from .input_guard import shorten

_logger = logging.getLogger(__name__)

# Letters rendered in one wkhtmltopdf run, mailed and committed together by the cron,
# unless the system parameter LETTER_BATCH_SIZE_PARAM says otherwise.
LETTER_BATCH_SIZE = 100
LETTER_BATCH_SIZE_PARAM = "lot_fefo_recall.letter_batch_size"
# Follow-ups mailed between two commits.
FOLLOW_UP_BATCH_SIZE = 200
# The reason of a failed letter kept on the customer line (a message, not a traceback).
LETTER_ERROR_SIZE = 500


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Customer notification: Send Letters queues the letters and shows progress; the
    letters cron (stock.recall.customer below) renders and mails them."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    customers_without_email = fields.Char(compute="_compute_customers_without_email")
    letter_count = fields.Integer(string="Letters", compute="_compute_letter_progress")
    letter_sent_count = fields.Integer(string="Letters Sent", compute="_compute_letter_progress")
    letter_progress = fields.Float(
        string="Letters Sent (%)", compute="_compute_letter_progress", digits=(16, 0)
    )
    letter_progress_text = fields.Char(compute="_compute_letter_progress")
    letter_failed_count = fields.Integer(
        string="Letters Failed", compute="_compute_letter_progress"
    )

    @api.depends("customer_ids.state")
    def _compute_customers_without_email(self):
        for recall in self:
            recall.customers_without_email = ", ".join(
                recall.customer_ids.filtered(lambda c: c.state == "no_email").partner_id.mapped(
                    "display_name"
                )
            )

    @api.depends(
        "customer_ids.letter_queued_on",
        "customer_ids.notified_on",
        "customer_ids.letter_failed_on",
    )
    def _compute_letter_progress(self):
        counts = {
            recall: (queued, sent, failed)
            for recall, queued, sent, failed in self.env["stock.recall.customer"]._read_group(
                [("recall_id", "in", self.ids), ("letter_queued_on", "!=", False)],
                ["recall_id"],
                ["__count", "notified_on:count", "letter_failed_on:count"],
            )
        }
        for recall in self:
            queued, sent, failed = counts.get(recall, (0, 0, 0))
            recall.letter_count = queued
            recall.letter_sent_count = sent
            recall.letter_failed_count = failed
            recall.letter_progress = 100.0 * sent / queued if queued else 0.0
            recall.letter_progress_text = self.env._(
                "%(sent)s of %(total)s sent",
                sent=formatLang(self.env, sent, digits=0),
                total=formatLang(self.env, queued, digits=0),
            )
            if failed:
                recall.letter_progress_text = self.env._(
                    "%(progress)s, %(failed)s failed",
                    progress=recall.letter_progress_text,
                    failed=formatLang(self.env, failed, digits=0),
                )

    def action_send_letters(self):
        """Queue a letter for each affected customer with an email and ask the letters
        cron to run now: the request returns at once, whatever the number of customers.
        Customers without an email are listed on the recall, not skipped silently.
        Pressed again (by a second user at the same moment, say) with nobody new to
        write to, it says so."""
        self.ensure_one()
        self._check_can_act()
        self._lock_for_button(
            self.env._(
                "Another user is sending the letters of %(recall)s or changing it right now: "
                "try again in a moment.",
                recall=self.name,
            )
        )
        if self.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._("Trace %(recall)s before writing to customers.", recall=self.name)
            )
        # Every affected customer is written to, also those shipped by a company the
        # user does not work in (who does not see them on the recall).
        customers = self.sudo().customer_ids
        to_queue = customers.filtered(lambda c: c.state == "to_notify")
        if not to_queue and (self.date_notified or customers.filtered("letter_queued_on")):
            raise UserError(
                self.env._(
                    "The letters of %(recall)s are already queued or sent: no other "
                    "customer with an email is waiting for one.",
                    recall=self.name,
                )
            )
        if to_queue:
            to_queue.sudo().write({"letter_queued_on": fields.Datetime.now()})
            self.env.ref("lot_fefo_recall.ir_cron_recall_letters")._trigger()
            self.message_post(
                body=self.env._(
                    "Sending %(count)s letters in the background.", count=len(to_queue)
                ),
                subtype_xmlid="mail.mt_note",
            )
        if self.customers_without_email and (to_queue or not self.date_notified):
            self._post_customers_without_email()
        if not to_queue and not customers.filtered(lambda c: c.state == "queued"):
            # Nobody to mail (only customers without email): told by phone or post.
            self._mark_notified()
        return True

    def action_retry_failed_letters(self):
        """Queue again the letters the cron could not send (after fixing what the
        reasons on the Customers tab say) and ask the letters cron to run now."""
        self.ensure_one()
        self._check_can_act()
        failed = self.customer_ids.filtered(lambda c: c.state == "failed")
        if not failed:
            raise UserError(
                self.env._("No letter of %(recall)s failed: nothing to retry.", recall=self.name)
            )
        failed.sudo().write(
            {
                "letter_queued_on": fields.Datetime.now(),
                "letter_failed_on": False,
                "letter_error": False,
            }
        )
        self.env.ref("lot_fefo_recall.ir_cron_recall_letters")._trigger()
        self.message_post(
            body=self.env._(
                "Sending %(count)s failed letters again: %(customers)s.",
                count=len(failed),
                customers=", ".join(failed.partner_id.mapped("display_name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_print_letters(self):
        self.ensure_one()
        if not self.customer_ids:
            raise UserError(self.env._("%(recall)s has no affected customer.", recall=self.name))
        return self.env.ref("lot_fefo_recall.action_report_recall_letter").report_action(self)

    def _post_customers_without_email(self):
        self.ensure_one()
        self.message_post(
            body=self.env._(
                "No email for %(customers)s: contact them by phone or post (print their "
                "letters) and record it on the Customers tab.",
                customers=self.customers_without_email,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Contact customers without email"),
            note=self.customers_without_email,
            user_id=(self.user_id or self.env.user).id,
        )

    def _mark_notified(self):
        now = fields.Datetime.now()
        # The state and its date are the buttons' to write (stock_recall.py).
        recalls = self.sudo()
        recalls.filtered(lambda r: r.state in ("traced", "quarantined")).state = "notified"
        recalls.date_notified = now

    def _on_letters_failed(self, customers):
        """Tell the quality manager which letters of this recall failed and why: a note
        and one open to-do on the recall, completed rather than repeated when more
        letters fail before it is done."""
        self.ensure_one()
        lines = Markup("").join(
            Markup("<li>%s: %s</li>") % (customer.partner_id.display_name, customer.letter_error)
            for customer in customers
        )
        body = Markup("%s<ul>%s</ul>") % (
            self.env._(
                "%(count)s letters could not be sent; they are marked on the Customers tab. "
                "Fix the cause, then press Retry Failed Letters.",
                count=len(customers),
            ),
            lines,
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        summary = self.env._("Recall letters failed")
        activity = self.activity_ids.filtered(lambda a: a.summary == summary)[:1]
        if activity:
            activity.note = Markup("%s<ul>%s</ul>") % (activity.note or "", lines)
        else:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=body,
                user_id=self._get_quality_manager().id,
            )

    def _get_quality_manager(self):
        """The recall's responsible when a quality manager, else one of its company."""
        self.ensure_one()
        if self.user_id and self.user_id._is_lot_quality_manager():
            return self.user_id
        manager = self.env["res.users"].search(
            [
                ("all_group_ids", "in", self.env.ref("lot_fefo_recall.group_quality_manager").id),
                ("company_ids", "in", self.company_id.id),
                ("share", "=", False),
            ],
            order="id",
            limit=1,
        )
        return manager or self.user_id or self.env.user

    def _on_letters_sent(self):
        """The last queued letter of these recalls is in the mail queue."""
        self._mark_notified()
        for recall in self:
            recall.message_post(
                body=self.env._(
                    "Letters sent to %(count)s customers: each received its own letter "
                    "and answer link by email.",
                    count=recall.letter_sent_count,
                ),
                subtype_xmlid="mail.mt_note",
            )


class StockRecallCustomer(models.Model):
    """The letters and follow-ups of each customer, mailed by the add-on's crons."""

    _inherit = "stock.recall.customer"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_send_letters(self):
        """Triggered by Send Letters; runs until every queued letter is mailed."""
        self._send_queued_letters()

    @api.model
    def _cron_follow_up_answers(self):
        self._follow_up_unanswered()

    @api.model
    def _letters_to_send_domain(self):
        return [
            ("letter_queued_on", "!=", False),
            ("notified_on", "=", False),
            ("letter_failed_on", "=", False),
            ("recall_id.state", "not in", ("closed", "cancelled")),
            ("recall_id.is_mock", "=", False),
        ]

    @api.model
    def _send_queued_letters(self, commit=True, max_batches=None, batch_size=None):
        """Mail the queued letters in batches of ``batch_size`` (by default the system
        parameter ``lot_fefo_recall.letter_batch_size``, else LETTER_BATCH_SIZE).

        A customer's mail and its ``notified_on`` are written in the same transaction,
        so a batch is mailed entirely or not at all: with ``commit`` each batch is
        committed through ``ir.cron._commit_progress`` and a killed or timed-out run
        carries on with the customers not yet notified, never mailing one twice.
        A batch that fails is sent again in halves, down to the customers whose letter
        fails: those are marked with the reason and left out of later runs, so that one
        bad letter stops neither the other recalls' letters nor the cron.
        ``max_batches`` stops early (tests use it to simulate an interruption).
        """
        batch_size = batch_size or get_batch_size(
            self.env, LETTER_BATCH_SIZE_PARAM, LETTER_BATCH_SIZE
        )
        domain = self._letters_to_send_domain()
        batches = 0
        while found := self.search(domain, order="recall_id, id", limit=batch_size):
            # One recall per batch: its letters are one document.
            customers = found.filtered(lambda c, recall=found[0].recall_id: c.recall_id == recall)
            failed = customers._send_letters_isolated()
            if failed:
                failed.recall_id._on_letters_failed(failed)
            customers._end_letters_if_done()
            batches += 1
            if commit and not self.env["ir.cron"]._commit_progress(
                len(customers), remaining=self.search_count(domain)
            ):
                break
            if max_batches and batches >= max_batches:
                break

    def _send_letters_isolated(self):
        """Send these customers' letters in a savepoint; when that fails, each half of
        them in its own, down to single customers, who are marked failed. Returns the
        customers marked failed. Database errors (a serialization failure, a lock) are
        not the letters' fault: they stop the run, which the cron repeats."""
        try:
            with self.env.cr.savepoint():
                self._send_letter_batch()
        except psycopg2.Error:
            raise
        except Exception as error:  # any failure of these letters is isolated
            if len(self) > 1:
                half = len(self) // 2
                return self[:half]._send_letters_isolated() | self[half:]._send_letters_isolated()
            _logger.warning(
                "Recall %s: the letter to %s could not be sent.",
                self.recall_id.name,
                self.partner_id.display_name,
                exc_info=True,
            )
            self._mark_letter_failed(error)
            return self
        return self.browse()

    def _mark_letter_failed(self, error):
        reason = (error.args[0] if error.args and isinstance(error.args[0], str) else "") or (
            repr(error)
        )
        self.sudo().write(
            {
                "letter_failed_on": fields.Datetime.now(),
                "letter_error": shorten(reason, LETTER_ERROR_SIZE),
            }
        )

    def _end_letters_if_done(self):
        """The recalls of these customers whose last queued letter is now dealt with
        are notified, unless every letter failed (nobody has been told yet)."""
        in_flight = {
            recall
            for [recall] in self._read_group(
                [*self._letters_to_send_domain(), ("recall_id", "in", self.recall_id.ids)],
                ["recall_id"],
            )
        }
        self.recall_id.filtered(
            lambda r: r not in in_flight and (r.letter_sent_count or not r.letter_failed_count)
        )._on_letters_sent()

    def _send_letter_batch(self):
        """Render these customers' letters (of one recall) in one wkhtmltopdf run, split
        per customer, and queue one email per customer with only its own letter."""
        # An email removed since Send Letters: the customer is listed with those to call.
        without_email = self.filtered(lambda c: not c.partner_id.email)
        without_email.sudo().write({"letter_queued_on": False})
        customers = self - without_email
        if customers:
            for customer in customers:
                customer._portal_ensure_token()
            letters = self.env["report.lot_fefo_recall.report_recall_letter"]._render_letters(
                customers
            )
            attachments = self.env["ir.attachment"].create(
                [
                    customer._prepare_letter_attachment_vals(letters[customer.id])
                    for customer in customers
                ]
            )
            mails = self.env.ref("lot_fefo_recall.mail_template_recall_letter").send_mail_batch(
                customers.ids, email_layout_xmlid="mail.mail_notification_light"
            )
            mail_by_customer = {mail.res_id: mail for mail in mails}
            now = fields.Datetime.now()
            for customer, attachment in zip(customers, attachments, strict=True):
                mail_by_customer[customer.id].attachment_ids = [Command.link(attachment.id)]
                customer.sudo().write(
                    {
                        "letter_attachment_id": attachment.id,
                        "notified_on": now,
                        "last_contacted_on": now,
                    }
                )

    def _prepare_letter_attachment_vals(self, pdf):
        self.ensure_one()
        return {
            "name": self.env._(
                "%(recall)s - %(customer)s.pdf",
                recall=self.recall_id.name.replace("/", "-"),
                customer=self.partner_id.name,
            ),
            "raw": pdf,
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": self.id,
        }

    @api.model
    def _follow_up_unanswered(self, commit=True, batch_size=FOLLOW_UP_BATCH_SIZE):
        """Remind customers who have not answered, every ``recall_follow_up_days`` of
        their company, at most ``recall_follow_up_max`` times; then ask the recall's
        responsible to phone them (once)."""
        for company in self.env["res.company"].search([]):
            due = fields.Datetime.now() - timedelta(days=company.recall_follow_up_days)
            base = [
                ("company_id", "=", company.id),
                ("notified_on", "!=", False),
                ("answered_on", "=", False),
                ("acknowledged", "=", False),
                ("call_requested", "=", False),
                ("last_contacted_on", "<=", due),
                ("recall_id.state", "=", "notified"),
                ("recall_id.is_mock", "=", False),
            ]
            to_remind = [*base, ("follow_up_count", "<", company.recall_follow_up_max)]
            while customers := self.search(to_remind, order="id", limit=batch_size):
                customers._send_follow_up()
                if commit and not self.env["ir.cron"]._commit_progress(len(customers)):
                    return
            to_call = [*base, ("follow_up_count", ">=", company.recall_follow_up_max)]
            while customers := self.search(to_call, order="id", limit=batch_size):
                customers._request_call()
                if commit and not self.env["ir.cron"]._commit_progress(len(customers)):
                    return

    def _send_follow_up(self):
        self.env.ref("lot_fefo_recall.mail_template_recall_follow_up").send_mail_batch(
            self.ids, email_layout_xmlid="mail.mail_notification_light"
        )
        now = fields.Datetime.now()
        for customer in self:
            customer.sudo().write(
                {"follow_up_count": customer.follow_up_count + 1, "last_contacted_on": now}
            )

    def _request_call(self):
        for customer in self:
            customer.activity_schedule(
                "mail.mail_activity_data_call",
                summary=self.env._(
                    "Phone %(customer)s about recall %(recall)s",
                    customer=customer.partner_id.name,
                    recall=customer.recall_id.name,
                ),
                note=self.env._(
                    "No answer after %(count)s reminders. Ask for the quantity on hand, "
                    "destroyed, sold on and to return, and record it on the customer's line.",
                    count=customer.follow_up_count,
                ),
                user_id=(customer.recall_id.user_id or self.env.user).id,
            )
        self.sudo().write({"call_requested": True})
