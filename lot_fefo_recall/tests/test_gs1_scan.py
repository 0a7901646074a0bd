import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged

from .common import LotFefoRecallCase

GTIN = "09501101530003"  # the jam's GTIN-14; its barcode is the EAN-13 9501101530003
CARTON_GTIN = "19501101530000"  # a carton of 12 jars
OTHER_GTIN = "09501101530010"  # the glass jar, not on the receipts
UNKNOWN_GTIN = "04012345000009"  # nobody's


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15 10:00:00")
class TestGs1Scan(LotFefoRecallCase):
    """A receiving clerk scans the vendor's GS1 barcodes into a receipt: each scan fills
    a line with product, vendor lot, dates and quantity; bad scans are refused with a
    sentence and write nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product.barcode = GTIN[1:]
        cls.product_undated.barcode = OTHER_GTIN[1:]
        carton = cls.env["uom.uom"].create(
            {
                "name": "Carton of 12",
                "relative_factor": 12,
                "relative_uom_id": cls.env.ref("uom.product_uom_unit").id,
            }
        )
        cls.env["product.uom"].create(
            {"product_id": cls.product.id, "uom_id": carton.id, "barcode": CARTON_GTIN}
        )
        cls.Wizard = cls.env["stock.receipt.scan.wizard"]
        cls.Rule = cls.env["stock.shelf.life.rule"]

    def _receipt(self, quantity=20, product=None, confirm=True):
        """A confirmed receipt of ``quantity`` jam, its detailed operation still empty
        (a draft one without ``confirm``)."""
        product = product or self.product
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.picking_type_in.id,
                "partner_id": self.vendor.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        if confirm:
            picking.action_confirm()
        return picking

    def _scan(self, picking, text, user=None):
        wizard = self.Wizard.with_user(user or self.env.user).create({"picking_id": picking.id})
        wizard.scan = text
        wizard.action_scan()
        return wizard

    def _lines_snapshot(self, picking):
        self.env.invalidate_all()
        return picking.move_line_ids.read(
            ["quantity", "supplier_lot_name", "lot_name", "expiration_date", "picked"]
        )

    def _expiry_day(self, line):
        return self.Rule._get_local_day(line.expiration_date, self.warehouse)

    # ---------------------------------------------------------------- happy paths

    def test_element_string_fills_the_empty_line(self):
        picking = self._receipt()
        wizard = self._scan(picking, "]C101" + GTIN + "17261231" + "10LOT-A\x1d3012")
        line = picking.move_line_ids
        self.assertEqual(len(line), 1, "the empty detailed operation is filled, none added")
        self.assertEqual(line.supplier_lot_name, "LOT-A")
        self.assertEqual(line.quantity, 12)
        self.assertTrue(line.picked)
        self.assertEqual(self._expiry_day(line), datetime.date(2026, 12, 31))
        self.assertTrue(line.lot_name, "the internal lot comes from the lot number pattern")
        self.assertIn("LOT-A", wizard.scan_log)
        self.assertFalse(wizard.scan)

    def test_parenthesised_string_with_production_date(self):
        picking = self._receipt(quantity=5)
        self._scan(picking, f"(01){GTIN}(11)260601(17)261130(10)LOT-B(30)5")
        line = picking.move_line_ids
        self.assertEqual(line.supplier_lot_name, "LOT-B")
        self.assertEqual(line.quantity, 5)
        self.assertEqual(line.production_date, datetime.date(2026, 6, 1))
        # the printed expiry, not production date + the product's 180 days
        self.assertEqual(self._expiry_day(line), datetime.date(2026, 11, 30))
        picking.button_validate()
        self.assertEqual(self._expiry_day(line.lot_id), datetime.date(2026, 11, 30))
        self.assertEqual(line.lot_id.production_date, datetime.date(2026, 6, 1))

    def test_digital_link_end_of_month_day_00(self):
        picking = self._receipt()
        self._scan(picking, f"https://id.example.com/01/{GTIN}/10/LOT-C?17=261100")
        line = picking.move_line_ids
        self.assertEqual(line.supplier_lot_name, "LOT-C")
        self.assertEqual(line.quantity, 1, "one trade item without a quantity")
        self.assertEqual(self._expiry_day(line), datetime.date(2026, 11, 30))

    def test_draft_receipt_is_marked_to_do_by_the_first_scan(self):
        draft = self._receipt(quantity=12, confirm=False)
        self.assertEqual(draft.state, "draft")
        self._scan(draft, f"(01){GTIN}(17)261231(10)LOT-K(30)12")
        self.assertEqual(draft.state, "assigned")
        self.assertEqual(draft.move_line_ids.supplier_lot_name, "LOT-K")
        self.assertEqual(draft.move_line_ids.quantity, 12)

    def test_product_found_by_its_gtin_field(self):
        """A product whose GTIN is set in its own field (barcode empty or internal)."""
        self.product.write({"barcode": "JAM-INTERNAL", "gs1_gtin": "9501101530058"})
        picking = self._receipt()
        self._scan(picking, "(01)09501101530058(17)261231(10)LOT-J")
        self.assertEqual(picking.move_line_ids.supplier_lot_name, "LOT-J")

    def test_packaging_barcode_gives_the_carton_content(self):
        picking = self._receipt(quantity=24)
        self._scan(picking, f"(01){CARTON_GTIN}(17)261231(10)LOT-D")
        self._scan(picking, f"(01){CARTON_GTIN}(17)261231(10)LOT-D")
        line = picking.move_line_ids
        self.assertEqual(len(line), 1, "a second carton of the same lot adds to its line")
        self.assertEqual(line.product_id, self.product)
        self.assertEqual(line.quantity, 24)

    def test_two_vendor_lots_two_lines_then_batch_register(self):
        picking = self._receipt(quantity=20)
        self._scan(picking, f"(01){GTIN}(17)261231(10)LOT-E(30)12")
        self._scan(picking, f"(01){GTIN}(17)270131(10)LOT-F(30)8")
        lines = picking.move_line_ids.sorted("supplier_lot_name")
        self.assertEqual(lines.mapped("supplier_lot_name"), ["LOT-E", "LOT-F"])
        self.assertEqual(lines.mapped("quantity"), [12, 8])
        self.assertNotEqual(lines[0].lot_name, lines[1].lot_name)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        lots = lines.lot_id.sorted("supplier_lot_name")
        self.assertEqual(lots.mapped("supplier_lot_name"), ["LOT-E", "LOT-F"])
        self.assertEqual(
            [self.Rule._get_local_day(d, self.warehouse) for d in lots.mapped("expiration_date")],
            [datetime.date(2026, 12, 31), datetime.date(2027, 1, 31)],
        )
        self.assertEqual(lots.mapped("receipt_picking_id"), picking)
        self.assertEqual(lots.mapped("supplier_id"), self.vendor)

    def test_form_scan_with_enter_as_stock_user(self):
        """The dialog as the clerk uses it: the scanner types the code and Enter, which
        commits the field; its onchange fills the receipt and lists what was filled."""
        picking = self._receipt(quantity=20)
        action = self.env.ref("lot_fefo_recall.stock_receipt_scan_wizard_action")
        wizard_form = Form(
            self.Wizard.with_user(self.stock_user).with_context(default_picking_id=picking.id),
            view="lot_fefo_recall.stock_receipt_scan_wizard_view_form",
        )
        self.assertEqual(action.res_model, "stock.receipt.scan.wizard")
        wizard_form.scan = f"(01){GTIN}(17)261231(10)LOT-G(30)12"
        self.assertFalse(wizard_form.scan, "the input is cleared for the next carton")
        wizard_form.scan = f"(01){GTIN}(17)270131(10)LOT-H(30)8"
        self.assertIn("LOT-G", wizard_form.scan_log)
        self.assertIn("LOT-H", wizard_form.scan_log.splitlines()[0], "latest first")
        self.assertEqual(
            sorted(picking.move_line_ids.mapped("supplier_lot_name")), ["LOT-G", "LOT-H"]
        )

    # ------------------------------------------------------------------ bad scans

    def _assert_refused(self, text, *words, picking=None):
        picking = picking or self._receipt()
        before = self._lines_snapshot(picking)
        # Not assertRaises, whose own savepoint would hide a write: the wizard must undo
        # its own work, as when a caller catches the error.
        try:
            self._scan(picking, text)
        except UserError as error:
            caught = error
        else:
            self.fail(f"the scan {text!r} was accepted")
        for word in words:
            self.assertIn(word, str(caught))
        self.assertEqual(self._lines_snapshot(picking), before, "nothing was written")
        return caught

    def test_unknown_gtin_named(self):
        self._assert_refused(f"(01){UNKNOWN_GTIN}(17)261231(10)X1", UNKNOWN_GTIN)

    def test_product_not_on_receipt(self):
        self._assert_refused(f"(01){OTHER_GTIN}(10)X2", "Glass Jar", "is not on the receipt")

    def test_check_digit_failure(self):
        self._assert_refused("(01)09501101530004(17)261231(10)X3", "check digit")

    def test_expired_carton(self):
        self._assert_refused(f"(01){GTIN}(17)260601(10)X4", "expired on 2026-06-01", "X4")

    def test_short_of_receipt_minimum(self):
        self.product.write(
            {"receipt_min_shelf_life_override": True, "receipt_min_shelf_life_days": 120}
        )
        self._assert_refused(
            f"(01){GTIN}(17)260801(10)X5", "expires on 2026-08-01", "minimum on receipt is 120"
        )

    def test_blocked_vendor_lot(self):
        lot = self.env["stock.lot"].create(
            {
                "name": "OUR-X6",
                "product_id": self.product.id,
                "supplier_lot_name": "X6",
                "expiration_date": "2026-12-01 00:00:00",
            }
        )
        lot.write({"is_blocked": True, "block_reason": "Glass found"})
        self._assert_refused(f"(01){GTIN}(17)261231(10)X6", "X6", "OUR-X6", "blocked")

    def test_truncated_string(self):
        self._assert_refused("(01)0950110153")

    def test_malformed_string(self):
        self._assert_refused("hello world")

    def test_invalid_date(self):
        self._assert_refused(f"(01){GTIN}(17)261399(10)X7", "261399")

    def test_done_receipt_refused(self):
        picking = self._receipt(quantity=1)
        self._scan(picking, f"(01){GTIN}(17)261231(10)X8")
        picking.button_validate()
        self._assert_refused(f"(01){GTIN}(17)261231(10)X9", "not a receipt", picking=picking)


@tagged("post_install", "-at_install")
class TestGs1ScanTour(HttpCase):
    """In the browser: open a receipt, Scan, type a carton's string and Enter, see the
    line filled."""

    def test_receive_carton_by_scan(self):
        env = self.env
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        supplier = env.ref("stock.stock_location_suppliers")
        env.user.group_ids += env.ref("stock.group_production_lot")
        product = env["product.product"].create(
            {
                "name": "Scan Tour Jam",
                "categ_id": env["product.category"].create({"name": "Scan Tour Preserves"}).id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 365,
                "barcode": "9501101530041",
            }
        )
        vendor = env["res.partner"].create({"name": "Scan Tour Farms", "is_company": True})
        picking = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": vendor.id,
                "location_id": supplier.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 12,
                            "location_id": supplier.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        # the tour types (01)09501101530041(17)301231(10)TOUR-SCAN-1(30)12
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "lot_fefo_recall_receipt_scan",
            login="admin",
            timeout=120,
        )
        self.assertEqual(picking.move_line_ids.supplier_lot_name, "TOUR-SCAN-1")
        self.assertEqual(picking.move_line_ids.quantity, 12)
