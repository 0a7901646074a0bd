from collections import defaultdict

from odoo import models


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
        """``{order: [message]}`` for ordered products whose stock in the line's
        warehouse meeting the customer's rule is less than ordered: the figures of the
        quotation lines (sale.order.line._get_shelf_life_requests), summed per product."""
        lines = self.filtered(lambda o: o.state in ("draft", "sent")).order_line
        planned = lines._get_shelf_life_requests()
        stock = lines._get_shelf_life_stock(planned)
        ordered = defaultdict(float)
        rules = {}
        for order, line, rule, request in planned:
            product = request[0]
            ordered[order, request] += line.product_uom_id._compute_quantity(
                line.product_uom_qty, product.uom_id
            )
            rules[order, request] = rule
        warnings = defaultdict(list)
        for (order, request), quantity in ordered.items():
            product = request[0]
            available = stock[request][0]
            if product.uom_id.compare(available, quantity) >= 0:
                continue
            warnings[order].append(
                self.env._(
                    "Only %(available)s %(uom)s of %(product)s meet %(customer)s's "
                    "%(minimum)s (%(ordered)s ordered): the delivery will be short "
                    "unless fresher stock arrives.",
                    available=f"{available:g}",
                    uom=product.uom_id.name,
                    product=product.display_name,
                    customer=order.partner_shipping_id.commercial_partner_id.name,
                    minimum=rules[order, request]._describe_minimum(product),
                    ordered=f"{quantity:g}",
                )
            )
        return warnings
