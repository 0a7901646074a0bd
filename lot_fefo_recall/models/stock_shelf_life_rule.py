import datetime
import math

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

# Precedence of a rule, highest first (see _get_rule).
SPECIFICITY = {
    ("customer", "product"): 50,
    ("customer", "category"): 40,
    ("customer", None): 30,
    (None, "product"): 20,
    (None, "category"): 10,
    (None, None): 0,
}


class StockShelfLifeRule(models.Model):
    _name = "stock.shelf.life.rule"
    _description = "Minimum Remaining Shelf Life"
    _inherit = ["mail.thread", "lot_fefo_recall.input.guard"]
    _order = "specificity desc, partner_id, id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
        help="Empty: a default for every customer. A rule for a company covers all its contacts.",
    )
    product_id = fields.Many2one(
        "product.product",
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
        domain=[("use_expiration_date", "=", True)],
    )
    product_categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        index=True,
        ondelete="cascade",
        tracking=True,
        help="The rule covers this category and its subcategories.",
    )
    # Explicit defaults: a create that leaves both minimums out must still reach
    # _check_minimums, which the ORM runs only for the fields a create writes.
    min_remaining_days = fields.Integer(
        string="Minimum Days Left",
        default=0,
        tracking=True,
        help="Days of shelf life the lot must still have on the shipping date.",
    )
    min_remaining_percent = fields.Float(
        string="Minimum % Left",
        default=0.0,
        tracking=True,
        help="Share of the product's total shelf life (its expiration time) the lot must "
        "still have on the shipping date.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text(help="Where the rule comes from, e.g. the customer's supplier manual.")
    specificity = fields.Integer(compute="_compute_specificity", store=True)

    @api.depends("partner_id", "product_id", "product_categ_id")
    def _compute_specificity(self):
        for rule in self:
            rule.specificity = SPECIFICITY[rule._specificity_key()]

    @api.depends("partner_id", "product_id", "product_categ_id")
    def _compute_display_name(self):
        for rule in self:
            customer = rule.partner_id.display_name or self.env._("Every customer")
            scope = rule.product_id.display_name or rule.product_categ_id.display_name
            rule.display_name = f"{customer} / {scope}" if scope else customer

    @api.constrains("min_remaining_days", "min_remaining_percent")
    def _check_minimums(self):
        for rule in self:
            if rule.min_remaining_days < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum days left of %(rule)s can not be negative (%(days)s).",
                        rule=rule.display_name,
                        days=rule.min_remaining_days,
                    )
                )
            if not 0 <= rule.min_remaining_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The minimum %% left of %(rule)s must be between 0 and 100, not "
                        "%(percent)s.",
                        rule=rule.display_name,
                        percent=rule.min_remaining_percent,
                    )
                )
            if not rule.min_remaining_days and not rule.min_remaining_percent:
                raise ValidationError(
                    self.env._(
                        "The rule %(rule)s sets no minimum: give minimum days left, a "
                        "minimum %% left, or both.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains("product_id", "product_categ_id")
    def _check_scope(self):
        for rule in self:
            if rule.product_id and rule.product_categ_id:
                raise ValidationError(
                    self.env._(
                        "A shelf life rule applies to a product or to a category, not both "
                        "(%(product)s, %(category)s).",
                        product=rule.product_id.display_name,
                        category=rule.product_categ_id.display_name,
                    )
                )
            if rule.product_id and not rule.product_id.use_expiration_date:
                raise ValidationError(
                    self.env._(
                        "%(product)s does not use expiration dates, so a shelf life rule "
                        "can not apply to it. Turn on expiration dates on the product first.",
                        product=rule.product_id.display_name,
                    )
                )

    @api.constrains("partner_id", "product_id", "product_categ_id", "company_id", "active")
    def _check_unique_scope(self):
        for rule in self.filtered("active"):
            other = self.search(
                [
                    ("id", "!=", rule.id),
                    ("partner_id", "=", rule.partner_id.id),
                    ("product_id", "=", rule.product_id.id),
                    ("product_categ_id", "=", rule.product_categ_id.id),
                    ("company_id", "=", rule.company_id.id),
                ],
                limit=1,
            )
            if other:
                raise ValidationError(
                    self.env._(
                        "There is already an active rule for %(scope)s: %(other)s (%(minimum)s). "
                        "Change that rule instead of adding a second one.",
                        scope=rule.display_name,
                        other=other.display_name,
                        minimum=other._describe_minimum(),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Before the values are read here: the guard mixin's own create comes later.
        self._check_input_values(vals_list)
        return super().create([self._prepare_commercial_partner_vals(vals) for vals in vals_list])

    def write(self, vals):
        # Before the values are read here: the guard mixin's own write comes later.
        self._check_input_values([vals])
        return super().write(self._prepare_commercial_partner_vals(vals))

    @api.model
    def _prepare_commercial_partner_vals(self, vals):
        """Rules live on the commercial partner, so that they cover every contact."""
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals = dict(vals, partner_id=partner.commercial_partner_id.id)
        return vals

    def _specificity_key(self):
        self.ensure_one()
        scope = "product" if self.product_id else "category" if self.product_categ_id else None
        return ("customer" if self.partner_id else None, scope)

    @api.model
    def _get_rule(self, partner, product, company=None):
        """The rule that applies when ``product`` ships to ``partner``: customer and
        product, customer and category (nearest parent first), customer alone, then the
        defaults for every customer: product, category. Empty when none applies."""
        company = company or self.env.company
        commercial = partner.commercial_partner_id
        domain = Domain.AND(
            [
                Domain("company_id", "=", company.id),
                Domain("partner_id", "in", [commercial.id, False]),
                Domain("product_id", "in", [product.id, False]),
                Domain("product_categ_id", "=", False)
                | Domain("product_categ_id", "parent_of", product.categ_id.id),
            ]
        )
        rules = self.sudo().search(domain)
        if not rules:
            return self.browse()

        def precedence(rule):
            depth = rule.product_categ_id.parent_path.count("/") if rule.product_categ_id else 0
            return (rule.specificity, depth)

        return max(rules, key=precedence).sudo(False)

    def _get_min_remaining_days(self, product):
        """Days of shelf life a lot of ``product`` must still have: the larger of the
        two minimums, so that a lot meets both."""
        self.ensure_one()
        from_percent = math.ceil(product.expiration_time * self.min_remaining_percent / 100)
        return max(self.min_remaining_days, from_percent)

    def _get_min_expiration_date(self, product, ship_date, warehouse=None):
        """Earliest expiration date a lot of ``product`` may have to ship on ``ship_date``:
        a lot qualifies when it expires on the N-th calendar day after the shipping day
        or later, days counted in the warehouse's time zone (see ``_get_day_tz``).

        :return: the start of that N-th day as a naive UTC datetime, so that it compares
            with stored expiration dates (``expiration_date >= boundary``).
        """
        self.ensure_one()
        tz = self._get_day_tz(warehouse)
        ship_day = self._get_local_day(ship_date, warehouse)
        first_day = ship_day + datetime.timedelta(days=self._get_min_remaining_days(product))
        start = tz.localize(datetime.datetime.combine(first_day, datetime.time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    def _get_day_tz(self, warehouse=None):
        """Time zone in which shelf life days are counted: the warehouse's address, else
        its company's (the rule's, else the current one), else UTC. Never the user's: a
        lot must get the same verdict whoever reserves, validates or reports, and the
        shipping day is the warehouse's day."""
        warehouse = warehouse or self.env["stock.warehouse"]
        company = warehouse.company_id or self.company_id[:1] or self.env.company
        name = warehouse.partner_id.tz or company.partner_id.tz
        return pytz.timezone(name) if name else pytz.utc

    def _get_local_day(self, value, warehouse=None):
        """The calendar day the UTC datetime ``value`` falls on where the warehouse is."""
        return pytz.utc.localize(value).astimezone(self._get_day_tz(warehouse)).date()

    def _describe_minimum(self, product=None):
        """'60-day minimum', '50% (60 days) minimum'... in the user's words."""
        self.ensure_one()
        if self.min_remaining_percent:
            if product and self.min_remaining_days:
                return self.env._(
                    "%(days)s-day minimum (%(percent)s%% of %(total)s days, at least "
                    "%(floor)s days)",
                    days=self._get_min_remaining_days(product),
                    percent=f"{self.min_remaining_percent:g}",
                    total=product.expiration_time,
                    floor=self.min_remaining_days,
                )
            if product:
                return self.env._(
                    "%(days)s-day minimum (%(percent)s%% of %(total)s days)",
                    days=self._get_min_remaining_days(product),
                    percent=f"{self.min_remaining_percent:g}",
                    total=product.expiration_time,
                )
            if self.min_remaining_days:
                return self.env._(
                    "%(days)s-day and %(percent)s%% minimum",
                    days=self.min_remaining_days,
                    percent=f"{self.min_remaining_percent:g}",
                )
            return self.env._("%(percent)s%% minimum", percent=f"{self.min_remaining_percent:g}")
        return self.env._("%(days)s-day minimum", days=self.min_remaining_days)
