from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_compare, float_round

from .res_users import QUALITY_MANAGER_GROUP

RECALL_SUGGESTED_ACTIVITY = "lot_fefo_recall.mail_activity_type_recall_suggested"


class StockLot(models.Model):
    _inherit = "stock.lot"

    complaint_ids = fields.One2many("stock.lot.complaint", "lot_id", string="Complaint Records")
    complaint_count = fields.Integer(
        string="Complaints",
        compute="_compute_complaint_count",
        store=True,
        help="Customer complaints about this lot, rejected ones left out.",
    )
    # Stored, without dependencies the ORM could follow: recomputed by
    # stock.move._action_done for the lots a customer shipment or return moved.
    shipped_qty = fields.Float(
        string="Shipped to Customers",
        compute="_compute_customer_flows",
        store=True,
        digits="Product Unit",
        help="Quantity of this lot delivered to customers (dropships included).",
    )
    returned_qty = fields.Float(
        string="Returned by Customers",
        compute="_compute_customer_flows",
        store=True,
        digits="Product Unit",
        help="Quantity of this lot customers sent back to us.",
    )
    return_rate = fields.Float(
        string="Return Rate (%)",
        compute="_compute_customer_flows",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Returned by customers ÷ shipped to customers, in percent (0 to 100); 0 "
        "while nothing was shipped.",
    )
    complaint_threshold_reached = fields.Boolean(
        compute="_compute_thresholds_reached",
        store=True,
        help="The lot has as many complaints as its product category's threshold, or more.",
    )
    return_rate_threshold_reached = fields.Boolean(
        string="Return Rate over Threshold",
        compute="_compute_thresholds_reached",
        store=True,
        help="The lot's return rate reached its product category's threshold.",
    )

    @api.depends("complaint_ids.state")
    def _compute_complaint_count(self):
        counts = dict(
            self.env["stock.lot.complaint"]
            .sudo()
            ._read_group(
                [("lot_id", "in", self._origin.ids), ("state", "!=", "rejected")],
                ["lot_id"],
                ["__count"],
            )
        )
        for lot in self:
            lot.complaint_count = counts.get(lot._origin, 0)

    def _compute_customer_flows(self):
        flows = self._get_customer_flows()
        for lot in self:
            shipped, returned = flows.get(lot._origin.id, (0.0, 0.0))
            rounding = lot.product_id.uom_id.rounding or 0.01
            lot.shipped_qty = shipped
            lot.returned_qty = returned
            if float_compare(shipped, 0, precision_rounding=rounding) <= 0:
                lot.return_rate = 0.0
            else:
                rate = float_round(100.0 * returned / shipped, precision_digits=2)
                lot.return_rate = min(max(rate, 0.0), 100.0)

    @api.depends(
        "complaint_count",
        "return_rate",
        "product_id.categ_id.complaint_threshold",
        "product_id.categ_id.return_rate_threshold",
    )
    def _compute_thresholds_reached(self):
        for lot in self:
            category = lot.product_id.categ_id
            lot.complaint_threshold_reached = bool(
                category.complaint_threshold
                and lot.complaint_count >= category.complaint_threshold
            )
            lot.return_rate_threshold_reached = bool(
                category.return_rate_threshold
                and float_compare(lot.return_rate, category.return_rate_threshold, 2) >= 0
            )

    def action_view_lot_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_complaint_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {
            "default_lot_id": self.id,
            "default_company_id": (self.company_id or self.env.company).id,
        }
        return action

    def _get_customer_flows(self):
        """``{lot id: (shipped, returned)}``: quantities, in the product's unit, that
        done moves took to customers and brought back from them. One grouped query for
        all the lots."""
        lot_ids = [lot_id for lot_id in self._origin.ids if lot_id]
        if not lot_ids:
            return {}
        groups = (
            self.env["stock.move.line"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lot_ids),
                    ("state", "=", "done"),
                    "|",
                    ("location_id.usage", "=", "customer"),
                    ("location_dest_id.usage", "=", "customer"),
                ],
                ["lot_id", "location_id.usage", "location_dest_id.usage"],
                ["quantity_product_uom:sum"],
            )
        )
        flows = defaultdict(lambda: [0.0, 0.0])
        for lot, source_usage, dest_usage, quantity in groups:
            if dest_usage == "customer" and source_usage != "customer":
                flows[lot.id][0] += quantity
            elif source_usage == "customer" and dest_usage != "customer":
                flows[lot.id][1] += quantity
        return {lot_id: tuple(flow) for lot_id, flow in flows.items()}

    def _update_customer_flows(self):
        """Recompute the shipped and returned figures of these lots now, then check
        their thresholds."""
        lots = self.exists()
        if not lots:
            return
        names = ["shipped_qty", "returned_qty", "return_rate"]
        for name in names:
            self.env.add_to_compute(self._fields[name], lots)
        # what depends on the figures (the thresholds reached) follows them
        lots.modified(names)
        lots.flush_recordset(names)
        lots._check_complaint_thresholds()

    def _check_complaint_thresholds(self):
        """Suggest a recall to a quality manager, by an activity on the lot, for each of
        these lots that reached a threshold of its product category; one at a time: not
        while the lot has such an activity open."""
        lots = self.exists().sudo()
        lots = lots.filtered(
            lambda lot: lot.complaint_threshold_reached or lot.return_rate_threshold_reached
        )
        if not lots:
            return
        activity_type = self.env.ref(RECALL_SUGGESTED_ACTIVITY)
        open_activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "stock.lot"),
                    ("res_id", "in", lots.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        lots = lots.filtered(lambda lot: lot.id not in open_activities.mapped("res_id"))
        for lot in lots:
            lot.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("Consider recalling lot %(lot)s", lot=lot.name),
                note=lot._get_recall_suggestion_note(),
                user_id=lot._get_quality_manager().id,
            )

    def _get_recall_suggestion_note(self):
        self.ensure_one()
        category = self.product_id.categ_id
        reasons = []
        if self.complaint_threshold_reached:
            reasons.append(
                self.env._(
                    "%(count)s complaints (threshold of %(category)s: %(threshold)s).",
                    count=self.complaint_count,
                    category=category.display_name,
                    threshold=category.complaint_threshold,
                )
            )
        if self.return_rate_threshold_reached:
            reasons.append(
                self.env._(
                    "Return rate %(rate)s %% (%(returned)s returned of %(shipped)s shipped; "
                    "threshold of %(category)s: %(threshold)s %%).",
                    rate=f"{self.return_rate:g}",
                    returned=f"{self.returned_qty:g}",
                    shipped=f"{self.shipped_qty:g}",
                    category=category.display_name,
                    threshold=f"{category.return_rate_threshold:g}",
                )
            )
        intro = self.env._(
            "Lot %(lot)s of %(product)s reached its product category's alert threshold:",
            lot=self.name,
            product=self.product_id.display_name,
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            intro,
            Markup().join(Markup("<li>%s</li>") % reason for reason in reasons),
        )

    def _get_quality_manager(self):
        """Who gets the recall suggestion: the company's expiry responsible when a
        quality manager, else its first quality manager, else the administrator."""
        self.ensure_one()
        company = self.company_id or self.env.company
        managers = (
            self.env.ref(QUALITY_MANAGER_GROUP)
            .sudo()
            .all_user_ids.filtered(
                lambda user: (
                    user.active
                    and not user.share
                    and user.id != self.env.ref("base.user_root").id
                    and company in user.company_ids
                )
            )
            .sorted("id")
        )
        responsible = company.expiry_responsible_id
        if responsible in managers:
            return responsible
        return managers[:1] or self.env.ref("base.user_admin")
