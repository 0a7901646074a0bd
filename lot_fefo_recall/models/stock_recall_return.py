from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    recall_id = fields.Many2one(
        "stock.recall",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The recall this customer return was made for.",
    )

    def _action_done(self):
        result = super()._action_done()
        self.filtered("recall_id")._update_recall_returned_qty()
        return result

    def _update_recall_returned_qty(self):
        """A validated return receipt raises its customer's returned quantity to at
        least what they destroyed and what came back, never lowers it."""
        keys = {
            (picking.recall_id.id, picking.partner_id.commercial_partner_id.id)
            for picking in self
            if picking.state == "done"
        }
        customers = self.recall_id.customer_ids.filtered(
            lambda customer: (customer.recall_id.id, customer.partner_id.id) in keys
        )
        # Whoever validates the receipt in the warehouse records the evidence, also on a
        # recall only quality managers may change.
        for customer in customers.sudo():
            received = customer.answer_destroyed_qty + customer.return_received_qty
            if customer.returned_qty < received:
                customer.returned_qty = received


class StockReturnPicking(models.TransientModel):
    _name = "stock.return.picking"
    _inherit = ["stock.return.picking", "lot_fefo_recall.input.guard"]

    recall_id = fields.Many2one("stock.recall")

    def _prepare_picking_default_values(self):
        """A return for a recall is linked to it and goes straight to the warehouse's
        quarantine location, where nothing reserves it."""
        vals = super()._prepare_picking_default_values()
        if not self.recall_id:
            return vals
        vals["recall_id"] = self.recall_id.id
        warehouse = self.picking_id.picking_type_id.warehouse_id
        if warehouse:
            vals["location_dest_id"] = warehouse._get_quarantine_location().id
        return vals


