from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestVendorScorecard(LotFefoRecallCase):
    """ABC Corp sends a fresh lot (100 days left) and an aged one (30 days left, under
    the category's 60-day receipt minimum, accepted on override), the aged one partly
    written off, the fresh one recalled and complained about; Fresh Farms sends one
    lot with 200 days left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category.receipt_min_shelf_life_days = 60
        cls.farm_vendor = cls.env["res.partner"].create(
            {"name": "Fresh Farms", "is_company": True}
        )
        Lot = cls.env["stock.lot"]
        cls.fresh = Lot.create(
            {
                "name": "FRESH",
                "product_id": cls.product.id,
                "expiration_date": "2026-09-09 10:00:00",
            }
        )
        cls.aged = Lot.create(
            {
                "name": "AGED",
                "product_id": cls.product.id,
                "expiration_date": "2026-07-01 10:00:00",
            }
        )
        cls.long = Lot.create(
            {
                "name": "LONG",
                "product_id": cls.product.id,
                "expiration_date": "2026-12-18 10:00:00",
            }
        )
        for lot, partner in (
            (cls.fresh, cls.vendor),
            (cls.aged, cls.vendor_contact),
            (cls.long, cls.farm_vendor),
        ):
            cls._done_transfer(lot, 10, cls.supplier_location, cls.stock_location, partner)
        writeoff = cls.env["stock.expiry.writeoff"].create(
            {"company_id": cls.company.id, "mode": "scrap"}
        )
        cls.env["stock.expiry.writeoff.line"].create(
            {
                "writeoff_id": writeoff.id,
                "lot_id": cls.aged.id,
                "product_id": cls.product.id,
                "location_id": cls.stock_location.id,
                "quantity": 2,
                "action": "scrapped",
            }
        )
        cls.env["stock.recall"].create(
            {"reason": "Glass", "lot_ids": [(6, 0, cls.fresh.ids)], "company_id": cls.company.id}
        )
        cls.env["stock.recall"].create(
            {
                "reason": "Drill",
                "is_mock": True,
                "lot_ids": [(6, 0, cls.long.ids)],
                "company_id": cls.company.id,
            }
        )
        cls.env["stock.lot.complaint"].create(
            {"lot_id": cls.fresh.id, "partner_id": cls.customer.id, "kind": "taste"}
        )
        cls.env.flush_all()

    def _ours(self):
        # the demo database has lots from vendors of its own
        return [("lot_id", "in", (self.fresh | self.aged | self.long).ids)]

    def test_vendor_figures(self):
        Scorecard = self.env["stock.vendor.scorecard"]
        self.assertEqual(
            set(Scorecard.search(self._ours()).mapped("supplier_id").commercial_partner_id),
            {self.vendor, self.farm_vendor},
            "the lot's vendor, its contact counted for its company",
        )
        figures = Scorecard._get_vendor_figures(
            self.vendor, self._dt("2026-01-01 00:00:00"), self._dt("2026-07-01 00:00:00")
        )
        self.assertEqual(figures["lots"], 2)
        self.assertEqual(figures["aged"], 1)
        self.assertAlmostEqual(figures["aged_percent"], 50.0)
        self.assertAlmostEqual(figures["waste_percent"], 10.0, msg="2 of 20 units written off")
        self.assertEqual(figures["recalls"], 1)
        self.assertEqual(figures["complaints"], 1)
        self.assertAlmostEqual(figures["median_days"], 65.0, msg="median of 100 and 30 days")
        other = Scorecard._get_vendor_figures(
            self.farm_vendor, self._dt("2026-01-01 00:00:00"), self._dt("2026-07-01 00:00:00")
        )
        self.assertEqual(other["recalls"], 0, "a mock recall is not a recall")
        self.assertEqual(other["aged"], 0)
        self.assertAlmostEqual(other["median_days"], 200.0)
        before = Scorecard._get_vendor_figures(
            self.vendor, self._dt("2025-01-01 00:00:00"), self._dt("2026-01-01 00:00:00")
        )
        self.assertEqual(before["lots"], 0, "nothing received in that period")

    def test_pivot_rates_are_ratios_of_sums(self):
        """Grouped by vendor, the rates weigh lots and units; all vendors together too."""
        groups = self.env["stock.vendor.scorecard"].read_group(
            self._ours(),
            ["lot_count:sum", "aged_percent:avg", "waste_percent:avg", "remaining_days:avg"],
            [],
        )
        (total,) = groups
        self.assertEqual(total["lot_count"], 3)
        self.assertAlmostEqual(total["aged_percent"], 100.0 / 3)
        self.assertAlmostEqual(total["waste_percent"], 100.0 * 2 / 30)
        self.assertAlmostEqual(total["remaining_days"], 100.0, msg="median of 30, 100, 200")

    def test_vendor_tab(self):
        vendor = self.vendor.with_user(self.stock_user)
        self.assertEqual(vendor.scorecard_lot_count, 2)
        self.assertAlmostEqual(vendor.scorecard_aged_percent, 50.0)
        self.assertAlmostEqual(vendor.scorecard_waste_percent, 10.0)
        self.assertEqual(vendor.scorecard_recall_count, 1)
        self.assertEqual(vendor.scorecard_complaint_count, 1)
        self.assertAlmostEqual(vendor.scorecard_median_days, 65.0)
        action = vendor.action_view_vendor_scorecard()
        self.assertEqual(action["res_model"], "stock.vendor.scorecard")
        self.assertEqual(
            self.env["stock.vendor.scorecard"].search(action["domain"]).lot_id,
            self.fresh | self.aged,
        )
        with Form(self.env["res.partner"]) as form:
            form.name = "New Vendor"
            self.assertEqual(form.scorecard_lot_count, 0)

    def test_other_company_lots_stay_out(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.stock_user.company_ids |= other
        lot = self.env["stock.lot"].create(
            {
                "name": "ELSEWHERE",
                "product_id": self.product.id,
                "company_id": other.id,
                "expiration_date": "2026-12-01 10:00:00",
            }
        )
        self.env.cr.execute(
            "UPDATE stock_lot SET supplier_id = %s, receipt_date = %s WHERE id = %s",
            (self.vendor.id, "2026-05-01", lot.id),
        )
        self.env.cr.execute(
            "INSERT INTO stock_move_line (product_id, lot_id, company_id, location_id, "
            "location_dest_id, quantity, quantity_product_uom, product_uom_id, state, date)"
            " VALUES (%s, %s, %s, %s, %s, 5, 5, %s, 'done', %s)",
            (
                self.product.id,
                lot.id,
                other.id,
                self.supplier_location.id,
                self.stock_location.id,
                self.product.uom_id.id,
                "2026-05-01",
            ),
        )
        self.env.invalidate_all()
        Scorecard = self.env["stock.vendor.scorecard"].with_user(self.stock_user)
        self.assertNotIn(lot, Scorecard.with_company(self.company).search([]).lot_id)
        self.assertIn(
            lot,
            Scorecard.with_context(allowed_company_ids=[self.company.id, other.id])
            .search([])
            .lot_id,
        )
