from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        """A component of a manufacturing order made for a customer's shelf life rule
        reserves only lots expiring late enough for the product made to meet it (see
        mrp.production._get_component_shelf_life_requirement), through the same context
        keys as a delivery (stock.quant._get_lot_fefo_domain)."""
        _rule, min_expiration, _customer = self._get_component_shelf_life_requirement()
        if not min_expiration:
            return super()._update_reserved_quantity(
                need, location_id, lot_id, package_id, owner_id, strict
            )
        return super(
            StockMove,
            self.with_context(
                lot_fefo_min_date=min_expiration, lot_fefo_min_date_field="expiration_date"
            ),
        )._update_reserved_quantity(need, location_id, lot_id, package_id, owner_id, strict)

    def _get_component_shelf_life_requirement(self):
        """``(rule, earliest expiration date a lot may have, customer)`` for a component
        move of a manufacturing order; an empty rule and None otherwise."""
        self.ensure_one()
        production = self.raw_material_production_id
        if not (production and self.product_id.use_expiration_date):
            return self.env["stock.shelf.life.rule"], None, self.env["res.partner"]
        return production._get_component_shelf_life_requirement()

    def _update_shelf_life_shortage(self):
        """Component moves explain, as a delivery does, a reservation left short by the
        customer's rule, in the manufacturing order's chatter."""
        res = super()._update_shelf_life_shortage()
        moves = self.filtered(
            lambda m: (
                m.raw_material_production_id
                and m.state in ("confirmed", "partially_available", "assigned")
                and m.product_id.use_expiration_date
            )
        )
        for move in moves:
            note = move._get_component_shelf_life_shortage_note() or False
            if note == (move.shelf_life_shortage or False):
                continue
            move.shelf_life_shortage = note
            if note:
                move.raw_material_production_id.message_post(
                    body=note, subtype_xmlid="mail.mt_note"
                )
        return res

    def _get_component_shelf_life_shortage_note(self):
        self.ensure_one()
        missing = self.product_uom_qty - self.quantity
        if self.product_uom.compare(missing, 0) <= 0:
            return None
        rule, min_expiration, customer = self._get_component_shelf_life_requirement()
        if not min_expiration:
            return None
        lots = self._get_shelf_life_free_lots_before("expiration_date", min_expiration)
        if not lots:
            return None
        production = self.raw_material_production_id
        warehouse = production.warehouse_id
        described = self._describe_shelf_life_lots(rule, lots, "expiration_date")
        return self.env._(
            "%(quantity)s %(uom)s of %(component)s not reserved: %(lots)s expires too early "
            "for %(product)s made from it to meet %(customer)s's %(minimum)s (its components "
            "must expire on %(date)s or later).",
            quantity=f"{missing:g}",
            uom=self.product_uom.name,
            component=self.product_id.display_name,
            lots=described,
            product=production.product_id.display_name,
            customer=customer.name,
            minimum=rule._describe_minimum(production.product_id),
            date=fields.Date.to_string(rule._get_local_day(min_expiration, warehouse)),
        )
