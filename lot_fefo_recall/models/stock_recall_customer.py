import math

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .input_guard import FLOAT_MAX
from .stock_recall import check_button_fields

# What the customer states on the answer page, in the order the page asks.
ANSWER_QUANTITIES = ("on_hand_qty", "destroyed_qty", "sold_on_qty", "return_qty")
# Written by Send Letters, the letters crons and the customer's own answer only.
LETTER_AND_ANSWER_FIELDS = (
    "letter_queued_on",
    "letter_attachment_id",
    "answered_on",
    "answer_on_hand_qty",
    "answer_destroyed_qty",
    "answer_sold_on_qty",
    "answer_return_qty",
    "answer_comment",
    "follow_up_count",
    "last_contacted_on",
    "call_requested",
    "letter_failed_on",
    "letter_error",
)


class StockRecallCustomer(models.Model):
    """One affected customer of a recall: its letter, its answer, its follow-ups.

    Customers answer through their own portal link (``access_token``); they never
    follow the recall or this record, so nothing posted here reaches them or anyone
    else outside the company."""

    _name = "stock.recall.customer"
    _description = "Recall Customer"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "lot_fefo_recall.input.guard",
    ]
    _order = "recall_id, partner_id"
    _rec_name = "partner_id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    email = fields.Char(related="partner_id.email")
    lot_ids = fields.Many2many("stock.lot", string="Lots Received")
    shipping_company_ids = fields.Many2many(
        "res.company",
        "stock_recall_customer_shipping_company_rel",
        string="Shipped By",
        readonly=True,
        help="The companies whose deliveries of affected lots reached this customer: only "
        "their users see the customer on a recall followed into several companies.",
    )
    shipped_qty = fields.Float(
        string="Quantity Shipped", digits="Product Unit", help="Net of customer returns."
    )
    last_shipped_on = fields.Datetime()
    delivery_address_id = fields.Many2one(
        "res.partner",
        compute="_compute_delivery_address_id",
        help="Where the last affected delivery went: the letter is addressed there.",
    )
    state = fields.Selection(
        [
            ("to_notify", "To Notify"),
            ("no_email", "No Email"),
            ("queued", "Sending"),
            ("failed", "Letter Failed"),
            ("notified", "Notified"),
            ("acknowledged", "Acknowledged"),
        ],
        compute="_compute_state",
        store=True,
    )
    letter_queued_on = fields.Datetime(
        readonly=True, copy=False, help="When Send Letters put this customer's letter in line."
    )
    notified_on = fields.Datetime(readonly=True, copy=False)
    letter_failed_on = fields.Datetime(
        readonly=True,
        copy=False,
        help="The letters cron could not send this customer's letter: it is not tried "
        "again until someone presses Retry Failed Letters on the recall.",
    )
    letter_error = fields.Text(
        string="Letter Failure", readonly=True, copy=False, help="Why the letter failed."
    )
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter", readonly=True, copy=False
    )
    acknowledged = fields.Boolean()
    acknowledged_on = fields.Datetime()
    answered_on = fields.Datetime(readonly=True, copy=False)
    answer_on_hand_qty = fields.Float(
        string="On Hand (answer)", digits="Product Unit", readonly=True, copy=False
    )
    answer_destroyed_qty = fields.Float(
        string="Destroyed (answer)", digits="Product Unit", readonly=True, copy=False
    )
    answer_sold_on_qty = fields.Float(
        string="Sold On (answer)", digits="Product Unit", readonly=True, copy=False
    )
    answer_return_qty = fields.Float(
        string="To Return (answer)",
        digits="Product Unit",
        readonly=True,
        copy=False,
        help="Of the quantity on hand, what the customer will send back.",
    )
    answer_comment = fields.Text(readonly=True, copy=False)
    follow_up_count = fields.Integer(string="Follow-ups Sent", readonly=True, copy=False)
    last_contacted_on = fields.Datetime(
        readonly=True, copy=False, help="Last letter or follow-up mailed to the customer."
    )
    call_requested = fields.Boolean(
        readonly=True, copy=False, help="Follow-ups exhausted: someone was asked to phone."
    )
    returned_qty = fields.Float(
        string="Quantity Returned",
        digits="Product Unit",
        help="Quantity the customer sent back or destroyed on our instructions.",
    )

    _unique_partner = models.Constraint(
        "UNIQUE (recall_id, partner_id)", "A customer appears once per recall."
    )

    def _compute_access_url(self):
        for customer in self:
            customer.access_url = f"/my/recall/{customer.id}"

    def _compute_delivery_address_id(self):
        last_delivery = {}
        lines = self.env["stock.recall.line"].search_fetch(
            [
                ("recall_id", "in", self.recall_id.ids),
                ("partner_id", "in", self.partner_id.ids),
                ("line_type", "=", "delivery"),
            ],
            ["recall_id", "partner_id", "address_id", "picking_id"],
            order="date, id",
        )
        for line in lines:
            last_delivery[line.recall_id.id, line.partner_id.id] = (
                line.address_id or line.picking_id.partner_id
            )
        for customer in self:
            customer.delivery_address_id = (
                last_delivery.get((customer.recall_id.id, customer.partner_id.id))
                or customer.partner_id
            )

    @api.depends(
        "partner_id.email", "letter_queued_on", "notified_on", "letter_failed_on", "acknowledged"
    )
    def _compute_state(self):
        for customer in self:
            if customer.acknowledged:
                customer.state = "acknowledged"
            elif customer.notified_on:
                customer.state = "notified"
            elif customer.letter_failed_on:
                customer.state = "failed"
            elif customer.letter_queued_on:
                customer.state = "queued"
            elif not customer.partner_id.email:
                customer.state = "no_email"
            else:
                customer.state = "to_notify"

    def write(self, vals):
        # Before the values are read here: the guard mixin's own write comes later.
        self._check_input_values([vals])
        # What the trace and the letters found: the customer's answer is recorded by hand.
        check_button_fields(
            self,
            {
                "recall_id",
                "partner_id",
                "lot_ids",
                "shipping_company_ids",
                "shipped_qty",
                "last_shipped_on",
                "notified_on",
                *LETTER_AND_ANSWER_FIELDS,
            }.intersection(vals),
            lambda: ", ".join(f"{c.partner_id.name} ({c.recall_id.name})" for c in self),
        )
        return super().write(vals)

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

    def _letter_reference(self):
        """Printed on the letter; the letters cron finds each letter's pages by it."""
        self.ensure_one()
        return f"{self.recall_id.name}/{self.id}"

    def _record_answer(self, answer):
        """Record the customer's answer from the portal page: ``answer`` holds the
        quantities of ANSWER_QUANTITIES (numbers) and a ``comment``. Checked in full
        before anything is written; a customer answers once."""
        self.ensure_one()
        quantities = {key: answer.get(key) or 0.0 for key in ANSWER_QUANTITIES}
        self._check_answer(quantities)
        now = fields.Datetime.now()
        comment = (answer.get("comment") or "").strip()
        self.sudo().write(
            {
                "answered_on": now,
                "acknowledged": True,
                "acknowledged_on": now,
                "answer_on_hand_qty": quantities["on_hand_qty"],
                "answer_destroyed_qty": quantities["destroyed_qty"],
                "answer_sold_on_qty": quantities["sold_on_qty"],
                "answer_return_qty": quantities["return_qty"],
                "answer_comment": comment,
                # Destroyed and promised back count as taken off the market; a return
                # receipt validated later may raise it, never lower it.
                "returned_qty": max(
                    self.returned_qty, quantities["destroyed_qty"] + quantities["return_qty"]
                ),
            }
        )
        summary = self.env._(
            "%(customer)s answered: %(on_hand)s on hand, %(destroyed)s destroyed, "
            "%(sold_on)s sold on, %(to_return)s to return.",
            customer=self.partner_id.name,
            on_hand=f"{quantities['on_hand_qty']:g}",
            destroyed=f"{quantities['destroyed_qty']:g}",
            sold_on=f"{quantities['sold_on_qty']:g}",
            to_return=f"{quantities['return_qty']:g}",
        )
        body = Markup("%s<br/>%s") % (summary, comment) if comment else summary
        self.message_post(body=body, author_id=self.partner_id.id, subtype_xmlid="mail.mt_note")
        self.recall_id.message_post(
            body=summary, author_id=self.partner_id.id, subtype_xmlid="mail.mt_note"
        )
        return True

    def _check_answer(self, quantities):
        self.ensure_one()
        digits = self.env["decimal.precision"].precision_get("Product Unit")
        if self.answered_on:
            raise UserError(
                self.env._(
                    "%(customer)s already answered recall %(recall)s on %(date)s.",
                    customer=self.partner_id.name,
                    recall=self.recall_id.name,
                    date=self.answered_on,
                )
            )
        if self.recall_id.state in ("closed", "cancelled"):
            raise UserError(
                self.env._(
                    "Recall %(recall)s is over: no answer is needed.", recall=self.recall_id.name
                )
            )
        if not all(math.isfinite(qty) for qty in quantities.values()):
            raise UserError(self.env._("Quantities must be numbers."))
        # float_compare() rounds to the unit's precision, which overflows for numbers
        # this large: those are compared as they are.
        if any(
            qty < 0 and float_compare(max(qty, -FLOAT_MAX), 0.0, precision_digits=digits) < 0
            for qty in quantities.values()
        ):
            raise UserError(self.env._("Quantities can not be negative."))
        accounted = (
            quantities["on_hand_qty"] + quantities["destroyed_qty"] + quantities["sold_on_qty"]
        )
        if (
            accounted > FLOAT_MAX
            or float_compare(accounted, self.shipped_qty, precision_digits=digits) > 0
        ):
            raise UserError(
                self.env._(
                    "On hand, destroyed and sold on make %(accounted)s: more than the "
                    "%(shipped)s of lots %(lots)s we shipped to %(customer)s.",
                    accounted=f"{accounted:g}",
                    shipped=f"{self.shipped_qty:g}",
                    lots=", ".join(self.lot_ids.mapped("name")),
                    customer=self.partner_id.name,
                )
            )
        if (
            quantities["return_qty"] > FLOAT_MAX
            or float_compare(
                quantities["return_qty"], quantities["on_hand_qty"], precision_digits=digits
            )
            > 0
        ):
            raise UserError(
                self.env._(
                    "%(to_return)s to return is more than the %(on_hand)s you have on hand.",
                    to_return=f"{quantities['return_qty']:g}",
                    on_hand=f"{quantities['on_hand_qty']:g}",
                )
            )
