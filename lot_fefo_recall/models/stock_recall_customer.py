from odoo import api, fields, models


class StockRecallCustomer(models.Model):
    _name = "stock.recall.customer"
    _description = "Recall Customer"
    _order = "recall_id, partner_id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    email = fields.Char(related="partner_id.email")
    lot_ids = fields.Many2many("stock.lot", string="Lots Received")
    shipped_qty = fields.Float(
        string="Quantity Shipped", digits="Product Unit", help="Net of customer returns."
    )
    last_shipped_on = fields.Datetime()
    state = fields.Selection(
        [
            ("to_notify", "To Notify"),
            ("no_email", "No Email"),
            ("notified", "Notified"),
            ("acknowledged", "Acknowledged"),
        ],
        compute="_compute_state",
        store=True,
    )
    notified_on = fields.Datetime(readonly=True)
    acknowledged = fields.Boolean()
    acknowledged_on = fields.Datetime()
    returned_qty = fields.Float(
        string="Quantity Returned",
        digits="Product Unit",
        help="Quantity the customer sent back or destroyed on our instructions.",
    )

    _unique_partner = models.Constraint(
        "UNIQUE (recall_id, partner_id)", "A customer appears once per recall."
    )

    @api.depends("partner_id.email", "notified_on", "acknowledged")
    def _compute_state(self):
        for customer in self:
            if customer.acknowledged:
                customer.state = "acknowledged"
            elif customer.notified_on:
                customer.state = "notified"
            elif not customer.partner_id.email:
                customer.state = "no_email"
            else:
                customer.state = "to_notify"

    def action_acknowledge(self):
        self.write({"acknowledged": True, "acknowledged_on": fields.Datetime.now()})
        for customer in self:
            customer.recall_id.message_post(
                body=self.env._(
                    "%(customer)s acknowledged the recall.", customer=customer.partner_id.name
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True
