from contextlib import contextmanager
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

# The lots of the FEFO stories, by days left on 2026-06-01.
FEFO_STORY_EXPIRY = {
    "L20": "2026-06-21 10:00:00",
    "L45": "2026-07-16 10:00:00",
    "L90": "2026-08-30 10:00:00",
    "L200": "2026-12-18 10:00:00",
}


class LotFefoRecallCase(TransactionCase):
    """A world of our own: a warehouse, lot-tracked products with expiry dates,
    vendors and customers, a stock user and a quality manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.lot_name_pattern = "{supplier_code}-{date:%Y%m%d}"
        # The receipt tests rely on generated lot numbers (off in a new install).
        cls.company.lot_name_generation = True
        cls.env.user.group_ids += cls.env.ref("stock.group_production_lot")
        cls.warehouse = cls.env["stock.warehouse"].create(
            {"name": "Lot FEFO Warehouse", "code": "LFW", "company_id": cls.company.id}
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.picking_type_in = cls.warehouse.in_type_id
        cls.picking_type_out = cls.warehouse.out_type_id

        cls.category = cls.env["product.category"].create({"name": "Dated Food"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Strawberry Jam",
                "default_code": "JAM",
                "categ_id": cls.category.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 180,
                "standard_price": 3.0,
            }
        )
        cls.product_undated = cls.env["product.product"].create(
            {
                "name": "Glass Jar",
                "default_code": "JAR",
                "categ_id": cls.category.id,
                "is_storable": True,
                "tracking": "lot",
            }
        )
        cls.vendor = cls.env["res.partner"].create({"name": "ABC Corp", "is_company": True})
        cls.vendor_contact = cls.env["res.partner"].create(
            {"name": "Jane Doe", "parent_id": cls.vendor.id}
        )
        cls.other_vendor = cls.env["res.partner"].create(
            {"name": "Green Valley Farms", "is_company": True}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Big Box Retail", "is_company": True}
        )

        cls.stock_user = new_test_user(
            cls.env,
            login="lfr_stock_user",
            groups="stock.group_stock_user,stock.group_production_lot",
        )
        cls.quality_manager = new_test_user(
            cls.env,
            login="lfr_quality_manager",
            groups="lot_fefo_recall.group_quality_manager,stock.group_production_lot",
        )

    @classmethod
    def _new_receipt(cls, lines, partner=None, user=None):
        """A confirmed receipt; ``lines`` are ``(product, quantity, line values)``, the
        values going to the move's single detailed operation (lot_name,
        expiration_date, supplier_lot_name...)."""
        env = cls.env(user=user) if user else cls.env
        picking = env["stock.picking"].create(
            {
                "picking_type_id": cls.picking_type_in.id,
                "partner_id": (partner or cls.vendor).id,
                "location_id": cls.supplier_location.id,
                "location_dest_id": cls.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "location_id": cls.supplier_location.id,
                            "location_dest_id": cls.stock_location.id,
                        }
                    )
                    for product, quantity, _vals in lines
                ],
            }
        )
        picking.action_confirm()
        for move, (_product, quantity, vals) in zip(picking.move_ids, lines, strict=True):
            move.move_line_ids.write(dict({"quantity": quantity, "picked": True}, **vals))
        return picking

    @classmethod
    def _new_delivery(cls, partner, lines, date=None, picking_type=None, location_dest=None):
        """A confirmed delivery of ``lines`` (``(product, quantity)``) to ``partner``."""
        picking_type = picking_type or cls.picking_type_out
        location_dest = location_dest or cls.customer_location
        vals = {
            "picking_type_id": picking_type.id,
            "partner_id": partner.id,
            "location_id": cls.stock_location.id,
            "location_dest_id": location_dest.id,
            "move_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": quantity,
                        "location_id": cls.stock_location.id,
                        "location_dest_id": location_dest.id,
                        "partner_id": partner.id,
                    }
                )
                for product, quantity in lines
            ],
        }
        if date:
            vals["scheduled_date"] = date
        picking = cls.env["stock.picking"].create(vals)
        picking.action_confirm()
        return picking

    @classmethod
    def _delivery_with_lot(cls, partner, lot, quantity=5):
        """A delivery of ``quantity`` of ``lot`` to ``partner``, picked by hand."""
        picking = cls._new_delivery(partner, [(lot.product_id, quantity)])
        picking.move_ids.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": cls.stock_location.id,
                "location_dest_id": cls.customer_location.id,
                "picked": True,
            }
        )
        return picking

    @staticmethod
    def _reserved(picking):
        """``{lot name: reserved quantity}`` of a picking."""
        result = {}
        for line in picking.move_line_ids:
            result[line.lot_id.name] = result.get(line.lot_id.name, 0) + line.quantity
        return result

    @classmethod
    def _stock_fefo_story(cls, lot_names=("L45", "L90", "L200")):
        """Big Box's 60-day rule and 10 units of each of ``lot_names`` in stock, put
        there on 2026-06-01; the name says how many days the lot then has left.
        Return the rule and the lots by name."""
        rule = cls.env["stock.shelf.life.rule"].create(
            {"partner_id": cls.customer.id, "min_remaining_days": 60}
        )
        with freeze_time("2026-06-01 10:00:00"):
            lots = {
                name: cls._put_in_stock(cls.product, 10, name, FEFO_STORY_EXPIRY[name])
                for name in lot_names
            }
        return rule, lots

    def _sale_order(self, partner, quantity):
        """A quotation of ``quantity`` of the jam to ``partner`` from our warehouse."""
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": quantity})
                ],
            }
        )

    @classmethod
    def _done_transfer(
        cls,
        lot,
        quantity,
        source,
        dest,
        partner=None,
        *,
        picking_type=None,
        move_partner=None,
        **line_vals,
    ):
        """A validated transfer of ``quantity`` of ``lot`` from ``source`` to ``dest``,
        in the company of ``picking_type`` (by default our warehouse's receipt, delivery
        or internal type, from the locations); ``move_partner`` is the move's delivery
        address (a dropship); ``line_vals`` go to its detailed operation."""
        if not picking_type:
            if source.usage in ("supplier", "customer"):
                picking_type = cls.picking_type_in
            elif dest.usage == "customer":
                picking_type = cls.picking_type_out
            else:
                picking_type = cls.warehouse.int_type_id
        env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=picking_type.company_id.ids)
        )
        picking = env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id if partner else False,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                            "partner_id": move_partner.id if move_partner else False,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        env["stock.move.line"].create(
            dict(
                {
                    "move_id": picking.move_ids.id,
                    "picking_id": picking.id,
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                    "picked": True,
                },
                **line_vals,
            )
        )
        picking.with_context(skip_expired=True)._action_done()
        return picking

    @classmethod
    def _put_in_stock(cls, product, quantity, lot_name, expiration, location=None):
        lot = cls.env["stock.lot"].create(
            {"name": lot_name, "product_id": product.id, "expiration_date": expiration}
        )
        cls.env["stock.quant"]._update_available_quantity(
            product, location or cls.stock_location, quantity, lot_id=lot
        )
        return lot

    @staticmethod
    def _dt(text):
        return datetime.fromisoformat(text)

    @contextmanager
    def assertRefused(self, exception, regex):
        """The user's error is raised and, as in a real request, what was written on the
        way is rolled back and the cache cleared, so that tests can check that nothing
        was written."""
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield
