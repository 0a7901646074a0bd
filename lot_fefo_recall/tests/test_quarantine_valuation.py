from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import LotFefoRecallCase

FAR = "2027-06-01 10:00:00"


@tagged("post_install", "-at_install")
class TestQuarantineValuation(LotFefoRecallCase):
    """An internal move never changes a company's inventory value: stock set aside in
    quarantine stays on the books of its lot, its product, the valuation report and the
    value at a past date (issue #19 item 2), whatever the costing method."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quarantine = cls.warehouse._get_quarantine_location()

    def _valued_product(self, cost_method, lot_valuated=True):
        """A product costed by ``cost_method``, lot-valued or not, with two lots
        received on 2026-06-01, lot A (10 units) at 3.0 and lot B (6 units) at 5.0."""
        category = self.env["product.category"].create(
            {"name": f"Valued {cost_method}", "property_cost_method": cost_method}
        )
        product = self.env["product.product"].create(
            {
                "name": f"Cheese ({cost_method})",
                "categ_id": category.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 180,
                "lot_valuated": lot_valuated,
                "standard_price": 3.0,
            }
        )
        self.assertEqual(product.lot_valuated, lot_valuated)
        lots = self.env["stock.lot"]
        with freeze_time("2026-06-01 10:00:00"):
            for name, price, quantity in (("A", 3.0, 10), ("B", 5.0, 6)):
                lot = self.env["stock.lot"].create(
                    {
                        "name": f"{cost_method}-{name}",
                        "product_id": product.id,
                        "standard_price": price,
                    }
                )
                self._done_transfer(lot, quantity, self.supplier_location, self.stock_location)
                lots |= lot
        return product, lots

    def _books(self, product, lots):
        """What the books say: each lot's value, the product's value now and at the
        end of 2026-06-02 (the day before the quarantine), and the valuation report's
        ending stock for the product, now and at that date, and the quants' values
        (Inventory > Valuation)."""
        self.env.invalidate_all()
        company = self.env.company
        accounts = company._get_accounts_by_product(product)
        quants = [("product_id", "=", product.id), ("location_id.usage", "=", "internal")]
        return {
            "lots": lots.mapped("total_value"),
            "product": product.total_value,
            "product at date": product.with_context(to_date="2026-06-02").total_value,
            "report": sum(company.stock_value(accounts).values()),
            "report at date": sum(company.stock_value(accounts, at_date="2026-06-02").values()),
            "quants": round(sum(self.env["stock.quant"].search(quants).mapped("value")), 2),
        }

    def _quarantine(self, lot):
        recall = (
            self.env["stock.recall"]
            .with_user(self.quality_manager)
            .create({"lot_ids": [Command.set(lot.ids)], "reason": "Listeria"})
        )
        recall.action_trace()
        recall.with_user(self.quality_manager).action_quarantine()
        self.assertEqual(recall.quarantined_qty, lot.product_qty)

    def _assert_quarantine_keeps_books(self, cost_method, lot_valuated=True):
        product, lots = self._valued_product(cost_method, lot_valuated)
        lot_b = lots[1]
        with freeze_time("2026-06-03 10:00:00"):
            before = self._books(product, lots)
            self.assertTrue(before["product"])
            self.assertAlmostEqual(before["quants"], before["product"])
            if lot_valuated:
                self.assertTrue(all(before["lots"]))
                self.assertAlmostEqual(before["product"], sum(before["lots"]))
            self._quarantine(lot_b)
            self.assertEqual(
                lot_b.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id,
                self.quarantine,
            )
            self.assertEqual(product.qty_available, 10, "quarantined stock is not sellable")
            after = self._books(product, lots)
        self.assertEqual(after, before)

    def test_quarantine_keeps_books_standard(self):
        self._assert_quarantine_keeps_books("standard")

    def test_quarantine_keeps_books_average(self):
        self._assert_quarantine_keeps_books("average")

    def test_quarantine_keeps_books_fifo(self):
        self._assert_quarantine_keeps_books("fifo")

    def test_quarantine_keeps_books_product_valued(self):
        """Valued per product, not per lot: the same."""
        for cost_method in ("standard", "average", "fifo"):
            with self.subTest(cost_method=cost_method):
                self._assert_quarantine_keeps_books(cost_method, lot_valuated=False)

    def test_quarantined_lot_keeps_its_value_per_warehouse(self):
        """Asked for one warehouse (Inventory > Valuation grouped by warehouse), the
        lot in its quarantine still counts."""
        product, lots = self._valued_product("standard")
        lot_b = lots[1]
        in_warehouse = lot_b.with_context(warehouse_id=self.warehouse.id)
        self.assertAlmostEqual(in_warehouse.total_value, 30.0)
        with freeze_time("2026-06-03 10:00:00"):
            self._quarantine(lot_b)
        self.env.invalidate_all()
        self.assertAlmostEqual(in_warehouse.total_value, 30.0)
        self.assertAlmostEqual(
            product.with_context(warehouse_id=self.warehouse.id).total_value, 60.0
        )
