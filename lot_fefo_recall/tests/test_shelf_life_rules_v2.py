from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestShelfLifeRulesV2(LotFefoRecallCase):
    """Where a rule applies (delivery address, customer, customer tag, country, everyone;
    product, category), what it measures (days or percent, to the expiration or the best
    before date, from the shipping or the requested delivery date, rounded) and the
    rules a user can not save."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["stock.shelf.life.rule"]
        cls.Rule.with_context(active_test=False).search([]).unlink()
        cls.belgium = cls.env.ref("base.be")
        cls.france = cls.env.ref("base.fr")
        cls.customer.country_id = cls.belgium
        cls.depot = cls.env["res.partner"].create(
            {
                "name": "Depot North",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "country_id": cls.france.id,
            }
        )
        cls.key_account = cls.env["res.partner.category"].create({"name": "Key Account"})
        cls.discounter = cls.env["res.partner.category"].create({"name": "Discounter"})
        cls.customer.category_id = cls.key_account | cls.discounter
        cls.product.use_time = 30  # best before 30 days before the expiration date

    def _rule(self, days=0, percent=0, **values):
        vals = {"min_remaining_days": days, "min_remaining_percent": percent}
        vals.update({k: v.id if hasattr(v, "_name") else v for k, v in values.items()})
        return self.Rule.create(vals)

    def test_precedence_partner_side_first(self):
        """Delivery address > customer > customer tag > country > everyone, whatever
        the product side; within one partner scope, product > category > all."""
        get = self.Rule._get_rule
        self.assertFalse(get(self.depot, self.product))
        everyone = self._rule(5)
        self.assertEqual(get(self.depot, self.product), everyone)
        everyone_product = self._rule(6, product_id=self.product)
        self.assertEqual(get(self.depot, self.product), everyone_product)
        country = self._rule(10, country_id=self.france)
        self.assertEqual(get(self.depot, self.product), country, "the address's country")
        self.assertEqual(get(self.customer, self.product), everyone_product, "Belgium: none")
        tag = self._rule(20, partner_category_id=self.key_account)
        self.assertEqual(get(self.depot, self.product), tag, "the customer's tags")
        customer = self._rule(30, partner_id=self.customer)
        self.assertEqual(get(self.depot, self.product), customer)
        customer_categ = self._rule(35, partner_id=self.customer, product_categ_id=self.category)
        self.assertEqual(get(self.depot, self.product), customer_categ)
        ship_to = self._rule(40, partner_shipping_id=self.depot)
        self.assertEqual(get(self.depot, self.product), ship_to, "ship-to before customer")
        self.assertEqual(get(self.customer, self.product), customer_categ, "other addresses")
        self.assertEqual(self.Rule._get_rules(self.depot, self.product), {self.product: ship_to})
        # a ship-to rule for another category does not cover the jam
        ship_to.product_categ_id = self.env["product.category"].create({"name": "Frozen"})
        self.assertEqual(get(self.depot, self.product), customer_categ)
        self.assertEqual(
            [r.partner_scope for r in (ship_to, customer, tag, country, everyone)],
            ["ship_to", "customer", "tag", "country", "all"],
        )

    def test_two_tags_the_stricter_wins(self):
        key = self._rule(20, partner_category_id=self.key_account)
        discount = self._rule(45, partner_category_id=self.discounter)
        self.assertEqual(self.Rule._get_rule(self.depot, self.product), discount)
        key.min_remaining_days = 50
        self.assertEqual(self.Rule._get_rule(self.depot, self.product), key)

    def test_rules_for_many_products_in_one_search(self):
        other, third = self.env["product.product"].create(
            [
                {"name": "Apricot Jam", "categ_id": self.category.id, "use_expiration_date": True},
                {
                    "name": "Honey",
                    "categ_id": self.env["product.category"].create({"name": "Bee"}).id,
                },
            ]
        )
        categ = self._rule(30, partner_id=self.customer, product_categ_id=self.category)
        product = self._rule(60, partner_id=self.customer, product_id=other)
        products = self.product | other | third
        counts = []
        for some in (self.product, products):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            rules = self.Rule._get_rules(self.depot, some)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(rules, {self.product: categ, other: product})
        self.assertEqual(counts[0], counts[1], "as many queries for 3 products as for 1")

    def test_why_this_rule(self):
        ship_to = self._rule(40, partner_shipping_id=self.depot, product_id=self.product)
        self.assertEqual(
            ship_to._explain(),
            "Rule for the delivery address Big Box Retail, Depot North: it comes before the "
            "customer's, customer tag, country and default rules, for [JAM] Strawberry Jam.",
        )
        country = self._rule(10, country_id=self.france, product_categ_id=self.category)
        self.assertIn("deliveries to France", country._explain())
        self.assertIn("for the category Dated Food", country._explain())
        self.assertIn("Default rule for every customer", self._rule(5)._explain())
        self.assertEqual(
            ship_to.display_name, "Delivery to Big Box Retail, Depot North / [JAM] Strawberry Jam"
        )

    def test_best_before_and_percent(self):
        """A best-before rule measures to the lot's best before date; its percent is of
        the time from production to best before (180 - 30 = 150 days)."""
        rule = self._rule(percent=40, partner_id=self.customer, date_basis="use")
        self.assertEqual(rule._get_lot_date_field(), "use_date")
        self.assertEqual(rule._get_min_remaining_days(self.product), 60)
        rule.date_basis = "expiration"
        self.assertEqual(rule._get_lot_date_field(), "expiration_date")
        self.assertEqual(rule._get_min_remaining_days(self.product), 72)
        self.assertIn("40% of 180 days", rule._describe_minimum(self.product))
        rule.date_basis = "use"
        self.assertIn("to the best before date", rule._describe_minimum(self.product))

    def test_reference_date_requested_plus_transit(self):
        """From the requested delivery date plus the transit days; from the shipping
        date when the customer asked for none."""
        self.company.partner_id.tz = "Europe/Brussels"
        rule = self._rule(60, partner_id=self.customer, reference="requested", transit_days=3)
        ship = datetime(2026, 6, 1, 10, 0)
        requested = datetime(2026, 6, 10, 10, 0)
        # June 10 + 3 transit = June 13, + 60 days = August 12, 00:00 Brussels (UTC+2)
        self.assertEqual(
            rule._get_min_date(self.product, ship, self.warehouse, requested),
            datetime(2026, 8, 11, 22, 0),
        )
        self.assertEqual(
            rule._get_min_date(self.product, ship, self.warehouse),
            datetime(2026, 8, 2, 22, 0),
            "June 1 + 3 + 60 days",
        )
        rule.write({"reference": "ship", "transit_days": 0})
        self.assertEqual(
            rule._get_min_date(self.product, ship, self.warehouse, requested),
            datetime(2026, 7, 30, 22, 0),
            "the requested date does not count",
        )
        self.assertIn(
            "from the requested delivery date + 3 transit days",
            self._rule(
                10, country_id=self.france, reference="requested", transit_days=3
            )._describe_minimum(self.product),
        )

    def test_rounding_in_the_warehouse_time_zone(self):
        """The minimum day is rounded to the end of its week or month where the
        warehouse is: 23:00 UTC on a Sunday is already Monday in Sydney."""
        rule = self._rule(7, partner_id=self.customer)
        # Sunday 2026-05-24 23:00 UTC: Sunday in Los Angeles, Monday 25th in Sydney
        ship = datetime(2026, 5, 24, 23, 0)
        cases = {
            # tz: (no rounding, end of week, end of month), as local days
            "America/Los_Angeles": ("2026-05-31", "2026-05-31", "2026-05-31"),
            "Australia/Sydney": ("2026-06-01", "2026-06-07", "2026-06-30"),
        }
        for tz, expected in cases.items():
            self.company.partner_id.tz = tz
            days = []
            for rounding in ("none", "week", "month"):
                rule.rounding = rounding
                boundary = rule._get_min_date(self.product, ship, self.warehouse)
                days.append(str(rule._get_local_day(boundary, self.warehouse)))
            self.assertEqual(tuple(days), expected, tz)

    def test_rounding_end_of_month_in_december_and_leap_february(self):
        rule = self._rule(1, partner_id=self.customer, rounding="month")
        for ship, day in (
            (datetime(2026, 12, 15, 12), "2026-12-31"),
            (datetime(2028, 2, 3, 12), "2028-02-29"),
        ):
            boundary = rule._get_min_date(self.product, ship, self.warehouse)
            self.assertEqual(str(rule._get_local_day(boundary, self.warehouse)), day)

    def test_bad_rules_refused_in_the_users_words(self):
        self._rule(30, partner_shipping_id=self.depot)
        self._rule(30, country_id=self.france)
        count = self.Rule.search_count([])
        cases = [
            ({"partner_shipping_id": self.depot.id}, "already an active rule"),
            ({"country_id": self.france.id}, "already an active rule"),
            ({"min_remaining_days": -1}, "can not be negative"),
            ({"min_remaining_percent": 120}, "between 0 and 100"),
            ({"reference": "requested", "transit_days": -2}, "transit days .* negative"),
            ({"transit_days": 2}, "transit days are added to the requested delivery date only"),
            ({"min_remaining_days": 0, "min_remaining_percent": 50, "rounding": "week"},
             "sets no minimum days left"),
            ({"partner_id": self.customer.id, "country_id": self.belgium.id},
             "not several \\(Customer, Destination Country\\)"),
        ]  # fmt: skip
        for values, message in cases:
            with self.subTest(values=values):
                vals = {"min_remaining_days": 30, "partner_category_id": self.key_account.id}
                if {"partner_shipping_id", "country_id", "partner_id"} & set(values):
                    vals.pop("partner_category_id")
                vals.update(values)
                with self.assertRefused(ValidationError, message):
                    self.Rule.create(vals)
                self.assertEqual(self.Rule.search_count([]), count, "nothing written")
        rule = self._rule(30, partner_category_id=self.key_account)
        with self.assertRefused(ValidationError, "transit days are added"):
            rule.transit_days = 4
        self.assertEqual(rule.transit_days, 0)

    @freeze_time("2026-06-01 10:00:00")
    def test_changing_a_rule_leaves_reservations_until_rechecked(self):
        """A stricter rule does not take back what a delivery reserved; the rule says so,
        and re-checking availability applies it."""
        rule, _lots = self._stock_fefo_story(("L45", "L90"))
        picking = self._new_delivery(self.customer, [(self.product, 5)])
        picking.action_assign()
        self.assertEqual(self._reserved(picking), {"L90": 5})
        rule.with_context(tracking_disable=False).min_remaining_days = 100
        self.assertEqual(self._reserved(picking), {"L90": 5}, "reservation unchanged")
        self.assertIn(
            "what open deliveries have already reserved is unchanged",
            rule.message_ids[:1].body,
        )
        picking.do_unreserve()
        picking.action_assign()
        self.assertEqual(self._reserved(picking), {}, "L90 no longer meets 100 days")

    def test_ship_to_rule_from_the_address_form(self):
        """A delivery address's own Shelf Life tab makes ship-to rules."""
        address = Form(self.depot)
        with address.shelf_life_ship_to_rule_ids.new() as line:
            line.product_categ_id = self.category
            line.min_remaining_days = 90
        address.save()
        rule = self.depot.shelf_life_ship_to_rule_ids
        self.assertEqual(
            (rule.partner_shipping_id, rule.partner_id), (self.depot, self.env["res.partner"])
        )
        self.assertEqual(rule.partner_scope, "ship_to")
        self.assertEqual(self.Rule._get_rule(self.depot, self.product), rule)
        self.assertFalse(self.Rule._get_rule(self.customer, self.product))

    @freeze_time("2026-06-01 10:00:00")
    def test_why_shown_with_the_minimum(self):
        """A delivery to the depot follows the depot's own rule and says why, in the
        shortage note and in the refusal of a hand-picked short lot."""
        _rule, lots = self._stock_fefo_story(("L45", "L90"))
        self._rule(80, partner_shipping_id=self.depot)
        delivery = self._new_delivery(self.depot, [(self.product, 15)])
        delivery.action_assign()
        self.assertEqual(self._reserved(delivery), {"L90": 10}, "L45 is short of 80 days")
        self.assertIn("80-day minimum", delivery.shelf_life_shortage)
        self.assertIn(
            "Rule for the delivery address Big Box Retail, Depot North",
            delivery.shelf_life_shortage,
        )
        manual = self._delivery_with_lot(self.depot, lots["L45"])
        with self.assertRefused(UserError, "80-day minimum .* Rule for the delivery address"):
            manual.with_user(self.stock_user).button_validate()
        self.assertEqual(manual.state, "assigned")
