import datetime

from odoo import api, fields, models
from odoo.fields import Domain


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    shelf_life_shortage = fields.Text(
        compute="_compute_shelf_life_shortage",
        help="Components not fully reserved because the lots on hand expire too early "
        "for the product made to meet the customer's minimum remaining shelf life.",
    )

    @api.depends("move_raw_ids.shelf_life_shortage")
    def _compute_shelf_life_shortage(self):
        for production in self:
            notes = production.move_raw_ids.filtered("shelf_life_shortage").mapped(
                "shelf_life_shortage"
            )
            production.shelf_life_shortage = "\n".join(notes) or False

    @api.model_create_multi
    def create(self, vals_list):
        productions = super().create(vals_list)
        productions.filtered("lot_producing_ids")._apply_component_expiry()
        return productions

    def write(self, vals):
        res = super().write(vals)
        if "lot_producing_ids" in vals:
            self._apply_component_expiry()
        return res

    def _button_mark_done_sanity_checks(self):
        # Blocked component lots: the rule of stock.move.line._action_done, told before
        # the consumption and backorder questions.
        self.move_raw_ids.move_line_ids.filtered(
            lambda ml: ml.picked and ml.state not in ("done", "cancel")
        )._check_blocked_lots_leaving()
        return super()._button_mark_done_sanity_checks()

    def _post_inventory(self, cancel_backorder=False):
        res = super()._post_inventory(cancel_backorder=cancel_backorder)
        # What was consumed may differ from what was reserved when the lot was set.
        self._apply_component_expiry()
        return res

    def _apply_component_expiry(self):
        """The lots these orders make expire no later than the component lots they
        consume (reserve, until done), for products inheriting expiry from components.
        Said in the order's chatter when a lot's date changes."""
        productions = self.filtered(
            lambda p: (
                p.state != "cancel"
                and p.lot_producing_ids
                and p.product_id.use_expiration_date
                and p.product_id.expiry_from_components
            )
        )
        if not productions:
            return
        made_before = productions._get_lots_with_earlier_stock()
        for production in productions:
            components = production._get_expiry_component_lots()
            lots = production.lot_producing_ids
            changes = (lots - made_before)._set_expiry_from_components(components)
            changes.update(
                (lots & made_before)._set_expiry_from_components(components, own_is_final=True)
            )
            production._post_component_expiry(changes)

    def _get_expiry_component_lots(self):
        """The dated component lots this order consumes or has reserved."""
        self.ensure_one()
        lines = self.move_raw_ids.filtered(
            lambda m: m.state != "cancel" and m.product_id.use_expiration_date
        ).move_line_ids
        return lines.filtered(
            lambda line: line.lot_id and line.product_uom_id.compare(line.quantity, 0) > 0
        ).lot_id

    def _get_lots_with_earlier_stock(self):
        """Those of the lots these orders make that came into stock before, otherwise
        than by these orders (another order, a receipt): that stock keeps its date, so
        the lot's date may only get earlier."""
        lots = self.lot_producing_ids
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search_fetch(
                Domain("lot_id", "in", lots.ids)
                & Domain("state", "=", "done")
                & Domain("move_id", "not in", self.move_finished_ids.ids)
                & Domain("location_dest_id.usage", "in", ("internal", "transit"))
                & Domain("location_id.usage", "not in", ("internal", "transit")),
                ["lot_id"],
            )
        )
        return lots & lines.lot_id

    def _post_component_expiry(self, changes):
        """Say in the chatter which component lot limits the expiry of a lot made."""
        self.ensure_one()
        rule = self.env["stock.shelf.life.rule"]
        for lot, (old, new, component) in changes.items():
            values = {
                "lot": lot.name,
                "product": lot.product_id.display_name,
                "date": fields.Date.to_string(rule._get_local_day(new, self.warehouse_id)),
                "old": fields.Date.to_string(rule._get_local_day(old, self.warehouse_id)),
            }
            if component:
                body = self.env._(
                    "Lot %(lot)s of %(product)s expires on %(date)s instead of %(old)s: "
                    "its component lot %(component)s of %(component_product)s expires then.",
                    component=component.name,
                    component_product=component.product_id.display_name,
                    **values,
                )
            else:
                body = self.env._(
                    "Lot %(lot)s of %(product)s expires on %(date)s instead of %(old)s, as "
                    "its own shelf life gives: no component lot expires earlier.",
                    **values,
                )
            self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _get_component_shelf_life_requirement(self):
        """``(rule, earliest expiration date a component lot may have, customer)`` when
        this order makes, for a customer whose shelf life rule blocks short lots, a
        product inheriting expiry from components: the lot made expires no later than
        its components, so they must outlast the rule's minimum for the product (plus
        its best before time when the rule measures the best before date). An empty
        rule and None otherwise.

        The customer, dates, strictness and a sales manager's override are those of the
        delivery the finished goods feed (see stock.move._get_shelf_life_requirement);
        an order not feeding one goes by the sale orders it was made for."""
        self.ensure_one()
        product = self.product_id
        if not (product.use_expiration_date and product.expiry_from_components):
            return self.env["stock.shelf.life.rule"], None, self.env["res.partner"]
        finished = self.move_finished_ids.filtered(
            lambda m: m.product_id == product and m.state != "cancel"
        )[:1]
        customer = finished._get_shelf_life_customer() if finished else self.env["res.partner"]
        if not customer:
            return self._get_sale_shelf_life_requirement()
        rule, min_date = finished._get_shelf_life_reservation_filter()
        if not rule:
            return rule, None, customer
        return rule, self._get_component_min_expiration(rule, min_date), customer

    def _get_component_min_expiration(self, rule, min_date):
        """The earliest expiration date a component lot may have for the lot made to
        meet ``min_date`` on the date ``rule`` measures."""
        self.ensure_one()
        if rule._get_lot_date_field() == "use_date":
            return min_date + datetime.timedelta(days=self.product_id.use_time)
        return min_date

    def _get_sale_shelf_life_requirement(self):
        """``_get_component_shelf_life_requirement`` by the sale orders this order was
        made for (its references, its sale line): the strictest of their delivery
        addresses' blocking rules, shipping on the order's requested delivery date, else
        its expected date, else when this order finishes."""
        self.ensure_one()
        Rule = self.env["stock.shelf.life.rule"]
        candidates = []
        # sudo: who reserves components need not read sale orders
        production = self.sudo()
        for order in production.reference_ids.sale_ids | production.sale_line_id.order_id:
            lines = (production.sale_line_id & order.order_line) or order.order_line.filtered(
                lambda line: line.product_id == self.product_id
            )
            if lines and all(lines.mapped("shelf_life_override")):
                continue
            rule = Rule._get_rule(order.partner_shipping_id, self.product_id, self.company_id)
            if not rule or rule.strictness != "block":
                continue
            min_date = rule._get_min_date(
                self.product_id,
                order.commitment_date or order.expected_date or self.date_finished,
                order.warehouse_id,
                requested_date=order.commitment_date or None,
            )
            candidates.append(
                (
                    self._get_component_min_expiration(rule, min_date),
                    rule,
                    order.partner_shipping_id.commercial_partner_id.sudo(False),
                )
            )
        if not candidates:
            return Rule, None, self.env["res.partner"]
        min_expiration, rule, customer = max(candidates, key=lambda candidate: candidate[0])
        return rule, min_expiration, customer
