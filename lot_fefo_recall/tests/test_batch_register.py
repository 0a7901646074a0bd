import ast

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestBatchRegister(LotFefoRecallCase):
    @freeze_time("2026-03-10 09:00:00")
    def test_receipt_fills_register(self):
        picking = self._new_receipt(
            [(self.product, 50, {"lot_name": "LOT-A", "supplier_lot_name": "2047"})],
            partner=self.vendor_contact,
        )
        self.assertIs(picking.button_validate(), True)
        lot = picking.move_line_ids.lot_id
        self.assertEqual(lot.name, "LOT-A")
        self.assertEqual(lot.supplier_id, self.vendor, "the vendor is the contact's company")
        self.assertEqual(lot.supplier_lot_name, "2047")
        self.assertEqual(lot.receipt_picking_id, picking)
        self.assertEqual(lot.receipt_date, self._dt("2026-03-10 09:00:00"))
        self.assertEqual(lot.product_qty, 50)

    def test_later_receipt_never_overwrites(self):
        with freeze_time("2026-03-10 09:00:00"):
            first = self._new_receipt(
                [(self.product, 10, {"lot_name": "LOT-A", "supplier_lot_name": "2047"})]
            )
            first.button_validate()
        lot = first.move_line_ids.lot_id
        with freeze_time("2026-05-12 09:00:00"):
            second = self._new_receipt(
                [(self.product, 5, {"lot_id": lot.id, "supplier_lot_name": "9999"})],
                partner=self.other_vendor,
            )
            second.button_validate()
        self.assertEqual(second.state, "done")
        self.assertEqual(lot.supplier_id, self.vendor)
        self.assertEqual(lot.supplier_lot_name, "2047")
        self.assertEqual(lot.receipt_picking_id, first)
        self.assertEqual(lot.receipt_date, self._dt("2026-03-10 09:00:00"))
        self.assertEqual(lot.product_qty, 15)

    def test_receipt_as_stock_user_fills_register(self):
        picking = self._new_receipt(
            [(self.product, 3, {"lot_name": "LOT-U", "supplier_lot_name": "V-1"})],
            user=self.stock_user,
        )
        picking.with_user(self.stock_user).button_validate()
        lot = picking.move_line_ids.lot_id
        self.assertEqual(lot.supplier_id, self.vendor)
        self.assertEqual(lot.supplier_lot_name, "V-1")

    def test_return_to_stock_is_not_a_receipt(self):
        """A lot first seen in an inventory adjustment gets no vendor from a later
        customer return: only receipts from a vendor location fill the register."""
        lot = self._put_in_stock(self.product, 5, "LOT-INV", "2027-01-01")
        returned = self.env["stock.picking"].create(
            {
                "picking_type_id": self.picking_type_in.id,
                "partner_id": self.customer.id,
                "location_id": self.customer_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "location_id": self.customer_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        returned.action_confirm()
        returned.move_line_ids.write({"lot_id": lot.id, "quantity": 1, "picked": True})
        returned.button_validate()
        self.assertFalse(lot.supplier_id)
        self.assertFalse(lot.receipt_picking_id)

    def test_quality_manager_edits_register(self):
        lot = self._put_in_stock(self.product, 5, "LOT-Q", "2027-01-01")
        lot.supplier_id = self.vendor
        lot.with_user(self.quality_manager).write(
            {
                "supplier_id": self.other_vendor.id,
                "supplier_lot_name": "GV-7",
                "production_date": "2026-01-02",
                "is_blocked": True,
                "block_reason": "Vendor notice 12",
            }
        )
        self.assertEqual(lot.supplier_id, self.other_vendor)
        self.assertTrue(lot.is_blocked)
        self.assertTrue(lot.with_user(self.quality_manager).can_edit_register)
        self.assertFalse(lot.with_user(self.stock_user).can_edit_register)

    def test_stock_user_cannot_change_register(self):
        lot = self._put_in_stock(self.product, 5, "LOT-S", "2027-01-01")
        lot.write({"supplier_id": self.vendor.id, "supplier_lot_name": "2047"})
        as_user = lot.with_user(self.stock_user)
        with self.assertRefused(AccessError, "Only quality managers can change Vendor"):
            as_user.write({"supplier_id": self.other_vendor.id})
        with self.assertRefused(AccessError, "Blocked"):
            as_user.write({"is_blocked": True})
        self.assertEqual(lot.supplier_id, self.vendor)
        self.assertEqual(lot.supplier_lot_name, "2047")
        self.assertFalse(lot.is_blocked)
        # Filling an empty field is what a receipt does: allowed.
        as_user.write({"production_date": "2026-01-02"})
        self.assertEqual(str(lot.production_date), "2026-01-02")

    def test_same_vendor_lot_from_two_vendors(self):
        """Vendor lot numbers are scoped to the vendor: two vendors may both use 2047."""
        picking = self._new_receipt(
            [(self.product, 4, {"lot_name": "LOT-1", "supplier_lot_name": "2047"})]
        )
        picking.button_validate()
        other = self._new_receipt(
            [(self.product, 6, {"lot_name": "LOT-2", "supplier_lot_name": "2047"})],
            partner=self.other_vendor,
        )
        other.button_validate()
        lots = self.env["stock.lot"].search([("supplier_lot_name", "=", "2047")])
        self.assertEqual(len(lots), 2)
        self.assertEqual(lots.supplier_id, self.vendor | self.other_vendor)

    def test_search_lot_by_vendor_lot(self):
        lot = self._put_in_stock(self.product, 5, "INT-0001", "2027-01-01")
        lot.supplier_lot_name = "VND-2047-B"
        found = self.env["stock.lot"].name_search("2047-b")
        self.assertIn(lot.id, [lot_id for lot_id, _name in found])
        # the lot field of operations searches the same way
        self.env["stock.move.line"].create(
            {
                "product_id": self.product.id,
                "company_id": self.company.id,
                "lot_id": lot.id,
                "quantity": 1,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
            }
        )
        lines = self.env["stock.move.line"].search([("lot_id", "ilike", "VND-2047")])
        self.assertEqual(lines.lot_id, lot)

    def _filter_domain(self, name):
        arch = self.env["stock.lot"].get_views([(False, "search")])["views"]["search"]["arch"]
        start = arch.index(f'name="{name}"')
        domain_at = arch.index('domain="', start) + len('domain="')
        text = arch[domain_at : arch.index('"', domain_at)]
        return ast.literal_eval(text.replace("&lt;", "<").replace("&gt;", ">"))

    @freeze_time("2026-07-15 12:00:00")
    def test_expiry_filters_and_days_left(self):
        expired = self._put_in_stock(self.product, 20, "LOT-EXP", "2026-07-01 00:00:00")
        in_20 = self._put_in_stock(self.product, 5, "LOT-20", "2026-08-04 12:00:00")
        in_45 = self._put_in_stock(self.product, 5, "LOT-45", "2026-08-29 12:00:00")
        in_80 = self._put_in_stock(self.product, 5, "LOT-80", "2026-10-03 12:00:00")
        later = self._put_in_stock(self.product, 5, "LOT-200", "2027-01-31 12:00:00")
        blocked = self._put_in_stock(self.product, 5, "LOT-BLK", "2027-01-31 12:00:00")
        blocked.is_blocked = True
        mine = [("product_id", "=", self.product.id)]
        lots = self.env["stock.lot"]

        def search(filter_name):
            return lots.search(mine + self._filter_domain(filter_name))

        self.assertEqual(expired.days_left, -14)
        self.assertEqual(in_20.days_left, 20)
        self.assertEqual(search("expired"), expired)
        self.assertEqual(search("expiring_30"), in_20)
        self.assertEqual(search("expiring_60"), in_20 | in_45)
        self.assertEqual(search("expiring_90"), in_20 | in_45 | in_80)
        self.assertEqual(search("blocked"), blocked)
        self.assertNotIn(later, search("expiring_90"))

    @freeze_time("2026-07-15 12:00:00")
    def test_register_screen_groups(self):
        """The Batch Register answers per vendor and per receipt month."""
        for day, partner, qty in (
            ("2026-03-10", self.vendor, 50),
            ("2026-05-12", self.vendor, 40),
            ("2026-05-20", self.other_vendor, 7),
        ):
            with freeze_time(f"{day} 09:00:00"):
                picking = self._new_receipt([(self.product, qty, {})], partner=partner)
                picking.button_validate()
        mine = [("product_id", "=", self.product.id)]
        by_vendor = self.env["stock.lot"]._read_group(mine, ["supplier_id"], ["__count"])
        self.assertEqual(dict(by_vendor), {self.vendor: 2, self.other_vendor: 1})
        by_month = self.env["stock.lot"]._read_group(mine, ["receipt_date:month"], ["__count"])
        self.assertEqual(
            {month.strftime("%Y-%m"): count for month, count in by_month},
            {"2026-03": 1, "2026-05": 2},
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_action_batch_register"
        )
        self.assertEqual(action["res_model"], "stock.lot")
        list_arch = self.env["stock.lot"].get_views(
            [(self.env.ref("lot_fefo_recall.stock_lot_view_list_batch_register").id, "list")]
        )["views"]["list"]["arch"]
        for field in (
            "product_id",
            "supplier_id",
            "supplier_lot_name",
            "receipt_date",
            "expiration_date",
            "days_left",
            "product_qty",
            "is_blocked",
        ):
            self.assertIn(f'name="{field}"', list_arch)
        # a stock user opens it
        register = self.env["stock.lot"].with_user(self.stock_user).search(mine)
        self.assertEqual(len(register), 3)
        self.assertTrue(all(register.mapped("supplier_id")))
