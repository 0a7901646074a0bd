from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase

CORE_REFUSAL = "(?i)You need to supply a Lot/Serial number"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15 10:00:00")
class TestLotNameGeneration(LotFefoRecallCase):
    """Lot numbers are generated on receipt only where the user asked for it: a pattern
    on the product or its category, or the company's Generate Lot Numbers on Receipt
    (off in a new install). Elsewhere Odoo asks for the lot number, as without the
    add-on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.lot_name_generation = False

    def _lots(self, product=None):
        return self.env["stock.lot"].search([("product_id", "=", (product or self.product).id)])

    def test_new_company_does_not_generate(self):
        company = self.env["res.company"].create({"name": "Fresh Start Foods"})
        self.assertFalse(company.lot_name_generation)

    def test_no_pattern_anywhere_core_refuses(self):
        picking = self._new_receipt([(self.product, 12, {})])
        with self.assertRefused(UserError, CORE_REFUSAL):
            picking.button_validate()
        self.assertEqual(picking.state, "assigned", "nothing validated")
        self.assertFalse(picking.move_line_ids.lot_name)
        self.assertFalse(self._lots())
        with self.assertRefused(UserError, "No lot number pattern applies to .*Strawberry Jam"):
            picking.action_generate_lot_names()
        self.assertFalse(picking.move_line_ids.lot_name)
        # the user types the lot number, as in standard Odoo
        picking.move_line_ids.lot_name = "MY-LOT-1"
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.move_line_ids.lot_id.name, "MY-LOT-1")

    def test_core_immediate_validate_6(self):
        """What Odoo's stock test TestStockMove.test_immediate_validate_6 checks: a
        tracked and an untracked move received without quantities or lot refuse to
        validate, also once the tracked move is picked."""
        self.picking_type_in.write({"use_create_lots": True, "use_existing_lots": False})
        untracked = self.env["product.product"].create({"name": "Lid", "is_storable": True})
        picking = self.env["stock.picking"].create(
            {
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "picking_type_id": self.picking_type_in.id,
                "state": "draft",
            }
        )
        moves = self.env["stock.move"].create(
            [
                {
                    "location_id": self.supplier_location.id,
                    "location_dest_id": self.stock_location.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "product_uom": product.uom_id.id,
                    "product_uom_qty": 1,
                }
                for product in (untracked, self.product_undated)
            ]
        )
        picking.action_confirm()
        picking.action_assign()
        with self.assertRefused(UserError, CORE_REFUSAL):
            picking.button_validate()
        moves[1].picked = True
        with self.assertRefused(UserError, CORE_REFUSAL):
            picking.button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(self._lots(self.product_undated))

    def test_category_pattern_generates(self):
        self.category.lot_name_pattern = "{product_code}-{date:%y%m%d}"
        picking = self._new_receipt([(self.product, 12, {})])
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.move_line_ids.lot_id.name, "JAM-260615")

    def test_product_pattern_generates_and_wins(self):
        self.category.lot_name_pattern = "{product_code}-{date:%y%m%d}"
        self.product.lot_name_pattern = "P-{julian}-{seq:2}"
        picking = self._new_receipt([(self.product, 12, {}), (self.product_undated, 3, {})])
        picking.action_generate_lot_names()
        self.assertEqual(picking.move_line_ids.mapped("lot_name"), ["P-26166-01", "JAR-260615"])
        with self.assertRefused(ValidationError, "unknown token"):
            self.product.lot_name_pattern = "{nope}"
        self.assertEqual(self.product.lot_name_pattern, "P-{julian}-{seq:2}")

    def test_only_lines_with_a_pattern_get_a_name(self):
        self.product.lot_name_pattern = "{product_code}-{date:%y%m%d}"
        picking = self._new_receipt([(self.product, 12, {}), (self.product_undated, 3, {})])
        picking.action_generate_lot_names()
        self.assertEqual(picking.move_line_ids.mapped("lot_name"), ["JAM-260615", False])
        with self.assertRefused(UserError, CORE_REFUSAL):
            picking.button_validate()
        self.assertFalse(self._lots(self.product_undated))

    def test_company_setting_generates(self):
        self.company.lot_name_generation = True
        picking = self._new_receipt([(self.product, 12, {})])
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.move_line_ids.lot_id.name, "AC-20260615")

    def test_company_setting_needs_a_pattern(self):
        settings = Form(self.env["res.config.settings"])
        settings.lot_name_generation = True
        settings.lot_name_pattern = "{warehouse_code}-{julian}"
        settings.save().execute()
        self.assertTrue(self.company.lot_name_generation)
        with self.assertRefused(ValidationError, "needs a lot number pattern"):
            self.company.lot_name_pattern = False
        self.assertEqual(self.company.lot_name_pattern, "{warehouse_code}-{julian}")
        # off, the pattern may be empty: no lot number and no message names it
        self.company.write({"lot_name_generation": False, "lot_name_pattern": False})
        picking = self._new_receipt([(self.product, 12, {})])
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            picking.button_validate()
        self.assertRegex(str(caught.exception), CORE_REFUSAL)
        self.assertNotIn("False", str(caught.exception))
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            picking.action_generate_lot_names()
        self.assertNotIn("False", str(caught.exception))
