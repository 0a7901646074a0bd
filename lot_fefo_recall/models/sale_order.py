from collections import defaultdict

from odoo import fields, models
from odoo.fields import Domain


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        """Confirm as usual; when the stock meeting the customer's shelf life rule is
        short, say so in the chatter and in a notification (it does not block)."""
        warnings = self._get_shelf_life_shortage_warnings()
        res = super().action_confirm()
        for order, messages in warnings.items():
            order.message_post(body="\n".join(messages), subtype_xmlid="mail.mt_note")
        if warnings and res is True:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Short-dated stock"),
                    "message": "\n".join(m for messages in warnings.values() for m in messages),
                    "type": "warning",
                    "sticky": True,
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return res

    def _get_shelf_life_shortage_warnings(self):
        """``{order: [message]}`` for ordered products whose stock in the order's
        warehouse meeting the customer's rule is less than ordered."""
        warnings = defaultdict(list)
        Rule = self.env["stock.shelf.life.rule"]
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            ship_date = order.commitment_date or order.expected_date or fields.Datetime.now()
            ordered = defaultdict(float)
            for line in order.order_line.filtered(
                lambda sol: sol.product_id.is_storable and sol.product_id.use_expiration_date
            ):
                ordered[line.product_id] += line.product_uom_id._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                )
            for product, quantity in ordered.items():
                rule = Rule._get_rule(order.partner_shipping_id, product, order.company_id)
                if not rule:
                    continue
                min_expiration = rule._get_min_expiration_date(
                    product, ship_date, order.warehouse_id
                )
                available = order._get_stock_meeting_expiration(product, min_expiration, ship_date)
                if product.uom_id.compare(available, quantity) < 0:
                    warnings[order].append(
                        self.env._(
                            "Only %(available)s %(uom)s of %(product)s meet %(customer)s's "
                            "%(minimum)s (%(ordered)s ordered): the delivery will be short "
                            "unless fresher stock arrives.",
                            available=f"{available:g}",
                            uom=product.uom_id.name,
                            product=product.display_name,
                            customer=order.partner_shipping_id.commercial_partner_id.name,
                            minimum=rule._describe_minimum(product),
                            ordered=f"{quantity:g}",
                        )
                    )
        return warnings

    def _get_stock_meeting_expiration(self, product, min_expiration, ship_date):
        self.ensure_one()
        domain = self.env["stock.quant"]._get_shippable_domain(
            product, self.warehouse_id.lot_stock_id, ship_date
        ) & (
            Domain("expiration_date", ">=", min_expiration) | Domain("expiration_date", "=", False)
        )
        [(quantity, reserved)] = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(domain, [], ["quantity:sum", "reserved_quantity:sum"])
        )
        return (quantity or 0.0) - (reserved or 0.0)
