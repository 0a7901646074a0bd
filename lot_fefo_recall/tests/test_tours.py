from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    """Screen flows in a real browser: the recall from a vendor's notice, and finding a
    lot by the vendor's number in the Batch Register."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        vendor = env["res.partner"].create({"name": "Tour Farms", "is_company": True})
        grocer = env["res.partner"].create(
            {"name": "Tour Grocer", "is_company": True, "email": "grocer@example.com"}
        )
        product = env["product.product"].create(
            {
                "name": "Tour Jam",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 365,
            }
        )
        supplier = env.ref("stock.stock_location_suppliers")
        customers = env.ref("stock.stock_location_customers")
        receipt = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": vendor.id,
                "location_id": supplier.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 20,
                            "location_id": supplier.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.move_line_ids.write(
            {"lot_name": "TOUR-LOT", "supplier_lot_name": "TOUR-2047", "quantity": 20}
        )
        receipt.button_validate()
        delivery = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": grocer.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 7,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        delivery.action_confirm()
        delivery.action_assign()
        delivery.button_validate()

    def test_recall_from_vendor_notice(self):
        self.start_tour(
            "/odoo/action-lot_fefo_recall.stock_recall_wizard_action",
            "lot_fefo_recall_vendor_notice",
            login="admin",
            timeout=120,
        )
        recall = self.env["stock.recall"].search([("reason", "=", "Glass found in jars")])
        self.assertEqual(recall.state, "quarantined")
        self.assertEqual(recall.lot_ids.name, "TOUR-LOT")
        self.assertTrue(recall.lot_ids.is_blocked)

    def test_batch_register_finds_vendor_lot(self):
        self.start_tour(
            "/odoo/batch-register", "lot_fefo_recall_batch_register", login="admin", timeout=120
        )
