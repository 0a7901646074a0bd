"""Customer complaints about a lot.

Odoo's Helpdesk is an Enterprise app, absent from Community: complaints are a light
record of their own here, with no bridge module to Helpdesk tickets."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

COMPLAINT_KINDS = [
    ("foreign_body", "Foreign Body"),
    ("illness", "Illness"),
    ("taste", "Taste"),
    ("packaging", "Packaging"),
    ("other", "Other"),
]


class StockLotComplaint(models.Model):
    _name = "stock.lot.complaint"
    _description = "Lot Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin", "lot_fefo_recall.input.guard"]
    _order = "date desc, id desc"
    # Salesmen take the calls: they may add a note or a photo to a complaint they read.
    _mail_post_access = "read"

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    lot_id = fields.Many2one(
        "stock.lot",
        required=True,
        index=True,
        tracking=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, index=True, string="Product"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('company_id', 'in', [company_id, False])]",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        index="btree_not_null",
        tracking=True,
        domain="[('picking_type_code', '=', 'outgoing'), ('company_id', '=', company_id)]",
        help="The delivery that brought the complained-of lot to the customer, if known.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    kind = fields.Selection(COMPLAINT_KINDS, required=True, default="other", tracking=True)
    description = fields.Html()
    state = fields.Selection(
        [
            ("new", "New"),
            ("investigating", "Investigating"),
            ("closed", "Closed"),
            ("rejected", "Rejected"),
        ],
        required=True,
        default="new",
        tracking=True,
        copy=False,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )

    @api.constrains("lot_id", "company_id")
    def _check_lot_company(self):
        for complaint in self:
            lot_company = complaint.lot_id.company_id
            if lot_company and lot_company != complaint.company_id:
                raise ValidationError(
                    self.env._(
                        "Lot %(lot)s belongs to %(lot_company)s, not to %(company)s: record "
                        "the complaint in the lot's company.",
                        lot=complaint.lot_id.display_name,
                        lot_company=lot_company.name,
                        company=complaint.company_id.name,
                    )
                )

    @api.constrains("picking_id", "lot_id", "partner_id")
    def _check_picking(self):
        for complaint in self.filtered("picking_id"):
            picking = complaint.picking_id.sudo()
            customer = complaint.partner_id.commercial_partner_id
            if picking.picking_type_code != "outgoing":
                raise ValidationError(
                    self.env._(
                        "%(picking)s is not a delivery to a customer: choose the delivery "
                        "that brought lot %(lot)s to %(customer)s.",
                        picking=picking.name,
                        lot=complaint.lot_id.display_name,
                        customer=customer.display_name,
                    )
                )
            if picking.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Delivery %(picking)s went to %(other)s, not to %(customer)s.",
                        picking=picking.name,
                        other=picking.partner_id.commercial_partner_id.display_name
                        or self.env._("no customer"),
                        customer=customer.display_name,
                    )
                )
            shipped = picking.move_line_ids.filtered(
                lambda line, lot=complaint.lot_id: line.state == "done" and line.lot_id == lot
            )
            if not shipped:
                raise ValidationError(
                    self.env._(
                        "Delivery %(picking)s did not ship lot %(lot)s to %(customer)s.",
                        picking=picking.name,
                        lot=complaint.lot_id.display_name,
                        customer=customer.display_name,
                    )
                )

    @api.onchange("picking_id")
    def _onchange_picking_id(self):
        """A complaint opened from a delivery names its customer, and its lot when it
        shipped only one."""
        picking = self.picking_id
        if not picking:
            return
        customer = picking.partner_id.commercial_partner_id
        if self.partner_id.commercial_partner_id != customer:
            self.partner_id = customer
        lots = picking.move_line_ids.filtered(lambda line: line.state == "done").lot_id
        if len(lots) == 1 and self.lot_id != lots:
            self.lot_id = lots

    @api.model_create_multi
    def create(self, vals_list):
        # Before the values are read here: the guard mixin's own create comes later.
        self._check_input_values(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.lot.complaint") or "/"
        complaints = super().create(vals_list)
        complaints.lot_id._check_complaint_thresholds()
        return complaints

    def write(self, vals):
        res = super().write(vals)
        if {"lot_id", "state"} & set(vals):
            self.lot_id._check_complaint_thresholds()
        return res

    def action_investigate(self):
        self.write({"state": "investigating"})

    def action_close(self):
        self.write({"state": "closed"})

    def action_reject(self):
        self.write({"state": "rejected"})

    def action_reset(self):
        self.write({"state": "new"})