# One concern of stock.recall.customer per file (see stock_recall.py).
class StockRecallCustomer(models.Model):
    """Returns of recalled lots by a customer, and the invoices to credit."""

    _inherit = "stock.recall.customer"  # pylint: disable=consider-merging-classes-inherited

    return_received_qty = fields.Float(
        string="Received Back",
        compute="_compute_return_received_qty",
        digits="Product Unit",
        help="Received back through the recall's validated return receipts.",
    )
    return_count = fields.Integer(compute="_compute_return_received_qty")
    invoice_ids = fields.Many2many(
        "account.move", compute="_compute_invoice_ids", string="Invoices to Credit"
    )
    invoice_count = fields.Integer(compute="_compute_invoice_ids")

    @api.depends("recall_id.return_picking_ids.state")
    def _compute_return_received_qty(self):
        received = defaultdict(float)
        counts = defaultdict(int)
        for picking in self.recall_id.return_picking_ids:
            key = (picking.recall_id.id, picking.partner_id.commercial_partner_id.id)
            counts[key] += 1
            if picking.state != "done":
                continue
            received[key] += sum(
                picking.move_line_ids.filtered(
                    lambda line: line.location_id.usage == "customer"
                ).mapped("quantity_product_uom")
            )
        for customer in self:
            key = (customer.recall_id.id, customer.partner_id.id)
            customer.return_received_qty = received[key]
            customer.return_count = counts[key]

    def _compute_invoice_ids(self):
        # The warehouse sees that there is an invoice to credit; reading it stays
        # with the accounting rights.
        deliveries = self._get_delivery_lines()
        for customer in self:
            invoices = (
                deliveries[customer]
                .move_line_id.move_id.sale_line_id.sudo()
                .invoice_lines.move_id.filtered(
                    lambda move: move.move_type == "out_invoice" and move.state != "cancel"
                )
            )
            customer.invoice_ids = invoices.with_env(self.env)
            customer.invoice_count = len(invoices)

    def action_create_return(self):
        """One return receipt per delivery of the affected lots to this customer, for
        what was shipped and not yet returned, lot by lot."""
        self.ensure_one()
        recall = self.recall_id
        recall._check_can_act()
        if recall.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._(
                    "%(recall)s is not open: no return can be made for it.", recall=recall.name
                )
            )
        to_return = self._get_quantities_to_return()
        if not to_return:
            raise UserError(
                self.env._(
                    "%(customer)s has nothing left to return for %(recall)s: every delivery "
                    "of %(lots)s is already returned or on a return receipt.",
                    customer=self.partner_id.display_name,
                    recall=recall.name,
                    lots=", ".join(self.lot_ids.mapped("name")),
                )
            )
        returns = self.env["stock.picking"]
        for delivery, by_move in to_return.items():
            returns |= self._create_return(delivery, by_move)
        recall.message_post(
            body=self.env._(
                "Return receipts for %(customer)s: %(returns)s.",
                customer=self.partner_id.display_name,
                returns=", ".join(returns.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return recall._action_view_pickings(returns)

    def action_view_returns(self):
        self.ensure_one()
        return self.recall_id._action_view_pickings(
            self.recall_id.return_picking_ids.filtered(
                lambda picking: picking.partner_id.commercial_partner_id == self.partner_id
            )
        )

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"default_move_type": "out_refund"}
        return action

    def _get_delivery_lines(self):
        """The recall's trace lines of deliveries to each customer of ``self``."""
        lines = self.recall_id.line_ids.filtered(
            lambda line: line.line_type == "delivery" and line.move_line_id
        )
        by_key = defaultdict(lambda: self.env["stock.recall.line"])
        for line in lines:
            by_key[(line.recall_id.id, line.partner_id.id)] |= line
        return {
            customer: by_key[(customer.recall_id.id, customer.partner_id.id)] for customer in self
        }

    def _get_quantities_to_return(self):
        """``{delivery: {delivery move: {lot: quantity in the product's unit}}}`` of what
        was shipped to this customer and is on no return yet (done or open)."""
        self.ensure_one()
        shipped = defaultdict(float)
        for line in self._get_delivery_lines()[self]:
            move_line = line.move_line_id
            shipped[(move_line.move_id, move_line.lot_id)] += move_line.quantity_product_uom
        returned = defaultdict(float)
        moves = self.env["stock.move"].union(*(move for move, _lot in shipped))
        for return_line in moves.returned_move_ids.filtered(
            lambda move: move.state != "cancel"
        ).move_line_ids:
            key = (return_line.move_id.origin_returned_move_id, return_line.lot_id)
            returned[key] += return_line.quantity_product_uom
        to_return = defaultdict(lambda: defaultdict(dict))
        for (move, lot), quantity in shipped.items():
            left = quantity - returned[(move, lot)]
            if move.product_id.uom_id.compare(left, 0) > 0:
                to_return[move.picking_id][move][lot] = left
        return to_return

    def _create_return(self, delivery, by_move):
        """Return ``by_move`` (``{move: {lot: quantity}}``) of ``delivery`` with core's
        return wizard; the receipt's lines name the recalled lots."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_model="stock.picking", active_id=delivery.id)
            .create({"picking_id": delivery.id, "recall_id": self.recall_id.id})
        )
        for line in wizard.product_return_moves:
            quantity = sum(by_move.get(line.move_id, {}).values())
            line.quantity = line.move_id.product_id.uom_id._compute_quantity(quantity, line.uom_id)
        receipt = wizard._create_return()
        # Core proposes the delivery's lots in its own order; a delivery may also have
        # carried lots that are not recalled.
        receipt.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                dict(move._prepare_move_line_vals(quantity=quantity), lot_id=lot.id)
                for move in receipt.move_ids
                for lot, quantity in by_move[move.origin_returned_move_id].items()
            ]
        )
        return receipt


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Return receipts made for the recall."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    return_picking_ids = fields.One2many("stock.picking", "recall_id", string="Returns")
    return_count = fields.Integer(compute="_compute_return_count")

    @api.depends("return_picking_ids")
    def _compute_return_count(self):
        for recall in self:
            recall.return_count = len(recall.return_picking_ids)

    def action_view_returns(self):
        self.ensure_one()
        return self._action_view_pickings(self.return_picking_ids)

    def _action_view_pickings(self, pickings):
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", pickings.ids)]
        action["context"] = {"create": False}
        if len(pickings) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = pickings.id
        return action
