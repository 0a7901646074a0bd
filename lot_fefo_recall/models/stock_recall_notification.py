from odoo import api, fields, models
from odoo.exceptions import UserError


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Customer notification: the letters, by email or on paper."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    customers_without_email = fields.Char(compute="_compute_customers_without_email")

    @api.depends("customer_ids.state")
    def _compute_customers_without_email(self):
        for recall in self:
            recall.customers_without_email = ", ".join(
                recall.customer_ids.filtered(lambda c: c.state == "no_email").partner_id.mapped(
                    "display_name"
                )
            )

    def action_send_letters(self):
        """Email each affected customer its own letter (PDF attached). Customers
        without an email are listed on the recall, not skipped silently."""
        self.ensure_one()
        self._check_can_act()
        if self.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._("Trace %(recall)s before writing to customers.", recall=self.name)
            )
        to_notify = self.customer_ids.filtered(lambda c: c.state == "to_notify")
        template = self.env.ref("lot_fefo_recall.mail_template_recall_letter")
        report = self.env["ir.actions.report"]
        for customer in to_notify:
            pdf, _format = report._render_qweb_pdf(
                "lot_fefo_recall.action_report_recall_letter",
                res_ids=self.ids,
                data={"customer_ids": customer.ids},
            )
            rendered = template._generate_template([customer.id], ["subject", "body_html"])[
                customer.id
            ]
            self.message_post(
                subject=rendered["subject"],
                body=rendered["body_html"],
                partner_ids=customer.partner_id.ids,
                attachments=[
                    (f"{self.name.replace('/', '-')}-{customer.partner_id.name}.pdf", pdf)
                ],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )
        now = fields.Datetime.now()
        to_notify.write({"notified_on": now})
        vals = {"date_notified": now}
        if self.state in ("traced", "quarantined"):
            vals["state"] = "notified"
        self.write(vals)
        if self.customers_without_email:
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
        return True

    def action_print_letters(self):
        self.ensure_one()
        if not self.customer_ids:
            raise UserError(self.env._("%(recall)s has no affected customer.", recall=self.name))
        return self.env.ref("lot_fefo_recall.action_report_recall_letter").report_action(self)
