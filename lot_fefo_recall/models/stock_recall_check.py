from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHECK_RESULTS = [
    ("pending", "To Check"),
    ("received_acted", "Notice received, instructions followed"),
    ("received_on_hand", "Notice received, product still on hand"),
    ("not_received", "Notice not received"),
    ("unreachable", "Could not be reached"),
]


class StockRecallCheck(models.Model):
    """One effectiveness check: a consignee of the sample drawn for the recall's check
    level, contacted to verify that the notice arrived and was followed."""

    _name = "stock.recall.check"
    _description = "Recall Effectiveness Check"
    _inherit = ["lot_fefo_recall.input.guard"]
    _order = "recall_id, sequence, id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    sequence = fields.Integer(help="Order of the draw.")
    customer_id = fields.Many2one(
        "stock.recall.customer",
        string="Consignee Line",
        required=True,
        ondelete="cascade",
        domain="[('recall_id', '=', recall_id)]",
    )
    partner_id = fields.Many2one(related="customer_id.partner_id", string="Consignee", store=True)
    contacted_on = fields.Date()
    method = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "Email"),
            ("visit", "Visit"),
            ("letter", "Letter"),
        ]
    )
    result = fields.Selection(CHECK_RESULTS, default="pending", required=True)
    on_hand_qty = fields.Float(
        string="Still On Hand",
        digits="Product Unit",
        help="Quantity of the recalled products the consignee still held when checked.",
    )
    note = fields.Text()

    _unique_customer = models.Constraint(
        "UNIQUE (recall_id, customer_id)", "A consignee is checked once per recall."
    )

    @api.constrains("result", "contacted_on", "method")
    def _check_contact(self):
        for check in self:
            if check.result != "pending" and not (check.contacted_on and check.method):
                raise ValidationError(
                    self.env._(
                        "Record when and how %(customer)s was contacted before the result "
                        "of the check.",
                        customer=check.partner_id.display_name,
                    )
                )
