from freezegun import freeze_time

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
