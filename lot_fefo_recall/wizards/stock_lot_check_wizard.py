from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class StockLotCheckWizard(models.TransientModel):
    _name = "stock.lot.check.wizard"
    _description = "Accept lots that fail a lot check"
    _inherit = ["lot_fefo_recall.input.guard"]

    picking_ids = fields.Many2many("stock.picking", string="Transfers", required=True)
    problem_text = fields.Text(string="Lots", readonly=True)
    reason = fields.Text(
        required=True, help="Why these lots are accepted anyway; posted on the transfer."
    )

    def action_accept(self):
        """Validate the transfers anyway, leaving the reason in their chatter."""
        self.ensure_one()
        self.env.user._check_lot_quality_manager(
            self.env._("Only quality managers can accept lots that fail a lot check.")
        )
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for accepting these lots."))
        pickings = self.picking_ids.with_context(
            lot_fefo_accept_lot_checks=True, skip_expired=True
        )
        problems = pickings._get_lot_check_problems()
        for picking in pickings:
            lines = [p["message"] for p in problems if p["line"].picking_id == picking]
            header = self.env._(
                "Lot check overridden by %(user)s. Reason: %(reason)s",
                user=self.env.user.name,
                reason=self.reason.strip(),
            )
            items = Markup("").join(Markup("<li>%s</li>") % line for line in lines)
            picking.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>") % (header, items),
                subtype_xmlid="mail.mt_note",
            )
        return pickings.button_validate()
