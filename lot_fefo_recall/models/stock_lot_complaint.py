"""Customer complaints about a lot.

Odoo's Helpdesk is an Enterprise app, absent from Community: complaints are a light
record of their own here, with no bridge module to Helpdesk tickets."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

COMPLAINT_KINDS = [
    ("foreign_body", "Foreign Body"),
    ("illness", "Illness"),
    ("taste", "Taste"),
    ("packaging", "Packaging"),
    ("other", "Other"),
]
# Quality decisions: a rejected complaint no longer counts towards a recall, a closed
# one is settled. Entering or leaving them is a quality manager's act, with a reason.
DECIDED_STATES = ("closed", "rejected")
# Set by the decision wizard (or a quality manager's own call) to the reason given.
REASON_CONTEXT_KEY = "lot_complaint_decision_reason"


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
        if not self.env.su and any(vals.get("state") in DECIDED_STATES for vals in vals_list):
            raise UserError(
                self.env._("A complaint starts as New: close or reject it afterwards, saying why.")
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.lot.complaint") or "/"
        complaints = super().create(vals_list)
        complaints.lot_id._check_complaint_thresholds()
        return complaints

    def write(self, vals):
        # Before the values are read here: the guard mixin's own write comes later.
        self._check_input_values([vals])
        decided = self._check_decision_write(vals)
        complaints = self
        if decided:
            # The audit trail of a decision is not for the caller to switch off.
            complaints = self.with_context(tracking_disable=False, mail_notrack=False)
            decided = decided.with_env(complaints.env)
            decided._track_set_log_message(
                Markup("<p>%s</p>") % self.env.context[REASON_CONTEXT_KEY].strip()
            )
        res = super(StockLotComplaint, complaints).write(vals)
        if decided:
            decided._post_decision(self.env.context[REASON_CONTEXT_KEY].strip())
        if {"lot_id", "state"} & set(vals):
            self.lot_id._check_complaint_thresholds()
        return res

    def action_investigate(self):
        self.write({"state": "investigating"})

    def action_close(self, reason=None):
        return self._decide("closed", reason)

    def action_reject(self, reason=None):
        return self._decide("rejected", reason)

    def action_reset(self, reason=None):
        return self._decide("new", reason)

    def _decide(self, state, reason):
        """Set ``state`` for the reason given; without one, the wizard that asks for it
        (the form's buttons). Only quality managers decide on complaints."""
        self._check_decision_access(state)
        if reason is None:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "lot_fefo_recall.stock_lot_complaint_decision_wizard_action"
            )
            action["context"] = {"default_complaint_ids": self.ids, "default_state": state}
            return action
        reason = reason.strip() if isinstance(reason, str) else ""
        self.with_context(**{REASON_CONTEXT_KEY: reason}).write({"state": state})
        return True

    def _check_decision_access(self, state):
        if self.env.su or self.env.user._is_lot_quality_manager():
            return
        labels = dict(self._fields["state"]._description_selection(self.env))
        raise AccessError(
            self.env._(
                "Only quality managers set complaint %(complaints)s to %(state)s or reopen "
                "a closed or rejected one.",
                complaints=", ".join(self.mapped("name")),
                state=labels.get(state, state),
            )
        )

    def _check_decision_write(self, vals):
        """The complaints whose state this write moves into or out of a decision
        (closed, rejected); refuse it unless a quality manager gives a reason."""
        if "state" not in vals:
            return self.browse()
        decided = self.filtered(
            lambda c: (
                c.state != vals["state"]
                and (c.state in DECIDED_STATES or vals["state"] in DECIDED_STATES)
            )
        )
        if not decided or self.env.su:
            return self.browse()
        # Who may not write complaints at all hears so first.
        decided.check_access("write")
        decided._check_decision_access(vals["state"])
        reason = self.env.context.get(REASON_CONTEXT_KEY)
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(
                self.env._(
                    "Say why complaint %(complaints)s is closed, rejected or reopened: the "
                    "reason is kept on the complaint and on its lot.",
                    complaints=", ".join(decided.mapped("name")),
                )
            )
        return decided

    def _post_decision(self, reason):
        """The reason on the lot's chatter (the complaint's has it with its state
        change)."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        for complaint in self:
            complaint.lot_id.message_post(
                body=self.env._(
                    "Complaint %(complaint)s (%(kind)s, %(customer)s) set to %(state)s by "
                    "%(user)s: %(reason)s",
                    complaint=complaint.name,
                    kind=dict(self._fields["kind"]._description_selection(self.env))[
                        complaint.kind
                    ],
                    customer=complaint.partner_id.display_name,
                    state=labels[complaint.state],
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
