from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestShelfLifeRules(LotFefoRecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["stock.shelf.life.rule"]
        # the demo data has rules of its own: the tests look at theirs only
        cls.demo_rules = cls.Rule.with_context(active_test=False).search([])
        cls.parent_category = cls.env["product.category"].create({"name": "Food"})
        cls.category.parent_id = cls.parent_category
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Joe Buyer", "parent_id": cls.customer.id}
        )

    def _rule(self, days=0, percent=0, **scope):
        vals = {"min_remaining_days": days, "min_remaining_percent": percent}
        vals.update({key: record.id for key, record in scope.items()})
        return self.Rule.create(vals)

    def test_precedence(self):
        """customer+product > customer+category (nearest parent) > customer alone >
        product > category (defaults for every customer)."""
        get = self.Rule._get_rule
        self.assertFalse(get(self.customer, self.product))
        by_categ_default = self._rule(10, product_categ_id=self.parent_category)
        self.assertEqual(get(self.customer, self.product), by_categ_default)
        by_product_default = self._rule(15, product_id=self.product)
        self.assertEqual(get(self.customer, self.product), by_product_default)
        customer_only = self._rule(20, partner_id=self.customer)
        self.assertEqual(get(self.customer, self.product), customer_only)
        customer_parent_categ = self._rule(
            25, partner_id=self.customer, product_categ_id=self.parent_category
        )
        self.assertEqual(get(self.customer, self.product), customer_parent_categ)
        customer_categ = self._rule(30, partner_id=self.customer, product_categ_id=self.category)
        self.assertEqual(get(self.customer, self.product), customer_categ, "nearest category")
        customer_product = self._rule(40, partner_id=self.customer, product_id=self.product)
        self.assertEqual(get(self.customer, self.product), customer_product)
        # other customers fall back to the defaults
        self.assertEqual(get(self.other_vendor, self.product), by_product_default)
        customer_product.active = False
        self.assertEqual(get(self.customer, self.product), customer_categ)

    def test_contact_of_company(self):
        rule = self._rule(60, partner_id=self.buyer)
        self.assertEqual(rule.partner_id, self.customer, "stored on the commercial partner")
        self.assertEqual(self.Rule._get_rule(self.buyer, self.product), rule)
        self.assertIn(rule, self.customer.shelf_life_rule_ids)

    def test_percent_and_days(self):
        self.assertEqual(self.product.expiration_time, 180)
        percent = self._rule(percent=50, partner_id=self.customer)
        self.assertEqual(percent._get_min_remaining_days(self.product), 90)
        percent.min_remaining_days = 120
        self.assertEqual(percent._get_min_remaining_days(self.product), 120, "both must hold")
        percent.min_remaining_days = 30
        self.assertEqual(percent._get_min_remaining_days(self.product), 90)
        self.assertIn("90-day minimum (50% of 180 days", percent._describe_minimum(self.product))

    def test_other_company_rules_ignored(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.Rule.create(
            {
                "partner_id": self.customer.id,
                "min_remaining_days": 5,
                "company_id": other_company.id,
            }
        )
        self.assertFalse(self.Rule._get_rule(self.customer, self.product))

    def test_form_on_customer(self):
        with Form(self.customer) as partner, partner.shelf_life_rule_ids.new() as line:
            line.product_categ_id = self.category
            line.min_remaining_days = 60
        self.assertEqual(self.customer.shelf_life_rule_ids.min_remaining_days, 60)

    def _assert_no_rule(self):
        self.assertFalse(self.Rule.with_context(active_test=False).search([]) - self.demo_rules)

    def test_negative_days_refused(self):
        with self.assertRefused(ValidationError, "can not be negative"):
            self._rule(-1, partner_id=self.customer)
        self._assert_no_rule()

    def test_percent_out_of_range_refused(self):
        for percent in (-5, 100.5, 250):
            with self.assertRefused(ValidationError, "must be between 0 and 100"):
                self._rule(percent=percent, partner_id=self.customer)
        self._assert_no_rule()

    def test_no_minimum_refused(self):
        with self.assertRefused(ValidationError, "sets no minimum"):
            self._rule(partner_id=self.customer)
        with self.assertRefused(ValidationError, "Big Box Retail sets no minimum"):
            self.Rule.create({"partner_id": self.customer.id})
        with self.assertRefused(ValidationError, "sets no minimum"):
            self.Rule.create({"product_categ_id": self.category.id, "note": "no figures"})
        self._assert_no_rule()

    def test_no_minimum_refused_on_write(self):
        rule = self._rule(60, partner_id=self.customer)
        with self.assertRefused(ValidationError, "Big Box Retail sets no minimum"):
            rule.write({"min_remaining_days": 0})
        with self.assertRefused(ValidationError, "sets no minimum"):
            rule.write({"min_remaining_days": False, "min_remaining_percent": False})
        self.assertEqual(rule.min_remaining_days, 60, "nothing was written")
        percent = self._rule(percent=50, partner_id=self.other_vendor)
        with (
            self.assertRefused(ValidationError, "Green Valley Farms sets no minimum"),
            Form(percent) as form,
        ):
            form.min_remaining_percent = 0
        self.assertEqual(percent.min_remaining_percent, 50)

    def test_duplicate_refused(self):
        first = self._rule(60, partner_id=self.customer, product_categ_id=self.category)
        with self.assertRefused(
            ValidationError, "already an active rule .*Big Box Retail / .*Dated Food.*60-day"
        ):
            self._rule(30, partner_id=self.buyer, product_categ_id=self.category)
        self.assertEqual(self.Rule.search([]) - self.demo_rules, first)
        # an archived duplicate is fine, and another scope too
        first.active = False
        second = self._rule(30, partner_id=self.customer, product_categ_id=self.category)
        with self.assertRefused(ValidationError, "already an active rule"):
            first.active = True
        self.assertTrue(second.active)

    def test_product_without_expiration_refused(self):
        with self.assertRefused(ValidationError, "Glass Jar does not use expiration dates"):
            self._rule(30, partner_id=self.customer, product_id=self.product_undated)
        self._assert_no_rule()

    def test_product_and_category_refused(self):
        with self.assertRefused(ValidationError, "a product or to a category, not both"):
            self._rule(
                30,
                partner_id=self.customer,
                product_id=self.product,
                product_categ_id=self.category,
            )
        self._assert_no_rule()
