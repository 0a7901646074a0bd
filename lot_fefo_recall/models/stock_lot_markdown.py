from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class StockMarkdownStep(models.Model):
    """How much to mark a lot down by the days it has left: the tightest step that
    covers the lot's days left applies, inside the company's discount window (Settings ▸
    Expiry Review ▸ Suggest discounting)."""

    _name = "stock.markdown.step"
    _description = "Near-Expiry Markdown Step"
    _order = "company_id, days_left"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    days_left = fields.Integer(
        string="Days Left or Fewer",
        required=True,
        help="Applies to lots with this many days left, or fewer.",
    )
    discount = fields.Float(string="Discount (%)", required=True, digits=(16, 2))

    _unique_days = models.Constraint(
        "unique (company_id, days_left)",
        "A company has one markdown step per number of days left.",
    )

    @api.constrains("days_left", "discount")
    def _check_step(self):
        for step in self:
            if step.days_left <= 0:
                raise ValidationError(
                    self.env._(
                        "A markdown step is for lots with some days left: %(days)s is not "
                        "more than 0.",
                        days=step.days_left,
                    )
                )
            if not 0 < step.discount < 100:
                raise ValidationError(
                    self.env._(
                        "A markdown discount is between 0 and 100 %%, not %(discount)s.",
                        discount=f"{step.discount:g}",
                    )
                )

    @api.model
    def _get_discount(self, company, days_left):
        """The discount (%) a lot of ``company`` with ``days_left`` gets: 0 outside the
        company's window or without a step covering it."""
        if days_left is None or days_left < 0 or days_left > company.expiry_discount_days:
            return 0.0
        step = self.search(
            [("company_id", "=", company.id), ("days_left", ">=", days_left)],
            order="days_left",
            limit=1,
        )
        return step.discount


class StockLotMarkdown(models.Model):
    """A price cut for near-expiry lots: the price list rule it created, the lots it is
    for, and what it brought back compared with what was still written off."""

    _name = "stock.lot.markdown"
    _description = "Near-Expiry Markdown"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one("product.product", required=True, index=True)
    lot_ids = fields.Many2many("stock.lot", string="Lots", required=True)
    pricelist_id = fields.Many2one("product.pricelist", required=True)
    pricelist_item_id = fields.Many2one(
        "product.pricelist.item", string="Price List Rule", ondelete="set null"
    )
    discount = fields.Float(string="Discount (%)", digits=(16, 2))
    date_start = fields.Datetime(required=True)
    date_end = fields.Datetime(required=True)
    note = fields.Text()
    quantity = fields.Float(string="Quantity at Markdown", digits="Product Unit")
    value = fields.Monetary(string="Value at Cost")
    sold_qty = fields.Float(
        string="Sold", compute="_compute_results", store=True, digits="Product Unit"
    )
    recovered_value = fields.Monetary(
        string="Value Recovered",
        compute="_compute_results",
        store=True,
        help="Revenue (untaxed, after discount) of the deliveries of these lots to "
        "customers during the markdown.",
    )
    written_off_qty = fields.Float(
        string="Written Off", compute="_compute_results", store=True, digits="Product Unit"
    )
    written_off_value = fields.Monetary(
        string="Value Written Off",
        compute="_compute_results",
        store=True,
        help="Cost of what of these lots was still written off after the markdown began.",
    )

    @api.depends("lot_ids", "date_start", "date_end")
    def _compute_results(self):
        results = self._get_results()
        for markdown in self:
            values = results.get(markdown._origin.id or markdown.id, {})
            markdown.sold_qty = values.get("sold_qty", 0.0)
            markdown.recovered_value = values.get("recovered_value", 0.0)
            markdown.written_off_qty = values.get("written_off_qty", 0.0)
            markdown.written_off_value = values.get("written_off_value", 0.0)

    def _get_results(self):
        """``{markdown id: {sold_qty, recovered_value, written_off_qty,
        written_off_value}}`` from one read of the lots' deliveries and one of their
        write-offs."""
        markdowns = self.filtered(lambda m: m._origin.id and m.lot_ids)
        if not markdowns:
            return {}
        lots = markdowns.lot_ids
        start = min(markdowns.mapped("date_start"))
        end = max(markdowns.mapped("date_end"))
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search_fetch(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "!=", "customer"),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ],
                ["lot_id", "date", "quantity_product_uom", "move_id"],
            )
        )
        writeoffs = (
            self.env["stock.expiry.writeoff.line"]
            .sudo()
            .search_fetch(
                [
                    ("lot_id", "in", lots.ids),
                    ("action", "in", ("scrapped", "moved")),
                    ("date", ">=", start),
                ],
                ["lot_id", "date", "quantity", "value"],
            )
        )
        by_lot = defaultdict(list)
        for line in lines:
            by_lot[line.lot_id.id].append(line)
        writeoffs_by_lot = defaultdict(list)
        for line in writeoffs:
            writeoffs_by_lot[line.lot_id.id].append(line)
        results = {}
        for markdown in markdowns:
            values = dict.fromkeys(
                ("sold_qty", "recovered_value", "written_off_qty", "written_off_value"), 0.0
            )
            for lot in markdown.lot_ids:
                for line in by_lot[lot.id]:
                    if not markdown.date_start <= line.date <= markdown.date_end:
                        continue
                    values["sold_qty"] += line.quantity_product_uom
                    sale_line = line.move_id.sale_line_id
                    if sale_line:
                        price = sale_line.currency_id._convert(
                            sale_line.price_reduce_taxexcl,
                            markdown.company_id.currency_id,
                            markdown.company_id,
                            line.date,
                        )
                        # the line's price is per its unit; the quantity is the product's
                        qty = line.product_id.uom_id._compute_quantity(
                            line.quantity_product_uom, sale_line.product_uom_id
                        )
                        values["recovered_value"] += qty * price
                for line in writeoffs_by_lot[lot.id]:
                    if line.date >= markdown.date_start:
                        values["written_off_qty"] += line.quantity
                        values["written_off_value"] += line.value
            results[markdown.id] = values
        return results

    def action_refresh_results(self):
        self._compute_results()
        return True

    @api.model
    def _cron_refresh_results(self):
        """Deliveries and write-offs after the markdown began change its results: keep
        those of markdowns running or ended in the last 90 days up to date."""
        since = fields.Datetime.subtract(fields.Datetime.now(), days=90)
        self.search([("date_end", ">=", since)])._compute_results()
