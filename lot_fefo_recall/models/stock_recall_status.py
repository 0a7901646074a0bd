from odoo import api, fields, models

from ..reports import recall_status_xlsx


# One concern of stock.recall.customer per file (see stock_recall.py).
class StockRecallCustomer(models.Model):
    """How each consignee was told, for the status report."""

    _inherit = "stock.recall.customer"  # pylint: disable=consider-merging-classes-inherited

    notification_method = fields.Selection(
        [
            ("email", "Email"),
            ("post", "Letter by post"),
            ("phone", "Phone"),
            ("visit", "Visit"),
        ],
        compute="_compute_notification_method",
        store=True,
        readonly=False,
        help="Email when the letter was mailed; otherwise record how the customer was told.",
    )

    @api.depends("notified_on")
    def _compute_notification_method(self):
        for customer in self:
            if customer.notified_on and not customer.notification_method:
                customer.notification_method = "email"


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """The status report a regulator asks for (21 CFR 7.53): PDF and XLSX."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    def action_print_status_report(self):
        self.ensure_one()
        # The report action names the recall without reading it: a wrong id would
        # only fail when printed.
        self.check_access("read")
        return self.env.ref("lot_fefo_recall.action_report_recall_status").report_action(self)

    def action_export_status_xlsx(self):
        self.ensure_one()
        return self._download(
            recall_status_xlsx.status_report(self),
            f"{self.name.replace('/', '-')}-status-{fields.Date.context_today(self)}.xlsx",
        )

    def _get_status_report_data(self):
        """The figures of 21 CFR 7.53(b), shared by the PDF and the XLSX."""
        self.ensure_one()
        customers = self.customer_ids
        told = customers.filtered(lambda c: c.notified_on or c.notification_method)
        responded = customers.filtered(lambda c: c.answered_on or c.acknowledged)
        return {
            "customers": customers,
            "notified": told,
            "not_notified": customers - told,
            "responded": responded,
            "non_responders": told - responded,
            "products": self.product_line_ids,
            "checks": self.check_ids,
        }
