from markupsafe import Markup

from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError


class StockReceiptShelfLifeWizard(models.TransientModel):
    _name = "stock.receipt.shelf.life.wizard"
    _description = "Accept a receipt with short shelf life"

    picking_ids = fields.Many2many("stock.picking", string="Receipts", required=True)
    problem_text = fields.Text(string="Lots", readonly=True)
    reason = fields.Text(required=True, help="Why these lots are accepted; posted on the receipt.")

    def action_accept(self):
        """Validate the receipts anyway, leaving the reason in their chatter."""
        self.ensure_one()
        if not self.env.user.has_group("lot_fefo_recall.group_quality_manager"):
            raise AccessError(
                self.env._("Only quality managers can accept lots with short shelf life.")
            )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for accepting these lots."))
        pickings = self.picking_ids.with_context(
            lot_fefo_accept_short_shelf_life=True, skip_expired=True
        )
        problems = pickings._get_receipt_shelf_life_problems()
        for picking in pickings:
            lines = [p["message"] for p in problems if p["line"].picking_id == picking]
            header = self.env._(
                "Short shelf life accepted by %(user)s. Reason: %(reason)s",
                user=self.env.user.name,
                reason=self.reason.strip(),
            )
            items = Markup("").join(Markup("<li>%s</li>") % line for line in lines)
            picking.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>") % (header, items),
                subtype_xmlid="mail.mt_note",
            )
        return pickings.button_validate()
