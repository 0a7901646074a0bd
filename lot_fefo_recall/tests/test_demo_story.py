from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestDemoStory(LotFefoRecallCase):
    """The story of DOMAIN.md, replayed by the demo data: the test database is
    installed with demo data by the test command."""

    def test_july_complaint(self):
        lot_a = self.env.ref("lot_fefo_recall.demo_lot_a", raise_if_not_found=False)
        if not lot_a:
            self.skipTest("this database was installed without demo data")
        lot_b = self.env.ref("lot_fefo_recall.demo_lot_b")
        year = lot_a.expiration_date.year
        with freeze_time(f"{year}-07-20 10:00:00"):
            register = self.env["stock.lot"].search(
                [("product_id", "=", lot_a.product_id.id)], order="expiration_date"
            )
            self.assertEqual(register, lot_a | lot_b)
            # which batch, from whom, when it arrived
            self.assertEqual(lot_a.supplier_id.name, "Berry Fields Cooperative")
            self.assertEqual(lot_a.supplier_lot_name, "BF-2047")
            self.assertEqual(lot_a.receipt_date.strftime("%m-%d"), "03-10")
            self.assertEqual(lot_b.receipt_date.strftime("%m-%d"), "05-12")
            self.assertEqual(lot_a.receipt_picking_id.state, "done")
            # how many expired units remain: 50 received - 30 sold
            lot_a.invalidate_recordset(["days_left"])
            self.assertLess(lot_a.days_left, 0)
            self.assertEqual(lot_a.product_qty, 20)
            self.assertGreater(lot_b.days_left, 0)
            self.assertEqual(lot_b.product_qty, 40)
            self.assertEqual(lot_a.delivery_ids.partner_id.name, "Fresh Market Stores")

    def test_expiry_review_and_last_month_waste(self):
        blueberry = self.env.ref("lot_fefo_recall.demo_lot_blueberry", raise_if_not_found=False)
        if not blueberry:
            self.skipTest("this database was installed without demo data")
        review = self.env["stock.expiry.report"].search([("lot_id", "=", blueberry.id)])
        self.assertEqual(review.horizon, "90", "expires in 75 days")
        self.assertEqual(review.quantity, 36)
        waste = self.env["stock.waste.report"]._read_group(
            [("supplier_id.name", "=", "Berry Fields Cooperative"), ("waste_qty", ">", 0)],
            ["date:month", "product_id"],
            ["waste_qty:sum", "waste_value:sum"],
        )
        self.assertEqual(len(waste), 1)
        month, product, quantity, value = waste[0]
        self.assertEqual(product.default_code, "JAM372")
        self.assertEqual((quantity, value), (12, 360.0))
        last_month = fields.Date.context_today(self.env.user) - relativedelta(months=1)
        self.assertEqual(month.strftime("%Y-%m"), last_month.strftime("%Y-%m"))

    def test_fresh_market_rule(self):
        rule = self.env.ref("lot_fefo_recall.demo_rule_fresh_market", raise_if_not_found=False)
        if not rule:
            self.skipTest("this database was installed without demo data")
        customer = self.env.ref("lot_fefo_recall.demo_partner_customer")
        blueberry = self.env.ref("lot_fefo_recall.demo_product_blueberry")
        self.assertEqual(self.env["stock.shelf.life.rule"]._get_rule(customer, blueberry), rule)

    def test_ship_to_and_export_rules(self):
        """The distribution centre's own rule, Japan's export rule; the quotation to the
        centre asks for more raspberry jam than the centre's rule accepts."""
        dc_rule = self.env.ref(
            "lot_fefo_recall.demo_rule_fresh_market_dc", raise_if_not_found=False
        )
        if not dc_rule:
            self.skipTest("this database was installed without demo data")
        Rule = self.env["stock.shelf.life.rule"]
        store = self.env.ref("lot_fefo_recall.demo_partner_customer")
        centre = self.env.ref("lot_fefo_recall.demo_partner_customer_dc")
        sakura = self.env.ref("lot_fefo_recall.demo_partner_export")
        raspberry = self.env.ref("lot_fefo_recall.demo_product_raspberry")
        self.assertEqual(Rule._get_rule(centre, raspberry), dc_rule)
        self.assertEqual(
            Rule._get_rule(store, raspberry),
            self.env.ref("lot_fefo_recall.demo_rule_fresh_market"),
        )
        japan = self.env.ref("lot_fefo_recall.demo_rule_export_japan")
        self.assertEqual(Rule._get_rule(sakura, raspberry), japan)
        self.assertIn("Japan", japan._explain())
        quotation = self.env.ref("lot_fefo_recall.demo_quotation_dc")
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(quotation.partner_shipping_id, centre)
        self.assertEqual(raspberry.qty_available, 48)
        # of the 48 cases the centre accepts the 24 of the fresh lot (160 days left)
        line = quotation.order_line
        self.assertEqual(line.shelf_life_rule_id, dc_rule)
        self.assertEqual(line.shelf_life_acceptable_qty, 24)
        self.assertTrue(line.shelf_life_short, "40 cases asked")
        self.assertIn("Rule for the delivery address", line.shelf_life_why)
