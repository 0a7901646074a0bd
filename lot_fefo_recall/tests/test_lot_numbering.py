import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.lot_fefo_recall.models import lot_name_pattern

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestLotNumbering(LotFefoRecallCase):
    def test_render_tokens(self):
        values = {
            "supplier_code": "AC",
            "product_code": "GYP",
            "warehouse_code": "MA",
            "date": datetime.date(2025, 5, 16),
        }
        cases = {
            "{supplier_code}-{date:%Y%m%d}": "AC-20250516",
            "{product_code}-{date:%y%m%d}-B{seq:2}-{warehouse_code}": "GYP-250516-B01-MA",
            "{julian}{seq:3}": "25136001",
            "L{date:%Y}/{seq:4}": "L2025/0001",
        }
        for pattern, expected in cases.items():
            self.assertEqual(lot_name_pattern.render(self.env, pattern, values), expected)
        self.assertEqual(
            lot_name_pattern.render(self.env, "{julian}-{seq:3}", values, counter=12),
            "25136-012",
        )
        # an empty vendor code leaves no dangling separator
        self.assertEqual(
            lot_name_pattern.render(
                self.env, "{supplier_code}-{date:%Y%m%d}", dict(values, supplier_code="")
            ),
            "20250516",
        )

    def test_vendor_lot_code_defaults_to_initials(self):
        partners = self.env["res.partner"].create(
            [
                {"name": "ABC Corp"},
                {"name": "Fromagerie de Paris"},
                {"name": "acme foods"},
                {"name": "3M Health"},
            ]
        )
        self.assertEqual(partners.mapped("lot_code"), ["AC", "FP", "AF", "3H"])
        partners[0].lot_code = "ABC"
        partners[0].name = "ABC Corporation"
        self.assertEqual(partners[0].lot_code, "ABC", "a code set by hand is kept")

    @freeze_time("2026-06-15 10:00:00")
    def test_validation_generates_lot(self):
        picking = self._new_receipt([(self.product, 12, {})])
        self.assertFalse(picking.move_line_ids.lot_name)
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.move_line_ids.lot_id.name, "AC-20260615")
        self.assertEqual(picking.move_line_ids.lot_id.supplier_id, self.vendor)

    @freeze_time("2026-06-15 10:00:00")
    def test_product_without_category_takes_the_company_pattern(self):
        """Odoo 19 lets a product have no category: its lots follow the company's pattern."""
        self.product.categ_id = False
        picking = self._new_receipt([(self.product, 12, {})])
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.move_line_ids.lot_id.name, "AC-20260615")

    @freeze_time("2026-06-15 10:00:00")
    def test_generate_button_before_validation(self):
        self.category.lot_name_pattern = "{product_code}-{date:%y%m%d}-B{seq:2}-{warehouse_code}"
        picking = self._new_receipt([(self.product, 12, {}), (self.product_undated, 3, {})])
        picking.with_user(self.stock_user).action_generate_lot_names()
        self.assertEqual(
            picking.move_line_ids.mapped("lot_name"), ["JAM-260615-B01-LFW", "JAR-260615-B01-LFW"]
        )
        with self.assertRefused(UserError, "already has a lot number"):
            picking.action_generate_lot_names()
        picking.button_validate()
        self.assertEqual(
            picking.move_line_ids.lot_id.mapped("name"),
            ["JAM-260615-B01-LFW", "JAR-260615-B01-LFW"],
        )

    @freeze_time("2026-06-15 10:00:00")
    def test_existing_name_takes_next_counter(self):
        self._put_in_stock(self.product, 1, "AC-20260615", "2027-01-01")
        first = self._new_receipt([(self.product, 2, {})])
        first.action_generate_lot_names()
        second = self._new_receipt([(self.product, 2, {})])
        second.button_validate()
        first.button_validate()
        self.assertEqual(first.move_line_ids.lot_id.name, "AC-20260615-2")
        self.assertEqual(second.move_line_ids.lot_id.name, "AC-20260615-3")

        self.category.lot_name_pattern = "{supplier_code}{date:%y%m%d}-{seq:3}"
        self._put_in_stock(self.product, 1, "AC260615-001", "2027-01-01")
        third = self._new_receipt([(self.product, 2, {})])
        third.button_validate()
        self.assertEqual(third.move_line_ids.lot_id.name, "AC260615-002")

    @freeze_time("2026-06-15 10:00:00")
    def test_category_pattern_inherited_from_parent(self):
        self.category.parent_id = self.env["product.category"].create(
            {"name": "Food", "lot_name_pattern": "F-{julian}"}
        )
        picking = self._new_receipt([(self.product, 1, {})])
        picking.button_validate()
        self.assertEqual(picking.move_line_ids.lot_id.name, "F-26166")

    def test_unknown_token_refused(self):
        for pattern, reason in (
            ("{vendor}-{date:%Y}", "unknown token {vendor}"),
            ("{supplier_code}-{date}", "needs a format"),
            ("{seq:0}", "needs a width"),
            ("{seq:abc}", "needs a width"),
            ("{julian:%Y}", "takes no format"),
            ("{supplier_code!r}", "is not valid"),
        ):
            with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
                self.category.lot_name_pattern = pattern
            message = str(caught.exception)
            self.assertIn(reason, message)
            self.assertIn("Valid tokens: {supplier_code}, {product_code}", message)
        self.assertFalse(self.category.lot_name_pattern)

    def test_bad_syntax_refused(self):
        for pattern in ("{supplier_code-{date:%Y}", "LOT}{seq:3}"):
            with self.assertRefused(ValidationError, "brace is not closed"):
                self.category.lot_name_pattern = pattern
        with self.assertRefused(ValidationError, "can not be used"):
            self.company.lot_name_pattern = "{unknown}"
        self.assertEqual(self.company.lot_name_pattern, "{supplier_code}-{date:%Y%m%d}")

    def test_settings_pattern(self):
        settings = Form(self.env["res.config.settings"])
        settings.lot_name_pattern = "{warehouse_code}-{julian}-{seq:3}"
        settings.save().execute()
        self.assertEqual(self.company.lot_name_pattern, "{warehouse_code}-{julian}-{seq:3}")
        settings = Form(self.env["res.config.settings"])
        settings.lot_name_pattern = "{bad}"
        with self.assertRefused(ValidationError, "unknown token"):
            settings.save().execute()

    def test_pattern_producing_empty_name_refused(self):
        with self.assertRefused(ValidationError, "produces an empty lot number"):
            self.category.lot_name_pattern = " - "
        self.assertFalse(self.category.lot_name_pattern)

    @freeze_time("2026-06-15 10:00:00")
    def test_empty_name_at_receipt_refused(self):
        self.category.lot_name_pattern = "{supplier_code}"
        self.vendor.lot_code = False
        picking = self._new_receipt([(self.product, 5, {})])
        with self.assertRefused(UserError, "gives an empty lot number for .*Strawberry Jam"):
            picking.button_validate()
        with self.assertRefused(UserError, "gives an empty lot number"):
            picking.action_generate_lot_names()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.move_line_ids.lot_name)
        self.assertFalse(self.env["stock.lot"].search([("product_id", "=", self.product.id)]))
