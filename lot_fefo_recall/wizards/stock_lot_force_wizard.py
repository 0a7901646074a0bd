from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command


class StockLotForceWizard(models.TransientModel):
    _name = "stock.lot.force.wizard"
    _description = "Force blocked lots out with a written reason"
    _inherit = ["lot_fefo_recall.input.guard"]

    picking_ids = fields.Many2many("stock.picking", string="Transfers")
    lot_ids = fields.Many2many("stock.lot", string="Blocked Lots", compute="_compute_blocked_lots")
    problem_text = fields.Text(string="Lots Leaving", compute="_compute_blocked_lots")
    reason = fields.Text(
        required=True,
        help="Why these blocked lots may leave the stock all the same; posted on the lots "
        "and on the transfers or orders.",
    )

    @api.model
    def default_get(self, fields):
        res = super().default_get(fields)
        context = self.env.context
        if context.get("active_model") == "stock.picking" and "picking_ids" in fields:
            res["picking_ids"] = [Command.set(context.get("active_ids") or [])]
        return res

    @api.depends("picking_ids")
    def _compute_blocked_lots(self):
        for wizard in self:
            exits = wizard._get_move_lines()._get_blocked_lot_exits()
            lines = self.env["stock.move.line"].browse([line.id for line in exits])
            wizard.lot_ids = lines.lot_id
            wizard.problem_text = lines._describe_blocked_lot_exits(exits) if exits else False

    def action_force(self):
        """Validate the transfers (or orders) with their blocked lots; the move lines
        record the reason on the lots and the documents as the stock moves."""
        self.ensure_one()
        self.env.user._check_lot_quality_manager(
            self.env._("Only quality managers can force blocked lots out of the stock.")
        )
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for forcing these blocked lots out."))
        if not self.lot_ids:
            raise UserError(
                self.env._("No blocked lot would leave the stock with these transfers.")
            )
        return self.with_context(
            lot_fefo_force_blocked_lot_ids=self.lot_ids.ids,
            lot_fefo_force_blocked_reason=reason,
        )._validate_documents()

    def _get_move_lines(self):
        """The open lines of the documents, whose blocked lots are forced out."""
        return self.picking_ids.move_line_ids.filtered(
            lambda ml: ml.state not in ("done", "cancel")
        )

    def _validate_documents(self):
        return self.picking_ids.with_env(self.env).button_validate()
