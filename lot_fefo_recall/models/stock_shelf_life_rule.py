import calendar
import datetime
import math

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

# Precedence of a rule (see _get_rules): the partner side first, then the product side.
# Delivery address (ship-to) > customer > customer tag > destination country > everyone;
# product > category (nearest first) > every product.
PARTNER_RANK = {"ship_to": 4, "customer": 3, "tag": 2, "country": 1, "all": 0}
PRODUCT_RANK = {"product": 2, "category": 1, "all": 0}
# The fields that say where a rule applies, partner side.
PARTNER_SCOPE_FIELDS = {
    "partner_shipping_id": "ship_to",
    "partner_id": "customer",
    "partner_category_id": "tag",
    "country_id": "country",
}
# What a rule measures: changing one of them leaves what is reserved as it is.
MEASURE_FIELDS = (
    "min_remaining_days",
    "min_remaining_percent",
    "date_basis",
    "reference",
    "transit_days",
    "rounding",
    "strictness",
)


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
        help="The rule covers every contact and delivery address of this customer (it is "
        "stored on the company). Empty: see the other scopes, else a default for everyone.",
    )
    partner_shipping_id = fields.Many2one(
        "res.partner",
        string="Delivery Address",
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
        help="The rule covers deliveries to this address only (ship-to), e.g. one "
        "distribution centre of a retailer: it comes before the customer's rule.",
    )
    partner_category_id = fields.Many2one(
        "res.partner.category",
        string="Customer Tag",
        index=True,
        ondelete="cascade",
        tracking=True,
        help="The rule covers customers with this tag (a customer group): it comes after a "
        "customer's own rule and before a country's.",
    )
    country_id = fields.Many2one(
        "res.country",
        string="Destination Country",
        index=True,
        ondelete="cascade",
        tracking=True,
        help="The rule covers deliveries to addresses in this country, e.g. exports that "
        "need more shelf life for the journey and the customs.",
    )
    partner_scope = fields.Selection(
        [
            ("ship_to", "Delivery address"),
            ("customer", "Customer"),
            ("tag", "Customer tag"),
            ("country", "Country"),
            ("all", "Every customer"),
        ],
        string="Applies to",
        compute="_compute_specificity",
        store=True,
        help="Which deliveries the rule covers; the most specific rule wins.",
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
        help="Days of shelf life the lot must still have on the reference date.",
    )
    min_remaining_percent = fields.Float(
        string="Minimum % Left",
        default=0.0,
        tracking=True,
        help="Share of the product's total shelf life the lot must still have on the "
        "reference date: its expiration time, or for a best-before rule the time from "
        "production to the best before date.",
    )
    date_basis = fields.Selection(
        [("expiration", "Expiration date"), ("use", "Best before date")],
        string="Measured Against",
        default="expiration",
        required=True,
        tracking=True,
        help="The lot date the days left are counted to: its expiration date, or its best "
        "before date (lots of products that set no best before time fall back to the "
        "expiration date, which is then the same).",
    )
    reference = fields.Selection(
        [("ship", "Shipping date"), ("requested", "Requested delivery date + transit")],
        string="Counted From",
        default="ship",
        required=True,
        tracking=True,
        help="The day the days left are counted from: the day the goods leave the "
        "warehouse, or the delivery date the customer asked for on the sale order "
        "(its shipping date when it asked for none) plus the transit days.",
    )
    transit_days = fields.Integer(
        default=0,
        tracking=True,
        help="Days on the road (route or carrier) added to the requested delivery date.",
    )
    rounding = fields.Selection(
        [("none", "No rounding"), ("week", "End of the week"), ("month", "End of the month")],
        default="none",
        required=True,
        tracking=True,
        help="Move the minimum date to the end of its week (Sunday) or month, as retailers "
        "that receive by period ask: a lot must then last until that day.",
    )
    strictness = fields.Selection(
        [("block", "Block"), ("warn", "Warn")],
        default="block",
        required=True,
        tracking=True,
        help="Block: deliveries never reserve lots short of the minimum. Warn: they reserve "
        "the usual way and a delivery holding a short lot is flagged, with an activity "
        "for the salesperson.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text(help="Where the rule comes from, e.g. the customer's supplier manual.")
    specificity = fields.Integer(
        compute="_compute_specificity",
        store=True,
        help="Precedence of the rule: the most specific rule that covers a delivery wins.",
    )

    @api.depends(*PARTNER_SCOPE_FIELDS, "product_id", "product_categ_id")
    def _compute_specificity(self):
        for rule in self:
            partner_scope, product_scope = rule._specificity_key()
            rule.partner_scope = partner_scope
            rule.specificity = PARTNER_RANK[partner_scope] * 10 + PRODUCT_RANK[product_scope]

    @api.depends(*PARTNER_SCOPE_FIELDS, "product_id", "product_categ_id")
    def _compute_display_name(self):
        for rule in self:
            scope = rule._describe_partner_scope()
            product = rule.product_id.display_name or rule.product_categ_id.display_name
            rule.display_name = f"{scope} / {product}" if product else scope

    def _describe_partner_scope(self):
        self.ensure_one()
        if self.partner_shipping_id:
            return self.env._(
                "Delivery to %(address)s", address=self.partner_shipping_id.display_name
            )
        if self.partner_id:
            return self.partner_id.display_name
        if self.partner_category_id:
            return self.env._(
                "Customers tagged %(tag)s", tag=self.partner_category_id.display_name
            )
        if self.country_id:
            return self.env._("Deliveries to %(country)s", country=self.country_id.name)
        return self.env._("Every customer")

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

    @api.constrains("transit_days", "reference", "rounding", "min_remaining_days")
    def _check_reference(self):
        for rule in self:
            if rule.transit_days < 0:
                raise ValidationError(
                    self.env._(
                        "The transit days of %(rule)s can not be negative (%(days)s).",
                        rule=rule.display_name,
                        days=rule.transit_days,
                    )
                )
            if rule.transit_days and rule.reference != "requested":
                raise ValidationError(
                    self.env._(
                        "The rule %(rule)s counts from the shipping date: transit days are "
                        "added to the requested delivery date only. Count from the requested "
                        "delivery date, or set the transit days to 0.",
                        rule=rule.display_name,
                    )
                )
            if rule.rounding != "none" and not rule.min_remaining_days:
                raise ValidationError(
                    self.env._(
                        "The rule %(rule)s rounds its minimum date to the end of a week or "
                        "month but sets no minimum days left: give the minimum days, or no "
                        "rounding.",
                        rule=rule.display_name,
                    )
                )

    @api.constrains(*PARTNER_SCOPE_FIELDS, "product_id", "product_categ_id")
    def _check_scope(self):
        labels = {
            name: self._fields[name]._description_string(self.env) for name in PARTNER_SCOPE_FIELDS
        }
        for rule in self:
            scopes = [name for name in PARTNER_SCOPE_FIELDS if rule[name]]
            if len(scopes) > 1:
                raise ValidationError(
                    self.env._(
                        "A shelf life rule applies to one of: a delivery address, a customer, "
                        "a customer tag or a country, not several (%(scopes)s). Make one rule "
                        "for each.",
                        scopes=", ".join(labels[name] for name in scopes),
                    )
                )
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

    @api.constrains(
        *PARTNER_SCOPE_FIELDS, "product_id", "product_categ_id", "company_id", "active"
    )
    def _check_unique_scope(self):
        scope_fields = [*PARTNER_SCOPE_FIELDS, "product_id", "product_categ_id", "company_id"]
        for rule in self.filtered("active"):
            other = self.search(
                [("id", "!=", rule.id)] + [(name, "=", rule[name].id) for name in scope_fields],
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
        res = super().write(self._prepare_commercial_partner_vals(vals))
        if any(name in vals for name in MEASURE_FIELDS):
            self._post_reservations_unchanged()
        return res

    def _post_reservations_unchanged(self):
        """A changed rule applies to the next reservations; what deliveries already hold
        stays as it is until someone checks availability again. Said on the rule."""
        for rule in self:
            rule.message_post(
                body=self.env._(
                    "The rule changed: what open deliveries have already reserved is "
                    "unchanged. Unreserve and check availability on a delivery to apply "
                    "the new minimum to it; new reservations follow it at once."
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _prepare_commercial_partner_vals(self, vals):
        """Rules live on the commercial partner, so that they cover every contact."""
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals = dict(vals, partner_id=partner.commercial_partner_id.id)
        return vals

    def _specificity_key(self):
        """``(partner scope, product scope)`` of the rule, as in PARTNER_RANK and
        PRODUCT_RANK."""
        self.ensure_one()
        partner_scope = next(
            (scope for name, scope in PARTNER_SCOPE_FIELDS.items() if self[name]), "all"
        )
        product_scope = (
            "product" if self.product_id else "category" if self.product_categ_id else "all"
        )
        return partner_scope, product_scope

    @api.model
    def _get_rule(self, partner, product, company=None):
        """The rule that applies when ``product`` ships to ``partner`` (the delivery
        address when known, else the customer). Empty when none applies."""
        return self._get_rules(partner, product, company).get(product, self.browse())

    @api.model
    def _get_rules(self, partner, products, company=None):
        """``{product: rule}`` for the ``products`` shipping to ``partner``, one search
        for all of them; products no rule covers are left out.

        Precedence: the partner side first, delivery address (``partner`` itself) >
        customer (its commercial partner) > customer tag (the address's or the
        customer's) > destination country (the address's, else the customer's) > every
        customer; then the product side, product > category (nearest first) > every
        product. Two tags of one customer with rules for the same products: the rule
        asking more days wins."""
        company = company or self.env.company
        commercial = partner.commercial_partner_id
        tags = partner.category_id | commercial.category_id
        country = partner.country_id or commercial.country_id
        everyone = Domain.AND([Domain(name, "=", False) for name in PARTNER_SCOPE_FIELDS])
        partner_side = Domain.OR(
            [
                Domain("partner_shipping_id", "=", partner.id) if partner else Domain.FALSE,
                Domain("partner_id", "=", commercial.id) if commercial else Domain.FALSE,
                Domain("partner_category_id", "in", tags.ids) if tags else Domain.FALSE,
                Domain("country_id", "=", country.id) if country else Domain.FALSE,
                everyone,
            ]
        )
        categories = products.categ_id
        product_side = (
            Domain("product_id", "in", products.ids)
            | (Domain("product_id", "=", False) & Domain("product_categ_id", "=", False))
            | Domain("product_categ_id", "parent_of", categories.ids)
        )
        rules = self.sudo().search(
            Domain("company_id", "=", company.id) & partner_side & product_side
        )
        result = {}
        if not rules:
            return result
        for product in products:
            parents = product.categ_id.parent_path or ""

            def covers(rule, product=product, parents=parents):
                if rule.product_id:
                    return rule.product_id == product
                if rule.product_categ_id:
                    return f"/{rule.product_categ_id.id}/" in f"/{parents}"
                return True

            def precedence(rule, product=product):
                depth = (
                    rule.product_categ_id.parent_path.count("/") if rule.product_categ_id else 0
                )
                return (rule.specificity, depth, rule._get_min_remaining_days(product), -rule.id)

            candidates = rules.filtered(covers)
            if candidates:
                result[product] = max(candidates, key=precedence).sudo(False)
        return result

    def _get_total_shelf_life(self, product):
        """Days a lot of ``product`` lives, to the date the rule measures against: the
        product's expiration time, less its best before time for a best-before rule."""
        self.ensure_one()
        total = product.expiration_time
        if self.date_basis == "use":
            total -= product.use_time
        return max(total, 0)

    def _get_min_remaining_days(self, product):
        """Days of shelf life a lot of ``product`` must still have: the larger of the
        two minimums, so that a lot meets both."""
        self.ensure_one()
        total = self._get_total_shelf_life(product)
        from_percent = math.ceil(total * self.min_remaining_percent / 100)
        return max(self.min_remaining_days, from_percent)

    def _get_lot_date_field(self):
        """The stock.lot date the rule's minimum applies to."""
        self.ensure_one()
        return "use_date" if self.date_basis == "use" else "expiration_date"

    def _get_reference_date(self, ship_date, requested_date=None):
        """The UTC datetime the days left are counted from (see ``reference``)."""
        self.ensure_one()
        if self.reference != "requested":
            return ship_date
        return (requested_date or ship_date) + datetime.timedelta(days=self.transit_days)

    def _round_day(self, day):
        """``day`` moved to the end of its week (Sunday) or month, per ``rounding``."""
        self.ensure_one()
        if self.rounding == "week":
            return day + datetime.timedelta(days=6 - day.weekday())
        if self.rounding == "month":
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day

    def _get_min_date(self, product, ship_date, warehouse=None, requested_date=None):
        """Earliest value the rule's lot date (``_get_lot_date_field``) may have for a
        lot of ``product`` shipping on ``ship_date`` to a customer who asked for
        ``requested_date``: the lot qualifies when that date falls on the N-th calendar
        day after the reference day or later (rounded per ``rounding``), days counted
        in the warehouse's time zone (see ``_get_day_tz``).

        :return: the start of that day as a naive UTC datetime, so that it compares
            with stored lot dates (``lot_date >= boundary``).
        """
        self.ensure_one()
        tz = self._get_day_tz(warehouse)
        reference_day = self._get_local_day(
            self._get_reference_date(ship_date, requested_date), warehouse
        )
        first_day = self._round_day(
            reference_day + datetime.timedelta(days=self._get_min_remaining_days(product))
        )
        start = tz.localize(datetime.datetime.combine(first_day, datetime.time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    def _get_min_expiration_date(self, product, ship_date, warehouse=None):
        """``_get_min_date`` without a requested delivery date."""
        return self._get_min_date(product, ship_date, warehouse)

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
        """'60-day minimum', '50% (60 days) minimum'... in the user's words, with what
        it is measured against and counted from when that is not the expiration date
        and the shipping date."""
        self.ensure_one()
        minimum = self._describe_minimum_days(product)
        details = []
        if self.date_basis == "use":
            details.append(self.env._("to the best before date"))
        if self.reference == "requested":
            details.append(
                self.env._(
                    "from the requested delivery date + %(days)s transit days",
                    days=self.transit_days,
                )
                if self.transit_days
                else self.env._("from the requested delivery date")
            )
        if self.rounding != "none":
            details.append(
                self.env._("rounded to the end of the week")
                if self.rounding == "week"
                else self.env._("rounded to the end of the month")
            )
        if details:
            minimum = self.env._(
                "%(minimum)s %(details)s", minimum=minimum, details=", ".join(details)
            )
        if self.strictness == "warn":
            minimum = self.env._("%(minimum)s (warning only)", minimum=minimum)
        return minimum

    def _explain(self):
        """Why this rule applies, in one line: the scope that matched and what it comes
        before (see ``_get_rules``)."""
        self.ensure_one()
        partner_scope, product_scope = self._specificity_key()
        why = {
            "ship_to": self.env._(
                "Rule for the delivery address %(name)s: it comes before the customer's, "
                "customer tag, country and default rules",
                name=self.partner_shipping_id.display_name,
            ),
            "customer": self.env._(
                "Rule for the customer %(name)s: no rule for the delivery address; it comes "
                "before customer tag, country and default rules",
                name=self.partner_id.display_name,
            ),
            "tag": self.env._(
                "Rule for customers tagged %(name)s: no rule for the delivery address or the "
                "customer; it comes before country and default rules",
                name=self.partner_category_id.display_name,
            ),
            "country": self.env._(
                "Rule for deliveries to %(name)s: no rule for the delivery address, the "
                "customer or its tags",
                name=self.country_id.name,
            ),
            "all": self.env._(
                "Default rule for every customer: no rule for the delivery address, the "
                "customer, its tags or its country"
            ),
        }[partner_scope]
        products = {
            "product": self.env._("for %(name)s", name=self.product_id.display_name),
            "category": self.env._(
                "for the category %(name)s", name=self.product_categ_id.display_name
            ),
            "all": self.env._("for every product"),
        }[product_scope]
        return self.env._("%(why)s, %(products)s.", why=why, products=products)

    def _describe_minimum_days(self, product=None):
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
