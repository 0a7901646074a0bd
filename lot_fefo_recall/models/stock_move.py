from odoo import fields, models
from odoo.fields import Domain

# How far down a chain (pick, pack, ship) a move looks for the customer delivery.
_MAX_CHAIN_DEPTH = 4
# Lots named in a shortage explanation.
_MAX_LOTS_NAMED = 3


class StockMove(models.Model):
    _name = "stock.move"
    _inherit = ["stock.move", "lot_fefo_recall.input.guard"]

    shelf_life_shortage = fields.Text(
        copy=False,
        readonly=True,
        help="Why part of this move is not reserved although stock exists: the lots on hand "
        "do not meet the customer's minimum remaining shelf life.",
    )

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        """The move that chooses lots for a customer takes only lots meeting the
        customer's shelf life rule. Chained steps reserve what the previous step
        brought without coming here; blocked lots are left out for every move by
        stock.quant._get_reserve_quantity."""
        _rule, min_expiration = self._get_shelf_life_requirement()
        if not min_expiration:
            return super()._update_reserved_quantity(
                need, location_id, lot_id, package_id, owner_id, strict
            )
        return super(
            StockMove, self.with_context(lot_fefo_min_expiration=min_expiration)
        )._update_reserved_quantity(need, location_id, lot_id, package_id, owner_id, strict)

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        self._update_shelf_life_shortage()
        return res

    def _is_customer_delivery(self):
        self.ensure_one()
        return (
            self.picking_type_id.code == "outgoing" and self.location_dest_id.usage == "customer"
        )

    def _get_shelf_life_customer_move(self):
        """The move whose customer and date the shelf life rule is about: this move when
        it delivers to a customer or is the first step of a delivery (its final location
        is the customer's, as a pick of pick-and-ship), else the customer delivery it
        feeds. Empty for receipts, internal transfers and manufacturing."""
        self.ensure_one()
        move = self
        for _depth in range(_MAX_CHAIN_DEPTH):
            if move._is_customer_delivery() or move.location_final_id.usage == "customer":
                return move
            move = move.move_dest_ids[:1]
            if not move:
                break
        return self.browse()

    def _get_shelf_life_requirement(self):
        """``(rule, earliest expiration date a lot may have)`` for this move, or an empty
        rule and None when no customer rule applies."""
        self.ensure_one()
        rule = self.env["stock.shelf.life.rule"]
        if not self.product_id.use_expiration_date:
            return rule, None
        delivery = self._get_shelf_life_customer_move()
        partner = delivery.partner_id or delivery.picking_id.partner_id
        if not delivery or not partner:
            return rule, None
        rule = rule._get_rule(partner, self.product_id, self.company_id)
        if not rule:
            return rule, None
        return rule, rule._get_min_expiration_date(
            self.product_id, delivery.date, delivery.picking_type_id.warehouse_id
        )

    def _update_shelf_life_shortage(self):
        """Explain, on the move and in the transfer's chatter, a reservation left short
        because the stock on hand does not meet the customer's rule."""
        moves = self.filtered(
            lambda m: (
                m.state in ("confirmed", "partially_available", "assigned")
                and m.product_id.use_expiration_date
                and m.picking_type_id.code == "outgoing"
            )
        )
        for move in moves:
            note = move._get_shelf_life_shortage_note() or False
            if note == (move.shelf_life_shortage or False):
                continue
            move.shelf_life_shortage = note
            if note and move.picking_id:
                move.picking_id.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _get_shelf_life_shortage_note(self):
        self.ensure_one()
        missing = self.product_uom_qty - self.quantity
        if self.product_uom.compare(missing, 0) <= 0:
            return None
        rule, min_expiration = self._get_shelf_life_requirement()
        if not rule:
            return None
        domain = self.env["stock.quant"]._get_shippable_domain(
            self.product_id, self.location_id, self.date
        ) & Domain("expiration_date", "<", min_expiration)
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search_fetch(
                domain,
                ["lot_id", "expiration_date", "quantity", "reserved_quantity"],
                order="expiration_date, id",
            )
        )
        quants = quants.filtered(lambda q: q.product_uom_id.compare(q.available_quantity, 0) > 0)
        if not quants:
            return None
        customer = self._get_shelf_life_customer_move().partner_id or self.picking_id.partner_id
        lots = quants.lot_id
        described = ", ".join(
            self.env._(
                "lot %(lot)s (expires %(date)s)",
                lot=lot.name,
                date=fields.Date.to_string(
                    rule._get_local_day(lot.expiration_date, self.picking_type_id.warehouse_id)
                ),
            )
            for lot in lots[:_MAX_LOTS_NAMED]
        )
        if len(lots) > _MAX_LOTS_NAMED:
            described = self.env._(
                "%(lots)s and %(count)s more lots",
                lots=described,
                count=len(lots) - _MAX_LOTS_NAMED,
            )
        return self.env._(
            "%(quantity)s %(uom)s of %(product)s not reserved: %(lots)s does not meet "
            "%(customer)s's %(minimum)s.",
            quantity=f"{missing:g}",
            uom=self.product_uom.name,
            product=self.product_id.display_name,
            lots=described,
            customer=customer.commercial_partner_id.name,
            minimum=rule._describe_minimum(self.product_id),
        )
