from odoo import Command


class RecallLettersWorld:
    """One lot of jam shipped to three customers: Alpine Grocers (English, email, its
    own delivery address), Bistro Nord (French, email) and Corner Kiosk (no email);
    a recall of the lot, traced. Shared by the letter and the portal tests."""

    @classmethod
    def _build_letters_world(cls):
        env = cls.env
        env["res.lang"]._activate_lang("fr_FR")
        cls.letters_warehouse = env["stock.warehouse"].create(
            {"name": "Letters Warehouse", "code": "LTW", "company_id": env.company.id}
        )
        stock = cls.letters_warehouse.lot_stock_id
        cls.letters_jam = env["product.product"].create(
            {
                "name": "Apricot Jam",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )
        cls.letters_lot = env["stock.lot"].create(
            {
                "name": "APR-1",
                "product_id": cls.letters_jam.id,
                "expiration_date": "2027-05-01",
            }
        )
        env["stock.quant"]._update_available_quantity(
            cls.letters_jam, stock, 100, lot_id=cls.letters_lot
        )
        Partner = env["res.partner"]
        cls.alpine = Partner.create(
            {"name": "Alpine Grocers", "is_company": True, "email": "buyer@alpine.example.com"}
        )
        cls.alpine_dock = Partner.create(
            {
                "name": "Loading Dock",
                "type": "delivery",
                "parent_id": cls.alpine.id,
                "street": "12 Dock Road",
                "city": "Lakeside",
            }
        )
        cls.bistro = Partner.create(
            {
                "name": "Bistro Nord",
                "is_company": True,
                "email": "chef@bistro.example.com",
                "lang": "fr_FR",
            }
        )
        cls.kiosk = Partner.create({"name": "Corner Kiosk", "is_company": True})
        cls._ship_letters_lot(
            cls.letters_lot, ((cls.alpine_dock, 30), (cls.bistro, 20), (cls.kiosk, 5))
        )
        cls.letters_recall = env["stock.recall"].create(
            {
                "reason": "Mould found in jars",
                "lot_ids": [Command.set(cls.letters_lot.ids)],
            }
        )
        cls.letters_recall.action_trace()

    @classmethod
    def _ship_letters_lot(cls, lot, shipments):
        """Deliver ``lot`` to each ``(partner, quantity)`` of ``shipments``."""
        env = cls.env
        stock = cls.letters_warehouse.lot_stock_id
        customers = env.ref("stock.stock_location_customers")
        for partner, quantity in shipments:
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": cls.letters_warehouse.out_type_id.id,
                    "partner_id": partner.id,
                    "location_id": stock.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": lot.product_id.id,
                                "product_uom_qty": quantity,
                                "location_id": stock.id,
                                "location_dest_id": customers.id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            picking.move_ids.move_line_ids.unlink()
            env["stock.move.line"].create(
                {
                    "move_id": picking.move_ids.id,
                    "picking_id": picking.id,
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "location_id": stock.id,
                    "location_dest_id": customers.id,
                    "picked": True,
                }
            )
            picking.with_context(skip_expired=True)._action_done()

    @classmethod
    def _recall_customer(cls, partner):
        return cls.letters_recall.customer_ids.filtered(lambda c: c.partner_id == partner)
