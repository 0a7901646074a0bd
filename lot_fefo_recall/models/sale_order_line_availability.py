from collections import defaultdict

from odoo import api, fields, models


class SaleOrderLine(models.Model):
    """What the stock meeting the customer's shelf life rule holds, shown on each
    quotation line next to Odoo's forecast, with a warning while quoting when the line
    asks for more."""

    _inherit = "sale.order.line"

    shelf_life_rule_id = fields.Many2one(
        "stock.shelf.life.rule",
        compute="_compute_shelf_life_availability",
        help="The customer's minimum remaining shelf life rule for this product, for the "
        "delivery address of the quotation. Empty when no rule applies.",
    )
    shelf_life_acceptable_qty = fields.Float(
        string="Acceptable Stock",
        compute="_compute_shelf_life_availability",
        digits="Product Unit",
        help="Free stock of the line's warehouse that meets the customer's shelf life rule "
        "on the shipping date, in the line's unit, less what the lines above ask for the "
        "same product: not blocked, not set aside, not past its removal date.",
    )
    shelf_life_earliest_expiry = fields.Datetime(
        string="Earliest Acceptable Expiry",
        compute="_compute_shelf_life_availability",
        help="Earliest date, among the lots meeting the rule with free stock, of the lot "
        "date the rule is measured against (expiration or best before date).",
    )
    shelf_life_latest_expiry = fields.Datetime(
        string="Latest Acceptable Expiry",
        compute="_compute_shelf_life_availability",
        help="Latest date, among the lots meeting the rule with free stock, of the lot "
        "date the rule is measured against (expiration or best before date).",
    )
    shelf_life_why = fields.Text(
        string="Shelf Life Requirement",
        compute="_compute_shelf_life_availability",
        help="The customer's minimum, the first acceptable lot date, and why this rule applies.",
    )
    shelf_life_short = fields.Boolean(
        string="Short of Acceptable Stock",
        compute="_compute_shelf_life_availability",
        help="The line asks for more than the stock meeting the customer's shelf life rule: "
        "the delivery will be short unless fresher stock arrives.",
    )

    @api.depends(
        "product_id",
        "product_uom_qty",
        "product_uom_id",
        "warehouse_id",
        "state",
        "display_type",
        "company_id",
        "order_id.partner_id",
        "order_id.partner_shipping_id",
        "order_id.commitment_date",
        "order_id.expected_date",
        "order_id.order_line.product_id",
        "order_id.order_line.product_uom_qty",
    )
    def _compute_shelf_life_availability(self):
        figures = self._get_shelf_life_availability()
        empty = {
            "shelf_life_rule_id": False,
            "shelf_life_acceptable_qty": 0.0,
            "shelf_life_earliest_expiry": False,
            "shelf_life_latest_expiry": False,
            "shelf_life_why": False,
            "shelf_life_short": False,
        }
        for line in self:
            line.update(figures.get(line, empty))

    @api.onchange("product_id", "product_uom_qty", "product_uom_id")
    def _onchange_shelf_life_short(self):
        """Say it while quoting, not at picking, when the line asks for more than the
        stock meeting the customer's rule."""
        if not (self.shelf_life_short and self.product_id):
            return None
        order = self.order_id
        return {
            "warning": {
                "title": self.env._("Short-dated stock"),
                "message": self.env._(
                    "Only %(available)s %(uom)s of %(product)s in %(warehouse)s meet "
                    "%(customer)s's shelf life rule (%(ordered)s ordered): the delivery "
                    "will be short unless fresher stock arrives.\n%(why)s",
                    available=f"{self.shelf_life_acceptable_qty:g}",
                    uom=self.product_uom_id.name,
                    product=self.product_id.display_name,
                    warehouse=self.warehouse_id.name,
                    customer=(order.partner_shipping_id or order.partner_id).display_name,
                    ordered=f"{self.product_uom_qty:g}",
                    why=self.shelf_life_why,
                ),
            }
        }

    def _get_shelf_life_availability(self):
        """``{line: field values}`` of the availability fields, for the quotation lines
        among these that sell a storable product with expiration dates under a customer
        rule. A line gets what the lines of its order above it among these (same
        product, warehouse and minimum) leave, as Odoo's forecast does: all of them when
        the order is read or confirmed, the line alone when it is edited."""
        planned = self._get_shelf_life_requests()
        stock = self._get_shelf_life_stock(planned)
        asked = defaultdict(float)
        memo = {}
        figures = {}
        for order, line, rule, request in planned:
            product, _location, field, min_date, _ship_date = request
            quantity, earliest, latest = stock[request]
            left = quantity - asked[order, request]
            ordered = line.product_uom_id._compute_quantity(
                line.product_uom_qty, product.uom_id, round=False
            )
            asked[order, request] += ordered
            figures[line] = {
                "shelf_life_rule_id": rule.id,
                "shelf_life_acceptable_qty": product.uom_id._compute_quantity(
                    max(left, 0.0), line.product_uom_id, rounding_method="DOWN"
                ),
                "shelf_life_earliest_expiry": earliest or False,
                "shelf_life_latest_expiry": latest or False,
                "shelf_life_why": line._describe_shelf_life_requirement(
                    rule, field, min_date, memo
                ),
                "shelf_life_short": product.uom_id.compare(ordered, left) > 0,
            }
        return figures

    def _get_shelf_life_requests(self):
        """``[(order, line, rule, request)]`` for these lines of quotations, in their
        order's sequence, that sell a storable product with expiration dates under a
        customer rule; ``request`` is what stock.quant._get_acceptable_stock takes. One
        rule look-up per order. The rule counts from the commitment date, else the
        expected date, else now; its requested date is the commitment date."""
        Rule = self.env["stock.shelf.life.rule"]
        now = fields.Datetime.now()
        planned = []
        for order, lines in self.grouped("order_id").items():
            if order.state not in ("draft", "sent"):
                continue
            listed = order.order_line.filtered(lambda line, lines=lines: line in lines)
            in_sequence = listed | lines
            candidates = in_sequence.filtered(
                lambda line: (
                    not line.display_type
                    and line.product_id.is_storable
                    and line.product_id.use_expiration_date
                    and line.warehouse_id
                )
            )
            if not candidates:
                continue
            partner = order.partner_shipping_id or order.partner_id
            rules = Rule._get_rules(partner, candidates.product_id, order.company_id)
            ship_date = order.commitment_date or order.expected_date or now
            for line in candidates:
                rule = rules.get(line.product_id)
                if not rule:
                    continue
                min_date = rule._get_min_date(
                    line.product_id,
                    ship_date,
                    line.warehouse_id,
                    requested_date=order.commitment_date or None,
                )
                request = (
                    line.product_id,
                    line.warehouse_id.lot_stock_id,
                    rule._get_lot_date_field(),
                    min_date,
                    ship_date,
                )
                planned.append((order, line, rule, request))
        return planned

    @api.model
    def _get_shelf_life_stock(self, planned):
        """``{request: (quantity, earliest, latest)}`` for the requests of ``planned``
        (see _get_shelf_life_requests), in one stock query."""
        requests = list(dict.fromkeys(request for *_rest, request in planned))
        figures = self.env["stock.quant"]._get_acceptable_stock(requests)
        return dict(zip(requests, figures, strict=True))

    def _describe_shelf_life_requirement(self, rule, field, min_date, memo=None):
        """'60-day minimum: lots expiring on 2026-07-31 or later. Rule for the customer
        ...', the first day where the line's warehouse is. ``memo``: a dict kept across
        the lines of one computation, for what many lines share."""
        self.ensure_one()
        memo = {} if memo is None else memo
        why_key = ("why", rule)
        if why_key not in memo:
            memo[why_key] = rule._explain()
        lots_key = ("lots", rule, field, min_date, self.warehouse_id)
        if lots_key not in memo:
            day = fields.Date.to_string(rule._get_local_day(min_date, self.warehouse_id))
            memo[lots_key] = (
                self.env._("lots best before %(date)s or later", date=day)
                if field == "use_date"
                else self.env._("lots expiring on %(date)s or later", date=day)
            )
        return self.env._(
            "%(minimum)s: %(lots)s. %(why)s",
            minimum=rule._describe_minimum(self.product_id),
            lots=memo[lots_key],
            why=memo[why_key],
        )
