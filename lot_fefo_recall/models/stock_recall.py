import time
from collections import defaultdict

from markupsafe import Markup
from psycopg2.errors import LockNotAvailable

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

OPEN_STATES = ("draft", "traced", "quarantined", "notified")


def check_button_fields(records, fnames, describe):
    """Refuse to write ``fnames`` of ``records`` (the states and figures of recalls)
    unless the add-on's own buttons do it, which write them through sudo(). A readonly
    field stops nothing over RPC, and a context key can be forged there: only the
    superuser flag, which an RPC caller can not set, tells the buttons apart.
    ``describe()`` names the records, called only to refuse (writes are frequent)."""
    if not fnames or records.env.su:
        return
    raise AccessError(
        records.env._(
            "%(fields)s of %(what)s change only through the recall's buttons (Trace, "
            "Quarantine, Send Letters, Close, Cancel), not by writing them.",
            fields=", ".join(
                sorted(records._fields[fname]._description_string(records.env) for fname in fnames)
            ),
            what=describe(),
        )
    )


# The recall record and its states. Its other concerns each have a file: the trace
# (stock_recall_trace.py, an AbstractModel the launch wizard uses too), quarantine,
# customer notification and exports (stock_recall_<concern>.py).
class StockRecall(models.Model):
    _name = "stock.recall"
    _description = "Recall"
    _inherit = ["mail.thread", "mail.activity.mixin", "lot_fefo_recall.input.guard"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/", index=True
    )
    is_mock = fields.Boolean(
        string="Mock Recall",
        readonly=True,
        help="A timed drill: traces and reports, never blocks, moves or emails anything.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("traced", "Traced"),
            ("quarantined", "Quarantined"),
            ("notified", "Customers Notified"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    reason = fields.Text(required=True, tracking=True)
    classification = fields.Selection(
        [
            ("class_1", "Class I: serious health risk"),
            ("class_2", "Class II: temporary or reversible health risk"),
            ("class_3", "Class III: unlikely to cause harm"),
        ],
        tracking=True,
    )
    source = fields.Selection(
        [
            ("vendor_notice", "Vendor notice"),
            ("internal", "Internal finding"),
            ("regulator", "Regulator"),
            ("customer_complaint", "Customer complaint"),
        ],
        default="vendor_notice",
        required=True,
        tracking=True,
    )
    vendor_id = fields.Many2one("res.partner", tracking=True)
    vendor_reference = fields.Char(
        string="Vendor Notice Reference", help="The vendor's or regulator's notice number."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_notice = fields.Date(string="Notice Date", default=fields.Date.context_today)
    date_traced = fields.Datetime(string="Traced On", readonly=True, copy=False)
    date_quarantined = fields.Datetime(string="Quarantined On", readonly=True, copy=False)
    date_notified = fields.Datetime(string="Customers Notified On", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)
    customer_instructions = fields.Html(
        default=lambda self: self.env._(
            "<p>Stop selling and using the products listed in this letter at once. Keep "
            "them apart from other stock and contact us: we will collect them or tell you "
            "how to destroy them, and credit you in full.</p>"
        ),
        help="What the letter asks each customer to do.",
    )
    resolution_note = fields.Text(help="How the recall ended: required to close it.")

    lot_ids = fields.Many2many(
        "stock.lot", string="Recalled Lots", required=True, check_company=True
    )
    affected_lot_ids = fields.Many2many(
        "stock.lot",
        "stock_recall_affected_lot_rel",
        string="Affected Lots",
        readonly=True,
        copy=False,
        help="The recalled lots and every lot made from them.",
    )
    line_ids = fields.One2many("stock.recall.line", "recall_id", string="Trace", readonly=True)
    customer_ids = fields.One2many("stock.recall.customer", "recall_id", string="Customers")
    affected_partner_ids = fields.Many2many(
        "res.partner", compute="_compute_affected_partner_ids", string="Affected Customers"
    )
    # The figures count the trace lines the user may read: those of the companies the
    # user works in (not stored, never computed as superuser).
    shipped_qty = fields.Float(
        string="Shipped",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Quantity of the affected lots delivered to customers, net of returns.",
    )
    on_hand_qty = fields.Float(
        string="On Hand", compute="_compute_quantities", digits="Product Unit"
    )
    affected_qty = fields.Float(
        compute="_compute_quantities",
        digits="Product Unit",
        help="Shipped and on hand, when traced.",
    )
    hidden_line_count = fields.Integer(
        compute="_compute_hidden_counts",
        help="Trace lines of companies you do not work in: left out of the figures.",
    )
    hidden_customer_count = fields.Integer(
        compute="_compute_hidden_counts",
        help="Customers shipped only by companies you do not work in: left out.",
    )
    hidden_note = fields.Char(compute="_compute_hidden_counts")
    quarantined_qty = fields.Float(readonly=True, copy=False, digits="Product Unit")
    effectiveness = fields.Float(
        string="Effectiveness (%)",
        digits=(16, 1),
        compute="_compute_effectiveness",
        help="The lowest effectiveness of the recalled products: each product's quantity "
        "accounted for (in quarantine, scrapped, back at the vendor, destroyed by "
        "customers since the recall started) over its affected quantity. Quantities of "
        "different products are never added up.",
    )
    trace_seconds = fields.Float(
        string="Trace Time (s)", readonly=True, copy=False, digits=(16, 3)
    )
    accounted_percent = fields.Float(
        string="Quantity Accounted For (%)",
        digits=(16, 1),
        readonly=True,
        copy=False,
        help="Shipped, on hand, consumed and scrapped quantity over the quantity received "
        "or produced of the affected lots.",
    )

    # The figures below read the lines and customers as the user (record rules: their
    # companies), by a search: the recall's line_ids in cache may have been read by
    # another user (or the superuser) in the same transaction.
    @api.depends("customer_ids.partner_id")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_affected_partner_ids(self):
        customers = (
            self.env["stock.recall.customer"]
            .search_fetch([("recall_id", "in", self._origin.ids)], ["recall_id", "partner_id"])
            .grouped("recall_id")
        )
        for recall in self:
            recall.affected_partner_ids = customers.get(
                recall._origin, self.env["stock.recall.customer"]
            ).partner_id

    @api.depends("line_ids.quantity", "line_ids.line_type")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_quantities(self):
        totals = defaultdict(float)
        for recall, line_type, quantity in self.env["stock.recall.line"]._read_group(
            [("recall_id", "in", self._origin.ids)], ["recall_id", "line_type"], ["quantity:sum"]
        ):
            totals[recall.id, line_type] = quantity
        for recall in self:
            recall_id = recall._origin.id
            recall.shipped_qty = totals[recall_id, "delivery"] - totals[recall_id, "return"]
            recall.on_hand_qty = totals[recall_id, "on_hand"]
            recall.affected_qty = recall.shipped_qty + recall.on_hand_qty

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_hidden_counts(self):
        """How many trace lines and customers of each recall the user can not read
        (record rules: their companies): counted as superuser, less those read as the
        user."""
        hidden_lines = self._count_hidden("stock.recall.line")
        hidden_customers = self._count_hidden("stock.recall.customer")
        for recall in self:
            recall.hidden_line_count = hidden_lines[recall._origin.id]
            recall.hidden_customer_count = hidden_customers[recall._origin.id]
            recall.hidden_note = (
                self.env._(
                    "Left out of these figures, as they belong to companies you do not "
                    "work in: %(lines)s trace lines, %(customers)s customers.",
                    lines=recall.hidden_line_count,
                    customers=recall.hidden_customer_count,
                )
                if recall.hidden_line_count or recall.hidden_customer_count
                else False
            )

    @api.depends("product_line_ids.effectiveness", "product_line_ids.affected_qty")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_effectiveness(self):
        for recall in self:
            affected = recall.product_line_ids.filtered(
                lambda line: not line.uom_id.is_zero(line.affected_qty)
            )
            recall.effectiveness = min(affected.mapped("effectiveness"), default=0.0)

    @api.model_create_multi
    def create(self, vals_list):
        # Before the values are read here: the guard mixin's own create comes later.
        self._check_input_values(vals_list)
        # Whether it is a drill is chosen at creation: the record rules say who makes which.
        protected = self._get_button_fields() - {"is_mock"}
        for vals in vals_list:
            check_button_fields(
                self, protected.intersection(vals), lambda: self.env._("a new recall")
            )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.recall") or "/"
        if self.env.su:
            return super().create(vals_list)
        # Defaults come from the caller's context, which RPC lets anyone write: those of
        # the state and figures are dropped (removed, hence a whole new context).
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (key.startswith("default_") and key.removeprefix("default_") in protected)
        }
        recalls = self.with_context(context)  # pylint: disable=context-overridden
        return super(StockRecall, recalls).create(vals_list)

    def write(self, vals):
        # Before the values are read here: the guard mixin's own write comes later.
        self._check_input_values([vals])
        check_button_fields(
            self,
            self._get_button_fields().intersection(vals),
            lambda: ", ".join(self.mapped("name")),
        )
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    def action_trace(self):
        """Trace the recalled lots backward to their receipts and forward to every lot
        made from them and every customer who received any of them."""
        self.ensure_one()
        self._check_can_act(mock_allowed=True)
        self._lock_for_button(
            self.env._(
                "Another user is tracing or changing %(recall)s right now: try again in a moment.",
                recall=self.name,
            )
        )
        if self.state in ("closed", "cancelled"):
            raise UserError(
                self.env._("%(recall)s is over: it can not be traced again.", recall=self.name)
            )
        started = time.perf_counter()
        # Followed into the companies of the user and into those traced before: tracing
        # again as a user of fewer companies keeps what their users see.
        trace = self.env["stock.recall.trace"]._trace_lots(
            self.lot_ids,
            self.company_id,
            companies=self.env.companies | self.sudo().line_ids.company_id,
        )
        self.sudo().line_ids.unlink()
        self.env["stock.recall.line"].sudo()._create_from_trace(self, trace["lines"])
        self.sudo().affected_lot_ids = [fields.Command.set(trace["lot_ids"])]
        self._update_customers(trace["lines"])
        elapsed = time.perf_counter() - started
        vals = {
            "date_traced": fields.Datetime.now(),
            "trace_seconds": elapsed,
            "accounted_percent": trace["accounted_percent"],
        }
        if self.state == "draft":
            vals["state"] = "traced"
        self.sudo().write(vals)
        self._post_trace_summary(trace)
        return True

    def action_close(self):
        self.ensure_one()
        self._check_can_act(mock_allowed=True)
        self._lock_for_button(
            self.env._(
                "Another user is closing or changing %(recall)s right now: try again in a moment.",
                recall=self.name,
            )
        )
        if not (self.resolution_note or "").strip():
            raise UserError(
                self.env._(
                    "Write the resolution of %(recall)s before closing it.", recall=self.name
                )
            )
        if self.state in ("closed", "cancelled"):
            raise UserError(self.env._("%(recall)s is already over.", recall=self.name))
        self.sudo().write({"state": "closed", "date_closed": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Closed. Effectiveness %(effectiveness)s%%. Resolution: %(note)s",
                effectiveness=f"{self.effectiveness:.1f}",
                note=self.resolution_note.strip(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_cancel(self):
        self._check_can_act(mock_allowed=True)
        self._lock_for_button(
            self.env._(
                "Another user is cancelling or changing %(recalls)s right now: try again in a "
                "moment.",
                recalls=", ".join(self.mapped("name")),
            )
        )
        self.filtered(lambda r: r.state != "closed").sudo().write({"state": "cancelled"})
        return True

    def action_view_affected_lots(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_action_batch_register"
        )
        action["domain"] = [("id", "in", self.affected_lot_ids.ids)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ helpers

    @api.model
    def _get_button_fields(self):
        """The fields only the recall's buttons write: its state and its figures."""
        return {
            "is_mock",
            "state",
            "shipped_qty",
            "on_hand_qty",
            "affected_qty",
            "quarantined_qty",
            "effectiveness",
            "trace_seconds",
            "accounted_percent",
            "date_traced",
            "date_quarantined",
            "date_notified",
            "date_closed",
            "affected_lot_ids",
            "line_ids",
        }

    def _check_can_act(self, mock_allowed=False):
        """Quality managers act on recalls; stock users only run mock recalls; a mock
        recall never blocks, moves or emails."""
        self._check_input_ids()
        for recall in self:
            if recall.is_mock and not mock_allowed:
                raise UserError(
                    self.env._(
                        "%(recall)s is a mock recall: it never blocks, moves or emails anything.",
                        recall=recall.name,
                    )
                )
            if not recall.is_mock:
                self.env.user._check_lot_quality_manager(
                    self.env._(
                        "Only quality managers can act on recall %(recall)s.", recall=recall.name
                    )
                )

    def _lock_for_button(self, busy_message):
        """Take these recalls' row locks until the end of the transaction, before a
        button reads their state: two users pressing buttons of one recall at once are
        served one after the other, and who comes second is told ``busy_message``
        (another user is at it) at once instead of waiting. A serialization failure (the
        recall changed since this transaction began) is not caught: Odoo retries the
        request, and the retry sees the state the first user left."""
        if not self.ids:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                # log_exceptions: a busy recall is an answer to the user, not a bad query
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM stock_recall WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
                        tuple(self.ids),
                    ),
                    log_exceptions=False,
                )
        except LockNotAvailable as error:
            raise UserError(busy_message) from error

    def _count_hidden(self, model):
        """``{recall id: number of its records of model}`` the user can not read."""
        domain = [("recall_id", "in", self._origin.ids)]
        hidden = defaultdict(int)
        for env, sign in ((self.sudo().env, 1), (self.env, -1)):
            for recall, count in env[model]._read_group(domain, ["recall_id"], ["__count"]):
                hidden[recall.id] += sign * count
        return hidden

    def _update_customers(self, lines):
        """One customer record per commercial partner that received an affected lot;
        notification records already made are kept."""
        self.ensure_one()
        shipped = defaultdict(float)
        lots = defaultdict(set)
        companies = defaultdict(set)
        last = {}
        for line in lines:
            if line["line_type"] not in ("delivery", "return") or not line.get("partner_id"):
                continue
            partner_id = line["partner_id"]
            sign = 1 if line["line_type"] == "delivery" else -1
            shipped[partner_id] += sign * line["quantity"]
            companies[partner_id].add(line["event_company_id"])
            if line["line_type"] == "delivery":
                lots[partner_id].add(line["lot_id"])
                last[partner_id] = max(last.get(partner_id) or line["date"], line["date"])
        existing = {customer.partner_id.id: customer for customer in self.sudo().customer_ids}
        to_create = []
        for partner_id, quantity in shipped.items():
            vals = {
                "shipped_qty": quantity,
                "lot_ids": [fields.Command.set(sorted(lots[partner_id]))],
                "shipping_company_ids": [fields.Command.set(sorted(companies[partner_id]))],
                "last_shipped_on": last.get(partner_id),
            }
            if partner_id in existing:
                existing[partner_id].sudo().write(vals)
            else:
                to_create.append(dict(vals, recall_id=self.id, partner_id=partner_id))
        # Made by the trace, not by a person: no "created" note nor follower on each of
        # thousands of customers (the recall's chatter tells the trace).
        self.env["stock.recall.customer"].sudo().with_context(tracking_disable=True).create(
            to_create
        )

    def _post_trace_summary(self, trace):
        """Say in the chatter what the trace found. Every user of the recall's company
        reads the chatter: the figures are those of that company's lines, and what other
        companies' lines hold is only counted."""
        self.ensure_one()
        totals = defaultdict(float)
        customers = set()
        other_lines = 0
        for line in trace["lines"]:
            if line["event_company_id"] != self.company_id.id:
                other_lines += 1
                continue
            totals[line["line_type"]] += line["quantity"]
            if line["line_type"] == "delivery" and line.get("partner_id"):
                customers.add(line["partner_id"])
        body = self.env._(
            "Traced in %(seconds)s s: %(lots)s lots (%(recalled)s recalled, the rest made from "
            "them), %(shipped)s shipped to %(customers)s customers, %(on_hand)s on hand, "
            "%(accounted)s%% of the quantity accounted for.",
            seconds=f"{self.trace_seconds:.3f}",
            lots=len(self.affected_lot_ids),
            recalled=len(self.lot_ids),
            shipped=f"{totals['delivery'] - totals['return']:g}",
            customers=len(customers),
            on_hand=f"{totals['on_hand']:g}",
            accounted=f"{self.accounted_percent:.1f}",
        )
        if other_lines:
            other_customers = self.sudo().customer_ids.filtered(
                lambda customer: self.company_id not in customer.shipping_company_ids
            )
            body = Markup("%s<br/>%s") % (
                body,
                self.env._(
                    "In other companies, shown to their users only: %(lines)s trace lines, "
                    "%(customers)s more customers.",
                    lines=other_lines,
                    customers=len(other_customers),
                ),
            )
        if trace["lots_without_moves"]:
            body = Markup("%s<br/>%s") % (
                body,
                self.env._(
                    "No stock move found for %(lots)s: nothing received, made, shipped or "
                    "on hand in %(company)s.",
                    lots=", ".join(trace["lots_without_moves"].mapped("display_name")),
                    company=self.company_id.name,
                ),
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
