import io

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase

TODAY = "2026-06-01 10:00:00"


@tagged("post_install", "-at_install")
class TestExpiry(LotFefoRecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "expiry_writeoff_mode": "scrap",
                "expiry_writeoff_grace_days": 0,
                "expiry_responsible_id": cls.quality_manager.id,
            }
        )
        cls.product.standard_price = 2.0
        cls.Report = cls.env["stock.expiry.report"]
        cls.Writeoff = cls.env["stock.expiry.writeoff"]

    def _receive(self, lot_name, quantity, expiration, day="2026-03-01 09:00:00", partner=None):
        """Receive a lot from a vendor on ``day``; return the lot."""
        with freeze_time(day):
            picking = self._new_receipt(
                [(self.product, quantity, {"lot_name": lot_name, "expiration_date": expiration})],
                partner=partner,
            )
            picking.with_context(lot_fefo_accept_lot_checks=True).button_validate()
        return picking.move_line_ids.lot_id

    def _ship(self, lot, quantity, day):
        with freeze_time(day):
            picking = self._delivery_with_lot(self.customer, lot, quantity)
            picking.with_context(skip_expired=True, lot_fefo_accept_lot_checks=True)._action_done()

    def _rows(self, domain=None):
        mine = [("product_id", "=", self.product.id), *(domain or [])]
        self.Report.invalidate_model()  # a new request would see today's figures
        return {row.lot_id.name: row for row in self.Report.search(mine)}

    # ----------------------------------------------------------- the review

    @freeze_time(TODAY)
    def test_horizons_and_suggested_actions(self):
        self._put_in_stock(self.product, 1, "EXPIRED", "2026-05-27 10:00:00")
        self._put_in_stock(self.product, 2, "D5", "2026-06-06 10:00:00")
        self._put_in_stock(self.product, 3, "D20", "2026-06-21 10:00:00")
        with_vendor = self._put_in_stock(self.product, 4, "D45", "2026-07-16 10:00:00")
        with_vendor.supplier_id = self.vendor
        self._put_in_stock(self.product, 5, "D80", "2026-08-20 10:00:00")
        self._put_in_stock(self.product, 6, "D120", "2026-09-29 10:00:00")
        rows = self._rows()
        expected = {
            "EXPIRED": (-5, "expired", "dispose"),
            "D5": (5, "30", "donate"),
            "D20": (20, "30", "discount"),
            "D45": (45, "60", "return"),
            "D80": (80, "90", "none"),
            "D120": (120, "later", "none"),
        }
        self.assertEqual(
            {name: (r.days_left, r.horizon, r.suggested_action) for name, r in rows.items()},
            expected,
        )
        self.assertEqual(rows["D45"].value, 8.0, "4 units at cost 2")
        self.assertEqual(rows["D45"].warehouse_id, self.warehouse)
        # the default filter of the screen: within the last horizon
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_expiry_report_action"
        )
        self.assertIn("search_default_within_horizon", action["context"])
        self.assertNotIn("D120", self._rows([("horizon", "!=", "later")]))
        # limits come from the settings
        self.company.write(
            {"expiry_horizon_1": 10, "expiry_horizon_2": 50, "expiry_horizon_3": 130}
        )
        self.assertEqual(
            {name: r.horizon for name, r in self._rows().items()},
            {
                "EXPIRED": "expired",
                "D5": "30",
                "D20": "60",
                "D45": "60",
                "D80": "90",
                "D120": "90",
            },
        )
        groups = dict(
            self.Report._read_group(
                [("product_id", "=", self.product.id)], ["horizon"], ["quantity:sum"]
            )
        )
        self.assertEqual(groups["90"], 11)

    def test_settings_refused(self):
        for values, message in (
            ({"expiry_horizon_1": 60, "expiry_horizon_2": 30}, "increasing order"),
            ({"expiry_horizon_1": 0}, "increasing order"),
            ({"expiry_writeoff_grace_days": -1}, "grace days can not be negative"),
        ):
            with self.assertRefused(ValidationError, message):
                self.company.write(values)
        self.assertEqual(
            (
                self.company.expiry_horizon_1,
                self.company.expiry_horizon_2,
                self.company.expiry_writeoff_grace_days,
            ),
            (30, 60, 0),
        )
        settings = Form(self.env["res.config.settings"])
        settings.expiry_horizon_3 = 45
        with self.assertRefused(ValidationError, "increasing order"):
            settings.save().execute()
        self.assertEqual(self.company.expiry_horizon_3, 90)

    def test_days_of_supply(self):
        sold = self._receive("SOLD", 90, "2027-01-01")
        self._ship(sold, 90, "2026-05-02 10:00:00")
        with freeze_time(TODAY):
            self._put_in_stock(self.product, 10, "A5", "2026-06-06 10:00:00")
            self._put_in_stock(self.product, 50, "B20", "2026-06-21 10:00:00")
            self._put_in_stock(self.product, 100, "C200", "2026-12-18 10:00:00")
            rows = self._rows()
        # 90 units shipped in the 90-day window: 1 a day; 160 on hand
        self.assertAlmostEqual(rows["A5"].avg_daily_sales, 1.0)
        self.assertAlmostEqual(rows["A5"].days_of_supply, 160.0)
        # FEFO at 1 a day: A5 sells 5 of 10; B20 sells 20 - 10 = 10 of 50; C200 all
        self.assertEqual(rows["A5"].expected_unsold_qty, 5)
        self.assertEqual(rows["B20"].expected_unsold_qty, 40)
        self.assertEqual(rows["C200"].expected_unsold_qty, 0)
        self.assertEqual([rows[n].at_risk for n in ("A5", "B20", "C200")], [True, True, False])

    def test_not_sellable_stock_out_of_the_fefo_window(self):
        """Expired, blocked and quarantined stock will not be sold: it neither sells
        first nor counts in the days of supply, and shows in its own columns."""
        sold = self._receive("SOLD", 90, "2027-01-01")
        self._ship(sold, 90, "2026-05-02 10:00:00")
        hold = self.env["stock.location"].create(
            {"name": "Hold", "location_id": self.stock_location.id, "is_set_aside": True}
        )
        hold_bin = self.env["stock.location"].create({"name": "Bin", "location_id": hold.id})
        with freeze_time(TODAY):
            quarantine = self.warehouse._get_quarantine_location()
            self._put_in_stock(self.product, 5, "GONE", "2026-05-29 10:00:00")
            self._put_in_stock(self.product, 20, "HELD", "2026-06-06 10:00:00", quarantine)
            self._put_in_stock(self.product, 4, "SHELVED", "2026-06-08 10:00:00", hold_bin)
            blocked = self._put_in_stock(self.product, 30, "BLOCKED", "2026-06-11 10:00:00")
            blocked.is_blocked = True
            self._put_in_stock(self.product, 15, "NEXT", "2026-06-21 10:00:00")
            self._put_in_stock(self.product, 100, "LATER", "2026-12-18 10:00:00")
            rows = self._rows()
        # at 1 a day NEXT sells its 15 in its 20 days: what comes earlier cannot be sold
        self.assertEqual(
            {name: (row.at_risk, row.expected_unsold_qty) for name, row in rows.items()},
            dict.fromkeys(rows, (False, 0)),
        )
        self.assertEqual({row.days_of_supply for row in rows.values()}, {115}, "NEXT and LATER")
        columns = ("expired_qty", "blocked_qty", "quarantined_qty", "sellable_qty")
        self.assertEqual(
            {name: tuple(row[column] for column in columns) for name, row in rows.items()},
            {
                "GONE": (5, 0, 0, 0),
                "HELD": (0, 0, 20, 0),
                "SHELVED": (0, 0, 4, 0),
                "BLOCKED": (0, 30, 0, 0),
                "NEXT": (0, 0, 0, 15),
                "LATER": (0, 0, 0, 100),
            },
        )
        with freeze_time(TODAY):
            content = self.Report.export_xlsx([("product_id", "=", self.product.id)])
        sheet = list(
            openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
        )
        header = sheet[0]
        by_lot = {row[1]: dict(zip(header, row, strict=True)) for row in sheet[1:-1]}
        self.assertEqual(by_lot["BLOCKED"]["Blocked Qty"], 30)
        self.assertEqual(by_lot["HELD"]["Quarantined Qty"], 20)
        self.assertEqual(by_lot["GONE"]["Expired Qty"], 5)
        totals = dict(zip(header, sheet[-1], strict=True))
        self.assertEqual(
            (totals["Quarantined Qty"], totals["Blocked Qty"], totals["Sellable Qty"]),
            (24, 30, 115),
        )

    @freeze_time(TODAY)
    def test_xlsx_export(self):
        self._put_in_stock(self.product, 3, "X1", "2026-06-21 10:00:00")
        self._put_in_stock(self.product, 4.5, "X2", "2026-05-21 10:00:00")
        content = self.Report.export_xlsx([("product_id", "=", self.product.id)])
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet = book.active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Product", "Lot", "Location"))
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertTrue(sheet.auto_filter.ref)
        self.assertEqual([row[1] for row in rows[1:3]], ["X2", "X1"], "expiration order")
        self.assertEqual(rows[1][4].date().isoformat(), "2026-05-21", "a real date")
        self.assertEqual(rows[1][7], 4.5, "a real number")
        self.assertEqual(rows[1][6], "Expired")
        self.assertEqual(rows[3][0], "Total")
        self.assertEqual(rows[3][7], 7.5)
        self.assertEqual(rows[3][8], 15.0)
        # the screen's button exports what the screen shows
        action = self.Report.with_context(
            active_domain=[("product_id", "=", self.product.id), ("lot_id.name", "=", "X1")]
        ).action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        rows = list(
            openpyxl.load_workbook(io.BytesIO(attachment.raw)).active.iter_rows(values_only=True)
        )
        self.assertEqual([row[1] for row in rows[1:-1]], ["X1"])

    @freeze_time(TODAY)
    def test_weekly_digest(self):
        self._put_in_stock(self.product, 3, "SOON", "2026-06-21 10:00:00")
        self._put_in_stock(self.product, 2, "GONE", "2026-05-21 10:00:00")
        self.company.expiry_digest_user_ids = self.quality_manager
        cron = self.env.ref("lot_fefo_recall.ir_cron_expiry_digest")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "weeks"))
        self.Report._cron_send_digest()
        mail = self.env["mail.mail"].search([("subject", "like", "stock expiring within 90 days")])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.quality_manager.partner_id)
        self.assertIn("Expired", mail.body_html)
        self.assertIn("Within 30 days", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        rows = list(
            openpyxl.load_workbook(io.BytesIO(mail.attachment_ids.raw)).active.iter_rows(
                values_only=True
            )
        )
        self.assertIn("SOON", [row[1] for row in rows])

    # -------------------------------------------------------------- write-off

    def _expired_stock(self):
        """Two expired lots, one recent one fresh; received from the vendor in March."""
        old = self._receive("OLD", 10, "2026-05-01")
        older = self._receive("OLDER", 6, "2026-04-20", partner=self.other_vendor)
        fresh = self._receive("FRESH", 8, "2026-12-01")
        return old, older, fresh

    def test_write_off_scrap(self):
        old, older, fresh = self._expired_stock()
        undated = self._put_in_stock(self.product_undated, 4, "JAR-NO-DATE", False)
        with freeze_time(TODAY):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertEqual(log.mode, "scrap")
        self.assertEqual(set(log.line_ids.mapped("action")), {"scrapped"})
        self.assertEqual(log.line_ids.lot_id, old | older)
        self.assertEqual(log.total_quantity, 16)
        self.assertEqual(log.total_value, 32.0)
        scraps = log.line_ids.scrap_id
        self.assertEqual(set(scraps.mapped("state")), {"done"})
        self.assertEqual(
            scraps.scrap_reason_tag_ids, self.env.ref("lot_fefo_recall.scrap_reason_expired")
        )
        self.assertEqual((old.product_qty, older.product_qty, fresh.product_qty), (0, 0, 8))
        self.assertEqual(
            undated.product_qty, 4, "lots without expiration date are never written off"
        )
        self.assertTrue(old.message_ids.filtered(lambda m: log.name in (m.body or "")))
        # idempotent
        with freeze_time(TODAY):
            self.assertFalse(self.Writeoff._write_off(self.company, commit=False))
        self.assertEqual(self.Writeoff.search([("id", ">=", log.id)]), log)

    def test_write_off_move(self):
        self.company.expiry_writeoff_mode = "move"
        old, older, _fresh = self._expired_stock()
        with freeze_time(TODAY):
            log = self.Writeoff._write_off(self.company, commit=False)
            again = self.Writeoff._write_off(self.company, commit=False)
        expired_location = self.warehouse.expired_location_id
        self.assertTrue(expired_location)
        self.assertFalse(expired_location._child_of(self.stock_location))
        self.assertEqual(set(log.line_ids.mapped("action")), {"moved"})
        quants = self.env["stock.quant"].search(
            [("lot_id", "in", (old | older).ids), ("quantity", ">", 0)]
        )
        self.assertEqual(quants.location_id, expired_location)
        self.assertEqual(log.line_ids.picking_id.state, "done")
        self.assertFalse(again)

    def test_write_off_report(self):
        self.company.expiry_writeoff_mode = "report"
        old, _older, _fresh = self._expired_stock()
        with freeze_time(TODAY):
            log = self.Writeoff._write_off(self.company, commit=False)
            again = self.Writeoff._write_off(self.company, commit=False)
        self.assertEqual(set(log.line_ids.mapped("action")), {"reported"})
        self.assertEqual(old.product_qty, 10, "report only")
        self.assertEqual(log.activity_ids.user_id, self.quality_manager)
        self.assertFalse(again, "a second run reports nothing new")

    def test_grace_days(self):
        self.company.expiry_writeoff_grace_days = 35
        _old, older, _fresh = self._expired_stock()
        with freeze_time(TODAY):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertEqual(log.line_ids.lot_id, older, "OLD expired 31 days ago, within the grace")

    def test_reserved_stock_skipped_and_reported(self):
        old, older, _fresh = self._expired_stock()
        with freeze_time("2026-04-10 10:00:00"):
            delivery = self._new_delivery(self.no_rule_partner(), [(self.product, 4)])
            delivery.action_assign()
        self.assertEqual(delivery.move_line_ids.lot_id, older)
        with freeze_time(TODAY):
            log = self.Writeoff._write_off(self.company, commit=False)
            again = self.Writeoff._write_off(self.company, commit=False)
        skipped = log.line_ids.filtered(lambda line: line.action == "skipped_reserved")
        self.assertEqual(skipped.lot_id, older)
        self.assertEqual(older.product_qty, 6, "reserved stock is left alone")
        self.assertEqual(old.product_qty, 0)
        self.assertTrue(log.activity_ids)
        self.assertFalse(again)

    def no_rule_partner(self):
        return self.env["res.partner"].create({"name": "Corner Shop"})

    def test_interrupted_run_resumes(self):
        self._expired_stock()
        extra = self._receive("OLD-3", 2, "2026-05-10")
        with freeze_time(TODAY):
            first = self.Writeoff._write_off(
                self.company, commit=False, max_batches=1, batch_size=2
            )
            self.assertEqual(len(first.line_ids), 2)
            second = self.Writeoff._write_off(self.company, commit=False, batch_size=2)
            third = self.Writeoff._write_off(self.company, commit=False, batch_size=2)
        self.assertEqual(len(second.line_ids), 1)
        self.assertFalse(third)
        lines = (first | second).line_ids
        self.assertEqual(len(lines.lot_id), 3, "each lot written off once")
        self.assertEqual(extra.product_qty, 0)
        self.assertEqual(
            len(self.env["stock.scrap"].search([("lot_id", "in", lines.lot_id.ids)])), 3
        )

    def test_companies_apart(self):
        old, _older, _fresh = self._expired_stock()
        other = self.env["res.company"].create(
            {"name": "Other Co", "expiry_writeoff_mode": "report"}
        )
        other_warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)])
        other_product = self.env["product.product"].create(
            {
                "name": "Other Jam",
                "company_id": other.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )
        other_lot = self.env["stock.lot"].create(
            {
                "name": "OTHER-OLD",
                "product_id": other_product.id,
                "company_id": other.id,
                "expiration_date": "2026-05-01",
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            other_product, other_warehouse.lot_stock_id, 5, lot_id=other_lot
        )
        with freeze_time(TODAY):
            log = self.Writeoff._write_off(self.company, commit=False)
        self.assertNotIn(other_lot, log.line_ids.lot_id)
        self.assertEqual(other_lot.product_qty, 5)
        with freeze_time(TODAY):
            other_log = self.Writeoff.with_company(other)._write_off(other, commit=False)
        self.assertEqual(other_log.mode, "report", "the other company's own setting")
        self.assertEqual(other_log.line_ids.lot_id, other_lot)
        self.assertEqual(other_lot.product_qty, 5)
        self.assertEqual(old.product_qty, 0)

    def test_cron_and_wizard(self):
        cron = self.env.ref("lot_fefo_recall.ir_cron_expiry_writeoff")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertEqual(cron.code.strip(), "model._cron_write_off_expired()")
        _old, _older, _fresh = self._expired_stock()
        with freeze_time(TODAY):
            wizard = (
                self.env["stock.expiry.writeoff.wizard"].with_user(self.quality_manager).create({})
            )
            self.assertEqual(wizard.quant_ids.lot_id.mapped("name"), ["OLD", "OLDER"])
            self.assertEqual(wizard.total_quantity, 16)
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self.env["stock.expiry.writeoff.wizard"].with_user(self.stock_user).create({})
            action = wizard.action_write_off()
            log = self.Writeoff.browse(action["res_id"])
            self.assertEqual(log.line_ids.lot_id.mapped("name"), ["OLD", "OLDER"])
            with self.assertRefused(UserError, "no expired stock left"):
                self.env["stock.expiry.writeoff.wizard"].create({}).action_write_off()

    def test_waste_analytics(self):
        old, older, _fresh = self._expired_stock()
        with freeze_time(TODAY):
            self.Writeoff._write_off(self.company, commit=False)
        waste = self.env["stock.waste.report"]
        mine = [("product_id", "=", self.product.id)]
        by_vendor = {
            vendor: (qty, value, percent)
            for vendor, qty, value, percent in waste._read_group(
                mine, ["supplier_id"], ["waste_qty:sum", "waste_value:sum", "waste_percent:avg"]
            )
        }
        # ABC Corp delivered OLD (10) and FRESH (8), lost 10; Green Valley delivered and lost 6
        self.assertEqual(by_vendor[self.vendor][:2], (10, 20.0))
        self.assertAlmostEqual(by_vendor[self.vendor][2], 100 * 10 / 18)
        self.assertAlmostEqual(by_vendor[self.other_vendor][2], 100.0)
        by_month = waste._read_group(
            [*mine, ("waste_qty", ">", 0)], ["date:month"], ["waste_qty:sum"]
        )
        self.assertEqual(
            [(month.strftime("%Y-%m"), qty) for month, qty in by_month], [("2026-06", 16)]
        )
        by_category = dict(waste._read_group(mine, ["product_categ_id"], ["waste_value:sum"]))
        self.assertEqual(by_category[self.category], 32.0)
        self.assertTrue(old | older)
