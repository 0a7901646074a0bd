from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain

# Trace events that bring stock of a lot in, or take it out, of our locations: used to
# wind the on-hand quantity seen by the trace back to the day the recall started.
_INFLOWS = ("receipt", "produced", "return", "transit_in", "adjustment_in")
_OUTFLOWS = ("delivery", "consumed", "scrapped", "transit_out", "adjustment_out")


class StockRecallProduct(models.Model):
    """The figures of a recall for one product, in the product's unit of measure.

    Quantities of different products are never added up: jars and gift boxes do not make
    a total. Each figure counts a unit once, by where it is now (in quarantine, scrapped,
    back at the vendor) or by what its customer declared destroyed, and only what
    happened after the recall started."""

    _name = "stock.recall.product"
    _description = "Recall Product Figures"
    _inherit = ["lot_fefo_recall.input.guard"]
    _order = "recall_id, product_id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    shipped_qty = fields.Float(
        string="At Customers",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Shipped to customers, net of what they returned, when the recall started.",
    )
    on_hand_qty = fields.Float(
        string="In House",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Our stock of the affected lots when the recall started.",
    )
    affected_qty = fields.Float(compute="_compute_quantities", digits="Product Unit")
    returned_qty = fields.Float(
        string="Returned",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Received back from customers since the recall started.",
    )
    quarantined_qty = fields.Float(
        string="In Quarantine",
        compute="_compute_quantities",
        digits="Product Unit",
        help="In the warehouses' quarantine locations now.",
    )
    scrapped_qty = fields.Float(
        string="Scrapped",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Scrapped since the recall started.",
    )
    vendor_returned_qty = fields.Float(
        string="Sent Back to Vendor",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Returned to the vendor since the recall started.",
    )
    destroyed_qty = fields.Float(
        string="Destroyed by Customers",
        compute="_compute_quantities",
        digits="Product Unit",
        help="Declared returned or destroyed by customers and not received back here.",
    )
    corrected_qty = fields.Float(
        string="Accounted For",
        compute="_compute_quantities",
        digits="Product Unit",
        help="In quarantine, scrapped, back at the vendor or destroyed by customers; "
        "never more than the affected quantity.",
    )
    effectiveness = fields.Float(
        string="Effectiveness (%)",
        digits=(16, 1),
        compute="_compute_quantities",
        help="Accounted for over affected quantity, at most 100 %.",
    )

    _unique_product = models.Constraint(
        "UNIQUE (recall_id, product_id)", "A product appears once per recall."
    )

    @api.depends(
        "recall_id.line_ids",
        "recall_id.date_start",
        "recall_id.customer_ids.returned_qty",
        "recall_id.customer_ids.answer_return_qty",
        "recall_id.customer_ids.return_received_qty",
    )
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_quantities(self):
        # The trace lines and customers the user reads (record rules: their companies),
        # searched: the recalls' line_ids in cache may be another user's.
        recalls = self.recall_id
        lines = self.env["stock.recall.line"].search([("recall_id", "in", recalls.ids)])
        lines_by_recall = lines.grouped("recall_id")
        customers = (
            self.env["stock.recall.customer"]
            .search([("recall_id", "in", recalls.ids)])
            .grouped("recall_id")
        )
        figures = defaultdict(float)
        for recall in recalls:
            recall_lines = lines_by_recall.get(recall, lines.browse())
            self._add_trace_figures(recall, recall_lines, figures)
            self._add_customer_figures(
                recall, recall_lines, customers.get(recall, recall.customer_ids.browse()), figures
            )
        self._add_stock_figures(recalls, recalls.company_id | lines.company_id, figures)
        for line in self:
            key = (line.recall_id.id, line.product_id.id)
            rounding = line.product_id.uom_id.rounding
            line.shipped_qty = figures[(*key, "shipped")]
            line.on_hand_qty = figures[(*key, "on_hand")]
            line.affected_qty = max(line.shipped_qty + line.on_hand_qty, 0.0)
            line.returned_qty = figures[(*key, "returned")]
            line.quarantined_qty = figures[(*key, "quarantined")]
            line.scrapped_qty = figures[(*key, "scrapped")]
            line.vendor_returned_qty = figures[(*key, "vendor")]
            line.destroyed_qty = figures[(*key, "destroyed")]
            accounted = (
                line.quarantined_qty
                + line.scrapped_qty
                + line.vendor_returned_qty
                + line.destroyed_qty
            )
            line.corrected_qty = min(accounted, line.affected_qty)
            line.effectiveness = (
                100.0 * line.corrected_qty / line.affected_qty
                if line.affected_qty > rounding
                else 0.0
            )

    @api.model
    def _add_trace_figures(self, recall, lines, figures):
        """Shipped and on hand when the recall started, from its trace ``lines``: events
        after the start are wound back, so tracing again later gives the same base."""
        start = recall.date_start
        for line in lines:
            key = (recall.id, line.product_id.id)
            before = not (start and line.date and line.date > start)
            if line.line_type == "on_hand":
                figures[(*key, "on_hand")] += line.quantity
            elif line.line_type == "delivery" and before:
                figures[(*key, "shipped")] += line.quantity
            elif line.line_type == "return" and before:
                figures[(*key, "shipped")] -= line.quantity
            elif not before and line.line_type in _INFLOWS:
                figures[(*key, "on_hand")] -= line.quantity
            elif not before and line.line_type in _OUTFLOWS:
                figures[(*key, "on_hand")] += line.quantity

    @api.model
    def _add_customer_figures(self, recall, lines, customers, figures):
        """What customers took off the market themselves: their returned or destroyed
        quantity less what they send back here (promised in their answer, or received,
        whichever is more), which counts where it lands. Shared among the products each
        received in proportion to what they received, never more than that (``lines``
        and ``customers`` of ``recall``)."""
        start = recall.date_start
        received = defaultdict(lambda: defaultdict(float))
        for line in lines:
            if line.line_type not in ("delivery", "return") or not line.partner_id:
                continue
            if start and line.date and line.date > start:
                continue
            sign = 1 if line.line_type == "delivery" else -1
            received[line.partner_id.id][line.product_id.id] += sign * line.quantity
        for customer in customers:
            declared = customer.returned_qty - max(
                customer.answer_return_qty, customer.return_received_qty
            )
            by_product = {p: q for p, q in received[customer.partner_id.id].items() if q > 0}
            total = sum(by_product.values())
            if declared <= 0 or not total:
                continue
            for product_id, quantity in by_product.items():
                figures[(recall.id, product_id, "destroyed")] += min(
                    quantity, declared * quantity / total
                )

    @api.model
    def _add_stock_figures(self, recalls, companies, figures):
        """Stock in quarantine now, and what customers returned, was scrapped or sent
        back to the vendor since each recall started: two reads for all recalls, in
        ``companies`` (those whose trace lines the user reads)."""
        lots = recalls.affected_lot_ids
        if not lots:
            return
        recalls_by_lot = defaultdict(list)
        for recall in recalls:
            for lot in recall.affected_lot_ids:
                recalls_by_lot[lot.id].append(recall)
        quarantines = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "in", recalls.company_id.ids)])
            .quarantine_location_id
        )
        in_quarantine = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [("lot_id", "in", lots.ids), ("location_id", "in", quarantines.ids)],
                ["lot_id", "product_id"],
                ["quantity:sum"],
            )
            if quarantines
            else []
        )
        for lot, product, quantity in in_quarantine:
            for recall in recalls_by_lot[lot.id]:
                figures[(recall.id, product.id, "quarantined")] += quantity
        start = min(recalls.mapped(lambda r: r.date_start or fields.Datetime.now()))
        moved = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                Domain.AND(
                    [
                        [
                            ("lot_id", "in", lots.ids),
                            ("state", "=", "done"),
                            ("date", ">", start),
                            ("company_id", "in", companies.ids),
                        ],
                        Domain("move_id.scrap_id", "!=", False)
                        | (
                            Domain("location_id.usage", "=", "internal")
                            & Domain("location_dest_id.usage", "=", "supplier")
                        )
                        | (
                            Domain("location_id.usage", "=", "customer")
                            & Domain("location_dest_id.usage", "=", "internal")
                        ),
                    ]
                )
            )
        )
        for move_line in moved:
            if move_line.move_id.scrap_id:
                kind = "scrapped"
            elif move_line.location_id.usage == "customer":
                kind = "returned"
            else:
                kind = "vendor"
            for recall in recalls_by_lot[move_line.lot_id.id]:
                if recall.date_start and move_line.date > recall.date_start:
                    figures[(recall.id, move_line.product_id.id, kind)] += (
                        move_line.quantity_product_uom
                    )
