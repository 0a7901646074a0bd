from odoo.tests import Form, new_test_user, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestAccessOtherApps(LotFefoRecallCase):
    """People of other apps open the screens this add-on extends without an error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(
            cls.env, login="lfr_billing", groups="base.group_user,account.group_account_invoice"
        )
        cls.env["stock.shelf.life.rule"].create(
            {"partner_id": cls.customer.id, "min_remaining_days": 60}
        )
        cls.vendor.lot_code = "ABC"

    def _read_form_as(self, user, record):
        """Open ``record``'s form as ``user``, reading every field the form shows, as the
        web client does, and return the values read."""
        form = Form(record.with_user(user))
        return {name: form[name] for name in form._view["fields"]}

    def test_billing_user_opens_partner_and_product(self):
        self.assertFalse(self.billing_user.has_group("stock.group_stock_user"))
        for record in (
            self.customer,
            self.vendor,
            self.product,
            self.product.product_tmpl_id,
            self.category,
        ):
            with self.subTest(record=record):
                values = self._read_form_as(self.billing_user, record)
                self.assertEqual(values.get("name"), record.name)

    def test_salesman_sees_the_customer_rules(self):
        salesman = new_test_user(
            self.env, login="lfr_salesman", groups="sales_team.group_sale_salesman"
        )
        values = self._read_form_as(salesman, self.customer)
        self.assertEqual(values["shelf_life_rule_ids"].edit(0).min_remaining_days, 60)
        billing = self._read_form_as(self.billing_user, self.customer)
        self.assertNotIn("shelf_life_rule_ids", billing, "not shown to invoicing-only users")
